"""Penalty values, smooth gradients and the proximal step."""

import numpy as np
import pytest

from skreg._penalties import ElasticNetPenalty, make_penalties


def _soft_threshold(w, t):
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_value_is_the_elastic_net_formula(dtype):
    W = np.array([[1.0, -2.0], [0.5, 0.0]], dtype=dtype)
    penalty = ElasticNetPenalty(strength=0.4, l1_ratio=0.25)
    expected = 0.4 * (0.25 * 3.5 + 0.5 * 0.75 * (1 + 4 + 0.25))
    assert penalty.value(W) == pytest.approx(expected)
    # A strided view (not one buffer) gives the same value.
    wide = np.zeros((2, 4), dtype=dtype)
    wide[:, ::2] = W
    assert penalty.value(wide[:, ::2]) == pytest.approx(expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_value_does_not_depend_on_where_the_weights_sit(dtype, l1_ratio):
    # The loss curve and the stopping rule use this value: the same weights
    # must give the same float wherever the buffer is. (OpenBLAS's asum, used
    # here before, gave up to four different sums over these 64 offsets.)
    W = np.random.default_rng(0).standard_normal(93_696).astype(dtype)
    penalty = ElasticNetPenalty(strength=0.3, l1_ratio=l1_ratio)
    buffer = np.empty(W.size + 64, dtype=dtype)
    values = set()
    for offset in range(64):
        view = buffer[offset : offset + W.size]
        view[...] = W
        values.add(penalty.value(view))
    assert len(values) == 1


def test_prox_with_scalar_step_is_soft_thresholding():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 5))
    penalty = ElasticNetPenalty(strength=2.0, l1_ratio=0.5)
    expected = _soft_threshold(W, 0.3 * penalty.l1)
    penalty.prox(W, 0.3)
    np.testing.assert_array_equal(W, expected)
    assert np.any(W == 0.0)


def test_prox_with_per_coordinate_steps():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(4, 3))
    steps = rng.uniform(0.1, 2.0, size=W.shape)
    penalty = ElasticNetPenalty(strength=0.5, l1_ratio=1.0)
    expected = _soft_threshold(W, steps * penalty.l1)
    penalty.prox(W, steps.copy())
    np.testing.assert_allclose(W, expected, rtol=0, atol=1e-15)
    # Exactly zero (not tiny) where |w| <= threshold.
    inside = np.abs(expected) == 0
    assert inside.any() and np.all(W[inside] == 0.0)


def test_prox_is_a_no_op_without_l1():
    W = np.arange(6.0).reshape(2, 3)
    ElasticNetPenalty(strength=1.0, l1_ratio=0.0).prox(W, 10.0)
    np.testing.assert_array_equal(W, np.arange(6.0).reshape(2, 3))


def test_prox_minimises_its_objective():
    # prox(v) = argmin_w 0.5 (w - v)^2 + t |w|: check against a fine grid.
    grid = np.linspace(-3, 3, 60001)
    for v in (-2.0, -0.1, 0.0, 0.05, 1.3):
        t = 0.2
        best = grid[np.argmin(0.5 * (grid - v) ** 2 + t * np.abs(grid))]
        W = np.array([[v]])
        ElasticNetPenalty(strength=t, l1_ratio=1.0).prox(W, 1.0)
        assert W[0, 0] == pytest.approx(best, abs=1e-4)


def test_smooth_gradient_is_the_l2_part():
    W = np.array([[1.0, -2.0]])
    grad = np.zeros_like(W)
    ElasticNetPenalty(strength=0.5, l1_ratio=0.2).add_smooth_gradient(W, grad)
    np.testing.assert_allclose(grad, 0.5 * 0.8 * W)


@pytest.mark.parametrize(
    "penalty, l1_ratio, expected",
    [("l2", 0.7, (0.0, 1.0)), ("l1", 0.7, (1.0, 0.0)), ("elasticnet", 0.7, (0.7, 0.3))],
)
def test_make_penalties_maps_names_to_ratios(penalty, l1_ratio, expected):
    made, intercepts = make_penalties(
        penalty, alpha=3.0, l1_ratio=l1_ratio, weight_sum=6.0
    )
    assert intercepts is None
    assert (made.l1, made.l2) == pytest.approx((0.5 * expected[0], 0.5 * expected[1]))


def test_no_penalty_is_zero_strength():
    made, _ = make_penalties(None, alpha=3.0, l1_ratio=0.5, weight_sum=6.0)
    assert made.l1 == 0 and made.l2 == 0
