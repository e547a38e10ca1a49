"""Behaviour of the estimators: penalties, dropout, label smoothing, errors."""

import re

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_blobs, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.utils.class_weight import compute_sample_weight

from skreg import MLPClassifier, MLPRegressor

ESTIMATORS = [MLPClassifier, MLPRegressor]


def _data(n=120, n_features=8, n_informative=3, seed=0):
    X, y = make_classification(
        n,
        n_features,
        n_informative=n_informative,
        n_redundant=0,
        shuffle=False,
        random_state=seed,
    )
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _zero_share(model):
    weights = np.concatenate([W.ravel() for W in model.coefs_])
    return np.mean(weights == 0.0)


# ---------------------------------------------------------------- penalties


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_l1_gives_exact_zeros_and_l2_does_not(Estimator, solver):
    X, y = _data()
    params = dict(hidden_layer_sizes=(10,), max_iter=150, random_state=0, alpha=3.0)
    if solver == "sgd":
        params.update(learning_rate_init=0.05, momentum=0.5)
    l1 = Estimator(solver=solver, penalty="l1", **params).fit(X, y)
    l2 = Estimator(solver=solver, penalty="l2", **params).fit(X, y)
    assert _zero_share(l1) > 0.2
    assert _zero_share(l2) == 0.0


def test_l1_removes_uninformative_input_features():
    X, y = _data(n=300, n_features=12, n_informative=3)
    model = MLPClassifier(
        (16,), penalty="l1", alpha=4.0, max_iter=400, random_state=0
    ).fit(X, y)
    kept = np.flatnonzero((model.coefs_[0] != 0).any(axis=1))
    assert set(kept) >= {0, 1, 2}
    assert len(kept) < 12


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("ratio, name", [(1.0, "l1"), (0.0, "l2")])
def test_elasticnet_limits_equal_l1_and_l2(solver, ratio, name):
    X, y = _data()
    params = dict(hidden_layer_sizes=(6,), solver=solver, alpha=0.5, max_iter=20)
    limit = MLPClassifier(
        penalty="elasticnet", l1_ratio=ratio, random_state=1, **params
    ).fit(X, y)
    plain = MLPClassifier(penalty=name, l1_ratio=0.3, random_state=1, **params).fit(
        X, y
    )
    for W_limit, W_plain in zip(limit.coefs_, plain.coefs_):
        np.testing.assert_array_equal(W_limit, W_plain)


def _dead_rows(W):
    return ~np.any(W != 0, axis=1)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_group_removes_whole_rows(Estimator, solver):
    X, y = _data(n=200, n_features=10, n_informative=3)
    params = dict(hidden_layer_sizes=(12,), max_iter=150, random_state=0)
    if solver == "sgd":
        params.update(alpha=8.0, learning_rate_init=0.05, momentum=0.5)
    else:
        params.update(alpha=2.0, learning_rate_init=0.01)
    model = Estimator(solver=solver, penalty="group", **params).fit(X, y)
    for W in model.coefs_:
        # Rows are all zero or all non-zero (no elementwise sparsity) ...
        rows = W != 0
        assert np.all(rows.all(axis=1) | ~rows.any(axis=1))
    # ... and some of each kind, in the inputs and in the hidden layer.
    for W in model.coefs_:
        assert 0 < _dead_rows(W).sum() < W.shape[0]
    l1 = Estimator(solver=solver, penalty="l1", **params).fit(X, y)
    assert np.mean(l1.coefs_[0] == 0) > 0
    assert not np.all(_dead_rows(l1.coefs_[0]) == (l1.coefs_[0] == 0).any(axis=1))


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_sparse_group_limits_equal_l1_and_group(solver):
    X, y = _data()
    params = dict(hidden_layer_sizes=(6,), solver=solver, alpha=2.0, max_iter=20)
    for ratio, name in [(1.0, "l1"), (0.0, "group")]:
        limit = MLPClassifier(
            penalty="sparse_group", l1_ratio=ratio, random_state=1, **params
        ).fit(X, y)
        plain = MLPClassifier(penalty=name, l1_ratio=0.3, random_state=1, **params)
        plain.fit(X, y)
        for W_limit, W_plain in zip(limit.coefs_, plain.coefs_):
            np.testing.assert_allclose(W_limit, W_plain, rtol=1e-12, atol=1e-14)


def test_group_with_adam_takes_the_numpy_step_for_the_weights(monkeypatch):
    # The fused Adam kernel is elementwise: the weights must go through the
    # optimizer's numpy code and the group prox, the intercepts may not.
    from skreg import _optimizers

    fused_sizes = []
    real = _optimizers._fused.adam_step

    def recording(param, *args):
        # Records what reaches the kernel; with the kernels off only records.
        fused_sizes.append(param.size)
        if real is not None:
            real(param, *args)

    monkeypatch.setattr(_optimizers._fused, "adam_step", recording)
    X, y = _data()
    params = dict(hidden_layer_sizes=(6,), alpha=1.0, max_iter=3)
    model = MLPClassifier(penalty="group", **params).fit(X, y)
    n_weights = sum(W.size for W in model.coefs_)
    assert n_weights not in fused_sizes
    # The recording sees the kernel where it may run: L1's weights.
    MLPClassifier(penalty="l1", **params).fit(X, y)
    assert n_weights in fused_sizes


def test_sparse_group_zeroes_weights_inside_kept_rows():
    X, y = _data(n=200, n_features=10, n_informative=3)
    model = MLPClassifier(
        (12,),
        penalty="sparse_group",
        l1_ratio=0.5,
        alpha=2.0,
        max_iter=150,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    W = model.coefs_[0]
    kept = ~_dead_rows(W)
    assert 0 < kept.sum() < W.shape[0]
    assert np.any(W[kept] == 0)


def test_penalty_none_equals_alpha_zero():
    X, y = _data()
    a = MLPClassifier((5,), penalty=None, alpha=10.0, max_iter=10, random_state=0)
    b = MLPClassifier((5,), alpha=0.0, max_iter=10, random_state=0)
    np.testing.assert_array_equal(a.fit(X, y).coefs_[0], b.fit(X, y).coefs_[0])


def test_alpha_has_the_same_effect_for_every_batch_size():
    # skreg divides the penalty by the training set's size, so the weight norm
    # it converges to does not depend on batch_size; scikit-learn divides by
    # the batch's size, and the same alpha shrinks small-batch fits far more.
    X, y = make_classification(200, 10, random_state=0)
    params = dict(
        hidden_layer_sizes=(16,),
        alpha=20.0,
        max_iter=300,
        random_state=0,
        learning_rate_init=0.01,
        tol=1e-6,
        n_iter_no_change=30,
    )

    def norm(model):
        return np.sqrt(sum(np.sum(W**2) for W in model.coefs_))

    ours = [
        norm(MLPClassifier(batch_size=b, **params).fit(X, y)) for b in (10, 50, 200)
    ]
    theirs = [
        norm(SkMLPClassifier(batch_size=b, **params).fit(X, y)) for b in (10, 200)
    ]
    assert max(ours) / min(ours) < 1.05
    assert theirs[1] / theirs[0] > 10


def test_penalty_is_divided_by_the_sample_weight_sum():
    # Doubling every sample weight doubles S; doubling alpha too gives the same
    # objective, hence the same lbfgs fit.
    X, y = _data()
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", random_state=0, max_iter=50)
    ones = np.ones(len(y))
    a = MLPClassifier(alpha=1.0, **params).fit(X, y, sample_weight=ones)
    b = MLPClassifier(alpha=2.0, **params).fit(X, y, sample_weight=2 * ones)
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ dropout


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_dropout_is_reproducible_and_changes_the_fit(Estimator):
    X, y = _data()
    params = dict(hidden_layer_sizes=(12, 8), max_iter=15, random_state=0)
    a = Estimator(dropout=(0.3, 0.1), input_dropout=0.1, **params).fit(X, y)
    b = Estimator(dropout=(0.3, 0.1), input_dropout=0.1, **params).fit(X, y)
    plain = Estimator(**params).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], plain.coefs_[0])
    # Prediction is deterministic.
    np.testing.assert_array_equal(a.predict(X), a.predict(X))


def test_dropout_rate_is_the_share_dropped():
    # With every hidden unit dropped except a share (1 - rate), and inverted
    # scaling, the training loss of a fixed network grows with the rate.
    X, y = _data()
    losses = []
    for rate in (0.0, 0.5, 0.9):
        model = MLPClassifier((32,), dropout=rate, max_iter=30, random_state=0).fit(
            X, y
        )
        losses.append(model.loss_)
    assert losses[0] < losses[1] < losses[2]


# --------------------------------------------------------- label smoothing


SEPARABLE_FIT = dict(
    hidden_layer_sizes=(16,),
    alpha=0,
    max_iter=300,
    random_state=0,
    learning_rate_init=0.01,
    tol=1e-7,
    n_iter_no_change=30,
)


def _separable(centers):
    X, y = make_blobs(300, centers=centers, cluster_std=0.3, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("centers, eps", [(3, 0.1), (3, 0.3), (2, 0.2)])
def test_label_smoothing_caps_confidence(centers, eps):
    # On separable data the smoothed cross-entropy is minimised at the
    # smoothed targets, so the mean confidence settles at 1 - eps + eps / K
    # (0.9 for eps=0.2 in the binary case), where the plain fit goes to 1.
    X, y = _separable(centers)
    smoothed = MLPClassifier(label_smoothing=eps, **SEPARABLE_FIT).fit(X, y)
    confidence = smoothed.predict_proba(X).max(axis=1).mean()
    assert confidence == pytest.approx(1 - eps + eps / centers, abs=0.01)
    plain = MLPClassifier(**SEPARABLE_FIT).fit(X, y)
    assert plain.predict_proba(X).max(axis=1).mean() > 0.99


def test_label_smoothing_keeps_labels():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = MLPClassifier(label_smoothing=0.2, max_iter=50, random_state=0)
    model.fit(X, names)
    np.testing.assert_array_equal(model.classes_, np.unique(names))
    assert set(model.predict(X)) <= set(names)


# ------------------------------------------------------------ class_weight


def test_class_weight_equals_sample_weight():
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", random_state=0, max_iter=30)
    weights = {0: 2.0, 1: 0.5, 2: 1.0}
    a = MLPClassifier(class_weight=weights, **params).fit(X, y)
    sw = np.array([weights[label] for label in y])
    b = MLPClassifier(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0])


def test_balanced_class_weight_uses_weighted_counts():
    X, y = load_iris(return_X_y=True)
    keep = np.r_[0:50, 50:70, 100:150]
    X, y = X[keep], y[keep]
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", random_state=0, max_iter=30)
    a = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    counts = np.bincount(y)
    sw = len(y) / (3 * counts[y])
    b = MLPClassifier(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0])


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_lbfgs_with_dropout_raises_naming_both(Estimator):
    X, y = _data()
    with pytest.raises(
        ValueError, match=re.escape("solver='lbfgs' does not support dropout")
    ):
        Estimator(solver="lbfgs", dropout=0.2).fit(X, y)
    with pytest.raises(ValueError, match="input_dropout=0.1"):
        Estimator(solver="lbfgs", input_dropout=0.1).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("penalty", ["group", "sparse_group"])
def test_lbfgs_with_group_penalty_raises_naming_both(Estimator, penalty):
    X, y = _data()
    message = f"solver='lbfgs' does not support penalty='{penalty}'"
    with pytest.raises(ValueError, match=re.escape(message)):
        Estimator(solver="lbfgs", penalty=penalty).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(dropout=(0.1,)), "dropout must be a float or a sequence of one float"),
        (dict(dropout=(0.1, 1.0)), r"dropout rates must be in \[0, 1\)"),
        (dict(dropout=1.0), "The 'dropout' parameter"),
        (dict(input_dropout=-0.1), "The 'input_dropout' parameter"),
        (dict(penalty="l3"), "The 'penalty' parameter"),
        (dict(l1_ratio=1.5), "The 'l1_ratio' parameter"),
        (dict(alpha=-1.0), "The 'alpha' parameter"),
        (dict(label_smoothing=1.0), "The 'label_smoothing' parameter"),
        (dict(class_weight="auto"), "The 'class_weight' parameter"),
        (dict(class_weight={7: 1.0}), r"class_weight has labels \[7\]"),
        (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes must be positive"),
    ],
)
def test_bad_parameters_raise_naming_them(params, message):
    X, y = _data()
    model = MLPClassifier(**{"hidden_layer_sizes": (4, 3), "max_iter": 2, **params})
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_poisson_rejects_negative_targets():
    X, _ = _data()
    with pytest.raises(ValueError, match="negative which is not allowed"):
        MLPRegressor(loss="poisson").fit(X, -np.ones(len(X)))


def test_early_stopping_on_tiny_data_falls_back_with_a_warning():
    X, y = _data(n=40)
    model = MLPClassifier((5,), early_stopping=True, max_iter=5, random_state=0)
    with pytest.warns(UserWarning, match="training on all samples"):
        model.fit(X, y)
    assert model.validation_scores_ is None and np.isfinite(model.best_loss_)


def test_early_stopping_keeps_the_best_weights():
    X, y = _data(n=400)
    model = MLPClassifier((16,), early_stopping=True, max_iter=60, random_state=0).fit(
        X, y
    )
    assert model.best_loss_ is None
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_partial_fit_only_for_stochastic_solvers():
    for Estimator in ESTIMATORS:
        assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")
        assert hasattr(Estimator(solver="adam"), "partial_fit")


def test_partial_fit_draws_new_dropout_masks_at_every_call(monkeypatch):
    import skreg._engine

    drawn = []
    original = skreg._engine.drop

    def recording(rng, rate, X, mask, out):
        dropped = original(rng, rate, X, mask, out)
        drawn.append(mask.copy())
        return dropped

    monkeypatch.setattr(skreg._engine, "drop", recording)
    X, y = _data(n=50)
    model = MLPClassifier((6,), dropout=0.5, batch_size=50, random_state=0)
    model.partial_fit(X, y, classes=[0, 1])
    model.partial_fit(X, y)
    assert len(drawn) == 2
    assert not np.array_equal(drawn[0], drawn[1])


def test_partial_fit_is_not_available_with_early_stopping():
    # As scikit-learn's MLP, which raises: a chunk of a stream has nothing to
    # hold out. Not available (hasattr is False) rather than silently ignored.
    for Estimator in (MLPClassifier, MLPRegressor):
        model = Estimator(early_stopping=True)
        assert not hasattr(model, "partial_fit")
        with pytest.raises(AttributeError) as error:
            model.partial_fit
        assert "not available with early_stopping=True" in str(error.value.__cause__)
        assert hasattr(model.set_params(early_stopping=False), "partial_fit")


def test_partial_fit_is_not_available_with_balanced_class_weight():
    # As SGDClassifier: one call's class frequencies are not the stream's.
    model = MLPClassifier(class_weight="balanced")
    with pytest.raises(AttributeError) as error:
        model.partial_fit
    assert "not available with class_weight='balanced'" in str(error.value.__cause__)
    X, y = np.random.RandomState(0).randn(20, 3), np.arange(20) % 2
    model.set_params(class_weight={0: 1.0, 1: 2.0}).partial_fit(X, y, classes=[0, 1])
    # lbfgs has no partial_fit whatever the class weights; its reason comes first.
    with pytest.raises(AttributeError) as error:
        MLPClassifier(solver="lbfgs", class_weight="balanced").partial_fit
    assert "only available for stochastic" in str(error.value.__cause__)


def test_class_weight_with_multilabel_targets():
    # Issue 11: class_weight was silently ignored for multilabel targets.
    # 'balanced' is scikit-learn's multi-output rule (the product over the
    # labels); a dict, which names classes, raises.
    X = np.random.RandomState(0).randn(20, 3)
    Y = np.stack([np.arange(20) % 2, (np.arange(20) < 5).astype(int)], axis=1)
    params = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with pytest.raises(ValueError, match="must be 'balanced' or None for multilabel"):
        MLPClassifier(class_weight={0: 2.0}, **params).fit(X, Y)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, Y)
    weighted = MLPClassifier(**params).fit(
        X, Y, sample_weight=compute_sample_weight("balanced", Y)
    )
    for a, b in zip(balanced.coefs_, weighted.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    plain = MLPClassifier(**params).fit(X, Y)
    assert not np.allclose(plain.coefs_[0], balanced.coefs_[0])


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_html_repr_links_to_the_estimator_page(Estimator):
    url = f"https://skreg.readthedocs.io/en/stable/generated/skreg.{Estimator.__name__}.html"
    assert Estimator()._get_doc_link() == url
    assert url in Estimator()._repr_html_()


@pytest.fixture(scope="module")
def standardized_classification():
    X, y = make_classification(300, 8, n_informative=4, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1.0), ("elasticnet", 0.5)])
def test_lbfgs_without_hidden_layers_reaches_logistic_regression(
    standardized_classification, penalty, l1_ratio
):
    # Issue 11: L-BFGS-B stopped on scipy's relative-reduction test at a wrong
    # zero pattern for some seeds. With no hidden layer and alpha = 1 / C the
    # objective is LogisticRegression's, which saga solves to high accuracy.
    X, y = standardized_classification
    reference = LogisticRegression(
        C=1.0, l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=200_000
    ).fit(X, y)
    expected = reference.coef_.ravel()
    assert 0 < np.sum(expected == 0) < len(expected)
    for seed in range(10):
        model = MLPClassifier(
            hidden_layer_sizes=(),
            solver="lbfgs",
            penalty=penalty,
            l1_ratio=l1_ratio,
            alpha=1.0,
            tol=1e-12,
            max_iter=5000,
            random_state=seed,
        ).fit(X, y)
        coef = model.coefs_[0].ravel()
        np.testing.assert_array_equal(coef == 0, expected == 0, err_msg=f"seed {seed}")
        np.testing.assert_allclose(coef, expected, atol=1e-5, err_msg=f"seed {seed}")
        np.testing.assert_allclose(
            model.intercepts_[0], reference.intercept_, atol=1e-5
        )
