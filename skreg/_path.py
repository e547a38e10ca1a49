"""Regularization paths: warm-started fits over a sequence of alphas.

The idea is scikit-learn's ``enet_path`` / ``ElasticNetCV`` for linear models:
one fit per alpha, each starting from the previous solution, so that the whole
path costs little more than a few cold fits. For a network the path goes from
dense to sparse (increasing alpha): all-zero weights are a stationary point of
the network (no gradient reaches a layer whose inputs are all zero), so a path
that started at the sparse end could never leave it.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.utils import Bunch
from sklearn.utils.multiclass import type_of_target

from skreg._mlp import MLPClassifier, MLPRegressor


def _default_estimator(y):
    if type_of_target(y) in ("continuous", "continuous-multioutput"):
        return MLPRegressor()
    return MLPClassifier()


def fit_converged(model, X, y, sample_weight=None):
    """Fit ``model``; whether it did without a ConvergenceWarning.

    The ConvergenceWarning is kept for the caller to word (a path says it
    once for all its alphas); every other warning is passed on as it came.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return converged


def alpha_max(X, y, *, l1_ratio=1.0, group=False, sample_weight=None, classifier=None):
    """The alpha above which a linear model's penalty removes every input.

    For the objective ``mean loss + (alpha / S) * l1_ratio * sum|W|`` of a
    network without hidden layers (a linear or logistic model), all-zero
    weights are optimal exactly when, at the best constant predictor, every
    input's loss gradient ``|X_j^T (P - Y)|`` (weighted sum over samples, for
    every output) is at most ``alpha * l1_ratio``: the lasso's ``alpha_max``,
    in skreg's units. A network has more layers between the inputs and the
    loss, but the same data set the same scale, so the automatic grids of
    ``MLPClassifierCV`` and ``MLPRegressorCV`` are spaced from it. ``l1_ratio``
    is floored at 0.01 so that an ``'l2'`` grid is finite (scikit-learn's
    ``ElasticNetCV`` refuses an automatic grid for ``l1_ratio=0`` instead).

    With ``group=True`` (``penalty='group'`` or ``'sparse_group'``) an input is
    removed when its row of gradients, soft-thresholded by ``alpha * l1_ratio``,
    has a norm of at most ``alpha * (1 - l1_ratio) * sqrt(n_outputs)``: the
    sparse group lasso's condition, solved for alpha by bisection.
    """
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)
    weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    weights = np.asarray(weights, dtype=float)
    if classifier is None:
        classifier = type_of_target(y) not in ("continuous", "continuous-multioutput")
    if classifier and np.ndim(y) == 1:
        _, encoded = np.unique(np.asarray(y), return_inverse=True)
        Y = np.eye(encoded.max() + 1)[encoded]
        if Y.shape[1] == 2:
            # One logistic output, as the network has.
            Y = Y[:, 1:]
    else:
        # Regression targets, or multilabel ones (one 0/1 column per label).
        Y = np.asarray(y, dtype=float).reshape(X.shape[0], -1)
    # The best constant predictor is the weighted mean of the targets (class
    # frequencies for a classifier); its residuals are P - Y.
    residuals = np.average(Y, axis=0, weights=weights) - Y
    gradient = np.abs(X.T @ (residuals * weights[:, np.newaxis]))
    if not group:
        return float(gradient.max()) / max(l1_ratio, 0.01)
    group_scale = (1 - l1_ratio) * np.sqrt(gradient.shape[1])

    def keeps_an_input(alpha):
        shrunk = np.maximum(gradient - alpha * l1_ratio, 0)
        return bool(np.any(np.linalg.norm(shrunk, axis=1) > alpha * group_scale))

    low, high = 0.0, float(gradient.max()) / max(l1_ratio, 1e-12)
    if group_scale > 0:
        high = min(high, float(np.linalg.norm(gradient, axis=1).max()) / group_scale)
    for _ in range(60):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if keeps_an_input(middle) else (low, middle)
    return high


def mlp_path(
    X,
    y,
    *,
    alphas,
    estimator=None,
    sample_weight=None,
    X_test=None,
    y_test=None,
    scoring=None,
    return_models=False,
    warm_max_iter=None,
):
    """Fit an MLP at each alpha, from the smallest, each from the previous fit.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    alphas : array-like of float
        The penalty strengths; fitted in increasing order.
    estimator : MLPClassifier or MLPRegressor, default=None
        The model to fit along the path (cloned; its ``alpha`` is ignored and
        ``warm_start`` is set). None: ``MLPRegressor()`` for continuous
        targets, ``MLPClassifier()`` otherwise. Its stopping rule applies at
        each alpha: the training loss, or with ``early_stopping=True`` a
        validation split (the same split at every alpha).
    sample_weight : array-like of shape (n_samples,), default=None
    X_test, y_test : held-out data, default=None
        When given, each alpha's model is scored on them.
    scoring : str or callable, default=None
        The score on the test data; None is the estimator's ``score``.
    return_models : bool, default=False
        Also return each alpha's ``coefs_`` and ``intercepts_`` (copies).
    warm_max_iter : int, default=None
        The epoch budget of each alpha after the first, which starts from its
        neighbour's solution: the stopping rule still ends it earlier. None is
        ``max(1, max_iter // 5)``; ``max_iter`` gives every alpha a cold fit's
        budget. Only used by the stochastic solvers (lbfgs stops on its own
        criteria at each alpha).

    Returns
    -------
    path : Bunch
        ``alphas`` (increasing), and one entry per alpha: ``n_iter``,
        ``train_loss`` (the objective at the end of the fit), ``test_score``
        (when test data are given), ``n_nonzero`` (non-zero weights),
        ``n_features_kept`` (inputs with a non-zero outgoing weight), and with
        ``return_models``, ``coefs`` and ``intercepts``.

    Notes
    -----
    Each alpha starts from the previous alpha's weights with a fresh optimizer
    (Adam's moments and the learning-rate schedule start anew, as any
    ``warm_start`` fit does) and a fresh stopping rule, since the objective
    changed. Keeping Adam's moments instead was measured no faster and, on
    regression, less accurate along the path: the moments of the old objective
    steer the first steps on the new one (benchmarks/README.md).
    """
    alphas = np.sort(np.asarray(alphas, dtype=float).ravel())
    if alphas.size == 0 or not np.all(alphas >= 0) or not np.all(np.isfinite(alphas)):
        raise ValueError(f"alphas must be non-empty, finite and >= 0, got {alphas}.")
    model = clone(_default_estimator(y) if estimator is None else estimator)
    model.set_params(warm_start=True)
    scorer = None if X_test is None else check_scoring(model, scoring=scoring)
    path = Bunch(
        alphas=alphas,
        n_iter=np.zeros(alphas.size, dtype=int),
        train_loss=np.zeros(alphas.size),
        n_nonzero=np.zeros(alphas.size, dtype=int),
        n_features_kept=np.zeros(alphas.size, dtype=int),
    )
    if scorer is not None:
        path.test_score = np.zeros(alphas.size)
    if return_models:
        path.coefs, path.intercepts = [], []
    if warm_max_iter is None:
        warm_max_iter = max(1, model.max_iter // 5)
    budget = f"max_iter={model.max_iter}"
    if model.solver != "lbfgs" and alphas.size > 1:
        budget += f" for the first, warm_max_iter={warm_max_iter} for the others"
    unconverged = []
    for i, alpha in enumerate(alphas):
        if i == 1 and model.solver != "lbfgs":
            model.set_params(max_iter=warm_max_iter)
        if not fit_converged(model.set_params(alpha=alpha), X, y, sample_weight):
            unconverged.append(alpha)
        path.n_iter[i] = model.n_iter_
        path.train_loss[i] = model.loss_
        path.n_nonzero[i] = sum(int(np.count_nonzero(W)) for W in model.coefs_)
        path.n_features_kept[i] = model.n_features_kept_
        if scorer is not None:
            path.test_score[i] = scorer(model, X_test, y_test)
        if return_models:
            path.coefs.append([W.copy() for W in model.coefs_])
            path.intercepts.append([b.copy() for b in model.intercepts_])
    if unconverged:
        # One warning for the path, not one per alpha: along a path most alphas
        # use their whole (short) warm budget by design.
        warnings.warn(
            f"{len(unconverged)} of {alphas.size} alphas of the path reached "
            f"their iteration budget ({budget}) before the stopping rule was "
            "met.",
            ConvergenceWarning,
        )
    path.estimator = model
    return path
