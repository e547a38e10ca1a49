"""Loss values and label smoothing."""

import numpy as np
import pytest
from sklearn.metrics import log_loss as sk_log_loss

from skreg._losses import (
    binary_log_loss,
    class_log_loss,
    log_loss,
    poisson_loss,
    smooth_targets,
    squared_loss,
)


def test_softmax_smoothing_formula():
    Y = np.eye(4)[[0, 2, 3]]
    smoothed = smooth_targets(Y.copy(), 0.2, 4)
    np.testing.assert_allclose(smoothed[0], [0.85, 0.05, 0.05, 0.05])
    np.testing.assert_allclose(smoothed.sum(axis=1), 1.0)


def test_logistic_smoothing_gives_classic_targets():
    Y = np.array([[0.0], [1.0]])
    np.testing.assert_allclose(smooth_targets(Y, 0.2, 2), [[0.1], [0.9]])


def test_no_smoothing_returns_targets_unchanged():
    Y = np.eye(3)
    assert smooth_targets(Y, 0.0, 3) is Y
    np.testing.assert_array_equal(Y, np.eye(3))


def test_log_loss_matches_scikit_learn_metric():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(3), size=20)
    y = rng.integers(3, size=20)
    sw = rng.uniform(0.1, 2, size=20)
    ours = log_loss(np.eye(3)[y], P, sw)
    assert ours == pytest.approx(sk_log_loss(y, P, sample_weight=sw, labels=[0, 1, 2]))


def test_binary_log_loss_matches_scikit_learn_metric():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.99, size=(30, 1))
    y = rng.integers(2, size=30)
    ours = binary_log_loss(y[:, None].astype(float), p)
    assert ours == pytest.approx(sk_log_loss(y, np.hstack([1 - p, p])))


def test_squared_and_poisson_losses():
    Y = np.array([[1.0, 2.0], [3.0, 0.0]])
    P = np.array([[1.5, 2.0], [2.0, 1.0]])
    assert squared_loss(Y, P) == pytest.approx(0.5 * np.mean((Y - P) ** 2))
    expected = np.mean(
        [(1 * np.log(1 / 1.5) - 1 + 1.5) + 0.0, (3 * np.log(3 / 2) - 3 + 2) + 1.0]
    )
    assert poisson_loss(Y, P) == pytest.approx(expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_class_log_loss_equals_log_loss_of_one_hot_targets(dtype, weighted):
    rng = np.random.default_rng(0)
    Z = rng.normal(scale=30, size=(257, 7))  # saturated rows exercise the clip
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = (P / P.sum(axis=1, keepdims=True)).astype(dtype)
    classes = rng.integers(7, size=257)
    Y = np.eye(7, dtype=dtype)[classes]
    weights = rng.uniform(0, 2, size=257) if weighted else None
    assert class_log_loss(classes, P, weights) == log_loss(Y, P, weights)
