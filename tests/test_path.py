"""Regularization paths: warm starts over alpha, and alpha_max."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from skreg import MLPClassifier, MLPRegressor, mlp_path
from skreg._path import alpha_max


def _data(kind, n=120, n_features=6, seed=0):
    if kind == "classification":
        X, y = make_classification(
            n, n_features, n_informative=3, n_redundant=0, random_state=seed
        )
    else:
        X, y = make_regression(
            n, n_features, n_informative=3, noise=5.0, random_state=seed
        )
        y = y / y.std()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_the_path_is_a_sequence_of_warm_starts_with_increasing_alpha():
    X, y = _data("classification")
    estimator = MLPClassifier((8,), penalty="l1", max_iter=15, random_state=0)
    path = mlp_path(
        X,
        y,
        alphas=[3.0, 0.1, 1.0],
        estimator=estimator,
        return_models=True,
        warm_max_iter=15,
    )
    np.testing.assert_array_equal(path.alphas, [0.1, 1.0, 3.0])
    manual = MLPClassifier(
        (8,), penalty="l1", max_iter=15, random_state=0, warm_start=True
    )
    for i, alpha in enumerate([0.1, 1.0, 3.0]):
        manual.set_params(alpha=alpha).fit(X, y)
        for ours, theirs in zip(path.coefs[i], manual.coefs_):
            np.testing.assert_array_equal(ours, theirs)
        assert path.n_iter[i] == manual.n_iter_
        assert path.train_loss[i] == manual.loss_
        assert path.n_nonzero[i] == sum(np.count_nonzero(W) for W in manual.coefs_)
        kept = np.count_nonzero(np.any(manual.coefs_[0] != 0, axis=1))
        assert path.n_features_kept[i] == kept
    assert "test_score" not in path


@pytest.mark.parametrize(
    "kind, Estimator", [("classification", MLPClassifier), ("regression", MLPRegressor)]
)
def test_alpha_max_is_where_l1_removes_every_input_of_a_linear_model(kind, Estimator):
    # Without hidden layers the objective is the lasso's (logistic lasso's),
    # which lbfgs solves to exact zeros.
    X, y = _data(kind)
    top = alpha_max(X, y)
    params = dict(hidden_layer_sizes=(), solver="lbfgs", penalty="l1", tol=1e-10)
    above = Estimator(alpha=top * 1.01, max_iter=2000, **params).fit(X, y)
    below = Estimator(alpha=top * 0.9, max_iter=2000, **params).fit(X, y)
    assert np.all(above.coefs_[0] == 0)
    assert np.count_nonzero(below.coefs_[0]) > 0


def test_alpha_max_uses_the_sample_weights_and_floors_l1_ratio():
    X, y = _data("regression")
    weights = np.random.RandomState(0).uniform(0.5, 2, len(y))
    doubled = alpha_max(X, y, sample_weight=2 * weights)
    assert doubled == pytest.approx(2 * alpha_max(X, y, sample_weight=weights))
    assert alpha_max(X, y, l1_ratio=0.0) == pytest.approx(100 * alpha_max(X, y))
    assert alpha_max(X, y, l1_ratio=0.5) == pytest.approx(2 * alpha_max(X, y))


def test_the_path_scores_held_out_data_and_ends_sparse():
    X, y = _data("classification", n=200)
    top = alpha_max(X, y)
    path = mlp_path(
        X[:150],
        y[:150],
        alphas=top * np.logspace(-3, 1, 5),
        estimator=MLPClassifier(
            (8,), penalty="l1", learning_rate_init=0.01, max_iter=60, random_state=0
        ),
        X_test=X[150:],
        y_test=y[150:],
    )
    assert path.n_features_kept[0] == X.shape[1]
    assert path.n_features_kept[-1] == 0
    assert path.test_score.max() > path.test_score[-1] + 0.1
    assert np.all(np.diff(path.n_nonzero) <= 0)


@pytest.mark.parametrize("alphas", [[], [-1.0], [np.nan]])
def test_bad_alphas_raise(alphas):
    X, y = _data("regression")
    with pytest.raises(ValueError, match="alphas must be non-empty, finite and >= 0"):
        mlp_path(X, y, alphas=alphas)


def test_a_warm_start_with_another_alpha_trains_again():
    # Issue 13: the best loss and the no-improvement count of the previous
    # objective stopped each new alpha after one epoch (n_iter_ 100, 100, 11,
    # 1, 1). Unchanged objective: the stopping state carries on, as before.
    X, y = _data("classification", n=300)
    model = MLPClassifier(
        (16,), penalty="l1", warm_start=True, max_iter=40, random_state=0
    )
    n_iters = [model.set_params(alpha=a).fit(X, y).n_iter_ for a in (0.1, 1, 10, 30)]
    assert min(n_iters) > model.n_iter_no_change + 1, n_iters
    model.set_params(max_iter=200).fit(X, y)
    converged = model.n_iter_
    assert model.fit(X, y).n_iter_ <= model.n_iter_no_change + 1 < converged


def test_alphas_after_the_first_get_the_warm_budget():
    X, y = _data("classification")
    estimator = MLPClassifier((8,), max_iter=40, n_iter_no_change=100, random_state=0)
    path = mlp_path(X, y, alphas=[0.1, 1.0, 3.0], estimator=estimator)
    np.testing.assert_array_equal(path.n_iter, [40, 8, 8])
    path = mlp_path(X, y, alphas=[0.1, 1.0], estimator=estimator, warm_max_iter=3)
    np.testing.assert_array_equal(path.n_iter, [40, 3])


def test_alpha_max_of_the_group_penalties():
    # group: an input goes when its row of gradients has a norm of at most
    # alpha * sqrt(n_outputs); sparse_group with l1_ratio=1 is l1's rule.
    X, y = make_classification(
        150, 5, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    Y = np.eye(3)[y]
    gradient = X.T @ (Y.mean(axis=0) - Y)
    expected = np.linalg.norm(gradient, axis=1).max() / np.sqrt(3)
    assert alpha_max(X, y, l1_ratio=0.0, group=True) == pytest.approx(expected)
    assert alpha_max(X, y, l1_ratio=1.0, group=True) == pytest.approx(alpha_max(X, y))
    between = alpha_max(X, y, l1_ratio=0.5, group=True)
    assert min(expected, alpha_max(X, y)) <= between <= alpha_max(X, y) / 0.5
