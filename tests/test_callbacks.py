"""Callbacks (sklearn.callback) and the validation loss of early stopping."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.callback import ScoringMonitor
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor

SOLVERS = ["sgd", "adam", "lbfgs"]


@pytest.fixture(scope="module")
def classification():
    return make_classification(
        n_samples=80, n_features=5, n_informative=3, random_state=0
    )


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=80, n_features=5, noise=5.0, random_state=0)
    return X, y / y.std()


def _estimator(Estimator, solver, **params):
    return Estimator(
        hidden_layer_sizes=(4,),
        solver=solver,
        max_iter=params.pop("max_iter", 6),
        learning_rate_init=0.05,
        random_state=0,
        **params,
    )


def _data(Estimator, classification, regression):
    return classification if Estimator is MLPClassifier else regression


class Recorder:
    """A FitCallback that keeps what each task's end showed it."""

    def __init__(self, stop_at=None, fail_at=None):
        self.stop_at, self.fail_at = stop_at, fail_at
        self.begins, self.ends, self.torn_down = [], [], 0

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        self.begins.append((context.task_name, context.task_id))

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        self.ends.append((context.task_name, context.task_id, fitted_estimator, X, y))
        epoch = context.task_id + 1
        if context.parent is not None and epoch == self.fail_at:
            raise RuntimeError("callback failed")
        return context.parent is not None and epoch == self.stop_at

    def teardown(self, estimator, context):
        self.torn_down += 1

    def subtasks(self):
        return [end for end in self.ends if end[0] in ("epoch", "iteration")]


def _weights(estimator):
    return estimator.coefs_ + estimator.intercepts_


def _assert_same_bits(a, b):
    for x, y in zip(_weights(a), _weights(b), strict=True):
        assert x.dtype == y.dtype
        assert_array_equal(x, y)


# ---------------------------------------------------------------------------
# One sub-task per epoch or iteration
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_a_callback_sees_every_epoch(Estimator, solver, classification, regression):
    X, y = _data(Estimator, classification, regression)
    recorder = Recorder()
    est = _estimator(Estimator, solver, max_iter=5, tol=0.0)
    est.set_callbacks(recorder).fit(X, y)

    subtasks = recorder.subtasks()
    name = "iteration" if solver == "lbfgs" else "epoch"
    assert [(task, i) for task, i, *_ in subtasks] == [
        (name, i) for i in range(est.n_iter_)
    ]
    assert est.n_iter_ == 5
    # Each begin has its end, and the root task ends last.
    assert sorted(recorder.begins) == sorted((task, i) for task, i, *_ in recorder.ends)
    assert recorder.ends[-1][0] == "fit"
    assert recorder.torn_down == 1

    for epoch, (_, _, fitted, X_seen, y_seen) in enumerate(subtasks, start=1):
        # A model as it was after that epoch, ready to predict, in copies.
        assert fitted is not est
        assert fitted.n_iter_ == epoch
        assert fitted.predict(X).shape == y.shape
        for snapshot, final in zip(_weights(fitted), _weights(est)):
            assert not np.shares_memory(snapshot, final)
        assert X_seen.shape == X.shape
        assert_array_equal(y_seen, y)
    # The last epoch's model is the fitted one.
    _assert_same_bits(subtasks[-1][2], est)
    first = subtasks[0][2]
    assert not all(np.array_equal(a, b) for a, b in zip(_weights(first), _weights(est)))
    # The framework's attributes are gone after fit; the callbacks stay.
    assert not hasattr(est, "_callback_fit_ctx")
    assert est._skl_callbacks == [recorder]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_callbacks_never_change_the_weights(
    Estimator, solver, classification, regression
):
    X, y = _data(Estimator, classification, regression)
    sample_weight = np.linspace(0.5, 2.0, len(y))
    plain = _estimator(Estimator, solver).fit(X, y, sample_weight=sample_weight)
    scoring = "accuracy" if Estimator is MLPClassifier else "r2"
    watched = _estimator(Estimator, solver).set_callbacks(
        Recorder(), ScoringMonitor(scoring=scoring)
    )
    watched.fit(X, y, sample_weight=sample_weight)
    _assert_same_bits(plain, watched)
    assert plain.n_iter_ == watched.n_iter_
    assert plain.loss_ == watched.loss_


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_callbacks_never_change_early_stopping(Estimator, classification, regression):
    X, y = _data(Estimator, classification, regression)
    params = dict(early_stopping=True, validation_fraction=0.2, max_iter=30)
    plain = _estimator(Estimator, "adam", **params).fit(X, y)
    watched = _estimator(Estimator, "adam", **params).set_callbacks(Recorder())
    watched.fit(X, y)
    _assert_same_bits(plain, watched)
    assert plain.validation_scores_ == watched.validation_scores_
    assert plain.validation_loss_curve_ == watched.validation_loss_curve_


# ---------------------------------------------------------------------------
# Stopping from a callback
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_a_callback_stops_training(Estimator, solver, classification, regression):
    X, y = _data(Estimator, classification, regression)
    recorder = Recorder(stop_at=3)
    est = _estimator(Estimator, solver, max_iter=50, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_callbacks(recorder).fit(X, y)
    assert est.n_iter_ == 3
    assert len(recorder.subtasks()) == 3
    # The model is the one of the epoch it stopped at, and consistent.
    _assert_same_bits(recorder.subtasks()[-1][2], est)
    assert est.predict(X).shape == y.shape
    if solver != "lbfgs":
        assert len(est.loss_curve_) == 3
        assert est.loss_ == est.loss_curve_[-1]
    # The same run as one limited to 3 epochs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        limited = _estimator(Estimator, solver, max_iter=3, tol=0.0).fit(X, y)
    _assert_same_bits(limited, est)


def test_a_stop_at_the_last_epoch_is_no_convergence_failure(classification):
    X, y = classification
    est = _estimator(MLPClassifier, "adam", max_iter=4, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_callbacks(Recorder(stop_at=4)).fit(X, y)
    assert est.n_iter_ == 4
    with pytest.warns(ConvergenceWarning):
        _estimator(MLPClassifier, "adam", max_iter=4, tol=0.0).fit(X, y)


def test_a_callback_stop_with_early_stopping_keeps_the_best_weights(classification):
    X, y = classification
    est = _estimator(
        MLPClassifier, "adam", early_stopping=True, validation_fraction=0.25
    )
    est.set_params(max_iter=50, tol=0.0, n_iter_no_change=100)
    recorder = Recorder(stop_at=8)
    est.set_callbacks(recorder).fit(X, y)
    assert est.n_iter_ == 8
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 8
    # As when early stopping itself stops: the best epoch's weights.
    best = int(np.argmax(est.validation_scores_))
    _assert_same_bits(recorder.subtasks()[best][2], est)


# ---------------------------------------------------------------------------
# Failures and partial_fit
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_failed_fit_keeps_the_callbacks(solver, classification):
    X, y = classification
    recorder = Recorder(fail_at=2)
    est = _estimator(MLPClassifier, solver).set_callbacks(recorder)
    with pytest.raises(RuntimeError, match="callback failed"):
        est.fit(X, y)
    assert est._skl_callbacks == [recorder]
    assert est._skl_callbacks[0] is recorder
    assert not hasattr(est, "coefs_")
    assert not hasattr(est, "_callback_fit_ctx")
    assert recorder.torn_down == 1

    # A fitted model stays as it was, callbacks included.
    fitted = _estimator(MLPClassifier, solver).fit(X, y)
    before = [w.copy() for w in _weights(fitted)]
    fitted.set_callbacks(recorder)
    with pytest.raises(RuntimeError, match="callback failed"):
        fitted.fit(X, y)
    for w, saved in zip(_weights(fitted), before, strict=True):
        assert_array_equal(w, saved)
    assert fitted._skl_callbacks[0] is recorder

    # Bad input fails before any epoch, callbacks kept too.
    with pytest.raises(ValueError):
        est.fit(X[:, :2], y[:3])
    assert est._skl_callbacks[0] is recorder


def test_partial_fit_is_one_epoch_per_call(classification):
    X, y = classification
    recorder = Recorder()
    est = _estimator(MLPClassifier, "sgd").set_callbacks(recorder)
    for _ in range(3):
        est.partial_fit(X, y, classes=np.unique(y))
    subtasks = recorder.subtasks()
    # Each call is a run of its own: a root task with one epoch.
    assert [(task, i) for task, i, *_ in subtasks] == [("epoch", 0)] * 3
    assert [task for task, *_ in recorder.ends].count("fit") == 3
    assert recorder.torn_down == 3
    _assert_same_bits(subtasks[-1][2], est)

    plain = _estimator(MLPClassifier, "sgd")
    for _ in range(3):
        plain.partial_fit(X, y, classes=np.unique(y))
    _assert_same_bits(plain, est)


def test_clone_keeps_the_callbacks(classification):
    recorder = Recorder()
    est = _estimator(MLPClassifier, "adam").set_callbacks(recorder)
    assert clone(est)._skl_callbacks[0] is recorder


# ---------------------------------------------------------------------------
# scikit-learn's callbacks, alone and inside meta-estimators
# ---------------------------------------------------------------------------


def _epoch_rows(log):
    return [row for row in log.data if row["task_name"] in ("epoch", "iteration")]


@pytest.mark.parametrize("solver", SOLVERS)
def test_scoring_monitor_records_a_score_per_epoch(solver, classification):
    X, y = classification
    monitor = ScoringMonitor(scoring="accuracy")
    est = _estimator(MLPClassifier, solver, max_iter=5, tol=0.0)
    est.set_callbacks(monitor).fit(X, y)
    rows = _epoch_rows(monitor.get_logs())
    assert [row["task_id"] for row in rows] == list(range(est.n_iter_))
    # The last epoch's score is the fitted model's.
    assert rows[-1]["accuracy"] == pytest.approx(est.score(X, y))


def test_scoring_monitor_in_a_pipeline(classification):
    X, y = classification
    monitor = ScoringMonitor(scoring="neg_log_loss")
    mlp = _estimator(MLPClassifier, "adam", max_iter=4).set_callbacks(monitor)
    make_pipeline(StandardScaler(), mlp).fit(X, y)
    rows = _epoch_rows(monitor.get_logs())
    assert len(rows) == 4
    # Scored on what the network saw: the scaled data.
    X_scaled = StandardScaler().fit_transform(X)
    assert rows[-1]["neg_log_loss"] == pytest.approx(
        -log_loss(y, mlp.predict_proba(X_scaled))
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_scoring_monitor_under_grid_search(n_jobs, classification):
    X, y = classification
    monitor = ScoringMonitor(scoring="accuracy")
    mlp = _estimator(MLPClassifier, "adam", max_iter=3).set_callbacks(monitor)
    search = GridSearchCV(mlp, {"alpha": [1e-4, 1e-1]}, cv=2, n_jobs=n_jobs)
    search.fit(X, y)
    rows = _epoch_rows(monitor.get_logs())
    # 2 candidates x 2 folds and the refit, 3 epochs each.
    assert len(rows) == 5 * 3


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_alone_in_a_pipeline_and_under_grid_search(
    n_jobs, classification, capsys
):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = classification
    mlp = _estimator(MLPClassifier, "adam", max_iter=3)
    clone(mlp).set_callbacks(ProgressBar()).fit(X, y)
    make_pipeline(StandardScaler(), clone(mlp)).set_callbacks(ProgressBar()).fit(X, y)
    search = GridSearchCV(mlp, {"alpha": [1e-4, 1e-1]}, cv=2, n_jobs=n_jobs)
    search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
    out = capsys.readouterr().out
    assert "MLPClassifier - fit" in out
    assert "GridSearchCV - candidate-split-evaluation | MLPClassifier - fit" in out
    assert search.best_estimator_.n_iter_ == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_cv_estimator_reports_its_fold_paths_and_its_refit(classification):
    X, y = classification
    recorder = Recorder()
    model = MLPClassifierCV(
        hidden_layer_sizes=(4,), alphas=3, cv=2, l1_ratio=[0.5, 1.0], max_iter=6
    )
    model.set_params(penalty="elasticnet", random_state=0)
    model.set_callbacks(recorder).fit(X, y)
    # Two l1_ratios x two folds, then the refit, inside the root task.
    assert recorder.begins[0] == ("fit", 0)
    paths = [(name, i) for name, i in recorder.begins if name == "fold path"]
    assert sorted(paths) == [("fold path", i) for i in range(4)]
    assert recorder.begins[-1] == ("refit", 4)
    assert [end[:2] for end in recorder.ends][-2:] == [("refit", 4), ("fit", 0)]
    assert recorder.torn_down == 1
    assert model._skl_callbacks == [recorder]
    assert not hasattr(model, "_callback_fit_ctx")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_reaches_the_refit_of_a_cv_estimator(
    n_jobs, classification, capsys
):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = classification
    model = MLPClassifierCV(
        hidden_layer_sizes=(4,), alphas=3, cv=2, max_iter=10, n_jobs=n_jobs
    )
    model.set_callbacks(ProgressBar(max_propagation_depth=None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    out = capsys.readouterr().out
    assert "MLPClassifierCV - fit" in out
    # The refit's epochs, as a propagated task of the refit.
    assert "MLPClassifierCV - refit | MLPClassifier - fit" in out


# ---------------------------------------------------------------------------
# The validation loss, and early stopping on it
# ---------------------------------------------------------------------------


def _held_out(X, recorder):
    """The held-out rows: those the epochs did not train on."""
    seen = {row.tobytes() for row in recorder.subtasks()[0][3]}
    return np.array([row.tobytes() not in seen for row in X])


def test_validation_loss_curve_is_the_held_out_loss(regression):
    X, y = regression
    recorder = Recorder()
    reg = _estimator(
        MLPRegressor,
        "adam",
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=40,
        tol=0.0,
        n_iter_no_change=100,
    ).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    n = reg.n_iter_
    assert len(reg.validation_loss_curve_) == len(reg.validation_scores_) == n == 40
    held_out = _held_out(X, recorder)
    assert held_out.sum() == 20
    # At every epoch: half the mean squared error of that epoch's model.
    for epoch, (_, _, fitted, _, _) in enumerate(recorder.subtasks()):
        residual = y[held_out] - fitted.predict(X[held_out])
        assert reg.validation_loss_curve_[epoch] == pytest.approx(
            0.5 * np.mean(residual**2), rel=1e-12
        )
    # The kept weights are those of the best score's epoch.
    best = int(np.argmax(reg.validation_scores_))
    residual = y[held_out] - reg.predict(X[held_out])
    assert reg.validation_loss_curve_[best] == pytest.approx(
        0.5 * np.mean(residual**2), rel=1e-12
    )


def test_validation_loss_of_a_classifier_is_the_log_loss(classification):
    X, y = classification
    recorder = Recorder()
    clf = _estimator(
        MLPClassifier,
        "adam",
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=10,
        tol=0.0,
        n_iter_no_change=100,
    ).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    held_out = _held_out(X, recorder)
    last = recorder.subtasks()[-1][2]
    assert clf.validation_loss_curve_[-1] == pytest.approx(
        log_loss(y[held_out], last.predict_proba(X[held_out])), rel=1e-10
    )


def test_validation_loss_curve_is_none_without_early_stopping(classification):
    X, y = classification
    est = _estimator(MLPClassifier, "adam").fit(X, y)
    assert est.validation_loss_curve_ is None
    assert est.validation_scores_ is None
    lbfgs = _estimator(MLPClassifier, "lbfgs").fit(X, y)
    assert not hasattr(lbfgs, "validation_loss_curve_")


def _stopping_epoch(losses, tol, n_iter_no_change):
    """The epoch at which the rule on the losses stops, from 1."""
    best, count = np.inf, 0
    for epoch, loss in enumerate(losses, start=1):
        count = count + 1 if loss > best - tol else 0
        best = min(best, loss)
        if count > n_iter_no_change:
            return epoch
    return None


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_early_stopping_on_the_loss_stops_where_the_loss_stalls(
    Estimator, classification, regression
):
    X, y = _data(Estimator, classification, regression)
    params = dict(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        validation_fraction=0.25,
        learning_rate_init=0.05,
        max_iter=300,
        n_iter_no_change=5,
        tol=1e-3,
        random_state=0,
    )
    est = Estimator(scoring="loss", **params).fit(X, y)
    losses = est.validation_loss_curve_
    assert est.n_iter_ < 300
    assert est.n_iter_ == _stopping_epoch(losses, 1e-3, 5) == len(losses)
    assert_array_equal(est.validation_scores_, -np.asarray(losses))
    assert est.best_validation_score_ == -min(losses)
    # The kept weights are those of the least validation loss: it moved on
    # from there, so refitting for that many epochs gives them.
    best_epoch = int(np.argmin(losses)) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        shorter = Estimator(scoring="loss", **{**params, "max_iter": best_epoch}).fit(
            X, y
        )
    assert shorter.validation_loss_curve_ == losses[:best_epoch]
    _assert_same_bits(shorter, est)

    # The default stays scikit-learn's score. Until either stops, the two
    # are the same run: the rule only watches.
    by_score = Estimator(**params).fit(X, y)
    common = min(by_score.n_iter_, est.n_iter_)
    assert by_score.validation_loss_curve_[:common] == losses[:common]
    assert by_score.validation_scores_[0] != est.validation_scores_[0]
    if Estimator is MLPClassifier:
        # Accuracies: multiples of one held-out row in 20.
        counts = np.asarray(by_score.validation_scores_) * 20
        assert_allclose(counts, np.round(counts), atol=1e-9)


def test_switching_scoring_on_a_warm_start_starts_the_bookkeeping_anew(
    classification,
):
    X, y = classification
    est = _estimator(
        MLPClassifier,
        "adam",
        early_stopping=True,
        validation_fraction=0.25,
        warm_start=True,
        max_iter=4,
        tol=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        assert len(est.validation_scores_) == 4
        est.set_params(scoring="loss").fit(X, y)
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 4
    assert_allclose(est.validation_scores_, -np.asarray(est.validation_loss_curve_))


def test_scoring_is_validated(classification):
    X, y = classification
    with pytest.raises(ValueError, match="scoring"):
        _estimator(MLPClassifier, "adam", scoring="accuracy").fit(X, y)


def test_verbose_reports_the_validation_loss(classification, capsys):
    X, y = classification
    est = _estimator(
        MLPClassifier,
        "adam",
        early_stopping=True,
        validation_fraction=0.25,
        scoring="loss",
        verbose=True,
        max_iter=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Validation loss: ") == 2
    assert "Validation score" not in out


def test_an_iteration_that_never_completes_ends_without_a_model(classification):
    # An L-BFGS line search that fails begins an iteration scipy never
    # accepts: the fit task still ends each sub-task it began.
    from skreg._callbacks import FitCallbacks

    X, y = classification
    recorder = Recorder()
    est = _estimator(MLPClassifier, "lbfgs").set_callbacks(recorder)
    callbacks = FitCallbacks(est, 3, X, y, None)
    callbacks.begin_subtask(lambda: {}, "iteration")
    callbacks.end()
    assert recorder.begins == [("fit", 0), ("iteration", 0)]
    assert [(task, i) for task, i, *_ in recorder.ends] == [
        ("iteration", 0),
        ("fit", 0),
    ]
    assert recorder.ends[0][2] is None
