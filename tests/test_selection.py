"""Tests of skreg._selection and the estimators' selection API: importances,
live units, pruning, SelectFromModel."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

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
        _assert_same_output(X, coefs, intercepts, pruned, activation, rtol=1e-14)


def _assert_same_output(
    X, coefs, intercepts, pruned, activation, out_activation="identity", **tolerance
):
    """The pruned network on the kept columns predicts what the full one does."""
    assert_allclose(
        predict_output(
            X[:, pruned.kept_inputs],
            pruned.coefs,
            pruned.intercepts,
            activation,
            out_activation,
        ),
        predict_output(X, coefs, intercepts, activation, out_activation),
        **tolerance,
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
        _assert_same_output(X, coefs, intercepts, pruned, activation, rtol=1e-14)


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

    _assert_same_output(
        X,
        est.coefs_,
        est.intercepts_,
        pruned,
        est.activation,
        est.out_activation_,
        rtol=1e-12,
        atol=1e-14,
    )


# ---------------------------------------------------------------------------
# The estimators' selection attributes and pruned()
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def group_classifier():
    # Group lasso on 3 informative features out of 12: whole input rows and
    # hidden units go (checked in the tests).
    X, y = make_classification(
        n_samples=200,
        n_features=12,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        shuffle=False,
        random_state=0,
    )
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 8),
        penalty="group",
        alpha=1.5,
        learning_rate_init=0.01,
        max_iter=150,
        random_state=0,
    ).fit(X, y)
    return clf, X, y


@pytest.fixture(scope="module")
def group_regressor():
    X, y = make_regression(
        n_samples=200, n_features=10, n_informative=3, noise=1.0, random_state=0
    )
    y = y / y.std()
    reg = MLPRegressor(
        hidden_layer_sizes=(12,),
        penalty="group",
        alpha=5.0,
        solver="sgd",
        learning_rate_init=0.05,
        batch_size=50,
        max_iter=150,
        random_state=0,
    ).fit(X, y)
    return reg, X, y


@pytest.mark.parametrize("fitted", ["group_classifier", "group_regressor"])
def test_selection_attributes_follow_the_weights(fitted, request):
    est, X, _ = request.getfixturevalue(fitted)
    network = prune(est.coefs_, est.intercepts_)
    importances = est.feature_importances_
    assert importances.shape == (X.shape[1],)
    # The norms of the weights into the units that reach the output.
    live_columns = est.coefs_[0][:, network.kept_units[0]]
    assert_allclose(importances, np.linalg.norm(live_columns, axis=1), rtol=1e-13)
    assert_array_equal(np.flatnonzero(importances), network.kept_inputs)
    assert est.n_features_kept_ == network.kept_inputs.size
    assert_array_equal(est.n_units_kept_, [k.size for k in network.kept_units])
    # Something was removed, in the inputs and the hidden units.
    assert 0 < est.n_features_kept_ < X.shape[1]
    assert np.all(est.n_units_kept_ < est.hidden_layer_sizes)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_selection_attributes_need_a_fitted_estimator(Estimator):
    est = Estimator()
    for name in ["feature_importances_", "n_features_kept_", "n_units_kept_"]:
        assert not hasattr(est, name)
        with pytest.raises(NotFittedError):
            getattr(est, name)
    with pytest.raises(NotFittedError):
        est.pruned()


def _outputs(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    return est.predict(X)


@pytest.mark.parametrize("fitted", ["group_classifier", "group_regressor"])
def test_pruned_is_a_smaller_estimator_with_the_same_predictions(fitted, request):
    est, X, y = request.getfixturevalue(fitted)
    before = [W.copy() for W in est.coefs_]
    smaller = est.pruned()
    assert type(smaller) is type(est)
    assert smaller.hidden_layer_sizes == tuple(est.n_units_kept_)
    params = {**est.get_params(), "hidden_layer_sizes": None}
    assert {**smaller.get_params(), "hidden_layer_sizes": None} == params
    assert [W.shape[1] for W in smaller.coefs_[:-1]] == list(est.n_units_kept_)
    # The same X, the same outputs; est is untouched.
    assert smaller.n_features_in_ == est.n_features_in_
    assert_allclose(_outputs(smaller, X), _outputs(est, X), rtol=1e-12, atol=1e-12)
    if hasattr(est, "classes_"):
        assert_array_equal(smaller.predict(X), est.predict(X))
    for W, W_before in zip(est.coefs_, before):
        assert_array_equal(W, W_before)
    # Nothing is left to prune.
    assert_array_equal(smaller.n_units_kept_, smaller.hidden_layer_sizes)

    narrow = est.pruned(drop_inputs=True)
    kept = np.flatnonzero(est.feature_importances_)
    assert narrow.n_features_in_ == est.n_features_kept_ == kept.size
    assert_allclose(
        _outputs(narrow, X[:, kept]), _outputs(est, X), rtol=1e-12, atol=1e-12
    )
    with pytest.raises(ValueError, match="features"):
        narrow.predict(X)


def test_pruned_keeps_the_names_of_the_kept_features(group_classifier):
    pd = pytest.importorskip("pandas")
    clf, X, y = group_classifier
    names = [f"x{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)
    clf = clone(clf).fit(frame, y)
    narrow = clf.pruned(drop_inputs=True)
    kept = np.flatnonzero(clf.feature_importances_)
    assert_array_equal(narrow.feature_names_in_, np.array(names, dtype=object)[kept])
    assert_array_equal(narrow.predict(frame.iloc[:, kept]), clf.predict(frame))


def test_pruned_estimator_trains_on(group_classifier):
    clf, X, y = group_classifier
    smaller = clf.pruned()
    # A fresh optimizer state of the new shapes; clf's is not shared.
    smaller.partial_fit(X, y)
    smaller.set_params(warm_start=True, max_iter=5).fit(X, y)
    assert smaller.score(X, y) > 0.5
    assert clf.coefs_[0].shape[1] == 16


def test_select_from_model_keeps_the_used_features(group_classifier):
    clf, X, y = group_classifier
    selector = SelectFromModel(clone(clf), threshold=1e-5).fit(X, y)
    assert_array_equal(
        np.flatnonzero(selector.get_support()),
        np.flatnonzero(selector.estimator_.feature_importances_),
    )
    assert selector.transform(X).shape[1] == clf.n_features_kept_


def test_select_from_model_default_threshold_for_l1(l1_classifier):
    # scikit-learn's default threshold is 1e-5 for penalty='l1' models.
    clf, X = l1_classifier
    selector = SelectFromModel(clf, prefit=True)
    assert_array_equal(selector.get_support(), clf.feature_importances_ > 0)


def test_two_stage_pipeline_in_a_grid_search():
    # Select with the group lasso, refit an unpenalised-enough network on the
    # kept columns, and tune both stages' alphas together.
    X, y = make_classification(
        n_samples=150,
        n_features=10,
        n_informative=3,
        n_redundant=0,
        shuffle=False,
        random_state=1,
    )
    selector = SelectFromModel(
        MLPClassifier(
            (8,), penalty="group", learning_rate_init=0.01, max_iter=60, random_state=0
        ),
        threshold=1e-5,
    )
    model = make_pipeline(
        selector,
        MLPClassifier((8,), max_iter=60, learning_rate_init=0.01, random_state=0),
    )
    grid = GridSearchCV(
        model,
        {
            "selectfrommodel__estimator__alpha": [0.5, 3.0],
            "mlpclassifier__alpha": [1e-4, 1.0],
        },
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    best = grid.best_estimator_
    kept = best[0].get_support()
    assert 0 < kept.sum() <= X.shape[1]
    assert best[-1].n_features_in_ == kept.sum()
    assert grid.score(X, y) > 0.7


def test_group_lasso_finds_the_informative_features():
    # The claim of the issue: on 60 features of which the first 8 are
    # informative, some alpha keeps all 8 and at most 2 others.
    X, y = make_classification(
        n_samples=1000,
        n_features=60,
        n_informative=8,
        n_redundant=0,
        shuffle=False,
        random_state=0,
    )
    clf = MLPClassifier(
        (32,),
        penalty="group",
        alpha=7.0,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    kept = np.flatnonzero(clf.feature_importances_)
    assert set(range(8)) <= set(kept)
    assert len(kept) - 8 <= 2
    assert clf.score(X, y) > 0.9


def test_pruned_refuses_to_drop_every_input():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    clf = MLPClassifier((4,), penalty="group", alpha=1e3, max_iter=30, random_state=0)
    clf.fit(X, y)
    assert clf.n_features_kept_ == 0
    assert_array_equal(clf.n_units_kept_, [0])
    # Without inputs nor units the network predicts a constant, still.
    constant = clf.pruned()
    assert constant.hidden_layer_sizes == (0,)
    assert_allclose(constant.predict_proba(X), clf.predict_proba(X), rtol=1e-12)
    with pytest.raises(ValueError, match=r"drop_inputs=True\) would take no column"):
        clf.pruned(drop_inputs=True)
