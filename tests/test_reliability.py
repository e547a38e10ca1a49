"""Reliability (issue 3): divergence, failed calls, interrupts, inputs, pickles.

Also prediction from several threads and within ``working_memory``. Every test here
fails without the behaviour it names: a failed call must leave the estimator exactly
as it was (compared attribute by attribute, optimizer state included), an
interrupted fit must equal a fit that stopped after the last completed epoch, bit
for bit.
"""

import copy
import io
import json
import os
import pickle
import re
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import skreg
import skreg._engine
import skreg._optimizers
import skreg._solvers
import skreg._training
from skreg import InconsistentVersionWarning, MLPClassifier, MLPRegressor

ESTIMATORS = [MLPClassifier, MLPRegressor]


def _data(Estimator, n=100, n_features=5, seed=0):
    if Estimator is MLPClassifier:
        X, y = make_classification(
            n, n_features, n_informative=3, n_classes=3, random_state=seed
        )
    else:
        X, y = make_regression(n, n_features, noise=1.0, random_state=seed)
        y = y / y.std()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _fitted(Estimator, solver="adam", **params):
    X, y = _data(Estimator)
    params = {
        "hidden_layer_sizes": (8,),
        "solver": solver,
        "max_iter": 5,
        "batch_size": 20,
        "random_state": 0,
        **params,
    }
    return Estimator(**params).fit(X, y), X, y


def _fitted_state(est):
    params = est.get_params(deep=False)
    return {key: value for key, value in vars(est).items() if key not in params}


def _state(est):
    """A comparable copy of the fitted state (deep copies drop scratch buffers)."""
    return copy.deepcopy(_fitted_state(est))


def _assert_same(a, b, path="est"):
    """Recursive equality of estimator state: arrays by value and dtype."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert (a.dtype, a.shape) == (b.dtype, b.shape), path
        np.testing.assert_array_equal(a, b, err_msg=path, strict=True)
    elif isinstance(a, dict):
        assert isinstance(b, dict), path
        assert a.keys() == b.keys(), f"{path}: keys differ {set(a) ^ set(b)}"
        for key in a:
            _assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.random.Generator):
        assert isinstance(b, np.random.Generator), path
        assert a.bit_generator.state == b.bit_generator.state, path
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        # Optimizer, LabelBinarizer: compare what they hold.
        assert type(a) is type(b), path
        _assert_same(vars(a), vars(b), path)
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), path
    else:
        assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


def _assert_unchanged(est, before, X, predictions):
    _assert_same(before, copy.deepcopy(vars(est)))
    if predictions is not None:
        np.testing.assert_array_equal(est.predict(X), predictions)


def _fail_on_call(monkeypatch, owner, name, on_call, error=RuntimeError):
    """Make ``owner.name`` raise ``error`` on its ``on_call``-th call (from 1)."""
    original = getattr(owner, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == on_call:
            raise error(f"injected at call {on_call}")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def _count_calls(monkeypatch, owner, name):
    return _fail_on_call(monkeypatch, owner, name, on_call=-1)


def _fail_optimizer_steps(monkeypatch, on_call, error=RuntimeError):
    """Every optimizer's ``step`` raises on the ``on_call``-th step of the run."""
    calls = {"n": 0}
    for cls in set(skreg._optimizers.OPTIMIZERS.values()):
        original = cls.step

        def step(self, *args, _original=original, **kwargs):
            calls["n"] += 1
            if calls["n"] == on_call:
                raise error(f"injected at step {on_call}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "step", step)
    return calls


# ---------------------------------------------------------------- divergence

_DIVERGED = r"Training diverged: the (loss|parameters) became non-finite at {} (\d+)\."


def _fit_recording_warnings(model, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError) as error:
            model.fit(X, y)
    categories = [w.category for w in caught]
    assert not [c for c in categories if issubclass(c, RuntimeWarning)], categories
    return str(error.value), categories


@pytest.mark.parametrize(
    "Estimator, params, scale",
    [
        (MLPRegressor, dict(solver="sgd", learning_rate_init=10.0), 1e3),
        (MLPRegressor, dict(solver="adam", learning_rate_init=1e100), 1e3),
        (MLPClassifier, dict(solver="sgd", learning_rate_init=10.0), 1e100),
        (MLPClassifier, dict(solver="adam", learning_rate_init=1e200), 1e3),
        (MLPRegressor, dict(loss="poisson", solver="sgd", learning_rate_init=10), 1e3),
        (MLPRegressor, dict(loss="poisson", solver="adam", learning_rate_init=10), 1e3),
    ],
)
def test_stochastic_divergence_stops_at_once_and_explains(
    Estimator, params, scale, monkeypatch
):
    X, y = _data(Estimator)
    if params.get("loss") == "poisson":
        y = np.abs(y)
    epochs = _count_calls(monkeypatch, skreg._solvers.EpochRunner, "run")
    model = Estimator(
        hidden_layer_sizes=(8,), max_iter=10_000, n_iter_no_change=10_000, **params
    )
    message, categories = _fit_recording_warnings(model, X * scale, y)
    match = re.match(_DIVERGED.format("epoch"), message)
    assert match, message
    # Stopped in the epoch where it happened (within a few of max_iter=10_000).
    assert int(match[2]) == epochs["n"] <= 4
    for advice in [
        "smaller learning_rate_init",
        "scaling the inputs",
        "StandardScaler",
    ]:
        assert advice in message
    assert ConvergenceWarning not in categories
    # A failed first fit leaves no fitted state behind.
    assert _fitted_state(model) == {}
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize(
    "Estimator, loss, scale_X, scale_y",
    [
        (MLPRegressor, "squared_error", 1e200, 1.0),
        (MLPRegressor, "squared_error", 1.0, 1e200),
        (MLPRegressor, "poisson", 1e3, 1.0),
        (MLPClassifier, None, 1e300, 1.0),
    ],
)
def test_lbfgs_non_finite_loss_raises_instead_of_warning(
    Estimator, loss, scale_X, scale_y
):
    X, y = _data(Estimator)
    y = np.abs(y) * scale_y if Estimator is MLPRegressor else y
    params = {} if loss is None else {"loss": loss}
    model = Estimator(hidden_layer_sizes=(8,), solver="lbfgs", **params)
    message, categories = _fit_recording_warnings(model, X * scale_X, y)
    assert re.match(_DIVERGED.format("iteration"), message), message
    assert "scaling the inputs (for example with StandardScaler)" in message
    # Not "lbfgs failed to converge" on top of the error.
    assert ConvergenceWarning not in categories
    assert _fitted_state(model) == {}


def test_lbfgs_non_finite_parameters_raise(monkeypatch):
    X, y = _data(MLPRegressor)
    original = skreg._solvers.fit_lbfgs

    def corrupting(network, *args, **kwargs):
        result = original(network, *args, **kwargs)
        network.coefs[0][0, 0] = np.inf
        return result

    monkeypatch.setattr("skreg._mlp.fit_lbfgs", corrupting)
    model = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5)
    with pytest.raises(ValueError, match=_DIVERGED.format("iteration")):
        model.fit(X, y)
    assert _fitted_state(model) == {}


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_last_step_that_overflows_is_caught(method):
    # One epoch of one full batch: its loss (taken before the step) is finite,
    # the step sends exp(X @ W) to inf. Found by test_fuzz.py.
    X = np.array([[125.73], [-132.10]])
    y = np.array([0.126, 0.132])
    model = MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(),
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1e-4,
        max_iter=1,
        shuffle=False,
        random_state=0,
    )
    with pytest.raises(ValueError, match=_DIVERGED.format("the end of epoch")):
        getattr(model, method)(X, y)
    assert _fitted_state(model) == {}


def test_an_overflow_inside_the_network_is_caught():
    # float32 hidden activations overflow while exp(-inf) = 0 keeps the output
    # finite: predict would warn, so fit raises. Found by test_fuzz.py.
    X = np.array(
        [[0.126, -0.132, 0.640, 0.105], [-0.536, 0.362, 1.304, 0.947]],
        dtype=np.float32,
    )
    y = np.array([[672.3, 620.1, 57.8], [727.5, 1069.2, 874.0]])
    model = MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(8, 6, 6),
        activation="identity",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1e-3,
        max_iter=3,
        shuffle=False,
        random_state=3,
    )
    with pytest.raises(ValueError, match=_DIVERGED.format("the end of epoch")):
        model.fit(X, y)


def test_the_held_out_rows_are_checked_too():
    # One training row, ten held out for early stopping on which exp overflows
    # from the first weights on: no validation score is finite, the initial
    # weights come back, and fit must not return them. Found by test_fuzz.py.
    X = np.array([126, -132, 640, 105, -536, 362, 1304, 947, -704, -1265, -623.0])
    X = X.reshape(-1, 1)
    y = np.abs(np.random.default_rng(0).normal(size=(11, 3)))
    model = MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(2,),
        activation="identity",
        solver="sgd",
        learning_rate_init=1e-4,
        early_stopping=True,
        validation_fraction=0.9,
        max_iter=1,
        random_state=0,
    )
    with pytest.raises(ValueError, match=_DIVERGED.format("the end of epoch")):
        model.fit(X, y)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_end_of_fit_check_is_skipped_only_when_the_bound_proves_it(
    Estimator, monkeypatch
):
    # Ordinary weights: the parameter bound proves the loss finite and no
    # forward pass over the training rows is made. Weights that could
    # overflow: the rows are checked.
    X, y = _data(Estimator)
    calls = _count_calls(monkeypatch, skreg._training, "_finite_loss")
    Estimator(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    assert calls["n"] == 0
    # float32 bounds are proven up to about 1e9.
    X_large = (X * 1e9).astype(np.float32)
    Estimator(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X_large, y)
    assert calls["n"] > 0


@pytest.mark.parametrize(
    "Estimator, params, target",
    [
        (MLPClassifier, {}, "binary"),
        (MLPClassifier, {}, "multiclass"),
        (MLPRegressor, {}, "real"),
        (MLPRegressor, {"loss": "poisson"}, "count"),
    ],
)
def test_partial_fit_checks_the_end_loss_on_more_rows_than_a_batch(
    Estimator, params, target, monkeypatch
):
    # Issue 16: the end-of-call check sliced X to one batch but not Y, which
    # failed to broadcast once the bound could not prove the loss finite.
    rng = np.random.RandomState(0)
    # Poisson: large enough that the bound cannot tell (it proves exp of 354
    # at most), small enough that this seed's fit stays finite.
    X = rng.randn(20, 2) * (300 if params else 1e80)
    y = {
        "binary": np.arange(20) % 2,
        "multiclass": np.arange(20) % 3,
        "real": rng.randn(20),
        "count": rng.poisson(2.0, 20).astype(float),
    }[target]
    calls = _count_calls(monkeypatch, skreg._training, "_finite_loss")
    model = Estimator(hidden_layer_sizes=(), batch_size=5, random_state=0, **params)
    extra = {"classes": np.unique(y)} if Estimator is MLPClassifier else {}
    try:
        model.partial_fit(X, y, **extra)
    except ValueError as error:
        assert str(error).startswith("Training diverged"), error
        assert _fitted_state(model) == {}
    else:
        assert all(np.isfinite(W).all() for W in model.coefs_)
    assert calls["n"] >= 1


def test_divergence_of_partial_fit_and_warm_start_restores_the_model():
    model, X, y = _fitted(MLPRegressor, solver="sgd", learning_rate_init=0.01)
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    with pytest.raises(ValueError, match="Training diverged"):
        model.set_params(learning_rate_init=100.0).partial_fit(X * 1e3, y)
    model.set_params(learning_rate_init=0.01)
    _assert_unchanged(model, before, X, predictions)
    with pytest.raises(ValueError, match="Training diverged"):
        model.set_params(warm_start=True).fit(X * 1e3, y * 1e3)
    model.set_params(warm_start=False)
    _assert_unchanged(model, before, X, predictions)


# ---------------------------------------------------------------- failed calls


def _bad_class(model, X, y):
    model.partial_fit(X, np.where(y == 0, 7, y))


def _bad_n_features(model, X, y):
    model.partial_fit(X[:, :-1], y)


def _negative_weight(model, X, y):
    model.partial_fit(X, y, sample_weight=-np.ones(len(y)))


def _new_hidden_layers(model, X, y):
    model.set_params(warm_start=True, hidden_layer_sizes=(3,)).fit(X, y)


_LATE_ERRORS = {
    "unseen-class": (_bad_class, "`y` has classes not in `self.classes_`"),
    "n-features": (_bad_n_features, "X has 4 features, but"),
    "negative-weight": (
        _negative_weight,
        "Negative values in data passed to `sample_weight`",
    ),
    "hidden-layers": (
        _new_hidden_layers,
        "hidden_layer_sizes or the number of outputs changed",
    ),
}


@pytest.mark.parametrize(
    "Estimator, call, message",
    [
        pytest.param(Estimator, call, message, id=f"{Estimator.__name__}-{name}")
        for Estimator in ESTIMATORS
        for name, (call, message) in _LATE_ERRORS.items()
        if not (name == "unseen-class" and Estimator is MLPRegressor)
    ],
)
def test_bad_input_found_late_leaves_the_model_unchanged(Estimator, call, message):
    model, X, y = _fitted(Estimator)
    params = model.get_params()
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    with pytest.raises(ValueError, match=re.escape(message)):
        call(model, X, y)
    model.set_params(**params)
    _assert_unchanged(model, before, X, predictions)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("how", ["partial_fit", "warm_start", "refit"])
@pytest.mark.parametrize("where", ["optimizer step", "epoch"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_exception_inside_training_leaves_the_model_unchanged(
    Estimator, solver, how, where, dropout, monkeypatch
):
    # With dropout, the mask generator's stream is state too.
    model, X, y = _fitted(Estimator, solver=solver, dropout=dropout)
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    if where == "optimizer step":
        # Mid-epoch: some parameters and moments already updated.
        calls = _fail_optimizer_steps(monkeypatch, on_call=3)
    else:
        # After two completed epochs (one for partial_fit, mid-call).
        calls = _fail_on_call(
            monkeypatch,
            skreg._solvers.EpochRunner,
            "run",
            on_call=1 if how == "partial_fit" else 3,
        )
    with pytest.raises(RuntimeError, match="injected"):
        if how == "partial_fit":
            model.partial_fit(X, y)
        else:
            model.set_params(warm_start=how == "warm_start", max_iter=10).fit(X, y)
    assert calls["n"] >= 1
    model.set_params(warm_start=False, max_iter=5)
    _assert_unchanged(model, before, X, predictions)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("warm_start", [False, True])
def test_lbfgs_failure_leaves_the_model_unchanged(Estimator, warm_start, monkeypatch):
    # L-BFGS writes each trial point into coefs_ in place.
    model, X, y = _fitted(Estimator, solver="lbfgs")
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    _fail_on_call(monkeypatch, skreg._engine.Network, "backward", on_call=4)
    with pytest.raises(RuntimeError, match="injected"):
        model.set_params(warm_start=warm_start).fit(X, y)
    model.set_params(warm_start=False)
    _assert_unchanged(model, before, X, predictions)


def test_failed_first_partial_fit_leaves_an_unfitted_estimator():
    X, y = _data(MLPClassifier)
    model = MLPClassifier((4,), random_state=0)
    with pytest.raises(ValueError, match="classes not in"):
        model.partial_fit(X, y, classes=[0, 1])
    assert _fitted_state(model) == {}
    # And it can start over.
    model.partial_fit(X, y, classes=[0, 1, 2])
    assert model.classes_.tolist() == [0, 1, 2]


_BAD_FIRST_CALLS = [
    (dict(dropout=[0.5, 0.5]), "dropout must be a float or a sequence"),
    (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes must be positive"),
    (dict(dropout=[1.5]), r"dropout rates must be in \[0, 1\)"),
    (dict(class_weight={7: 1.0}), "class_weight has labels"),
    (dict(alpha=-1.0), "alpha"),
]


@pytest.mark.parametrize("params, message", _BAD_FIRST_CALLS)
def test_any_failed_first_partial_fit_leaves_it_unfitted(params, message):
    # Issue 16: partial_fit set classes_ before the checks that then failed,
    # so predict raised AttributeError and a later first call was refused.
    X, y = np.random.RandomState(0).randn(20, 3), np.arange(20) % 2
    clf = MLPClassifier(**{"hidden_layer_sizes": (4,), **params})
    with pytest.raises(ValueError, match=message):
        clf.partial_fit(X, y, classes=[0, 1])
    assert _fitted_state(clf) == {}
    with pytest.raises(NotFittedError):
        clf.predict(X)
    fresh = MLPClassifier(hidden_layer_sizes=(4,)).get_params()
    clf.set_params(**fresh).partial_fit(X, y, classes=[0, 1, 2])
    assert clf.classes_.tolist() == [0, 1, 2]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_any_failed_first_fit_leaves_it_unfitted(Estimator):
    X, y = _data(Estimator)
    model = Estimator(hidden_layer_sizes=(4,), dropout=[0.1, 0.1])
    with pytest.raises(ValueError, match="dropout must be"):
        model.fit(X, y)
    assert _fitted_state(model) == {}
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_sets_only_the_declared_fitted_attributes(Estimator):
    # The rollback restores _FITTED_ATTRIBUTES by name: an attribute fit sets
    # without declaring it would survive a failed call.
    declared = set(skreg._mlp._FITTED_ATTRIBUTES)
    for solver in ("adam", "lbfgs"):
        for early_stopping in (False, True):
            model = _fitted(
                Estimator,
                solver=solver,
                early_stopping=early_stopping,
                dropout=0.1 if solver == "adam" else 0.0,
            )[0]
            assert set(_fitted_state(model)) <= declared
    model, X, y = _fitted(Estimator, solver="sgd")
    model.partial_fit(X, y)
    assert set(_fitted_state(model)) <= declared


class _QuietCallback:
    """A callback (sklearn.callback.FitCallback) that does nothing."""

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass


def _failed_first_fit(model, X, y):
    model.fit(X, y, sample_weight=-np.ones(len(y)))


def _failed_warm_start(model, X, y):
    model.fit(X, y)
    model.set_params(warm_start=True).fit(X[:, :2], y)


def _failed_partial_fit(model, X, y):
    model.fit(X, y)
    model.partial_fit(X[:, :2], y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "call", [_failed_first_fit, _failed_warm_start, _failed_partial_fit]
)
def test_a_failed_call_keeps_what_others_set_on_the_estimator(Estimator, call):
    # Issue 12: the rollback deleted every attribute that was not a parameter,
    # metadata requests and set_callbacks' callbacks included.
    X, y = _data(Estimator)
    with config_context(enable_metadata_routing=True):
        model = Estimator(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
        model.set_fit_request(sample_weight=True)
        request = model._metadata_request
        callback = _QuietCallback()
        model.set_callbacks(callback)
        callbacks = model._skl_callbacks
        with pytest.raises(ValueError):
            call(model, X, y)
        assert model._metadata_request is request
        assert model._skl_callbacks is callbacks
        assert callbacks == [callback]
        routing = model.get_metadata_routing()
        assert routing.fit.requests == {"sample_weight": True}


# ---------------------------------------------------------------- interrupts


def _interrupt_at_step(monkeypatch, step):
    return _fail_optimizer_steps(monkeypatch, on_call=step, error=KeyboardInterrupt)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize(
    "extra", [{}, {"early_stopping": True}, {"dropout": 0.3}], ids=str
)
def test_keyboard_interrupt_keeps_the_completed_epochs(
    Estimator, solver, extra, monkeypatch
):
    X, y = _data(Estimator, n=300)
    params = dict(
        hidden_layer_sizes=(8,),
        solver=solver,
        batch_size=50,
        random_state=0,
        n_iter_no_change=100,
        **extra,
    )
    # The reference: a run that stops after three epochs.
    reference = Estimator(max_iter=3, **params).fit(X, y)
    n_train = reference.t_ // 3
    batches = -(-n_train // 50)
    _interrupt_at_step(monkeypatch, 3 * batches + 2)  # inside the fourth epoch
    model = Estimator(max_iter=50, **params)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert model.n_iter_ == 3 == len(model.loss_curve_)
    assert model.t_ == 3 * n_train
    if "early_stopping" in extra:
        assert len(model.validation_scores_) == 3
    # The weights after the third epoch (or the best one), the optimizer's
    # moments, the stopping counters, the dropout stream: all as if max_iter
    # had been 3.
    _assert_same(_state(reference), _state(model))
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    monkeypatch.undo()
    model.set_params(early_stopping=False).partial_fit(X, y)
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 4


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_in_a_warm_start_keeps_its_completed_epochs(
    Estimator, monkeypatch
):
    X, y = _data(Estimator)
    params = dict(hidden_layer_sizes=(8,), batch_size=20, random_state=0)
    reference = Estimator(max_iter=2, warm_start=True, **params).fit(X, y).fit(X, y)
    model = Estimator(max_iter=2, warm_start=True, **params).fit(X, y)
    _interrupt_at_step(monkeypatch, 2 * 5 + 3)
    with pytest.raises(KeyboardInterrupt):
        model.set_params(max_iter=20).fit(X, y)
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 4
    model.set_params(max_iter=2)
    _assert_same(_state(reference), _state(model))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_in_partial_fit_undoes_the_call(Estimator, monkeypatch):
    model, X, y = _fitted(Estimator)
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    _interrupt_at_step(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        model.partial_fit(X, y)
    _assert_unchanged(model, before, X, predictions)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_in_lbfgs_keeps_the_completed_iterations(
    Estimator, monkeypatch
):
    # Mid-run coefs_ hold a trial point of the line search; an interrupt
    # returns to the last completed L-BFGS iterate, which is exactly the fit
    # with max_iter set to the iterations completed.
    X, y = _data(Estimator)
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    model = Estimator(max_iter=50, **params)
    _fail_on_call(
        monkeypatch, skreg._engine.Network, "backward", 12, error=KeyboardInterrupt
    )
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    monkeypatch.undo()
    assert 1 <= model.n_iter_ < 12
    reference = Estimator(max_iter=model.n_iter_, **params).fit(X, y)
    for ours, theirs in zip(model.coefs_, reference.coefs_):
        np.testing.assert_array_equal(ours, theirs)
    assert model.loss_ == pytest.approx(reference.loss_, rel=1e-12)
    assert np.isfinite(model.predict(X).astype(float)).all()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_before_the_first_lbfgs_iteration_undoes_the_call(
    Estimator, monkeypatch
):
    model, X, y = _fitted(Estimator, solver="lbfgs")
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    _fail_on_call(
        monkeypatch, skreg._engine.Network, "backward", 1, error=KeyboardInterrupt
    )
    with pytest.raises(KeyboardInterrupt):
        model.set_params(max_iter=50).fit(X, y)
    model.set_params(max_iter=5)
    _assert_unchanged(model, before, X, predictions)
    monkeypatch.undo()
    _fail_on_call(
        monkeypatch, skreg._engine.Network, "backward", 1, error=KeyboardInterrupt
    )
    fresh = Estimator(hidden_layer_sizes=(8,), solver="lbfgs")
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert _fitted_state(fresh) == {}


def test_keyboard_interrupt_before_the_first_epoch_undoes_the_call(monkeypatch):
    model, X, y = _fitted(MLPClassifier)
    before, predictions = copy.deepcopy(vars(model)), model.predict(X)
    # Interrupted after the new weights are drawn, before any epoch.
    _fail_on_call(monkeypatch, MLPClassifier, "_make_optimizer", 1, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X[:, :3], y)
    _assert_unchanged(model, before, X, predictions)


_SIGINT_SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys, threading, time, warnings
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning
    from skreg import MLPClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(4000, 20, n_informative=10, random_state=0)
    params = dict(hidden_layer_sizes=(128, 128), n_iter_no_change=10**6,
                  random_state=0)
    model = MLPClassifier(max_iter=1000, **params)
    threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    try:
        model.fit(X, y)
    except KeyboardInterrupt:
        pass
    else:
        sys.exit("fit was not interrupted")
    elapsed = time.perf_counter() - start
    # The model is the run stopped after its last completed epoch.
    reference = MLPClassifier(max_iter=model.n_iter_, **params).fit(X, y)
    same = all(np.array_equal(a, b) for a, b in zip(
        model.coefs_ + model.intercepts_, reference.coefs_ + reference.intercepts_))
    print(json.dumps(dict(
        n_iter=model.n_iter_, curve=len(model.loss_curve_), t=model.t_,
        n_samples=len(X), score=model.score(X, y), elapsed=elapsed, same=same)))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signal delivery")
def test_real_sigint_leaves_a_usable_model():
    result = subprocess.run(
        [sys.executable, "-c", _SIGINT_SCRIPT],
        capture_output=True,
        text=True,
        # Generous: a loaded CI machine; the run itself stops in about 2 s.
        timeout=120,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["elapsed"] < 10
    assert report["n_iter"] >= 1
    assert report["curve"] == report["n_iter"]
    assert report["t"] == report["n_iter"] * report["n_samples"]
    assert report["same"]
    assert report["score"] > 0.8


# ---------------------------------------------------------------- inputs


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_negative_sample_weight_raises(Estimator, method):
    X, y = _data(Estimator)
    weights = np.ones(len(y))
    weights[3] = -0.5
    model = Estimator(hidden_layer_sizes=(4,), max_iter=2)
    kwargs = {"classes": np.unique(y)} if method == "partial_fit" else {}
    if Estimator is MLPRegressor:
        kwargs = {}
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        getattr(model, method)(X, y, sample_weight=weights, **kwargs)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "bad, message",
    [(np.nan, "Input y contains NaN"), (np.inf, "Input y contains infinity")],
)
def test_non_finite_targets_raise(Estimator, bad, message):
    X, y = _data(Estimator)
    y = y.astype(float)
    y[5] = bad
    with pytest.raises(ValueError, match=message):
        Estimator(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("label", [3, "only"])
def test_a_single_class_fits_and_predicts_it(solver, label):
    X, _ = _data(MLPClassifier)
    y = np.full(len(X), label, dtype=object if isinstance(label, str) else int)
    model = MLPClassifier(
        hidden_layer_sizes=(4,), solver=solver, max_iter=20, random_state=0
    ).fit(X, y)
    assert model.classes_.tolist() == [label]
    assert (model.predict(X) == label).all()
    # One column, as classes_, and certain (scikit-learn gives two columns).
    np.testing.assert_array_equal(model.predict_proba(X), np.ones((len(X), 1)))
    np.testing.assert_array_equal(model.predict_log_proba(X), np.zeros((len(X), 1)))


_BAD_VALUES = {
    "hidden_layer_sizes": -1,
    "activation": "softplus",
    "solver": "newton",
    "alpha": -1.0,
    "penalty": "l3",
    "l1_ratio": 1.5,
    "dropout": 1.0,
    "input_dropout": -0.1,
    "batch_size": 0,
    "learning_rate": "cosine",
    "learning_rate_init": 0.0,
    "power_t": -0.5,
    "max_iter": 0,
    "shuffle": "yes",
    "random_state": "seed",
    "tol": -1.0,
    "verbose": "loud",
    "warm_start": "yes",
    "momentum": 1.5,
    "nesterovs_momentum": "yes",
    "early_stopping": "yes",
    "validation_fraction": 1.0,
    "beta_1": 1.0,
    "beta_2": -0.1,
    "epsilon": 0.0,
    "n_iter_no_change": 0,
    "max_fun": 0,
    "label_smoothing": 1.0,
    "class_weight": "auto",
    "loss": "absolute_error",
    "scoring": "accuracy",
}


def _parameter_cases():
    for Estimator in ESTIMATORS:
        for name in Estimator._parameter_constraints:
            yield pytest.param(Estimator, name, id=f"{Estimator.__name__}-{name}")


@pytest.mark.parametrize("Estimator, name", list(_parameter_cases()))
@pytest.mark.parametrize("kind", ["typed", "object"])
def test_every_invalid_parameter_raises_naming_it(Estimator, name, kind):
    assert set(Estimator._parameter_constraints) <= set(_BAD_VALUES)
    X, y = _data(Estimator)
    bad = _BAD_VALUES[name] if kind == "typed" else object()
    model = Estimator(**{name: bad})
    expected = f"The '{name}' parameter of {Estimator.__name__} must be"
    with pytest.raises(ValueError, match=re.escape(expected)):
        model.fit(X, y)
    if hasattr(model, "partial_fit") and name != "solver":
        kwargs = {"classes": np.unique(y)} if Estimator is MLPClassifier else {}
        with pytest.raises(ValueError, match=re.escape(expected)):
            model.partial_fit(X, y, **kwargs)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes must be positive"),
        (dict(hidden_layer_sizes=[2.5]), "hidden_layer_sizes must be positive"),
        (dict(dropout=(0.1, 0.1)), "dropout must be a float or a sequence"),
        (dict(dropout=("a",)), "dropout must be a float or a sequence"),
        (dict(dropout=((0.1,),)), "dropout must be a float or a sequence"),
        (dict(dropout=(np.nan,)), r"dropout rates must be in \[0, 1\)"),
        (dict(class_weight={0: -1.0}), "class_weight values must be finite"),
        (dict(class_weight={0: np.nan}), "class_weight values must be finite"),
        (dict(class_weight={0: "heavy"}), "class_weight values must be finite"),
        (dict(class_weight={9: 1.0}), r"class_weight has labels \[9\]"),
        (dict(class_weight={0: 0, 1: 0, 2: 0}), "sum to zero"),
        (dict(solver="lbfgs", dropout=0.2), "solver='lbfgs' does not support dropout"),
    ],
)
def test_invalid_values_within_the_types_raise_naming_the_parameter(params, message):
    X, y = _data(MLPClassifier)
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**{"hidden_layer_sizes": (4,), "max_iter": 2, **params}).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_early_stopping_falls_back_when_a_part_has_no_weight(Estimator):
    X, y = _data(Estimator, n=100)
    weights = np.zeros(len(y))
    weights[:3] = 1.0
    model = Estimator(
        hidden_layer_sizes=(4,), early_stopping=True, max_iter=3, random_state=0
    )
    with pytest.warns(UserWarning, match="zero sample-weight sum"):
        model.fit(X, y, sample_weight=weights)
    assert model.validation_scores_ is None


# ---------------------------------------------------------------- continuing


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_stochastic_solver_continues_an_lbfgs_model(Estimator, how):
    model, X, y = _fitted(Estimator, solver="lbfgs")
    model.set_params(solver="adam")
    if how == "partial_fit":
        model.partial_fit(X, y)
    else:
        model.set_params(warm_start=True, max_iter=3).fit(X, y)
    assert len(model.loss_curve_) == model.n_iter_ >= 1


def test_partial_fit_with_warm_start_takes_batches_without_every_class():
    # warm_start is about fit; it made partial_fit demand every class in each
    # batch (as in scikit-learn). Found by test_fuzz.py.
    X, y = _data(MLPClassifier)
    model = MLPClassifier(hidden_layer_sizes=(4,), warm_start=True, random_state=0)
    model.partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    model.partial_fit(X[y == 1], y[y == 1])
    assert model.classes_.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="warm_start can only be used where"):
        model.fit(X[y < 2], y[y < 2])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("first", [False, True])
def test_warm_start_may_switch_early_stopping(Estimator, first):
    X, y = _data(Estimator, n=300)
    model = Estimator(
        hidden_layer_sizes=(4,),
        early_stopping=first,
        warm_start=True,
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    model.set_params(early_stopping=not first).fit(X, y)
    if first:
        assert model.validation_scores_ is None and np.isfinite(model.best_loss_)
    else:
        assert len(model.validation_scores_) == 3 and model.best_loss_ is None


# ---------------------------------------------------------------- prediction


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_concurrent_predictions_equal_serial_ones(Estimator):
    X, y = _data(Estimator, n=200, n_features=6)
    model = Estimator(hidden_layer_sizes=(32, 16), max_iter=20, random_state=0).fit(
        X, y
    )
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(int(n), 6)) for n in rng.integers(1, 400, size=24)]
    methods = ["predict"] + (["predict_proba"] if Estimator is MLPClassifier else [])
    jobs = [(method, i) for method in methods for i in range(len(inputs))] * 6
    serial = {(m, i): getattr(model, m)(inputs[i]) for m, i in set(jobs)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda job: getattr(model, job[0])(inputs[job[1]]), jobs)
        )
    for job, result in zip(jobs, results):
        np.testing.assert_array_equal(result, serial[job])


def _wide_model():
    X, y = _data(MLPRegressor, n=50, n_features=20)
    return MLPRegressor(hidden_layer_sizes=(256,), max_iter=2, random_state=0).fit(X, y)


def test_prediction_memory_is_bounded_by_working_memory():
    model = _wide_model()
    X = np.random.default_rng(0).normal(size=(40_000, 20))
    all_rows_bytes = X.shape[0] * 256 * 8  # one hidden activation: 80 MB
    expected = model.predict(X[:1000])
    tracemalloc.start()
    try:
        with config_context(working_memory=1):
            y_pred = model.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(y_pred[:1000], expected, rtol=1e-12)
    # The output (320 kB) and about 1 MiB of activations, not 80 MB.
    assert peak < 5 * 2**20 < all_rows_bytes / 10


def test_no_activation_array_exceeds_working_memory(monkeypatch):
    model = _wide_model()
    X = np.random.default_rng(0).normal(size=(5000, 20))
    seen = []
    for name, function in list(skreg._engine.ACTIVATIONS.items()):

        def spy(Z, _function=function):
            seen.append(Z.nbytes)
            return _function(Z)

        monkeypatch.setitem(skreg._engine.ACTIVATIONS, name, spy)
    whole = model.predict(X)
    seen.clear()
    working_memory = 0.25  # MiB
    with config_context(working_memory=working_memory):
        chunked = model.predict(X)
    np.testing.assert_allclose(chunked, whole, rtol=1e-12)
    assert len(seen) > 2  # chunked at all (the whole hidden layer is 10 MB)
    assert max(seen) <= working_memory * 2**20


# ---------------------------------------------------------------- pickles


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pickle_records_the_version_and_loads_silently(Estimator):
    model, X, _ = _fitted(Estimator)
    assert model.__getstate__()["_skreg_version"] == skreg.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clone = pickle.loads(pickle.dumps(model))
    assert "_skreg_version" not in vars(clone)
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pickle_from_another_version_warns(Estimator):
    model, X, _ = _fitted(Estimator)
    state = model.__getstate__()
    state["_skreg_version"] = "0.0.1"
    clone = Estimator.__new__(Estimator)
    expected = (
        f"Trying to unpickle estimator {Estimator.__name__} from skreg version "
        f"0.0.1 when using version {skreg.__version__}"
    )
    with pytest.warns(InconsistentVersionWarning, match=re.escape(expected)) as rec:
        clone.__setstate__(state)
    assert rec[0].message.original_skreg_version == "0.0.1"
    assert rec[0].message.current_skreg_version == skreg.__version__
    # Through pickle's own bytes too, and from a pickle with no version at all.
    version = skreg.__version__.encode()
    blob = pickle.dumps(model)
    assert blob.count(version) == 1
    other = b"9" * len(version)
    with pytest.warns(InconsistentVersionWarning, match="from skreg version 9999"):
        pickle.loads(blob.replace(version, other))
    state = model.__getstate__()
    del state["_skreg_version"]
    with pytest.warns(InconsistentVersionWarning, match="version pre-0.1"):
        Estimator.__new__(Estimator).__setstate__(state)
    assert issubclass(InconsistentVersionWarning, UserWarning)
    assert "InconsistentVersionWarning" in skreg.__all__


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_round_trip_is_exact(Estimator, dtype, dump):
    X, y = _data(Estimator)
    X = X.astype(dtype)
    model = Estimator(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    if dump == "pickle":
        clone = pickle.loads(pickle.dumps(model))
    else:
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        buffer.seek(0)
        clone = joblib.load(buffer)
    assert all(W.dtype == dtype for W in clone.coefs_ + clone.intercepts_)
    _assert_same(copy.deepcopy(vars(model)), copy.deepcopy(vars(clone)))
    methods = ["predict"] + (["predict_proba"] if Estimator is MLPClassifier else [])
    for method in methods:
        np.testing.assert_array_equal(
            getattr(clone, method)(X), getattr(model, method)(X), strict=True
        )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_training_continues_identically_after_unpickling(Estimator, solver):
    model, X, y = _fitted(Estimator, solver=solver)
    clone = pickle.loads(pickle.dumps(model))
    model.partial_fit(X, y)
    clone.partial_fit(X, y)
    _assert_same(copy.deepcopy(vars(model)), copy.deepcopy(vars(clone)))
    model.set_params(warm_start=True).fit(X, y)
    clone.set_params(warm_start=True).fit(X, y)
    _assert_same(copy.deepcopy(vars(model)), copy.deepcopy(vars(clone)))


def test_optimizer_pickled_without_kept_views_still_steps():
    # Pickles made before the optimizer kept its scratch views lack the
    # attribute; loading one and training on must work.
    model, X, y = _fitted(MLPClassifier)
    state = model._optimizer.__getstate__()
    del state["_views"]
    optimizer = type(model._optimizer).__new__(type(model._optimizer))
    optimizer.__setstate__(state)
    model._optimizer = optimizer
    model.partial_fit(X, y)
    assert np.isfinite(model.loss_curve_[-1])
