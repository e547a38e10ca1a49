"""The ``skreg`` job's search: the models, the grid, the scores at every alpha."""

import time

import numpy as np
from joblib import cpu_count, effective_n_jobs
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, KFold, ParameterGrid, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from skreg._callbacks import SearchProgress

# skreg divides the penalty by the training set's sample-weight sum S, where
# scikit-learn's stochastic solvers divide by the batch size b: the same alpha
# is S / b times weaker here (about 4.5 on a digits training fold), so useful
# values reach about 100 for a few thousand rows. On digits these span barely
# regularized (0.1) to every weight pruned by l1 (100, where l2 still scores
# about 0.94). The CV estimators get this grid, not their automatic one: that one
# is spaced from a linear model's alpha_max, differs per penalty (l2's is 100
# times l1's), and would give each penalty its own alphas in the table.
_ALPHAS = (0.1, 1.0, 10.0, 100.0)
_QUICK_ALPHAS = (1.0,)

# Small enough for the default search to finish within a minute on CI's two
# cores (the README gives the time measured); fewer epochs leave too little
# training for dropout and label smoothing to pay.
_MLP_SETTINGS = {
    "hidden_layer_sizes": (64,),
    "solver": "adam",
    "max_iter": 200,
    "early_stopping": False,
}
_QUICK_MLP_SETTINGS = {**_MLP_SETTINGS, "hidden_layer_sizes": (16,), "max_iter": 50}


def _estimator_classes(task):
    """The MLP class, its CV class and the scoring for ``task``."""
    if task == "classification":
        return MLPClassifier, MLPClassifierCV, "accuracy"
    return MLPRegressor, MLPRegressorCV, "r2"


def _folds(task, n_folds, random_state):
    """Shuffled folds, stratified by class for classification."""
    if task == "classification":
        return StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    return KFold(n_folds, shuffle=True, random_state=random_state)


def _preprocessor(is_categorical):
    """Standardize the numeric columns and one-hot encode the categorical ones.

    Parameters
    ----------
    is_categorical : ndarray of bool, shape (n_features,)
    """
    if not is_categorical.any():
        return StandardScaler()
    transformers = [
        (
            "categorical",
            # A category seen in no training fold becomes all zeros.
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            np.flatnonzero(is_categorical),
        )
    ]
    if not is_categorical.all():
        numeric = np.flatnonzero(~is_categorical)
        transformers.insert(0, ("numeric", StandardScaler(), numeric))
    return ColumnTransformer(transformers)


def _make_model(task, mlp, is_categorical):
    """Wrap an MLP in preprocessing and return it with its parameter-name prefix.

    Parameters
    ----------
    task : {"classification", "regression"}
    mlp : estimator
    is_categorical : ndarray of bool, shape (n_features,)
        Which input columns hold categories (one-hot encoded) instead of
        numbers (standardized).

    Returns
    -------
    model : estimator
    prefix : str
        What ``GridSearchCV`` parameter names need before the MLP's own names.
    """
    pipeline = make_pipeline(_preprocessor(is_categorical), mlp)
    prefix = pipeline.steps[-1][0] + "__"
    if task == "regression":
        # The MLP's step sizes assume targets of order one: on diabetes (target
        # 25..346) an unscaled fit stays far below R^2 = 0 in 100 epochs.
        model = TransformedTargetRegressor(
            regressor=pipeline, transformer=StandardScaler()
        )
        return model, "regressor__" + prefix
    return pipeline, prefix


def _param_grid(task, prefix, quick):
    """The settings searched over besides alpha, which each candidate's path tunes."""
    grid = {
        "penalty": ["l2", "l1"] if quick else ["l2", "l1", "elasticnet"],
        "dropout": [0.0, 0.2],
    }
    if task == "classification":
        grid["label_smoothing"] = [0.0, 0.1]
    return {prefix + name: values for name, values in grid.items()}


class _ReportingGridSearchCV(GridSearchCV):
    """A ``GridSearchCV`` that reports each candidate as soon as it is scored.

    ``GridSearchCV(verbose=...)`` prints from the workers, a line per fit and
    out of order. This search scores the candidates in groups of one per
    worker (all their folds in parallel) and calls ``report`` in this process
    after each group, so the lines come in order and with any ``n_jobs``.

    Parameters
    ----------
    report : callable, default=None
        Called as ``report(results, indices, n_candidates)`` after each group,
        with the ``cv_results_``-style dict so far and the indices of the
        group's candidates in it.
    """

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        report=None,
    ):
        super().__init__(
            estimator, param_grid, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv
        )
        self.report = report

    def _run_search(self, evaluate_candidates):
        candidates = list(ParameterGrid(self.param_grid))
        group = max(1, effective_n_jobs(self.n_jobs))
        for start in range(0, len(candidates), group):
            stop = min(start + group, len(candidates))
            results = evaluate_candidates(candidates[start:stop])
            if self.report is not None:
                self.report(results, range(start, stop), len(candidates))


def _fit_candidate(model, params, X, y, threads):
    """Fit one candidate's CV estimator (one alpha path per fold) in a worker.

    Returns
    -------
    scores : ndarray of shape (n_alphas, n_folds)
    kept : ndarray of shape (n_alphas, n_folds)
        The inputs each fold's model kept (``n_features_kept_``).
    seconds : float
        Wall time of the fit, all folds and alphas.
    """
    model = clone(model).set_params(**params)
    start = time.perf_counter()
    # Candidates run side by side: each gets its share of the cores for BLAS.
    with threadpool_limits(limits=threads, user_api="blas"):
        model.fit(X, y)
    seconds = time.perf_counter() - start
    if isinstance(model, TransformedTargetRegressor):
        model = model.regressor_
    cv_estimator = model[-1] if hasattr(model, "steps") else model
    return cv_estimator.scores_[0], cv_estimator.n_features_kept_[0], seconds


def _path_search(
    model, grid, alphas, X, y, *, prefix, n_jobs, n_folds, report=None, progress=None
):
    """Score every candidate of ``grid`` at every alpha with one CV fit each.

    ``model`` ends in an ``MLPClassifierCV`` / ``MLPRegressorCV`` (``refit=False``)
    whose paths score all the alphas on every fold, so a candidate costs one
    cold fit and ``len(alphas) - 1`` short warm ones per fold, where a grid
    search over alpha pays a cold fit per alpha. The candidates run in groups of
    one per worker; ``report(per_candidate, indices, candidates)`` is called
    after each group, with :func:`_fit_candidate`'s results so far, the indices
    of the group's candidates and the list of all candidates. ``progress``, a
    callback such as scikit-learn's ``ProgressBar``, sees the search as a task
    with a sub-task per candidate (begun when its group starts, ended when it
    is scored).

    Returns
    -------
    results : dict
        ``cv_results_``-style, one row per candidate and alpha (candidates in
        grid order, alphas increasing): ``params`` (with ``alpha`` after the
        prefix), ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_inputs_kept`` and ``path_time`` (the candidate's seconds per
        fold, the same for its alphas).
    """
    candidates = list(ParameterGrid(grid))
    per_candidate = _fit_candidates(model, candidates, X, y, n_jobs, report, progress)
    return _path_results(candidates, per_candidate, alphas, prefix, n_folds)


def _fit_candidates(model, candidates, X, y, n_jobs, report, progress):
    """:func:`_fit_candidate` for each candidate, in groups of one per worker.

    Returns
    -------
    per_candidate : list of tuple
        :func:`_fit_candidate`'s results, in the order of ``candidates``.
    """
    n_workers = max(1, effective_n_jobs(n_jobs))
    threads = None if n_workers == 1 else max(1, cpu_count() // n_workers)
    per_candidate = []
    parallel = Parallel(n_jobs=n_jobs)

    def loop(tasks):
        for start in range(0, len(candidates), n_workers):
            stop = min(start + n_workers, len(candidates))
            for i in range(start, stop):
                if tasks is not None:
                    tasks.begin(i)
            per_candidate.extend(
                parallel(
                    delayed(_fit_candidate)(model, params, X, y, threads)
                    for params in candidates[start:stop]
                )
            )
            for i in range(start, stop):
                if tasks is not None:
                    tasks.end(i)
            if report is not None:
                report(per_candidate, range(start, stop), candidates)

    if progress is None:
        loop(None)
    else:
        SearchProgress([progress], len(candidates)).run(loop)
    return per_candidate


def _path_results(candidates, per_candidate, alphas, prefix, n_folds):
    """The ``cv_results_``-style dict of :func:`_path_search`, a row per alpha."""
    params, means, stds, kept, seconds = [], [], [], [], []
    for candidate, (scores, n_kept, elapsed) in zip(candidates, per_candidate):
        for alpha, row, row_kept in zip(alphas, scores, n_kept):
            params.append({**candidate, prefix + "alpha": float(alpha)})
            means.append(row.mean())
            stds.append(row.std())
            kept.append(row_kept.mean())
            seconds.append(elapsed / n_folds)
    means = np.array(means)
    ranked = np.where(np.isnan(means), -np.inf, means)
    return {
        "params": params,
        "mean_test_score": means,
        "std_test_score": np.array(stds),
        "rank_test_score": rankdata(-ranked, method="min").astype(int),
        "mean_inputs_kept": np.array(kept),
        "path_time": np.array(seconds),
    }


def _best_index(results):
    """The row refitted: the highest unrounded mean, the first in grid order."""
    means = np.where(
        np.isnan(results["mean_test_score"]), -np.inf, results["mean_test_score"]
    )
    return int(np.argmax(means))


def _best_model(task, mlp, is_categorical, best_params, prefix):
    """``mlp`` in its preprocessing, set to the best candidate's parameters.

    ``best_params`` are named as in the searched model, after ``prefix``.
    """
    final, final_prefix = _make_model(task, mlp, is_categorical)
    return final.set_params(
        **{
            final_prefix + key.removeprefix(prefix): value
            for key, value in best_params.items()
        }
    )
