"""The engine's gradients against central finite differences of the objective."""

import numpy as np
import pytest
import scipy.sparse as sp

from skreg._engine import Network, preactivation_bound, predict_output
from skreg._losses import LOSSES, smooth_targets
from skreg._penalties import ElasticNetPenalty

HIDDEN = ("identity", "logistic", "tanh", "relu")
OUTPUTS = ("identity", "exp", "softmax", "logistic")


def _problem(out_activation, seed=0, n=7, units=(4, 5, 3, 3)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, units[0]))
    coefs = [rng.normal(scale=0.5, size=(a, b)) for a, b in zip(units, units[1:])]
    intercepts = [rng.normal(scale=0.1, size=b) for b in units[1:]]
    if out_activation == "identity":
        Y = rng.normal(size=(n, units[-1]))
    elif out_activation == "exp":
        Y = rng.poisson(1.5, size=(n, units[-1])).astype(float)
    elif out_activation == "softmax":
        Y = np.eye(units[-1])[rng.integers(units[-1], size=n)]
        Y = smooth_targets(Y, 0.1, units[-1])
    else:
        Y = smooth_targets(rng.integers(2, size=(n, units[-1])).astype(float), 0.2, 2)
    sample_weight = rng.uniform(0.5, 2.0, size=n)
    return X, Y, coefs, intercepts, sample_weight


def _objective(network, X, Y, sample_weight, penalties, seed):
    rng = None if seed is None else np.random.default_rng(seed)
    P = network.forward(X, rng)
    loss = LOSSES[network.out_activation](Y, P, sample_weight)
    if network.out_activation == "identity":
        # As in scikit-learn (and for parity with it), the reported squared
        # loss is averaged over outputs while training follows P - Y, the
        # gradient of the sum over outputs.
        loss *= Y.shape[1]
    for W, penalty in zip(network.coefs, penalties):
        loss += 0.5 * penalty.l2 * float(np.sum(W**2))
    return loss


def _check_gradients(network, X, Y, sample_weight, penalties, seed=None):
    _objective(network, X, Y, sample_weight, penalties, seed)
    coef_grads, intercept_grads = network.backward(
        Y, sample_weight / sample_weight.sum()
    )
    analytic = [g.copy() for g in coef_grads] + [g.copy() for g in intercept_grads]
    for W, g, penalty in zip(network.coefs, analytic, penalties):
        penalty.add_smooth_gradient(W, g)
    h = 1e-6
    for param, grad in zip(network.coefs + network.intercepts, analytic):
        numeric = np.empty_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            up = _objective(network, X, Y, sample_weight, penalties, seed)
            param[index] = saved - h
            down = _objective(network, X, Y, sample_weight, penalties, seed)
            param[index] = saved
            numeric[index] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("out_activation", OUTPUTS)
def test_gradient_matches_finite_differences(activation, out_activation):
    X, Y, coefs, intercepts, sw = _problem(out_activation)
    network = Network(coefs, intercepts, activation, out_activation, X.shape[0])
    penalties = [ElasticNetPenalty(0.3, 0.25) for _ in coefs]
    _check_gradients(network, X, Y, sw, penalties)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_gradient_with_fixed_dropout_masks(activation):
    X, Y, coefs, intercepts, sw = _problem("softmax", seed=1)
    rates = [0.2, 0.5, 0.3]
    network = Network(coefs, intercepts, activation, "softmax", X.shape[0], rates)
    penalties = [ElasticNetPenalty(0.0, 0.0) for _ in coefs]
    # The same seed at every forward pass draws the same masks: the objective
    # is then a fixed function of the parameters.
    _check_gradients(network, X, Y, sw, penalties, seed=3)


def test_gradient_with_sparse_input():
    X, Y, coefs, intercepts, sw = _problem("logistic", seed=2)
    X[np.abs(X) < 0.7] = 0.0
    network = Network(coefs, intercepts, "tanh", "logistic", X.shape[0])
    penalties = [ElasticNetPenalty(0.1, 0.0) for _ in coefs]
    dense_grads = [g.copy() for g in _grads(network, X, Y, sw)]
    sparse_grads = _grads(network, sp.csr_matrix(X), Y, sw)
    for dense, sparse in zip(dense_grads, sparse_grads):
        np.testing.assert_allclose(dense, sparse, rtol=1e-12)
    _check_gradients(network, sp.csr_matrix(X), Y, sw, penalties)


def _grads(network, X, Y, sw):
    network.forward(X)
    coef_grads, intercept_grads = network.backward(Y, sw / sw.sum())
    return coef_grads + intercept_grads


def test_dropout_is_off_without_generator_and_in_prediction():
    X, _, coefs, intercepts, _ = _problem("identity")
    rates = [0.5, 0.5, 0.5]
    network = Network(coefs, intercepts, "relu", "identity", X.shape[0], rates)
    plain = network.forward(X).copy()
    dropped = network.forward(X, np.random.default_rng(0)).copy()
    assert not np.allclose(plain, dropped)
    np.testing.assert_allclose(
        predict_output(X, coefs, intercepts, "relu", "identity"), plain
    )


def test_predict_output_chunks_by_working_memory():
    from sklearn import config_context

    X, _, coefs, intercepts, _ = _problem("softmax", n=50)
    whole = predict_output(X, coefs, intercepts, "tanh", "softmax")
    # A working memory of ~1 row forces chunks of one row each.
    with config_context(working_memory=1e-5):
        chunked = predict_output(X, coefs, intercepts, "tanh", "softmax")
    np.testing.assert_allclose(chunked, whole, rtol=1e-12)


def _preactivations(X, coefs, intercepts, activation):
    from skreg._activations import ACTIVATIONS

    A, found = X, []
    for W, b in zip(coefs, intercepts):
        Z = A @ W + b
        found.append(Z)
        A = Z.copy()
        ACTIVATIONS[activation](A)
    return found


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("seed", range(5))
def test_preactivation_bound_holds_and_is_attained(activation, seed):
    rng = np.random.default_rng(seed)
    _, _, coefs, intercepts, _ = _problem("identity", seed=seed, units=(6, 8, 5, 2))
    input_bound = 3.0
    bound = preactivation_bound(coefs, intercepts, activation, input_bound)
    X = rng.uniform(-input_bound, input_bound, size=(500, 6))
    largest = max(
        np.abs(Z).max() for Z in _preactivations(X, coefs, intercepts, activation)
    )
    assert largest <= bound
    # The first layer's bound is exact: x = input_bound * sign(W[:, j]) reaches
    # it, so the bound is not loose by construction.
    W, b = coefs[0], intercepts[0]
    j = np.argmax(np.abs(W).sum(axis=0))
    x = input_bound * np.sign(W[:, j]) * np.sign(b[j])
    first = np.abs(x @ W + b)[j]
    assert first == pytest.approx(
        input_bound * np.abs(W[:, j]).sum() + abs(b[j]), rel=1e-12
    )
    assert first <= bound


def test_preactivation_bound_is_nan_for_non_finite_parameters():
    _, _, coefs, intercepts, _ = _problem("identity")
    coefs[1][0, 0] = np.nan
    assert np.isnan(preactivation_bound(coefs, intercepts, "relu", 1.0))


def test_predict_output_of_sparse_input_in_chunks_equals_dense():
    from sklearn import config_context

    X, _, coefs, intercepts, _ = _problem("softmax", n=50)
    X[X < 0.3] = 0.0
    dense = predict_output(X, coefs, intercepts, "relu", "softmax")
    with config_context(working_memory=1e-4):  # chunks of a few rows
        chunked = predict_output(sp.csr_matrix(X), coefs, intercepts, "relu", "softmax")
    np.testing.assert_allclose(chunked, dense, rtol=1e-12)


@pytest.mark.parametrize("row_weights", ["uniform", "weighted"])
def test_backward_from_class_indices_equals_one_hot_targets(row_weights):
    X, _, coefs, intercepts, sw = _problem("softmax", n=9)
    classes = np.random.default_rng(1).integers(3, size=9)
    Y = np.eye(3)[classes]
    weights = 1.0 / 9 if row_weights == "uniform" else sw / sw.sum()
    network = Network(coefs, intercepts, "relu", "softmax", 9)
    network.forward(X)
    from_targets = [g.copy() for g in network.backward(Y, weights)[0]]
    from_classes = network.backward(None, weights, classes=classes)[0]
    for a, b in zip(from_targets, from_classes):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n_classes", [3, 10, 40])
def test_softmax_is_bit_identical_to_the_row_maximum_formula(n_classes):
    from skreg._activations import ACTIVATIONS

    Z = np.random.default_rng(0).normal(scale=50, size=(300, n_classes))
    Z[5, 1] = np.nan
    reference = np.exp(Z - Z.max(axis=1, keepdims=True))
    reference /= reference.sum(axis=1, keepdims=True)
    ours = Z.copy()
    ACTIVATIONS["softmax"](ours)
    np.testing.assert_array_equal(ours, reference)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_is_scikit_learns_on_infinities_and_signed_zeros(dtype):
    # Issue 16: z * (z > 0) mapped -inf to NaN; scikit-learn's relu (np.maximum)
    # gives 0. Checked on the numpy code and on the bias + relu of the forward
    # pass (the compiled kernel where it is built).
    from skreg._activations import ACTIVATIONS
    from skreg._engine import _bias_relu

    z = np.array([[-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf, np.nan]], dtype=dtype)
    expected = np.array([[0.0, 0.0, 0.0, 0.0, 2.0, np.inf, np.nan]], dtype=dtype)
    for apply in (ACTIVATIONS["relu"], lambda Z: _bias_relu(Z, np.zeros(7, dtype))):
        out = z.copy()
        apply(out)
        np.testing.assert_array_equal(out, expected)
        assert not np.signbit(out[0, :4]).any()


def test_prediction_of_overflowing_inputs_matches_scikit_learn():
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor

    from skreg import MLPRegressor

    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 10), rng.randn(30)
    ours = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    theirs = SkMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(X, y)
        theirs.fit(X, y)
        # Sums of ten products of 1e308 overflow to -inf in some hidden units.
        X_huge = np.array([[1e308] * 10, [-1e308] * 10])
        with np.errstate(over="ignore", invalid="ignore"):
            np.testing.assert_array_equal(ours.predict(X_huge), theirs.predict(X_huge))
