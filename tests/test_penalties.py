"""Penalty values, smooth gradients and the proximal step."""

import numpy as np
import pytest
import scipy.optimize

from skreg._penalties import ElasticNetPenalty, GroupPenalty, make_penalties


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


# ---------------------------------------------------------------------------
# The group penalty on rows: one flat buffer viewed as the layers' matrices.
# ---------------------------------------------------------------------------

_SHAPES = [(5, 3), (3, 4), (4, 1)]


def _flat_weights(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.normal(size=sum(r * c for r, c in _SHAPES)).astype(dtype)


def _matrices(flat):
    out, start = [], 0
    for rows, columns in _SHAPES:
        out.append(flat[start : start + rows * columns].reshape(rows, columns))
        start += rows * columns
    return out


def _group_formula(flat, strength, l1_ratio):
    group = sum(
        np.sqrt(W.shape[1]) * np.linalg.norm(W, axis=1).sum() for W in _matrices(flat)
    )
    return strength * (l1_ratio * np.abs(flat).sum() + (1 - l1_ratio) * group)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_group_value_is_the_formula(dtype, l1_ratio):
    flat = _flat_weights(0, dtype)
    _matrices(flat)[1][2] = 0.0  # a dead row adds nothing
    penalty = GroupPenalty(0.7, l1_ratio, _SHAPES)
    expected = _group_formula(flat.astype(np.float64), 0.7, l1_ratio)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    assert penalty.value(flat) == pytest.approx(expected, rel=rtol)
    assert penalty.smooth_value(flat) == 0.0


def test_group_value_does_not_depend_on_where_the_weights_sit():
    shapes = [(300, 64), (64, 10)]
    flat = np.random.default_rng(3).standard_normal(300 * 64 + 640)
    penalty = GroupPenalty(0.3, 0.2, shapes)
    buffer = np.empty(flat.size + 16)
    values = set()
    for offset in range(16):
        view = buffer[offset : offset + flat.size]
        view[...] = flat
        values.add(penalty.value(view))
    assert len(values) == 1


def _block_soft_threshold(flat, step, strength, l1_ratio):
    out = []
    for W in _matrices(_soft_threshold(flat, step * strength * l1_ratio)):
        t = step * strength * (1 - l1_ratio) * np.sqrt(W.shape[1])
        norms = np.linalg.norm(W, axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(W * np.where(norms > t, 1 - t / norms, 0.0))
    return np.concatenate([W.ravel() for W in out])


@pytest.mark.parametrize("l1_ratio", [0.0, 0.4])
def test_group_prox_with_scalar_step_is_block_soft_thresholding(l1_ratio):
    flat = _flat_weights(1)
    _matrices(flat)[0][0] *= 1e-3  # a small row, below the threshold
    expected = _block_soft_threshold(flat, 0.5, 1.0, l1_ratio)
    penalty = GroupPenalty(1.0, l1_ratio, _SHAPES)
    penalty.prox(flat, 0.5)
    np.testing.assert_allclose(flat, expected, rtol=1e-13, atol=1e-15)
    # Whole rows at exactly 0.0.
    assert np.all(_matrices(flat)[0][0] == 0.0)
    for W, E in zip(_matrices(flat), _matrices(expected)):
        dead = ~np.any(E != 0, axis=1)
        assert np.all(W[dead] == 0.0)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_group_prox_with_scalar_step_is_the_exact_prox(l1_ratio):
    # prox(v) = argmin_w 0.5 / step ||w - v||^2 + penalty(w), found by scipy
    # on one tiny matrix (rows: two groups of three weights).
    shapes = [(2, 3)]
    v = np.array([0.9, -0.4, 0.3, 0.05, 0.1, -0.08])
    step, strength = 0.5, 0.4
    penalty = GroupPenalty(strength, l1_ratio, shapes)

    def objective(w):
        return 0.5 / step * np.sum((w - v) ** 2) + penalty.value(w)

    def minimise(start):
        options = {"xatol": 1e-12, "fatol": 1e-15, "maxiter": 40000, "maxfev": 40000}
        return scipy.optimize.minimize(
            objective, start, method="Nelder-Mead", options=options
        ).x

    w = v.copy()
    penalty.prox(w, step)
    assert np.all(w[3:] == 0.0)  # the small row is removed
    found = minimise(v)
    np.testing.assert_allclose(w, found, atol=2e-4)
    # No point scipy finds, from v or from the prox itself, is lower.
    for other in (found, minimise(w), minimise(w + 0.01)):
        assert objective(w) <= objective(other) + 1e-13


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3])
def test_group_prox_with_per_coordinate_steps_decreases_its_objective(l1_ratio):
    # Adam's metric: 0.5 * sum (w - v)^2 / s + penalty(w). The row's step is
    # chosen so that the shrink beats leaving the row alone, and beats any
    # other shrink of the same row.
    rng = np.random.default_rng(5)
    penalty = GroupPenalty(0.8, l1_ratio, _SHAPES)
    for _ in range(20):
        v = rng.normal(size=_flat_weights(0).size) * rng.uniform(0.01, 2.0)
        steps = rng.uniform(0.01, 3.0, size=v.shape) ** 2

        def objective(w, v=v, steps=steps):
            return 0.5 * np.sum((w - v) ** 2 / steps) + penalty.value(w)

        w = v.copy()
        kept_steps = steps.copy()
        penalty.prox(w, steps)
        np.testing.assert_array_equal(steps, kept_steps)  # not modified
        assert objective(w) <= objective(v) + 1e-12
        if l1_ratio == 0:
            # Any other scaling c * v of each row is no better.
            for c in (0.0, 0.25, 0.5, 0.9):
                assert objective(w) <= objective(c * v) + 1e-12


def test_group_prox_with_equal_steps_is_the_scalar_prox():
    flat = _flat_weights(2)
    expected = flat.copy()
    penalty = GroupPenalty(0.9, 0.25, _SHAPES)
    penalty.prox(expected, 0.3)
    penalty.prox(flat, np.full_like(flat, 0.3))
    np.testing.assert_allclose(flat, expected, rtol=1e-14, atol=1e-16)


def test_group_prox_keeps_float32():
    flat = _flat_weights(4, np.float32)
    expected = _block_soft_threshold(flat.astype(np.float64), 0.2, 1.5, 0.0)
    GroupPenalty(1.5, 0.0, _SHAPES).prox(flat, 0.2)
    assert flat.dtype == np.float32
    np.testing.assert_allclose(flat, expected, rtol=1e-5, atol=1e-6)


def test_group_penalty_interface():
    penalty = GroupPenalty(1.0, 0.0, _SHAPES)
    # Not elementwise: the optimizer must call prox, not the fused kernel.
    assert penalty.coordinate_strengths() is None
    assert penalty.has_prox
    assert not GroupPenalty(0.0, 0.5, _SHAPES).has_prox
    with pytest.raises(ValueError, match="L-BFGS-B"):
        penalty.split_slope()
    grad = np.ones(_flat_weights(0).size)
    penalty.add_smooth_gradient(_flat_weights(0), grad)
    np.testing.assert_array_equal(grad, 1.0)
    with pytest.raises(ValueError, match="layer shapes"):
        penalty.value(np.ones(3))


def test_sparse_group_with_l1_ratio_one_is_l1():
    flat = _flat_weights(6)
    expected = flat.copy()
    ElasticNetPenalty(0.6, 1.0).prox(expected, 0.4)
    (penalty, _) = make_penalties("sparse_group", 3.0, 1.0, 5.0, shapes=_SHAPES)
    penalty.prox(flat, 0.4)
    np.testing.assert_array_equal(flat, expected)


@pytest.mark.parametrize(
    "name, l1_ratio, expected",
    [("group", 0.7, (0.0, 1.0)), ("sparse_group", 0.7, (0.7, 0.3))],
)
def test_make_penalties_group(name, l1_ratio, expected):
    made, intercepts = make_penalties(name, 3.0, l1_ratio, 6.0, shapes=_SHAPES)
    assert intercepts is None
    assert isinstance(made, GroupPenalty)
    assert (made.l1, made.group) == pytest.approx(
        (0.5 * expected[0], 0.5 * expected[1])
    )
    with pytest.raises(ValueError, match="shapes"):
        make_penalties(name, 3.0, l1_ratio, 6.0)
