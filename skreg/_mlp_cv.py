"""MLPClassifierCV and MLPRegressorCV: alpha tuned along warm-started paths.

The design is scikit-learn's ``ElasticNetCV`` / ``LogisticRegressionCV``: a
data-driven grid of alphas, one regularization path per fold and l1_ratio
(``skreg._path.mlp_path``), the folds in parallel through joblib, the best mean
score chosen, and a refit on all the data. A path costs about as much as a few
cold fits, where a grid search pays for a full fit at every alpha.
"""

import threading
import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from joblib import cpu_count, effective_n_jobs
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

from skreg._callbacks import CVCallbacks, path_task, with_callbacks
from skreg._docstrings import CLASSIFIER_CV_DOC, REGRESSOR_CV_DOC
from skreg._mlp import _FITTED_ATTRIBUTES, MLPClassifier, MLPRegressor
from skreg._path import alpha_max, fit_converged, mlp_path
from skreg._penalties import GROUP_PENALTIES, PENALTY_L1_RATIOS
from skreg._validation import Interval, check_sample_weight, fit_context

# The automatic grid spans this many decades below alpha_max (ElasticNetCV
# spans three with eps=1e-3; a network's best alpha sat lower on the data sets
# tried, see benchmarks/README.md).
_GRID_DECADES = 4

_CV_PARAMETERS = ("alphas", "cv", "scoring", "n_jobs", "refit", "warm_max_iter")

_CV_ATTRIBUTES = ("alpha_", "l1_ratio_", "alphas_", "scores_", "_n_features_kept_path")


def _fold_path(
    estimator,
    X,
    y,
    sample_weight,
    train,
    test,
    alphas,
    scoring,
    warm_max_iter,
    threads,
    keep_networks=False,
    task=None,
    caller=None,
):
    """One fold's path, its BLAS limited to ``threads`` threads (None: as is).

    With ``keep_networks`` the path also brings back its network at every
    alpha, from which the refit starts.

    The limit is process-wide, so it is only set by a worker that has its
    process to itself (a task in a process's main thread): fold threads of one
    process (joblib's threading backend, a threaded dask worker) would restore
    each other's limits out of order and leave the process at one thread.
    """
    weights = None if sample_weight is None else sample_weight[train]
    if threading.current_thread() is not threading.main_thread():
        threads = None

    def run():
        with threadpool_limits(limits=threads, user_api="blas"):
            return mlp_path(
                X[train],
                y[train],
                alphas=alphas,
                estimator=estimator,
                sample_weight=weights,
                X_test=X[test],
                y_test=y[test],
                scoring=scoring,
                return_models=keep_networks,
                warm_max_iter=warm_max_iter,
            )

    path = path_task(task, caller, X[train], y[train], run)
    if not keep_networks:
        # Only the figures travel back: the fold's network would be pickled
        # back to the caller (over the network, on a cluster) for nothing.
        del path["estimator"]
    return path


class _MLPCVMixin:
    """Fit by cross-validated paths; predict with the model refit at alpha_."""

    _fitted_attributes = (*_FITTED_ATTRIBUTES, *_CV_ATTRIBUTES)

    @property
    def n_features_kept_(self):
        """The inputs each fold's model kept along its path.

        An array of shape (n_l1_ratio, n_alphas, n_folds), where the base
        estimator's ``n_features_kept_`` is the count of its one model.
        """
        if "_n_features_kept_path" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__} has no n_features_kept_ before fit."
            )
        return self._n_features_kept_path

    def _base_estimator(self, l1_ratio):
        params = {
            name: value
            for name, value in self.get_params(deep=False).items()
            if name not in _CV_PARAMETERS
        }
        return self._estimator_class(**{**params, "l1_ratio": l1_ratio})

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=float))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError(
                f"l1_ratio must be a float or a list, got {self.l1_ratio}."
            )
        if not np.all((ratios >= 0) & (ratios <= 1)):
            raise ValueError(f"l1_ratio values must be in [0, 1], got {ratios}.")
        if ratios.size > 1 and self.penalty != "elasticnet":
            raise ValueError(
                f"A list of l1_ratio values needs penalty='elasticnet', got "
                f"penalty={self.penalty!r} with l1_ratio={self.l1_ratio!r}."
            )
        return ratios

    def _alpha_grid(self, X, y, sample_weight, l1_ratio):
        if not isinstance(self.alphas, Integral):
            alphas = np.sort(np.asarray(self.alphas, dtype=float).ravel())
            if alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas >= 0)):
                raise ValueError(
                    f"alphas must be a positive int or an array of finite "
                    f"non-negative floats, got {self.alphas!r}."
                )
            return alphas
        ratio = PENALTY_L1_RATIOS[self.penalty]
        top = alpha_max(
            X,
            y,
            l1_ratio=l1_ratio if ratio is None else ratio,
            group=self.penalty in GROUP_PENALTIES,
            sample_weight=sample_weight,
            classifier=is_classifier(self),
        )
        if not top > 0:
            # Constant targets: nothing for a penalty to remove.
            top = 1.0
        return top * np.logspace(-_GRID_DECADES, 0, self.alphas)

    @fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Choose alpha (and l1_ratio) by cross-validation, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in training (each fold's penalty is divided
            by its own weight sum); the scores are unweighted.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.penalty is None:
            raise ValueError(
                f"{type(self).__name__} tunes alpha, which penalty=None does not "
                "have; use penalty='l2', 'l1' or 'elasticnet'."
            )
        saved = self._fitted_state()
        try:
            self._fit_cv(X, y, sample_weight)
        except BaseException:
            self._restore_fitted_state(saved)
            raise
        return self

    def _fit_cv(self, X, y, sample_weight):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr"],
            multi_output=True,
            dtype=(np.float64, np.float32),
        )
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        ratios = self._l1_ratios()
        cv = check_cv(self.cv, y, classifier=is_classifier(self))
        folds = list(cv.split(X, y))
        grids = np.array([self._alpha_grid(X, y, sample_weight, r) for r in ratios])
        callbacks = CVCallbacks(
            self, len(ratios) * len(folds), self.refit, X, y, sample_weight
        )
        paths = self._fold_paths(X, y, sample_weight, ratios, grids, folds, callbacks)
        best_ratio, best_alpha = self._choose(paths, ratios, grids, len(folds))
        if self.refit:
            # The first fold's path of the chosen l1_ratio kept its networks.
            start = paths[best_ratio * len(folds)]
            model = self._fold_network(start, best_alpha, y)
            if model is None:
                alphas = grids[best_ratio, : best_alpha + 1]
                fit = partial(self._refit_along_path, X, y, sample_weight, alphas)
            else:
                fit = partial(self._continue_on_all_data, model, X, y, sample_weight)
            callbacks.refit(fit, model)
        callbacks.end()

    def _fold_paths(self, X, y, sample_weight, ratios, grids, folds, callbacks):
        """One path per l1_ratio and fold, in parallel; the first fold's keeps
        its networks for the refit."""
        n_jobs = effective_n_jobs(self.n_jobs)
        # Folds run side by side: each gets its share of the cores for BLAS,
        # so that n_jobs fits do not each start a thread per core.
        threads = None if n_jobs == 1 else max(1, cpu_count() // n_jobs)
        tasks = iter(callbacks.path_tasks)
        return Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_path)(
                self._base_estimator(ratio),
                X,
                y,
                sample_weight,
                train,
                test,
                grid,
                self.scoring,
                self.warm_max_iter,
                threads,
                keep_networks=self.refit and fold == 0,
                task=next(tasks),
                caller=self,
            )
            for ratio, grid in zip(ratios, grids)
            for fold, (train, test) in enumerate(folds)
        )

    def _choose(self, paths, ratios, grids, n_folds):
        """Record the scores; the indices of the best l1_ratio and alpha."""
        shape = (len(ratios), grids.shape[1], n_folds)
        scores = np.array([p.test_score for p in paths]).reshape(
            len(ratios), n_folds, -1
        )
        kept = np.array([p.n_features_kept for p in paths]).reshape(
            len(ratios), n_folds, -1
        )
        self.scores_ = scores.transpose(0, 2, 1).reshape(shape)
        self._n_features_kept_path = kept.transpose(0, 2, 1).reshape(shape)
        # The best mean score; among equals the larger alpha (the simpler
        # model), as the path runs towards it.
        mean = self.scores_.mean(axis=2)
        if np.all(np.isnan(mean)):
            raise ValueError(
                "Every alpha's mean cross-validation score is NaN (some fold's "
                f"scoring={self.scoring!r} was not defined on its held-out part)."
            )
        flat = np.flatnonzero(mean == np.nanmax(mean))
        best_ratio, best_alpha = np.unravel_index(flat[-1], mean.shape)
        self.l1_ratio_ = float(ratios[best_ratio])
        self.alphas_ = grids if len(ratios) > 1 else grids[0]
        self.alpha_ = float(grids[best_ratio, best_alpha])
        return best_ratio, best_alpha

    def _refit_along_path(self, X, y, sample_weight, alphas):
        """The refit when the first fold missed a class: the path on all the
        data up to alpha_."""
        model = mlp_path(
            X,
            y,
            alphas=alphas,
            estimator=self._base_estimator(self.l1_ratio_),
            sample_weight=sample_weight,
            warm_max_iter=self.warm_max_iter,
        ).estimator
        self._adopt(model)

    def _fold_network(self, path, index, y):
        """The first fold's network at alpha_, ready to train on all the data.

        None when that fold missed a class of ``y``: its output layer does not
        fit the data, and the refit runs the whole path instead.
        """
        model = path.estimator
        if is_classifier(self) and not np.array_equal(model.classes_, unique_labels(y)):
            return None
        model.coefs_ = path.coefs[index]
        model.intercepts_ = path.intercepts[index]
        model._restart_progress()
        model.set_params(alpha=path.alphas[index])
        return model

    def _continue_on_all_data(self, model, X, y, sample_weight):
        """The refit: the fold's network trained on all the data at alpha_.

        scikit-learn's LogisticRegressionCV starts its refit from the folds'
        mean coefficients at the best C. The hidden units of networks fitted
        on different folds have no common order, so a mean of their weights
        means nothing; one fold's network is the start instead. It already
        sits near the optimum of alpha_ on most of the data, so it gets a warm
        alpha's budget, where a refit along the path would repeat the
        fold's whole path on all the data.
        """
        if model.solver != "lbfgs":
            budget = self.warm_max_iter or max(1, self.max_iter // 5)
            model.set_params(max_iter=budget)
        if not fit_converged(model, X, y, sample_weight):
            warnings.warn(
                f"The refit at alpha_={model.alpha:g}, which starts from the "
                "first fold's network, reached its iteration budget "
                f"({model.max_iter} iterations) before the stopping rule was met.",
                ConvergenceWarning,
            )
        self._adopt(model)

    def _adopt(self, model):
        """The refit model's fitted attributes, as this estimator's own."""
        for name in _FITTED_ATTRIBUTES:
            if name in model.__dict__ and name not in (
                "n_features_in_",
                "feature_names_in_",
            ):
                setattr(self, name, model.__dict__[name])

    def _partial_fit_refusal(self):
        return (
            f"partial_fit is not available for {type(self).__name__}: the "
            "cross-validated path needs the whole data set."
        )

    def __sklearn_is_fitted__(self):
        # With refit=False the search leaves alpha_ and scores_, but no model.
        return hasattr(self, "coefs_")


_CV_CONSTRAINTS = {
    "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "n_jobs": [Integral, None],
    "refit": ["boolean"],
    "warm_max_iter": [Interval(Integral, 1, None, closed="left"), None],
}


class MLPClassifierCV(_MLPCVMixin, MLPClassifier):
    _estimator_class = MLPClassifier
    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in MLPClassifier._parameter_constraints.items()
            if k != "alpha"
        },
        **_CV_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        alphas=12,
        l1_ratio=0.15,
        cv=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        warm_max_iter=None,
        solver="adam",
        penalty="l2",
        dropout=0.0,
        input_dropout=0.0,
        label_smoothing=0.0,
        class_weight=None,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        _store(self, locals())


class MLPRegressorCV(_MLPCVMixin, MLPRegressor):
    _estimator_class = MLPRegressor
    _parameter_constraints: dict = {
        **{
            k: v for k, v in MLPRegressor._parameter_constraints.items() if k != "alpha"
        },
        **_CV_CONSTRAINTS,
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        alphas=12,
        l1_ratio=0.15,
        cv=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        warm_max_iter=None,
        solver="adam",
        penalty="l2",
        dropout=0.0,
        input_dropout=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        _store(self, locals())


def _store(estimator, arguments):
    """``__init__`` only stores its arguments (scikit-learn's rule)."""
    for name, value in arguments.items():
        if name != "self":
            setattr(estimator, name, value)


MLPClassifierCV.__doc__ = CLASSIFIER_CV_DOC
MLPRegressorCV.__doc__ = REGRESSOR_CV_DOC
