"""Tests of the displays: training curve, weight sparsity, regularization path."""

import copy
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPRegressor,
    MLPRegressorCV,
    RegularizationPathDisplay,
    TrainingCurveDisplay,
    WeightSparsityDisplay,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=150, n_features=8, n_informative=3, n_redundant=0, random_state=0
    )


@pytest.fixture(scope="module")
def adam_classifier(data):
    X, y = data
    return MLPClassifier(hidden_layer_sizes=(6,), max_iter=25, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def early_stopping_classifier(data):
    X, y = data
    return MLPClassifier(
        hidden_layer_sizes=(6,),
        early_stopping=True,
        n_iter_no_change=5,
        learning_rate_init=0.05,
        max_iter=200,
        random_state=0,
    ).fit(X, y)


@pytest.fixture(scope="module")
def l1_classifier_on_frame(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"feature {chr(97 + i)}" for i in range(8)])
    return MLPClassifier(
        hidden_layer_sizes=(10, 5),
        penalty="l1",
        alpha=8.0,
        max_iter=100,
        random_state=0,
    ).fit(frame, y)


def test_import_skreg_does_not_import_matplotlib():
    code = (
        "import sys, skreg, skreg._plotting._common, "
        "skreg._plotting._training_curve, skreg._plotting._weight_sparsity, "
        "skreg._plotting._regularization_path; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------
# TrainingCurveDisplay
# ---------------------------------------------------------------------------


def test_training_curve_plots_the_loss_curve(adam_classifier):
    clf = adam_classifier
    display = TrainingCurveDisplay.from_estimator(clf)
    n_epochs = len(clf.loss_curve_)
    assert n_epochs == clf.n_iter_ == 25
    assert_array_equal(display.loss_line_.get_xdata(), np.arange(1, n_epochs + 1))
    assert_array_equal(display.loss_line_.get_ydata(), clf.loss_curve_)
    assert display.loss_line_.axes is display.ax_
    assert display.figure_ is display.ax_.figure
    assert display.validation_loss_line_ is None
    assert display.validation_score_line_ is None
    assert display.score_ax_ is None
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel() == "loss"


def test_training_curve_marks_the_epoch_of_least_loss(adam_classifier):
    # A curve whose minimum is neither the first nor the last epoch.
    loss_curve = [1.0, 0.5, 0.25, 0.3, 0.4]
    display = TrainingCurveDisplay(loss_curve=loss_curve, best_epoch=3).plot()
    assert_array_equal(display.best_epoch_line_.get_xdata(), [3, 3])

    # The same on a fitted estimator: best_epoch comes from its curve.
    clf = copy.deepcopy(adam_classifier)
    clf.loss_curve_ = loss_curve
    display = TrainingCurveDisplay.from_estimator(clf)
    assert display.best_epoch == 3
    assert_array_equal(display.best_epoch_line_.get_xdata(), [3, 3])


def test_training_curve_best_epoch_without_early_stopping(adam_classifier):
    clf = adam_classifier
    display = TrainingCurveDisplay.from_estimator(clf)
    assert display.best_epoch == np.argmin(clf.loss_curve_) + 1
    assert_array_equal(display.best_epoch_line_.get_xdata(), [display.best_epoch] * 2)


def test_training_curve_with_early_stopping(early_stopping_classifier):
    clf = early_stopping_classifier
    scores = clf.validation_scores_
    display = TrainingCurveDisplay.from_estimator(clf)
    # Training stopped on the validation score, after the best epoch.
    assert clf.n_iter_ < clf.max_iter
    best = int(np.argmax(scores)) + 1
    assert best < len(scores)
    assert display.best_epoch == best
    assert scores[best - 1] == clf.best_validation_score_
    assert_array_equal(display.best_epoch_line_.get_xdata(), [best, best])

    line = display.validation_score_line_
    assert line.axes is display.score_ax_
    assert display.score_ax_ is not display.ax_
    assert display.score_ax_.get_shared_x_axes().joined(display.score_ax_, display.ax_)
    assert_array_equal(line.get_xdata(), np.arange(1, len(scores) + 1))
    assert_array_equal(line.get_ydata(), scores)
    assert display.score_ax_.get_ylabel() == "validation accuracy"
    assert_array_equal(display.loss_line_.get_ydata(), clf.loss_curve_)
    # The validation loss: one value per epoch, on the losses' axes.
    loss_line = display.validation_loss_line_
    assert loss_line.axes is display.ax_
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert_array_equal(loss_line.get_xdata(), np.arange(1, clf.n_iter_ + 1))
    assert_array_equal(loss_line.get_ydata(), clf.validation_loss_curve_)
    # One legend, with every curve.
    legend = display.score_ax_.get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == [
        "training loss",
        "validation loss",
        f"best epoch ({best})",
        "validation accuracy",
    ]


def test_training_curve_of_a_regressor_names_r2():
    X, y = make_regression(n_samples=120, n_features=5, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(5,),
        early_stopping=True,
        max_iter=15,
        random_state=0,
    ).fit(X, y / y.std())
    display = TrainingCurveDisplay.from_estimator(reg)
    assert display.score_ax_.get_ylabel() == "validation R²"
    assert_array_equal(
        display.validation_score_line_.get_ydata(), reg.validation_scores_
    )


def test_training_curve_uses_validation_loss_curve_when_present(
    early_stopping_classifier,
):
    clf = copy.deepcopy(early_stopping_classifier)
    clf.validation_loss_curve_ = None
    display = TrainingCurveDisplay.from_estimator(clf)
    assert display.validation_loss_line_ is None

    clf.validation_loss_curve_ = list(np.linspace(1.0, 0.5, clf.n_iter_))
    display = TrainingCurveDisplay.from_estimator(clf)
    line = display.validation_loss_line_
    assert line.axes is display.ax_
    assert_array_equal(line.get_xdata(), np.arange(1, clf.n_iter_ + 1))
    assert_array_equal(line.get_ydata(), clf.validation_loss_curve_)
    # The display keeps a copy: later epochs do not change it.
    clf.validation_loss_curve_.append(0.1)
    assert len(display.validation_loss_curve) == clf.n_iter_


def test_training_curve_aligns_shorter_validation_curves_with_the_last_epochs():
    display = TrainingCurveDisplay(
        loss_curve=[5.0, 4.0, 3.0, 2.0],
        validation_loss_curve=[3.5, 2.5],
        validation_scores=[0.5, 0.7],
        best_epoch=4,
    ).plot()
    assert_array_equal(display.validation_loss_line_.get_xdata(), [3, 4])
    assert_array_equal(display.validation_score_line_.get_xdata(), [3, 4])

    display = TrainingCurveDisplay(loss_curve=[1.0], validation_scores=[0.5, 0.7])
    with pytest.raises(ValueError, match="validation_scores has 2 epochs"):
        display.plot()


def test_training_curve_reuses_the_given_axes(adam_classifier, data):
    X, y = data
    other = MLPClassifier(
        hidden_layer_sizes=(6,), solver="sgd", max_iter=10, random_state=0
    ).fit(X, y)
    fig, ax = plt.subplots()
    first = TrainingCurveDisplay.from_estimator(
        adam_classifier, ax=ax, name="adam", color="red"
    )
    second = TrainingCurveDisplay.from_estimator(other, ax=ax, name="sgd")
    assert first.ax_ is ax and second.ax_ is ax
    assert first.figure_ is fig and second.figure_ is fig
    assert first.loss_line_.get_color() == "red"
    assert first.loss_line_ in ax.lines and second.loss_line_ in ax.lines
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "adam: training loss" in labels and "sgd: training loss" in labels
    assert_array_equal(second.loss_line_.get_ydata(), other.loss_curve_)


def test_displays_take_scikit_learn_mlps(data):
    from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

    X, y = data
    clf = SklearnMLPClassifier(
        hidden_layer_sizes=(4,), early_stopping=True, max_iter=15, random_state=0
    ).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(clf)
    assert_array_equal(display.loss_line_.get_ydata(), clf.loss_curve_)
    assert_array_equal(
        display.validation_score_line_.get_ydata(), clf.validation_scores_
    )
    assert display.best_epoch == np.argmax(clf.validation_scores_) + 1
    display = WeightSparsityDisplay.from_estimator(clf)
    assert_allclose(display.zero_shares, [np.mean(W == 0) for W in clf.coefs_])


def test_training_curve_refuses_lbfgs(data):
    X, y = data
    clf = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        TrainingCurveDisplay.from_estimator(clf)


@pytest.mark.parametrize("display", [TrainingCurveDisplay, WeightSparsityDisplay])
@pytest.mark.parametrize("estimator", [MLPClassifier(), MLPRegressor()])
def test_displays_refuse_unfitted_estimators(display, estimator):
    with pytest.raises(NotFittedError):
        display.from_estimator(estimator)


@pytest.mark.parametrize("display", [TrainingCurveDisplay, WeightSparsityDisplay])
def test_displays_need_matplotlib(display, adam_classifier, monkeypatch):
    # A None entry makes `import matplotlib` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=f"{display.__name__}.* requires matplotlib"):
        display.from_estimator(adam_classifier)


# ---------------------------------------------------------------------------
# WeightSparsityDisplay
# ---------------------------------------------------------------------------


def test_weight_sparsity_zero_shares_and_kept_features(l1_classifier_on_frame):
    clf = l1_classifier_on_frame
    display = WeightSparsityDisplay.from_estimator(clf)
    expected_shares = [np.count_nonzero(W == 0) / W.size for W in clf.coefs_]
    # L1 made zeros in every layer and removed some inputs, not all.
    assert all(0 < share < 1 for share in expected_shares)
    assert_allclose(display.zero_shares, expected_shares, rtol=1e-15)
    heights = [bar.get_height() for bar in display.layer_bars_]
    assert_allclose(heights, expected_shares, rtol=1e-15)

    kept = np.any(clf.coefs_[0] != 0, axis=1)
    assert 0 < kept.sum() < len(kept)
    assert_array_equal(display.kept_features, kept)
    norms = np.linalg.norm(clf.coefs_[0], axis=1)
    assert_allclose(display.input_importances, norms, rtol=1e-12)
    widths = [bar.get_width() for bar in display.feature_bars_]
    assert_allclose(widths, norms, rtol=1e-12)
    assert_array_equal(display.removed_markers_.get_ydata(), np.flatnonzero(~kept))
    assert_array_equal(display.removed_markers_.get_xdata(), 0.0)
    feature_ax = display.axes_[1]
    assert feature_ax.get_title() == f"{kept.sum()} of {len(kept)} inputs kept"


def test_weight_sparsity_feature_names(l1_classifier_on_frame, data):
    clf = l1_classifier_on_frame
    display = WeightSparsityDisplay.from_estimator(clf)
    expected = [f"feature {chr(97 + i)}" for i in range(8)]
    assert display.feature_names == expected
    ticks = [label.get_text() for label in display.axes_[1].get_yticklabels()]
    assert ticks == expected

    X, y = data
    plain = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    display = WeightSparsityDisplay.from_estimator(plain.fit(X, y))
    assert display.feature_names == [f"x{i}" for i in range(8)]
    assert display.removed_markers_ is None

    names = [f"f{i}" for i in range(8)]
    display = WeightSparsityDisplay.from_estimator(clf, feature_names=names)
    assert display.feature_names == names
    with pytest.raises(ValueError, match="3 feature names"):
        WeightSparsityDisplay.from_estimator(clf, feature_names=names[:3])


def test_weight_sparsity_draws_on_a_given_pair_of_axes(l1_classifier_on_frame):
    fig, (left, right) = plt.subplots(1, 2)
    display = WeightSparsityDisplay.from_estimator(
        l1_classifier_on_frame, ax=[left, right]
    )
    assert display.axes_[0] is left and display.axes_[1] is right
    assert display.figure_ is fig
    assert display.layer_bars_.patches[0].axes is left
    assert display.feature_bars_.patches[0].axes is right
    assert [t.get_text() for t in left.get_xticklabels()] == [
        "layer 1\n8→10",
        "layer 2\n10→5",
        "layer 3\n5→1",
    ]
    # The same pair again (a 2-D array from plt.subplots works too).
    fig, axes = plt.subplots(1, 2, squeeze=False)
    display.plot(ax=axes)
    assert display.axes_[0] is axes[0, 0] and display.figure_ is fig

    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="pair of matplotlib Axes"):
        display.plot(ax=ax)


def test_weight_sparsity_display_from_data():
    display = WeightSparsityDisplay(
        zero_shares=[0.5, 0.0], input_importances=[0.0, 2.0, 1.0]
    ).plot()
    assert_array_equal(display.kept_features, [False, True, True])
    ticks = [label.get_text() for label in display.axes_[1].get_yticklabels()]
    assert ticks == ["x0", "x1", "x2"]
    assert [t.get_text() for t in display.axes_[0].get_xticklabels()] == [
        "layer 1",
        "layer 2",
    ]
    with pytest.raises(ValueError, match="2 feature names for 3 features"):
        WeightSparsityDisplay(
            zero_shares=[0.5], input_importances=[0.0, 2.0, 1.0], feature_names="ab"
        ).plot()


def test_training_curve_of_early_stopping_on_the_loss():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = MLPClassifier(
        hidden_layer_sizes=(5,),
        early_stopping=True,
        scoring="loss",
        max_iter=15,
        random_state=0,
    ).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(clf)
    # The negated loss in validation_scores_ is not drawn as a score.
    assert display.score_ax_ is None
    assert display.validation_score_line_ is None
    assert_array_equal(
        display.validation_loss_line_.get_ydata(), clf.validation_loss_curve_
    )
    assert display.best_epoch == int(np.argmin(clf.validation_loss_curve_)) + 1


# ---------------------------------------------------------------------------
# RegularizationPathDisplay
# ---------------------------------------------------------------------------


def _fit_cv(estimator, X, y):
    # Few epochs per alpha: the path's fits stop at their budget.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


_CV_PARAMS = dict(hidden_layer_sizes=(4,), max_iter=10, alphas=4, cv=2, random_state=0)


@pytest.fixture(scope="module")
def cv_classifier(data):
    X, y = data
    return _fit_cv(MLPClassifierCV(penalty="l1", **_CV_PARAMS), X[:80], y[:80])


def _band_limits(band, x):
    """The lowest and highest y of a fill_between polygon at each x."""
    vertices = band.get_paths()[0].vertices
    return np.array(
        [
            [vertices[np.isclose(vertices[:, 0], v), 1].min() for v in x],
            [vertices[np.isclose(vertices[:, 0], v), 1].max() for v in x],
        ]
    )


def test_regularization_path_plots_the_cv_scores(cv_classifier):
    clf = cv_classifier
    display = RegularizationPathDisplay.from_estimator(clf)
    assert len(display.score_lines_) == len(display.kept_lines_) == 1
    mean = clf.scores_.mean(axis=-1)[0]
    std = clf.scores_.std(axis=-1)[0]

    line = display.score_lines_[0]
    assert_allclose(line.get_xdata(), clf.alphas_)
    assert_allclose(line.get_ydata(), mean)
    assert_allclose(
        _band_limits(display.score_bands_[0], clf.alphas_), [mean - std, mean + std]
    )
    kept_line = display.kept_lines_[0]
    assert kept_line.axes is display.kept_ax_
    assert_allclose(kept_line.get_xdata(), clf.alphas_)
    assert_allclose(kept_line.get_ydata(), clf.n_features_kept_.mean(axis=-1)[0])
    assert_allclose(display.alpha_line_.get_xdata(), [clf.alpha_, clf.alpha_])

    assert display.ax_.get_xscale() == "log"
    assert display.ax_.get_xlabel() == "alpha"
    assert display.ax_.get_ylabel().startswith("accuracy")
    assert display.figure_ is display.ax_.figure
    labels = [t.get_text() for t in display.kept_ax_.get_legend().get_texts()]
    assert labels == [
        "mean CV accuracy",
        f"alpha_ = {clf.alpha_:.3g}",
        "input features kept",
    ]


def test_regularization_path_one_curve_per_l1_ratio(data):
    X, y = data
    clf = _fit_cv(
        MLPRegressorCV(penalty="elasticnet", l1_ratio=[0.2, 0.9], **_CV_PARAMS),
        X[:80],
        y[:80].astype(float),
    )
    display = RegularizationPathDisplay.from_estimator(clf, name="net")
    assert len(display.score_lines_) == len(display.kept_lines_) == 2
    for i, (line, kept_line) in enumerate(
        zip(display.score_lines_, display.kept_lines_)
    ):
        assert_allclose(line.get_xdata(), clf.alphas_[i])
        assert_allclose(line.get_ydata(), clf.scores_[i].mean(axis=-1))
        assert_allclose(kept_line.get_ydata(), clf.n_features_kept_[i].mean(axis=-1))
        assert kept_line.get_color() == line.get_color()
    labels = [line.get_label() for line in display.score_lines_]
    chosen = [0.2, 0.9].index(clf.l1_ratio_)
    assert labels[chosen] == f"net: mean CV R² (l1_ratio={clf.l1_ratio_:.3g}, chosen)"
    assert labels[1 - chosen].startswith("net: mean CV R² (l1_ratio=")
    assert "chosen" not in labels[1 - chosen]


def test_regularization_path_takes_a_pipeline_and_refit_false(data):
    X, y = data
    clf = _fit_cv(
        make_pipeline(
            StandardScaler(), MLPClassifierCV(refit=False, scoring="f1", **_CV_PARAMS)
        ),
        X[:80],
        y[:80],
    )
    _, ax = plt.subplots()
    display = RegularizationPathDisplay.from_estimator(clf, ax=ax)
    assert display.ax_ is ax
    assert display.ax_.get_ylabel().startswith("f1")
    assert_allclose(display.score_lines_[0].get_xdata(), clf[-1].alphas_)


@pytest.mark.parametrize("estimator", [MLPClassifierCV(), MLPRegressorCV()])
def test_regularization_path_refuses_unfitted_estimators(estimator):
    with pytest.raises(NotFittedError):
        RegularizationPathDisplay.from_estimator(estimator)


@pytest.mark.parametrize(
    "estimator", [MLPClassifier(), make_pipeline(StandardScaler(), MLPRegressor())]
)
def test_regularization_path_needs_a_cv_estimator(adam_classifier, estimator):
    for est in (estimator, adam_classifier):
        with pytest.raises(TypeError, match="MLPClassifierCV or MLPRegressorCV"):
            RegularizationPathDisplay.from_estimator(est)


def test_regularization_path_display_from_data():
    scores = np.array([[0.5, 0.7], [0.8, 0.8], [0.6, 0.4]])
    display = RegularizationPathDisplay(
        alphas=[0.01, 0.1, 1.0],
        scores=scores,
        n_features_kept=[[8, 8], [5, 3], [1, 0]],
    ).plot()
    assert display.alpha_line_ is None
    assert_allclose(display.score_lines_[0].get_ydata(), [0.6, 0.8, 0.5])
    assert_allclose(display.kept_lines_[0].get_ydata(), [8, 4, 0.5])
    assert display.score_lines_[0].get_label() == "mean CV score"
    with pytest.raises(ValueError, match="same shape"):
        RegularizationPathDisplay(
            alphas=[0.1, 1.0], scores=scores, n_features_kept=scores[:2]
        ).plot()
    with pytest.raises(ValueError, match="alphas of shape"):
        RegularizationPathDisplay(
            alphas=[0.1, 1.0], scores=scores, n_features_kept=scores
        ).plot()
