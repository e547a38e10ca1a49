"""The compiled kernels give the same bits as the numpy code they replace."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

import skreg._fused
from skreg import MLPClassifier, MLPRegressor
from skreg._activations import ACTIVATIONS, DERIVATIVES
from skreg._dropout import drop
from skreg._engine import _bias_relu, _bias_softmax, _class_delta
from skreg._losses import class_log_loss
from skreg._optimizers import AdamOptimizer
from skreg._penalties import ElasticNetPenalty
from skreg._solvers import _take_rows

kernels = pytest.importorskip("skreg._kernels")

# Sizes around the vector widths (4, 8, 16 lanes) and their remainders.
SIZES = [1, 7, 16, 33, 1000, 4099]


def _switch_off(monkeypatch):
    """Switch the kernels off: the callers run their numpy code."""
    for name in skreg._fused.NAMES:
        monkeypatch.setattr(skreg._fused, name, None)


def _with_and_without_kernels(compute, monkeypatch):
    """``compute()`` with the kernels, then with them switched off."""
    fused = compute()
    _switch_off(monkeypatch)
    return fused, compute()


def _softmaxed(Z, b):
    z = Z.copy()
    _bias_softmax(z, b)
    return z


def test_every_kernel_is_looked_up():
    # A kernel added to the extension but not to skreg._fused would never run.
    public = {name for name in dir(kernels) if not name.startswith("_")}
    assert public == set(skreg._fused.NAMES)
    assert all(getattr(skreg._fused, name) is not None for name in skreg._fused.NAMES)


def test_ran_says_whether_the_kernel_ran():
    z = np.array([[-1.0, 2.0]])
    assert not skreg._fused.ran(None, z, np.zeros(2))
    # Refused (a bias of the wrong length): False, and nothing written.
    assert not skreg._fused.ran(kernels.bias_relu, z, np.zeros(3))
    np.testing.assert_array_equal(z, [[-1.0, 2.0]])
    assert skreg._fused.ran(kernels.bias_relu, z, np.ones(2))
    np.testing.assert_array_equal(z, [[0.0, 3.0]])


def _adam_run(dtype, size, penalty, steps=4, *, fused=True, monkeypatch=None):
    rng = np.random.default_rng(size)
    param = rng.standard_normal(size).astype(dtype)
    # Some exact zeros, tiny and large values: where the order of operations
    # would show.
    param[::5] = 0
    param[1::7] *= 1e-6
    optimizer = AdamOptimizer([param], learning_rate_init=0.01)
    if not fused:
        monkeypatch.setattr(skreg._fused, "adam_step", None)
    for step in range(steps):
        grad = (rng.standard_normal(size) * 10.0 ** rng.integers(-8, 3, size)).astype(
            dtype
        )
        optimizer.step([param], [grad], [penalty])
    return param, optimizer.ms[0], optimizer.vs[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "penalty",
    [
        None,
        ElasticNetPenalty(0.01, 0.0),
        ElasticNetPenalty(0.01, 0.3),
        ElasticNetPenalty(0.01, 1.0),
    ],
    ids=["none", "l2", "elasticnet", "l1"],
)
def test_adam_step_equals_the_numpy_update(dtype, size, penalty, monkeypatch):
    fused = _adam_run(dtype, size, penalty)
    plain = _adam_run(dtype, size, penalty, fused=False, monkeypatch=monkeypatch)
    for a, b in zip(fused, plain):  # params and moments
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)
    if penalty is not None and penalty.has_l1 and size >= 1000:
        assert np.any(fused[0] == 0)  # the prox ran on the kernel's step sizes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_step_propagates_nan_as_numpy_does(dtype, monkeypatch):
    # A diverging fit is rolled back, but until its loss is checked the
    # parameters must hold the same values (NaN included) on both paths.
    penalty = ElasticNetPenalty(0.5, 0.5)
    results = []
    for kernel in (skreg._fused.adam_step, None):
        monkeypatch.setattr(skreg._fused, "adam_step", kernel)
        param = np.linspace(-1, 1, 40).astype(dtype)
        grad = np.linspace(-3, 2, 40).astype(dtype)
        param[3], grad[5], grad[7] = np.nan, np.nan, np.inf
        optimizer = AdamOptimizer([param])
        with np.errstate(invalid="ignore"):  # numpy warns of inf - inf
            for _ in range(2):
                optimizer.step([param], [grad.copy()], [penalty])
        results.append((param, optimizer.ms[0], optimizer.vs[0]))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    assert np.isnan(results[0][0]).sum() == 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (256, 33), (5, 1000)])
def test_bias_relu_equals_the_numpy_sequence(dtype, shape, monkeypatch):
    rng = np.random.default_rng(shape[1])
    Z = rng.standard_normal(shape).astype(dtype)
    Z.flat[::3] = 0.0
    Z.flat[1::11] = np.nan
    b = rng.standard_normal(shape[1]).astype(dtype)
    b[::4] = -0.0
    results = []
    for kernel in (skreg._fused.bias_relu, None):
        monkeypatch.setattr(skreg._fused, "bias_relu", kernel)
        z = Z.copy()
        _bias_relu(z, b)
        results.append(z)
    z_fused, z_numpy = results
    np.testing.assert_array_equal(z_fused, z_numpy)
    # Signed zeros too: relu of a negative value is -0.0 in numpy's z * 0.
    np.testing.assert_array_equal(np.signbit(z_fused), np.signbit(z_numpy))
    if Z.size > 100:
        assert np.signbit(z_fused).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
def test_relu_backward_equals_the_mask_of_the_preactivations(dtype, size, monkeypatch):
    # The backward pass reads relu's derivative off the layer's output: it
    # must be the product with the 0/1 mask of the pre-activations (z > 0),
    # on both paths, NaN, infinities and signed zeros included.
    rng = np.random.default_rng(size)
    Z = rng.standard_normal(size).astype(dtype)
    Z[::3] = 0.0
    Z[1::5] = -0.0
    Z[2::11] = np.nan
    Z[3::13] = -np.inf
    Z[4::17] = np.inf
    output = Z.copy()
    with np.errstate(invalid="ignore"):  # -inf * 0
        ACTIVATIONS["relu"](output)
    delta = rng.standard_normal(size).astype(dtype)
    delta[5::7] = np.inf
    delta[6::9] = np.nan
    delta[::4] *= -1
    with np.errstate(invalid="ignore"):  # inf * 0
        expected = delta * (Z > 0).astype(dtype)
    for kernel in (skreg._fused.relu_backward, None):
        monkeypatch.setattr(skreg._fused, "relu_backward", kernel)
        result = delta.copy()
        with np.errstate(invalid="ignore"):  # inf * 0
            DERIVATIVES["relu"](output, result)
        assert result.dtype == dtype
        np.testing.assert_array_equal(result, expected)
        np.testing.assert_array_equal(np.signbit(result), np.signbit(expected))


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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
def test_bias_softmax_equals_the_numpy_sequence(dtype, shape, monkeypatch):
    Z, b = _output_layer(shape, dtype)
    results = _with_and_without_kernels(lambda: _softmaxed(Z, b), monkeypatch)
    np.testing.assert_array_equal(*results)
    # What it computes: softmax(Z + b), its rows summing to 1.
    expected = np.exp(Z + b - (Z + b).max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        results[0], expected, rtol=1e-5 if dtype == np.float32 else 1e-12
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
def test_normalize_rows_sums_as_numpy_does(dtype, shape):
    # numpy's pairwise order, not a plain loop: values of mixed magnitudes
    # round differently in the two.
    Z, _ = _output_layer(shape, dtype)
    Z = np.abs(Z)
    expected = Z / np.add.reduce(Z, axis=1, keepdims=True)
    kernels.normalize_rows(Z)
    np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize("bufsize", [8192, 1024])
def test_softmax_rows_longer_than_numpy_buffers_are_summed_as_numpy_does(
    bufsize, monkeypatch
):
    # numpy 1.26 sums a row longer than its buffer size a buffer at a time;
    # the kernel must leave such rows to numpy.
    Z, b = _output_layer((3, 8200), np.float32)
    old = np.setbufsize(bufsize)
    try:
        results = _with_and_without_kernels(lambda: _softmaxed(Z, b), monkeypatch)
    finally:
        np.setbufsize(old)
    np.testing.assert_array_equal(*results)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_softmax_propagates_nan_and_inf_as_numpy_does(dtype, monkeypatch):
    Z = np.zeros((5, 12), dtype=dtype)
    Z[0, 3] = np.nan  # a NaN anywhere in a row: all NaN
    Z[1, 0] = np.nan  # also when it is the first value
    Z[2, 5] = np.inf  # inf - inf
    Z[3, :] = -np.inf  # -inf - -inf
    Z[4, ::2] = -np.inf  # exp(-inf) = 0 next to finite values
    b = np.zeros(12, dtype=dtype)
    with np.errstate(invalid="ignore"):
        results = _with_and_without_kernels(lambda: _softmaxed(Z, b), monkeypatch)
    np.testing.assert_array_equal(*results)
    assert np.isnan(results[0][:4]).all()
    np.testing.assert_array_equal(results[0][4], np.tile([0.0, 1 / 6], 6).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (256, 100)])
def test_dropout_equals_the_numpy_code(dtype, rate, shape, monkeypatch):
    X = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    X.flat[::5] = -0.0
    X.flat[1::13] = np.inf
    results = []
    for kernel in (skreg._fused.dropout, None):
        monkeypatch.setattr(skreg._fused, "dropout", kernel)
        rng = np.random.default_rng(42)
        mask, out = np.empty_like(X), np.empty_like(X)
        with np.errstate(invalid="ignore"):  # inf * 0
            dropped = drop(rng, rate, X, mask, out)
        # The generator advanced by the same draws on both paths.
        results.append((dropped, mask, np.signbit(dropped), rng.random()))
    fused, plain = results
    for a, b in zip(fused, plain):
        np.testing.assert_array_equal(a, b)
    assert fused[1].dtype == dtype
    if rate and X.size > 1000:
        assert 0 < np.mean(fused[1] == 0) < 1


@pytest.mark.parametrize("threshold", [0, 1, 6554, 65535])
def test_dropout_keeps_exactly_the_units_at_or_above_the_threshold(threshold):
    bits = np.arange(2**16, dtype=np.uint16)  # every value once
    x = np.linspace(-2, 2, bits.size)
    mask, dropped = np.empty_like(x), np.empty_like(x)
    scale = 2**16 / (2**16 - threshold)
    kernels.dropout(bits, threshold, scale, x, mask, dropped)
    np.testing.assert_array_equal(mask, np.where(bits >= threshold, scale, 0.0))
    np.testing.assert_array_equal(dropped, x * mask)


def test_dropout_rejects_bits_it_cannot_take():
    x = np.ones(8)
    with pytest.raises(ValueError, match="bits must be uint16"):
        kernels.dropout(np.zeros(8, np.uint32), 3, 1.5, x, np.empty(8), np.empty(8))
    with pytest.raises(ValueError, match="bits, x, mask and dropped must have one"):
        kernels.dropout(np.zeros(7, np.uint16), 3, 1.5, x, np.empty(8), np.empty(8))
    with pytest.raises(ValueError, match="mask must have the dtype of x"):
        kernels.dropout(np.zeros(8, np.uint16), 3, 1.5, x, np.empty(8, np.float32), x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_falls_back_to_numpy_for_arrays_the_kernel_cannot_take(dtype, monkeypatch):
    # A strided parameter: the kernel refuses it before writing anything, and
    # the numpy code gives the update it would have given.
    penalty = ElasticNetPenalty(100.0, 0.5)  # thresholds of about 0.05
    results = []
    for kernel in (skreg._fused.adam_step, None):
        monkeypatch.setattr(skreg._fused, "adam_step", kernel)
        base = np.zeros((12, 10), dtype=dtype)
        param = base[:, ::2]
        param[...] = np.linspace(-1, 1, param.size).reshape(param.shape)
        grad = np.linspace(2, -3, param.size).reshape(param.shape).astype(dtype)
        optimizer = AdamOptimizer([param])
        for _ in range(3):
            optimizer.step([param], [grad.copy()], [penalty])
        results.append(base)
    np.testing.assert_array_equal(*results)
    assert np.all(results[0][:, 1::2] == 0)  # the gaps were not written
    assert np.any(results[0][:, ::2] == 0) and np.any(results[0][:, ::2] != 0)


def test_numpy_code_runs_for_arrays_the_kernels_cannot_take():
    Z = np.arange(-6.0, 6.0).reshape(3, 4)
    strided = np.zeros((3, 8))[:, ::2]
    strided[...] = Z
    _bias_relu(strided, np.ones(4))
    np.testing.assert_array_equal(strided, np.maximum(Z + 1, 0))
    delta = np.ones((3, 8))[:, ::2]
    DERIVATIVES["relu"](strided, delta)
    np.testing.assert_array_equal(delta, (Z + 1 > 0).astype(float))
    assert not skreg._fused.fusable(strided, np.ones(4))
    assert not skreg._fused.fusable(Z, Z.astype(np.float32))
    assert not skreg._fused.fusable(Z.astype(np.float16))


def _fit(cls, dtype, **params):
    if cls is MLPRegressor:
        X, y = make_regression(120, 6, noise=1.0, random_state=0)
        y = y / y.std()
    else:
        X, y = make_classification(120, 6, n_classes=3, n_informative=4, random_state=0)
    return cls(
        hidden_layer_sizes=(16, 8), max_iter=15, random_state=1, batch_size=32, **params
    ).fit(X.astype(dtype), y)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
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
    fused = _fit(cls, dtype, **params)
    _switch_off(monkeypatch)
    plain = _fit(cls, dtype, **params)
    assert fused.n_iter_ == plain.n_iter_
    assert fused.loss_curve_ == plain.loss_curve_
    for a, b in zip(fused.coefs_ + fused.intercepts_, plain.coefs_ + plain.intercepts_):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)


def _arrays(n=8, dtype=np.float64):
    return [np.ones(n, dtype=dtype) for _ in range(4)]


def test_adam_step_only_reads_the_gradient():
    # The l2 part of the gradient is added on the fly: grad may be read-only
    # and keeps its values.
    param, grad, m, v = _arrays()
    grad[:] = np.linspace(-1, 1, grad.size)
    expected = grad.copy()
    grad.setflags(write=False)
    kernels.adam_step(param, grad, m, v, 0.9, 0.999, 1e-8, 1e-3, 0.5, 0.0)
    np.testing.assert_array_equal(grad, expected)
    assert not np.array_equal(m, np.ones_like(m))  # the step ran


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.__setitem__(0, a[0].astype(int)), "param must be float32 or"),
        (
            lambda a: a.__setitem__(2, a[2].astype(np.float32)),
            "m must have the dtype of param",
        ),
        (lambda a: a.__setitem__(3, np.ones(9)), "v must have param's size"),
        (lambda a: a.__setitem__(1, np.ones(16)[::2]), "grad must be a C-contiguous"),
        (lambda a: a.__setitem__(1, a[0]), "param and grad share memory"),
        (lambda a: a[2].setflags(write=False), "m must be a writable, C-contiguous"),
    ],
)
def test_adam_step_rejects_arrays_it_cannot_take(change, message):
    arrays = _arrays()
    change(arrays)
    with pytest.raises(ValueError, match=message):
        kernels.adam_step(*arrays, 0.9, 0.999, 1e-8, 1e-3, 0.0, 0.0)


def test_bias_relu_rejects_mismatched_shapes():
    Z = np.ones((4, 3))
    message = "z must be 2-D and bias one value per column of z"
    with pytest.raises(ValueError, match=message):
        kernels.bias_relu(Z, np.ones(2))
    with pytest.raises(ValueError, match=message):
        kernels.bias_relu(Z.ravel(), np.ones(12))
    with pytest.raises(ValueError, match="bias must have the dtype of z"):
        kernels.bias_relu(Z, np.ones(3, dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
@pytest.mark.parametrize("index_dtype", [np.uint16, np.int32, np.int64, np.uint64])
@pytest.mark.parametrize("shape", [(1, 1), (40, 3), (1000, 100)])
def test_take_rows_equals_numpy_take(dtype, index_dtype, shape):
    rng = np.random.default_rng(shape[0])
    X = (rng.standard_normal(shape) * 100).astype(dtype)
    # A shuffled batch, a repeated row, and the first and last rows.
    rows = np.concatenate([rng.permutation(shape[0])[:50], [0, 0, shape[0] - 1]])
    rows = rows.astype(index_dtype)
    out = np.empty((rows.size, shape[1]), dtype=dtype)
    kernels.take_rows(X, rows, out)
    np.testing.assert_array_equal(out, X[rows.astype(np.intp)])


def test_batches_are_gathered_by_numpy_where_the_kernel_cannot():
    # A non-contiguous training set: the kernel refuses it before writing,
    # and numpy's take gathers the batch.
    X = np.arange(32.0).reshape(4, 8)[:, ::2]
    rows, out = np.array([3, 0, 2]), np.zeros((3, 4))
    with pytest.raises(ValueError, match="x must be a C-contiguous array"):
        kernels.take_rows(X, rows, out)
    assert not out.any()
    assert _take_rows(X, rows, out) is out
    np.testing.assert_array_equal(out, X[rows])


@pytest.mark.parametrize(
    "x, rows, out, message",
    [
        (np.ones((4, 3)), np.array([0, 4]), np.empty((2, 3)), "index is out of range"),
        (np.ones((4, 3)), np.array([-1]), np.empty((1, 3)), "index is out of range"),
        (np.ones((4, 3)), np.array([0, 1]), np.empty((3, 3)), "one per row of out"),
        (
            np.ones((4, 3)),
            np.array([0.0]),
            np.empty((1, 3)),
            "rows must be 1-D integers",
        ),
        (
            np.ones((4, 3)),
            np.array([[0]]),
            np.empty((1, 3)),
            "rows must be 1-D integers",
        ),
        (np.ones((4, 3)), np.array([0]), np.empty((1, 2)), "one dtype and row length"),
        (
            np.ones((4, 3)),
            np.array([0]),
            np.empty((1, 3), dtype=np.float32),
            "one dtype and row length",
        ),
        (np.ones(4), np.array([0]), np.empty((1, 1)), "x and out must be 2-D"),
        (
            np.array([["a"], ["b"]], dtype=object),
            np.array([1]),
            np.empty((1, 1), dtype=object),
            "x must not hold Python objects",
        ),
    ],
)
def test_take_rows_rejects_what_it_cannot_take(x, rows, out, message):
    before = out.copy()
    with pytest.raises(ValueError, match=message):
        kernels.take_rows(x, rows, out)
    np.testing.assert_array_equal(out, before)  # nothing written


def test_take_rows_rejects_an_out_sharing_memory_with_x():
    X = np.arange(12.0).reshape(4, 3)
    with pytest.raises(ValueError, match="out shares memory with x or rows"):
        kernels.take_rows(X, np.array([3, 2]), X[:2])
    np.testing.assert_array_equal(X, np.arange(12.0).reshape(4, 3))


def _classes_and_probabilities(shape, dtype, class_dtype, with_nan=True):
    # Softmax-like rows, with the values where clipping and NaN show (exact 0
    # and 1, values around eps and 1 - eps, NaN, -0.0) planted at the classes
    # of the first rows and scattered elsewhere.
    rng = np.random.default_rng(shape[0])
    classes = rng.integers(0, shape[1], shape[0]).astype(class_dtype)
    P = rng.dirichlet(np.ones(shape[1]), size=shape[0]).astype(dtype)
    eps = np.finfo(dtype).eps
    special = np.array([0.0, 1.0, eps, eps / 2, 1 - eps, 1 - eps / 4, -0.0, np.nan])
    if not with_nan:
        special = special[:-1]
    scattered = P.reshape(-1)[:: max(1, P.size // 40)]
    scattered[...] = np.resize(special, scattered.size)
    first = min(shape[0], special.size)
    P[np.arange(first), classes[:first]] = special[:first]
    return classes, P


# The class index types a fit can pass (np.min_scalar_type of the classes),
# and signed ones.
CLASS_CASES = [
    pytest.mark.parametrize("dtype", [np.float32, np.float64]),
    pytest.mark.parametrize("class_dtype", [np.uint8, np.uint16, np.int32, np.int64]),
    pytest.mark.parametrize("shape", [(1, 3), (256, 10), (300, 200)]),
]


def _class_cases(test):
    for mark in reversed(CLASS_CASES):
        test = mark(test)
    return test


@_class_cases
def test_class_log_loss_equals_the_numpy_code(dtype, class_dtype, shape, monkeypatch):
    # A NaN would make both means NaN, hiding any other difference.
    classes, P = _classes_and_probabilities(shape, dtype, class_dtype, with_nan=False)
    weights = np.random.default_rng(2).random(shape[0])
    P_nan = P.copy()
    P_nan[-1, classes[-1]] = np.nan
    results = _with_and_without_kernels(
        lambda: [
            class_log_loss(classes, P),
            class_log_loss(classes, P, weights),
            class_log_loss(classes, P_nan),
        ],
        monkeypatch,
    )
    np.testing.assert_array_equal(*results)
    assert np.isfinite(results[0][:2]).all() and np.isnan(results[0][2])


@_class_cases
def test_class_delta_equals_the_numpy_code(dtype, class_dtype, shape, monkeypatch):
    classes, P = _classes_and_probabilities(shape, dtype, class_dtype)
    row_starts = np.arange(0, shape[0] * shape[1], shape[1])
    results = _with_and_without_kernels(
        lambda: _class_delta(np.empty_like(P), P, classes, 1.0 / 3.0, row_starts),
        monkeypatch,
    )
    np.testing.assert_array_equal(*results)
    np.testing.assert_array_equal(np.signbit(results[0]), np.signbit(results[1]))
    # What it computes: (P - onehot) / 3.
    onehot = np.eye(shape[1], dtype=dtype)[classes]
    np.testing.assert_array_equal(results[0], (P - onehot) * dtype(1.0 / 3.0))


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: kernels.class_delta(np.empty((2, 3)), np.ones((2, 3)), [0, 3], 1.0),
            "class_delta: classes must be a C-contiguous array",
        ),
        (
            lambda: kernels.class_delta(
                np.empty((2, 3)), np.ones((2, 3)), np.array([0, 3]), 1.0
            ),
            "class_delta: a class index is out of range",
        ),
        (
            lambda: kernels.class_delta(
                np.empty((2, 3)), np.ones((2, 3)), np.array([0, -1]), 1.0
            ),
            "class_delta: a class index is out of range",
        ),
        (
            lambda: kernels.class_delta(
                np.empty((2, 3)), np.ones((2, 3)), np.array([0]), 1.0
            ),
            "class_delta: classes must be 1-D integers, one per row of p",
        ),
        (
            lambda: kernels.class_delta(
                np.empty((2, 4)), np.ones((2, 3)), np.array([0, 1]), 1.0
            ),
            "class_delta: p must be 2-D and delta of p's size",
        ),
        (
            lambda: kernels.class_probabilities(
                np.ones((2, 3)), np.array([0, 1.0]), 0.1, np.empty(2)
            ),
            "class_probabilities: classes must be 1-D integers",
        ),
        (
            lambda: kernels.class_probabilities(
                np.ones((2, 3)), np.array([0, 1]), 0.1, np.empty(3)
            ),
            "class_probabilities: p must be 2-D and out one value per row of p",
        ),
    ],
)
def test_class_kernels_reject_what_they_cannot_take(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_kernels_refuse_to_write_over_their_index_buffers():
    # Integer indices viewed as the float buffer a kernel writes: refused
    # before anything is written.
    memory = np.zeros(4, dtype=np.int64)
    as_float = memory.view(np.float64)
    with pytest.raises(ValueError, match="class_delta: classes and delta share"):
        kernels.class_delta(as_float.reshape(2, 2), np.ones((2, 2)), memory[:2], 1.0)
    with pytest.raises(ValueError, match="class_probabilities: classes and out share"):
        kernels.class_probabilities(np.ones((2, 3)), memory[:2], 0.1, as_float[:2])
    with pytest.raises(ValueError, match="out shares memory with x or rows"):
        kernels.take_rows(np.ones((3, 1)), memory[:2], as_float[:2].reshape(2, 1))
    assert not memory.any()


def test_softmax_kernels_reject_arrays_they_cannot_take():
    Z = np.ones((4, 3))
    message = "z must be 2-D with columns and bias one value per column of z"
    with pytest.raises(ValueError, match=message):
        kernels.bias_shift_max(Z, np.ones(2))
    with pytest.raises(ValueError, match=message):
        kernels.bias_shift_max(np.ones((4, 0)), np.ones(0))
    with pytest.raises(ValueError, match="normalize_rows: z must be 2-D"):
        kernels.normalize_rows(Z.ravel())
    with pytest.raises(ValueError, match="z must be a writable, C-contiguous"):
        kernels.normalize_rows(np.ones((4, 6))[:, ::2])


@pytest.mark.parametrize(
    "delta, output, message",
    [
        (np.ones(4), np.ones(5), "output must have delta's size"),
        (np.ones(4), np.ones(4, dtype=np.float32), "output must have the dtype of"),
        (np.ones(8)[::2], np.ones(4), "delta must be a writable, C-contiguous"),
        (np.ones(4, dtype=int), np.ones(4), "delta must be float32 or float64"),
    ],
)
def test_relu_backward_rejects_arrays_it_cannot_take(delta, output, message):
    with pytest.raises(ValueError, match=message):
        kernels.relu_backward(delta, output)
