"""Tests of skreg._selection: input importances, live units, pruning."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression

from skreg import MLPClassifier, MLPRegressor
from skreg._engine import predict_output
from skreg._selection import input_importances, live_units, prune


def _sparse_coefs(rng, shapes, zero_share=0.6):
    coefs = []
    for shape in shapes:
        W = rng.standard_normal(shape)
        W[rng.random(shape) < zero_share] = 0.0
        coefs.append(W)
    return coefs


@pytest.fixture(scope="module")
def l1_classifier():
    # alpha=3 with L1 kills hidden units in both layers and two input features
    # (checked in the test, so that a change in training shows up there).
    X, y = make_classification(
        n_samples=200, n_features=12, n_informative=3, n_redundant=0, random_state=0
    )
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 8),
        penalty="l1",
        alpha=3.0,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    return clf, X


@pytest.fixture(scope="module")
def l1_regressor():
    X, y = make_regression(
        n_samples=200, n_features=10, n_informative=3, noise=1.0, random_state=0
    )
    y = y / y.std()
    reg = MLPRegressor(
        hidden_layer_sizes=(12, 6),
        penalty="l1",
        alpha=20.0,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    return reg, X


# ---------------------------------------------------------------------------
# input_importances
# ---------------------------------------------------------------------------


def test_input_importances_are_row_norms():
    rng = np.random.default_rng(0)
    coefs = _sparse_coefs(rng, [(9, 5), (5, 2)])
    coefs[0][[2, 7]] = 0.0
    importances = input_importances(coefs)
    assert importances.shape == (9,)
    assert_allclose(importances, np.linalg.norm(coefs[0], axis=1), rtol=1e-14)
    assert_array_equal(importances == 0, ~np.any(coefs[0] != 0, axis=1))
    assert importances[2] == 0.0 and importances[7] == 0.0


def test_input_importances_zero_only_for_removed_features():
    # Squares of these underflow (or overflow) in float64: a plain norm would
    # call the first feature removed.
    W = np.array([[1e-200, 0.0], [0.0, 0.0], [1e200, 1e200], [-3.0, 4.0]])
    importances = input_importances([W, np.ones((2, 1))])
    assert importances[0] > 0
    assert importances[1] == 0.0
    assert_allclose(importances[[0, 2, 3]], [1e-200, np.sqrt(2) * 1e200, 5.0])


def test_input_importances_keep_float32():
    W = np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    importances = input_importances([W])
    assert importances.dtype == np.float32
    assert_array_equal(importances, [5.0, 0.0])


def test_input_importances_of_trained_network(l1_classifier):
    clf, _ = l1_classifier
    importances = input_importances(clf.coefs_)
    removed = ~np.any(clf.coefs_[0] != 0, axis=1)
    assert removed.any() and not removed.all()
    assert_array_equal(importances == 0, removed)


# ---------------------------------------------------------------------------
# live_units
# ---------------------------------------------------------------------------


def test_live_units_counts_units_with_outgoing_weights():
    coefs = [
        np.ones((3, 4)),
        np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0], [0.0, 0.0]]),
        np.array([[0.0], [5.0]]),
    ]
    assert_array_equal(live_units(coefs), [2, 1])
    assert live_units([np.ones((3, 1))]).shape == (0,)


def test_live_units_of_trained_network(l1_classifier):
    clf, _ = l1_classifier
    expected = [np.count_nonzero(np.abs(W).sum(axis=1)) for W in clf.coefs_[1:]]
    n_live = live_units(clf.coefs_)
    assert_array_equal(n_live, expected)
    # Units did die, in every hidden layer.
    assert np.all(n_live < clf.hidden_layer_sizes)


# ---------------------------------------------------------------------------
# prune
# ---------------------------------------------------------------------------


def test_prune_removes_dead_units_and_those_feeding_only_them():
    # Hidden layer 1: unit 1 is dead. Hidden layer 0: unit 0 leads only to
    # the dead unit, unit 2 has no outgoing weight; input 1 leads only to
    # unit 0 and is removed with it.
    coefs = [
        np.array([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0], [0.0, 5.0, 6.0]]),
        np.array([[0.0, 7.0], [8.0, 0.0], [0.0, 0.0]]),
        np.array([[9.0], [0.0]]),
    ]
    intercepts = [np.array([0.1, 0.2, 0.3]), np.array([0.4, 0.5]), np.array([0.6])]
    originals = [W.copy() for W in coefs + intercepts]
    pruned = prune(coefs, intercepts)
    assert_array_equal(pruned.kept_inputs, [0, 2])
    assert_array_equal(pruned.kept_units[0], [1])
    assert_array_equal(pruned.kept_units[1], [0])
    assert_array_equal(pruned.coefs[0], [[2.0], [5.0]])
    assert_array_equal(pruned.coefs[1], [[8.0]])
    assert_array_equal(pruned.coefs[2], [[9.0]])
    assert_array_equal(pruned.intercepts[0], [0.2])
    assert_array_equal(pruned.intercepts[1], [0.4])
    assert_array_equal(pruned.intercepts[2], [0.6])
    # The inputs are not modified.
    for before, after in zip(originals, coefs + intercepts):
        assert_array_equal(before, after)

    X = np.random.default_rng(0).standard_normal((7, 3))
    for activation in ["relu", "tanh", "logistic", "identity"]:
        assert_allclose(
            predict_output(
                X[:, pruned.kept_inputs],
                pruned.coefs,
                pruned.intercepts,
                activation,
                "identity",
            ),
            predict_output(X, coefs, intercepts, activation, "identity"),
            rtol=1e-14,
        )


def test_prune_keeps_inputs_when_asked():
    coefs = [np.array([[1.0], [0.0]]), np.array([[2.0]])]
    intercepts = [np.zeros(1), np.zeros(1)]
    pruned = prune(coefs, intercepts, drop_inputs=False)
    assert_array_equal(pruned.kept_inputs, [0, 1])
    assert pruned.coefs[0].shape == (2, 1)


def test_prune_of_a_network_without_live_units_gives_the_constant_output():
    coefs = [np.ones((3, 4)), np.zeros((4, 2)), np.ones((2, 2))]
    intercepts = [np.ones(4), np.array([0.5, -1.0]), np.array([0.1, 0.2])]
    pruned = prune(coefs, intercepts)
    assert [W.shape for W in pruned.coefs] == [(0, 0), (0, 2), (2, 2)]
    X = np.random.default_rng(0).standard_normal((5, 3))
    for activation in ["relu", "tanh"]:
        assert_allclose(
            predict_output(
                X[:, pruned.kept_inputs],
                pruned.coefs,
                pruned.intercepts,
                activation,
                "identity",
            ),
            predict_output(X, coefs, intercepts, activation, "identity"),
            rtol=1e-14,
        )


def test_prune_rejects_mismatched_lists():
    with pytest.raises(ValueError, match="same length"):
        prune([np.ones((2, 2)), np.ones((2, 1))], [np.ones(2)])


@pytest.mark.parametrize("fitted", ["l1_classifier", "l1_regressor"])
def test_prune_trained_l1_network_predicts_the_same(fitted, request):
    est, X = request.getfixturevalue(fitted)
    pruned = prune(est.coefs_, est.intercepts_)
    sizes = [W.shape[1] for W in pruned.coefs[:-1]]
    # Units did die, so the test compares two different networks.
    assert sum(sizes) < sum(est.hidden_layer_sizes)
    assert all(size > 0 for size in sizes)
    assert np.all(np.asarray(sizes) <= live_units(est.coefs_))
    # What is left is alive, and pruning again changes nothing.
    assert_array_equal(live_units(pruned.coefs), sizes)
    again = prune(pruned.coefs, pruned.intercepts)
    assert [W.shape for W in again.coefs] == [W.shape for W in pruned.coefs]
    assert_array_equal(again.kept_inputs, np.arange(len(pruned.kept_inputs)))

    before = predict_output(
        X, est.coefs_, est.intercepts_, est.activation, est.out_activation_
    )
    after = predict_output(
        X[:, pruned.kept_inputs],
        pruned.coefs,
        pruned.intercepts,
        est.activation,
        est.out_activation_,
    )
    assert_allclose(after, before, rtol=1e-12, atol=1e-14)
