"""skreg runs the same training as scikit-learn where the objectives agree."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from skreg import MLPClassifier, MLPRegressor

N_SAMPLES = 150


def _data(kind):
    if kind == "multiclass":
        X, y = load_iris(return_X_y=True)
    elif kind == "binary":
        X, y = make_classification(N_SAMPLES, 6, random_state=0)
    else:
        X, y = make_regression(N_SAMPLES, 6, noise=5.0, random_state=0)
        y = y / y.std()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    sample_weight = np.random.default_rng(0).integers(0, 4, size=len(y)).astype(float)
    return X, y, sample_weight


def _pair(kind):
    if kind == "regression":
        return MLPRegressor, SkMLPRegressor
    return MLPClassifier, SkMLPClassifier


def _relative_difference(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.max(np.abs(a - b) / np.abs(b))


# (solver, batch_size, sklearn alpha, weighted): the cases where the objectives
# agree. With mini-batches of size b dividing n, skreg's alpha is a * n / b.
CASES = [
    ("lbfgs", "auto", 1e-2, False),
    ("lbfgs", "auto", 1e-2, True),
    ("adam", 30, 0.0, False),
    ("adam", 30, 0.0, True),
    ("sgd", 30, 0.0, True),
    ("adam", N_SAMPLES, 1e-1, False),
    ("adam", N_SAMPLES, 1e-1, True),
    ("sgd", N_SAMPLES, 1e-1, True),
    ("adam", 30, 1e-2, False),
    ("sgd", 50, 1e-2, False),
]


@pytest.mark.parametrize("kind", ["multiclass", "binary", "regression"])
@pytest.mark.parametrize("solver, batch_size, alpha, weighted", CASES)
def test_same_training_run_as_scikit_learn(kind, solver, batch_size, alpha, weighted):
    X, y, sample_weight = _data(kind)
    sample_weight = sample_weight if weighted else None
    ours_cls, theirs_cls = _pair(kind)
    params = dict(
        hidden_layer_sizes=(9, 7),
        solver=solver,
        batch_size=batch_size,
        max_iter=30,
        learning_rate_init=0.01,
        random_state=3,
    )
    n = X.shape[0]
    is_minibatch = solver != "lbfgs" and batch_size < n
    our_alpha = alpha * n / batch_size if is_minibatch else alpha
    ours = ours_cls(alpha=our_alpha, **params).fit(X, y, sample_weight=sample_weight)
    theirs = theirs_cls(alpha=alpha, **params).fit(X, y, sample_weight=sample_weight)

    assert ours.n_iter_ == theirs.n_iter_
    if solver == "lbfgs":
        assert _relative_difference(ours.loss_, theirs.loss_) < 1e-6
    else:
        assert len(ours.loss_curve_) == len(theirs.loss_curve_)
        assert _relative_difference(ours.loss_curve_, theirs.loss_curve_) < 1e-6
    if kind == "regression":
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)
    else:
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    for W_ours, W_theirs in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(W_ours, W_theirs, rtol=1e-6, atol=1e-9)


def test_same_fitted_attributes_as_scikit_learn():
    X, y, _ = _data("multiclass")
    ours = MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    theirs = SkMLPClassifier(max_iter=5, random_state=0).fit(X, y)
    public = {k for k in vars(theirs) if k.endswith("_") and not k.startswith("_")}
    assert public <= set(vars(ours))


def test_defaults_equal_scikit_learn():
    ours = MLPClassifier().get_params()
    theirs = SkMLPClassifier().get_params()
    assert {k: ours[k] for k in theirs} == theirs
    ours = MLPRegressor().get_params()
    theirs = SkMLPRegressor().get_params()
    assert {k: ours[k] for k in theirs} == theirs


def test_float32_training_stays_float32_and_close_to_scikit_learn():
    X, y, _ = _data("multiclass")
    X = X.astype(np.float32)
    ours = MLPClassifier(max_iter=10, random_state=0).fit(X, y)
    theirs = SkMLPClassifier(max_iter=10, random_state=0).fit(X, y)
    assert all(W.dtype == np.float32 for W in ours.coefs_)
    assert ours.predict_proba(X).dtype == np.float32
    assert _relative_difference(ours.loss_curve_, theirs.loss_curve_) < 1e-4
