"""The compiled kernels give the same bits as the numpy code they replace."""

import importlib
import os
import platform
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

import skreg._fused
from skreg import MLPClassifier, MLPRegressor
from skreg._activations import DERIVATIVES
from skreg._dropout import drop
from skreg._engine import _bias_relu, _bias_softmax, _class_delta
from skreg._losses import class_log_loss
from skreg._optimizers import AdamOptimizer
from skreg._penalties import ElasticNetPenalty

# The second CI run (SKREG_NO_KERNELS=1) has nothing to compare here.
pytestmark = pytest.mark.skipif(
    skreg._fused._kernels is None, reason=f"kernels: {skreg._fused.status()}"
)
# Both builds of the kernels where this CPU runs both: the baseline module
# and the AVX2 one that skreg._fused picks here.
VARIANTS = (
    ["_kernels", "_kernels_avx2"] if skreg._fused.LOOPS == "avx2" else ["_kernels"]
)
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64])
# Sizes around the vector widths (4, 8, 16 lanes) and their remainders.
SIZES = [1, 7, 16, 33, 1000, 4099]


@pytest.fixture(autouse=True, params=VARIANTS)
def kernels(request, monkeypatch):
    """The module under test, its kernels the ones skreg._fused hands out."""
    module = importlib.import_module(f"skreg.{request.param}")
    for name in skreg._fused.NAMES:
        monkeypatch.setattr(skreg._fused, name, getattr(module, name))
    return module


def _switch_off(monkeypatch, names=skreg._fused.NAMES):
    for name in names:
        monkeypatch.setattr(skreg._fused, name, None)


def _on_and_off(compute, monkeypatch, names=skreg._fused.NAMES):
    """``compute()`` with the kernels, then with ``names`` switched off."""
    fused = compute()
    _switch_off(monkeypatch, names)
    return fused, compute()


def _assert_same_bits(fused, plain):
    for a, b in zip(fused, plain, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


def _count_calls(monkeypatch):
    """Wrap every kernel; returns the dict of calls per name.

    The wrappers also check what Cython does not: every array is aligned.
    """
    calls = dict.fromkeys(skreg._fused.NAMES, 0)

    def counted(name, kernel):
        def run(*args):
            arrays = [a for a in args if isinstance(a, np.ndarray)]
            assert all(a.flags.aligned and a.flags.c_contiguous for a in arrays)
            calls[name] += 1
            return kernel(*args)

        return run

    for name in skreg._fused.NAMES:
        kernel = getattr(skreg._fused, name)
        monkeypatch.setattr(skreg._fused, name, counted(name, kernel))
    return calls


def test_every_kernel_is_looked_up(kernels):
    # A kernel added to the extension but not to skreg._fused would never run.
    public = {
        n
        for n in dir(kernels)
        if not n.startswith("_") and callable(getattr(kernels, n))
    }
    assert public == set(skreg._fused.NAMES)
    assert all(getattr(skreg._fused, name) is not None for name in skreg._fused.NAMES)
    assert skreg._fused.status() == "yes"


def test_the_environment_variable_switches_the_kernels_off():
    code = "import skreg._fused as f; print(f.status(), f.adam_step)"
    env = {**os.environ, "SKREG_NO_KERNELS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "no (switched off by SKREG_NO_KERNELS) None\n"


def _adam_run(dtype, size, penalty, steps=4):
    rng = np.random.default_rng(size)
    param = rng.standard_normal(size).astype(dtype)
    # Exact zeros, tiny and large values: where the order of operations shows.
    param[::5] = 0
    param[1::7] *= 1e-6
    optimizer = AdamOptimizer([param], learning_rate_init=0.01)
    for _ in range(steps):
        scale = 10.0 ** rng.integers(-8, 3, size)
        grad = (rng.standard_normal(size) * scale).astype(dtype)
        optimizer.step([param], [grad], [penalty])
    return param, optimizer.ms[0], optimizer.vs[0]


@DTYPES
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("l1_ratio", [None, 0.0, 0.3, 1.0])
def test_adam_step_equals_the_numpy_update(dtype, size, l1_ratio, monkeypatch):
    penalty = None if l1_ratio is None else ElasticNetPenalty(0.01, l1_ratio)
    results = _on_and_off(lambda: _adam_run(dtype, size, penalty), monkeypatch)
    _assert_same_bits(*results)
    assert results[0][0].dtype == dtype
    if l1_ratio and size >= 1000:
        assert np.any(results[0][0] == 0)  # the prox ran on the kernel's steps


@DTYPES
def test_adam_step_propagates_nan_as_numpy_does(dtype, monkeypatch):
    # Until a diverging fit's loss is checked, both paths hold the same values.
    def run():
        param = np.linspace(-1, 1, 40).astype(dtype)
        grad = np.linspace(-3, 2, 40).astype(dtype)
        param[3], grad[5], grad[7] = np.nan, np.nan, np.inf
        optimizer = AdamOptimizer([param])
        with np.errstate(invalid="ignore"):  # numpy warns of inf - inf
            for _ in range(2):
                optimizer.step([param], [grad.copy()], [ElasticNetPenalty(0.5, 0.5)])
        return param, optimizer.ms[0], optimizer.vs[0]

    results = _on_and_off(run, monkeypatch)
    _assert_same_bits(*results)
    assert np.isnan(results[0][0]).sum() == 3


def _special(shape, dtype, seed=0):
    """Normal values with zeros of both signs, NaN and infinities planted."""
    Z = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    flat = Z.reshape(-1)
    flat[::3], flat[1::5], flat[2::11] = 0.0, -0.0, np.nan
    flat[3::13], flat[4::17] = -np.inf, np.inf
    return Z


@DTYPES
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (256, 33), (5, 1000), (1, 4099)])
def test_relu_kernels_equal_the_numpy_code(dtype, shape, monkeypatch):
    Z, b = _special(shape, dtype), _special(shape[1], dtype, seed=1)
    delta = _special(shape, dtype, seed=2)

    def run():
        z, d = Z.copy(), delta.copy()
        with np.errstate(invalid="ignore"):  # inf - inf, inf * 0
            _bias_relu(z, b)
            DERIVATIVES["relu"](z, d)
        return z, d

    results = _on_and_off(run, monkeypatch)
    _assert_same_bits(*results)
    # The derivative read off the output is the mask of the pre-activations.
    with np.errstate(invalid="ignore"):
        expected = delta * ((Z + b) > 0)
    _assert_same_bits([results[0][1]], [expected])


# Columns across numpy's pairwise summation: a plain loop under 8, 8
# accumulators up to 128, halves beyond (split at a multiple of 8).
SOFTMAX_SHAPES = [(1, 1), (3, 7), (256, 10), (5, 8), (4, 127), (3, 128), (2, 129)]
SOFTMAX_SHAPES += [(2, 1000), (1, 4099)]


def _output_layer(shape, dtype):
    rng = np.random.default_rng(shape[1])
    Z = (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 2, shape)).astype(dtype)
    b = rng.standard_normal(shape[1]).astype(dtype)
    b[::4] = -0.0
    return Z, b


def _softmaxed(Z, b):
    z = Z.copy()
    _bias_softmax(z, b)
    return z


@DTYPES
@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
def test_softmax_kernels_equal_the_numpy_code(dtype, shape, monkeypatch, kernels):
    Z, b = _output_layer(shape, dtype)
    results = _on_and_off(lambda: _softmaxed(Z, b), monkeypatch)
    _assert_same_bits([results[0]], [results[1]])
    expected = np.exp(Z + b - (Z + b).max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(results[0], expected, rtol=rtol)
    # numpy's pairwise order, not a plain loop: mixed magnitudes round
    # differently in the two.
    Z = np.abs(Z)
    expected = Z / np.add.reduce(Z, axis=1, keepdims=True)
    kernels.normalize_rows(Z)
    np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize("bufsize", [8192, 1024])
def test_rows_longer_than_numpy_buffers_stay_with_numpy(bufsize, monkeypatch):
    # numpy 1.26 sums such a row a buffer at a time, which the kernel does not.
    Z, b = _output_layer((3, 8200), np.float32)
    old = np.setbufsize(bufsize)
    try:
        results = _on_and_off(lambda: _softmaxed(Z, b), monkeypatch)
    finally:
        np.setbufsize(old)
    np.testing.assert_array_equal(*results)


@DTYPES
def test_softmax_propagates_nan_and_inf_as_numpy_does(dtype, monkeypatch):
    Z = np.zeros((5, 12), dtype=dtype)
    Z[0, 3] = np.nan  # a NaN anywhere in a row: all NaN
    Z[1, 0] = np.nan  # also when it is the first value
    Z[2, 5] = np.inf  # inf - inf
    Z[3, :] = -np.inf  # -inf - -inf
    Z[4, ::2] = -np.inf  # exp(-inf) = 0 next to finite values
    b = np.zeros(12, dtype=dtype)
    with np.errstate(invalid="ignore"):
        results = _on_and_off(lambda: _softmaxed(Z, b), monkeypatch)
    np.testing.assert_array_equal(*results)
    assert np.isnan(results[0][:4]).all()
    np.testing.assert_array_equal(results[0][4], np.tile([0.0, 1 / 6], 6).astype(dtype))


@DTYPES
@pytest.mark.parametrize("rate", [0.0, 0.1, 0.9])
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (256, 100)])
def test_dropout_equals_the_numpy_code(dtype, rate, shape, monkeypatch):
    X = _special(shape, dtype)

    def run():
        rng = np.random.default_rng(42)
        mask, out = np.empty_like(X), np.empty_like(X)
        with np.errstate(invalid="ignore"):  # inf * 0
            dropped = drop(rng, rate, X, mask, out)
        # The generator advanced by the same draws on both paths.
        return dropped, mask, np.array(rng.random())

    results = _on_and_off(run, monkeypatch)
    _assert_same_bits(*results)
    if rate and X.size > 1000:
        assert 0 < np.mean(results[0][1] == 0) < 1


@pytest.mark.parametrize("threshold", [0, 1, 6554, 65535, 65536])
def test_dropout_keeps_exactly_the_units_at_or_above_the_threshold(threshold, kernels):
    bits = np.arange(2**16, dtype=np.uint16)  # every value once
    x = np.linspace(-2, 2, bits.size).reshape(256, 256)
    mask, dropped = np.empty_like(x), np.empty_like(x)
    scale = 2**16 / max(1, 2**16 - threshold)
    kernels.dropout(bits, threshold, scale, x, mask, dropped)
    expected = np.where(bits >= threshold, scale, 0.0).reshape(x.shape)
    np.testing.assert_array_equal(mask, expected)
    np.testing.assert_array_equal(dropped, x * mask)


def _classes_and_probabilities(shape, dtype, class_dtype, with_nan=True):
    # Softmax-like rows, with the values where clipping and NaN show (exact 0
    # and 1, values around eps and 1 - eps, NaN, -0.0) planted at the classes
    # of the first rows and scattered elsewhere.
    rng = np.random.default_rng(shape[0])
    classes = rng.integers(0, shape[1], shape[0]).astype(class_dtype)
    P = rng.dirichlet(np.ones(shape[1]), size=shape[0]).astype(dtype)
    eps = np.finfo(dtype).eps
    special = np.array([0.0, 1.0, eps, eps / 2, 1 - eps, 1 - eps / 4, -0.0, np.nan])
    special = special if with_nan else special[:-1]
    scattered = P.reshape(-1)[:: max(1, P.size // 40)]
    scattered[...] = np.resize(special, scattered.size)
    first = min(shape[0], special.size)
    P[np.arange(first), classes[:first]] = special[:first]
    return classes, P


# The class index types a fit passes (np.min_scalar_type of the class count),
# and those of np.arange.
CLASS_DTYPES = [np.uint8, np.uint16, np.uint32, np.int32, np.int64]


@DTYPES
@pytest.mark.parametrize("class_dtype", CLASS_DTYPES)
@pytest.mark.parametrize("shape", [(1, 3), (256, 10), (300, 200)])
def test_class_kernels_equal_the_numpy_code(dtype, class_dtype, shape, monkeypatch):
    classes, P = _classes_and_probabilities(shape, dtype, class_dtype)
    row_starts = np.arange(0, shape[0] * shape[1], shape[1])
    # A NaN makes a mean NaN, hiding any other difference: one loss without.
    finite = _classes_and_probabilities(shape, dtype, class_dtype, with_nan=False)
    weights = np.random.default_rng(2).random(shape[0])

    def run():
        delta = _class_delta(np.empty_like(P), P, classes, 1.0 / 3.0, row_starts)
        losses = [class_log_loss(*finite), class_log_loss(*finite, weights)]
        return delta, np.array(losses + [class_log_loss(classes, P)])

    results = _on_and_off(run, monkeypatch)
    _assert_same_bits(*results)
    onehot = np.eye(shape[1], dtype=dtype)[classes]
    np.testing.assert_array_equal(results[0][0], (P - onehot) * dtype(1.0 / 3.0))
    assert np.isfinite(results[0][1][:2]).all()


@DTYPES
@pytest.mark.parametrize("index_dtype", [np.uint16, np.int32, np.int64])
@pytest.mark.parametrize("shape", [(1, 1), (40, 3), (1000, 100)])
def test_take_rows_equals_numpy_take(dtype, index_dtype, shape, kernels):
    rng = np.random.default_rng(shape[0])
    X = (rng.standard_normal(shape) * 100).astype(dtype)
    # A shuffled batch, a repeated row, and the first and last rows.
    rows = np.concatenate([rng.permutation(shape[0])[:50], [0, 0, shape[0] - 1]])
    rows = rows.astype(index_dtype)
    out = np.empty((rows.size, shape[1]), dtype=dtype)
    kernels.take_rows(X, rows, out)
    np.testing.assert_array_equal(out, X[rows.astype(np.intp)])


@pytest.mark.parametrize(
    "call",
    [
        lambda k, z: k.bias_relu(z, np.ones(2)),
        lambda k, z: k.bias_shift_max(z[:, :0], np.ones(0)),
        lambda k, z: k.relu_backward(z, np.ones((4, 2))),
        lambda k, z: k.class_delta(z, np.ones((4, 3)), np.array([0, 1, 2, 3]), 1.0),
        lambda k, z: k.class_delta(z, np.ones((4, 3)), np.array([0, 1, 2]), 1.0),
        lambda k, z: k.take_rows(np.ones((2, 3)), np.array([0, 1, 1, 2]), z),
        lambda k, z: k.take_rows(np.ones((2, 3)), np.array([0, 1]), z),
        lambda k, z: k.dropout(np.ones(11, np.uint16), 1, 1.0, z, z.copy(), z),
    ],
)
def test_kernels_refuse_shapes_and_indices_before_writing(call, kernels):
    # Without bounds checks, a wrong call must not read or write out of bounds.
    z = np.zeros((4, 3))
    with pytest.raises(ValueError):
        call(kernels, z)
    assert not z.any()


def _fit(cls, X, y, **params):
    params = dict(hidden_layer_sizes=(16, 8), max_iter=15, random_state=1) | params
    return cls(batch_size=32, **params).fit(X, y)


def _data(cls, dtype=np.float64):
    if cls is MLPRegressor:
        X, y = make_regression(120, 6, noise=1.0, random_state=0)
        return X.astype(dtype), y / y.std()
    X, y = make_classification(120, 6, n_classes=3, n_informative=4, random_state=0)
    return X.astype(dtype), y


def _assert_same_fit(fused, plain, dtype):
    assert fused.n_iter_ == plain.n_iter_
    assert fused.loss_curve_ == plain.loss_curve_
    for a, b in zip(fused.coefs_ + fused.intercepts_, plain.coefs_ + plain.intercepts_):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
@DTYPES
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"penalty": "l1", "alpha": 0.5},
        {"penalty": "elasticnet", "alpha": 0.5, "dropout": 0.2, "input_dropout": 0.1},
        {"activation": "tanh"},
        {"solver": "sgd"},
    ],
    ids=["l2", "l1", "elasticnet-dropout", "tanh", "sgd"],
)
def test_fits_with_and_without_kernels_are_identical(cls, dtype, params, monkeypatch):
    X, y = _data(cls, dtype)
    results = _on_and_off(lambda: _fit(cls, X, y, **params), monkeypatch)
    _assert_same_fit(*results, dtype)


@pytest.mark.parametrize(
    "params, idle",
    [({}, {"dropout"}), ({"dropout": 0.2, "penalty": "l1"}, set())],
    ids=["default", "dropout-l1"],
)
def test_the_kernels_run_in_a_fit(params, idle, monkeypatch):
    calls = _count_calls(monkeypatch)
    X, y = _data(MLPClassifier)
    MLPClassifier(max_iter=3, random_state=0, **params).fit(X, y)
    assert {name for name, count in calls.items() if not count} == idle


def _misaligned(X):
    memory = np.zeros(X.nbytes + 1, dtype=np.uint8)
    shifted = np.frombuffer(memory, dtype=X.dtype, count=X.size, offset=1)
    shifted[...] = X.ravel()
    return shifted.reshape(X.shape)


LAYOUTS = {
    "misaligned": _misaligned,
    "big-endian": lambda X: X.astype(X.dtype.newbyteorder(">")),
    "fortran": np.asfortranarray,
    "strided": lambda X: np.repeat(X, 2, axis=1)[:, ::2],
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shuffle", [True, False])
@DTYPES
def test_training_data_of_any_layout_gets_the_kernels(
    layout, shuffle, dtype, monkeypatch
):
    X, y = _data(MLPClassifier, dtype)
    X_layout = LAYOUTS[layout](X)
    assert not skreg._fused.fusable(X_layout)
    np.testing.assert_array_equal(X_layout, X)
    params = dict(input_dropout=0.2, shuffle=shuffle)
    calls = _count_calls(monkeypatch)
    fused = _fit(MLPClassifier, X_layout, y, **params)
    # The batches were gathered (or sliced) from a copy the kernels take.
    assert calls["take_rows"] > 0 or not shuffle
    assert calls["dropout"] > 0
    _switch_off(monkeypatch)
    if layout == "big-endian":
        # validate_data casts byte-swapped data to native float64 itself.
        X = X.astype(np.float64)
    _assert_same_fit(fused, _fit(MLPClassifier, X_layout, y, **params), X.dtype)
    _assert_same_fit(fused, _fit(MLPClassifier, X, y, **params), X.dtype)


def test_kernel_ready_copies_only_what_the_kernels_cannot_take():
    X = np.ones((5, 3), dtype=np.float32)
    assert skreg._fused.kernel_ready(X) is X
    for make in LAYOUTS.values():
        ready = skreg._fused.kernel_ready(make(X))
        assert skreg._fused.fusable(ready) and ready.dtype == X.dtype
        np.testing.assert_array_equal(ready, X)


def test_the_avx2_build_is_used_where_the_cpu_has_avx2():
    import skreg._kernels as baseline

    if os.path.exists("/proc/cpuinfo") and platform.machine() == "x86_64":
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next(line for line in cpuinfo if line.startswith("flags"))
        assert baseline._cpu_has_avx2() == ("avx2" in flags.split())
    if baseline._cpu_has_avx2():
        assert skreg._fused.LOOPS == "avx2"
        assert skreg._fused._kernels.__name__ == "skreg._kernels_avx2"
    else:
        assert skreg._fused.LOOPS == "baseline"
        assert skreg._fused._kernels is baseline
