"""Property-based fuzzing of the estimators with hypothesis.

Each draw (shapes down to one sample or one feature and with more features than
samples; float32, float64, float16, int, bool, dense and sparse inputs; every
parameter in a random valid combination, per-layer dropout included) must either
fit, with finite predictions of the right shape and dtype, or raise a ValueError
with a message. Anything else fails: another exception type (IndexError,
ZeroDivisionError, AttributeError...), NaN predictions, a numpy RuntimeWarning, an
unexpected warning. ``max_iter`` stays small so no draw can run for long.

The budget is small in CI: ``SKREG_FUZZ_EXAMPLES`` examples per test (default 100,
300 in all), drawn the same way at every run so CI cannot flake. Set the
variable for a longer, randomised run::

    SKREG_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py

A failure prints the smallest example hypothesis found.
"""

import os
import pickle
import warnings

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning

import skreg._fused
from skreg import MLPClassifier, MLPRegressor

EXAMPLES = int(os.environ.get("SKREG_FUZZ_EXAMPLES", "100"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # Fixed draws in CI; random ones when a longer run is asked for.
    derandomize="SKREG_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Warnings an estimator may give on a valid draw; any other fails the test.
_EXPECTED_WARNINGS = (
    (ConvergenceWarning, ""),
    (DataConversionWarning, "A column-vector y was passed"),
    (UserWarning, "early_stopping=True, but"),
    (UserWarning, "Got `batch_size` less than 1 or larger than sample size"),
)

_X_DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_]
_FORMATS = ["dense", "dense", "csr", "csc", "coo"]


# ---------------------------------------------------------------- strategies


@st.composite
def _inputs(draw, n_samples):
    n_features = draw(st.integers(1, 12))
    dtype = draw(st.sampled_from(_X_DTYPES))
    fmt = draw(st.sampled_from(_FORMATS))
    scale = draw(st.sampled_from([1.0, 1.0, 1e-3, 1e3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.normal(scale=scale, size=(n_samples, n_features))
    if draw(st.booleans()):
        X[:, rng.integers(n_features)] = 0.0  # a constant feature
    if draw(st.booleans()):
        X[rng.random(X.shape) < 0.5] = 0.0  # sparse-like
    if dtype is np.bool_:
        X = X > 0
    elif np.issubdtype(dtype, np.integer):
        X = np.round(X * 3)
    X = X.astype(dtype)
    if fmt != "dense" and dtype is not np.float16:  # scipy.sparse has no float16
        X = sp.coo_matrix(X).asformat(fmt)
    return X


def _hidden_and_dropout(draw):
    hidden = tuple(draw(st.lists(st.integers(1, 8), min_size=0, max_size=3)))
    rate = st.floats(0.0, 0.9)
    per_layer = st.lists(rate, min_size=len(hidden), max_size=len(hidden))
    kind = draw(st.integers(0, 9))
    if kind < 3:
        dropout = 0.0
    elif kind < 6:
        dropout = draw(rate)
    elif kind < 9:
        dropout = draw(per_layer.map(draw(st.sampled_from([tuple, list, np.array]))))
    else:
        # Sometimes the wrong number of rates: a ValueError naming dropout.
        dropout = tuple(draw(st.lists(rate, min_size=0, max_size=4)))
    if len(hidden) == 1 and draw(st.booleans()):
        hidden = hidden[0]  # an int, as scikit-learn accepts
    return hidden, dropout


@st.composite
def _common_params(draw, stochastic=None):
    solvers = ["lbfgs", "sgd", "adam"] if stochastic is None else ["sgd", "adam"]
    solver = draw(st.sampled_from(solvers))
    hidden, dropout = _hidden_and_dropout(draw)
    dropping = solver != "lbfgs" or draw(st.integers(0, 9)) == 0
    return dict(
        hidden_layer_sizes=hidden,
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        solver=solver,
        alpha=draw(st.sampled_from([0.0, 1e-4, 0.1, 10.0])),
        penalty=draw(st.sampled_from(["l2", "l1", "elasticnet", None])),
        l1_ratio=draw(st.floats(0.0, 1.0)),
        # lbfgs refuses dropout (a ValueError); mostly draw none there.
        dropout=dropout if dropping else 0.0,
        input_dropout=draw(st.sampled_from([0.0, 0.0, 0.2, 0.9])) if dropping else 0.0,
        batch_size=draw(st.one_of(st.just("auto"), st.integers(1, 50))),
        learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        learning_rate_init=draw(st.sampled_from([1e-4, 1e-3, 0.1, 1.0])),
        power_t=draw(st.sampled_from([0.0, 0.5, 2.0])),
        max_iter=draw(st.integers(1, 5)),
        shuffle=draw(st.booleans()),
        random_state=draw(st.integers(0, 3)),
        tol=draw(st.sampled_from([0.0, 1e-4, 1.0])),
        momentum=draw(st.floats(0.0, 1.0)),
        nesterovs_momentum=draw(st.booleans()),
        early_stopping=draw(st.booleans()),
        validation_fraction=draw(st.sampled_from([0.0, 0.1, 0.5, 0.9])),
        beta_1=draw(st.sampled_from([0.0, 0.9, 0.999])),
        beta_2=draw(st.sampled_from([0.0, 0.999])),
        epsilon=draw(st.sampled_from([1e-8, 1.0])),
        n_iter_no_change=draw(st.sampled_from([1, 2, 10, np.inf])),
        max_fun=draw(st.sampled_from([1, 15, 15000])),
        warm_start=draw(st.booleans()),
    )


@st.composite
def _classification(draw, stochastic=None):
    n_samples = draw(st.integers(1, 40))
    X = draw(_inputs(n_samples))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["labels", "labels", "column", "multilabel"]))
    if kind == "multilabel":
        n_labels = draw(st.integers(2, 3))
        y = (rng.random((n_samples, n_labels)) < 0.5).astype(int)
        classes = np.arange(n_labels)
    else:
        label_kind = draw(st.sampled_from(["int", "str", "float", "bool"]))
        n_classes = draw(st.integers(1, 4))
        pool = {
            "int": np.array([3, -1, 7, 0]),
            "str": np.array(["b", "a", "c", "dd"]),
            # Integral floats: others are continuous targets (a ValueError).
            "float": np.array([1.0, -2.0, 1e3, 0.5 if draw(st.booleans()) else 0.0]),
            "bool": np.array([True, False]),
        }[label_kind][:n_classes]
        y = pool[rng.integers(len(pool), size=n_samples)]
        classes = np.unique(pool)
        if kind == "column":
            y = y.reshape(-1, 1)
    params = draw(_common_params(stochastic))
    params["label_smoothing"] = draw(st.sampled_from([0.0, 0.0, 0.1, 0.99]))
    class_weight = draw(st.sampled_from([None, None, "balanced", "dict"]))
    if class_weight == "dict":
        class_weight = {
            c: draw(st.sampled_from([0.0, 0.5, 1.0, 3.0]))
            for c in classes.tolist()
            if draw(st.booleans())
        }
    params["class_weight"] = class_weight
    return X, y, classes, _sample_weight(draw, n_samples), params


@st.composite
def _regression(draw, stochastic=None):
    n_samples = draw(st.integers(1, 40))
    X = draw(_inputs(n_samples))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from([(n_samples,), (n_samples, 1), (n_samples, 3)]))
    scale = draw(st.sampled_from([1.0, 1e-3, 1e3]))
    loss = draw(st.sampled_from(["squared_error", "poisson"]))
    y = rng.normal(scale=scale, size=shape)
    if loss == "poisson" and draw(st.integers(0, 9)):
        y = np.abs(y)  # negative targets raise for poisson: sometimes drawn
    if draw(st.booleans()):
        y = np.round(y).astype(int)
    params = draw(_common_params(stochastic))
    params["loss"] = loss
    return X, y, None, _sample_weight(draw, n_samples), params


def _sample_weight(draw, n_samples):
    kind = draw(st.sampled_from([None, None, "positive", "with zeros", "integers"]))
    if kind is None:
        return None
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    weights = rng.uniform(0.1, 3.0, size=n_samples)
    if kind == "with zeros":
        weights[rng.random(n_samples) < 0.5] = 0.0
    elif kind == "integers":
        weights = rng.integers(0, 4, size=n_samples)
    return weights


# ---------------------------------------------------------------- checks


def _check_warnings(caught):
    for w in caught:
        expected = any(
            issubclass(w.category, category) and str(w.message).startswith(start)
            for category, start in _EXPECTED_WARNINGS
        )
        assert expected, f"unexpected {w.category.__name__}: {w.message}"


def _n_outputs(y):
    return 1 if y.ndim == 1 or y.shape[1] == 1 else y.shape[1]


def _check_fitted(model, X, y, classes=None):
    params = model.coefs_ + model.intercepts_
    assert all(np.isfinite(p).all() for p in params)
    assert all(p.dtype == params[0].dtype for p in params)
    assert np.isfinite(getattr(model, "loss_", 0.0))
    if getattr(model, "loss_curve_", None):
        assert np.isfinite(model.loss_curve_).all()
    n, k = X.shape[0], _n_outputs(y)
    y_pred = model.predict(X)
    expected_shape = (n,) if k == 1 else (n, k)
    assert y_pred.shape == expected_shape
    if isinstance(model, MLPClassifier):
        if k == 1:
            # fit learns the classes of y; partial_fit is given them.
            expected = set(y.ravel()) if classes is None else set(classes)
            assert set(np.unique(y_pred)) <= set(model.classes_) == expected
        else:
            assert np.isin(y_pred, [0, 1]).all()
        proba = model.predict_proba(X)
        n_columns = k if k > 1 else len(model.classes_)
        assert proba.shape == (n, n_columns)
        assert np.isfinite(proba).all()
        assert (proba >= 0).all() and (proba <= 1).all()
        if k == 1:
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-3)
    else:
        assert np.isfinite(y_pred).all()
        assert y_pred.dtype == np.result_type(X.dtype, params[0].dtype)


def _fit_or_value_error(action):
    """Run ``action``; True if it succeeded, False on a ValueError with a message."""
    try:
        action()
    except ValueError as error:
        assert str(error).strip(), "a ValueError without a message"
        # Shown by --hypothesis-show-statistics: what the draws ran into.
        event("ValueError: " + str(error)[:40])
        return False
    event("fitted")
    return True


@st.composite
def _second_call(draw):
    """What a second call changes: parameters, method, the input's dtype and format."""
    changes = {}
    for name, values in [
        ("warm_start", [False, True]),
        ("solver", ["lbfgs", "sgd", "adam"]),
        ("early_stopping", [False, True]),
        ("max_iter", [1, 3]),
        ("dropout", [0.0, 0.5]),
    ]:
        if draw(st.booleans()):
            changes[name] = draw(st.sampled_from(values))
    method = draw(st.sampled_from(["fit", "fit", "partial_fit"]))
    dtype = draw(st.sampled_from([None, np.float32, np.float64, np.bool_]))
    fmt = draw(st.sampled_from([None, "dense", "csr"]))
    return changes, method, dtype, fmt


def _converted(X, dtype, fmt):
    if dtype is not None:
        X = X.astype(dtype)
    if fmt == "csr" and X.dtype != np.float16:  # scipy.sparse has no float16
        X = sp.csr_matrix(X)
    elif fmt == "dense" and sp.issparse(X):
        X = X.toarray()
    return X


def _fitted_bytes(model):
    params = model.get_params(deep=False)
    return pickle.dumps({k: v for k, v in vars(model).items() if k not in params})


def _run(Estimator, X, y, classes, sample_weight, params, second):
    model = Estimator(**params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if _fit_or_value_error(lambda: model.fit(X, y, sample_weight=sample_weight)):
            _check_fitted(model, X, y)
            # A second call: a warm start continues, a plain fit restarts, a
            # partial_fit continues; all on maybe another dtype or format.
            changes, method, dtype, fmt = second
            if method == "partial_fit" and changes.get("solver", "adam") == "lbfgs":
                method = "fit"
            if model.solver == "lbfgs" and method == "partial_fit":
                changes["solver"] = "adam"
            X2 = _converted(X, dtype, fmt)
            before = _fitted_bytes(model)
            model.set_params(**changes)
            if not hasattr(model, method):
                # partial_fit is not available with early_stopping=True or
                # class_weight='balanced'.
                method = "fit"
            call = getattr(model, method)
            if _fit_or_value_error(lambda: call(X2, y, sample_weight=sample_weight)):
                _check_fitted(model, X2, y)
            else:
                assert _fitted_bytes(model) == before, "a failed call changed it"
    _check_warnings(caught)
    return model


# ---------------------------------------------------------------- tests


@FUZZ
@given(case=_classification(), second=_second_call())
def test_classifier_fits_or_raises_value_error(case, second):
    _run(MLPClassifier, *case, second)


@FUZZ
@given(case=_regression(), second=_second_call())
def test_regressor_fits_or_raises_value_error(case, second):
    _run(MLPRegressor, *case, second)


@FUZZ
@given(
    case=st.one_of(
        _classification(stochastic=True).map(lambda c: (MLPClassifier, c)),
        _regression(stochastic=True).map(lambda c: (MLPRegressor, c)),
    ),
    n_calls=st.integers(1, 3),
)
def test_partial_fit_fits_or_raises_value_error(case, n_calls):
    Estimator, (X, y, classes, sample_weight, params) = case
    model = Estimator(**params)
    if not hasattr(model, "partial_fit"):
        # Not available with these; see test_mlp.py.
        model.set_params(early_stopping=False)
        if model.get_params().get("class_weight") == "balanced":
            model.set_params(class_weight=None)
    kwargs = {"classes": classes} if Estimator is MLPClassifier else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(n_calls):
            fitted = hasattr(model, "coefs_")
            ok = _fit_or_value_error(
                lambda: model.partial_fit(X, y, sample_weight=sample_weight, **kwargs)
            )
            if ok:
                _check_fitted(model, X, y, kwargs.get("classes"))
            elif not fitted:
                assert not hasattr(model, "coefs_")
    _check_warnings(caught)


def _fit_outcome(Estimator, X, y, sample_weight, params):
    """What a fit leaves: its parameters and losses, or its ValueError's message."""
    model = Estimator(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(X, y, sample_weight=sample_weight)
        except ValueError as error:
            return str(error)
    losses = getattr(model, "loss_curve_", None) or [model.loss_]
    return model.coefs_ + model.intercepts_, losses, model.n_iter_


@FUZZ
@given(
    case=st.one_of(
        _classification().map(lambda c: (MLPClassifier, c)),
        _regression().map(lambda c: (MLPRegressor, c)),
    )
)
def test_compiled_kernels_change_no_fit(case):
    # The kernels are a faster way to the same bits: every draw fits to the
    # same parameters and losses (or fails with the same message) without them.
    Estimator, (X, y, _, sample_weight, params) = case
    with_kernels = _fit_outcome(Estimator, X, y, sample_weight, params)
    saved = {name: getattr(skreg._fused, name) for name in skreg._fused.NAMES}
    try:
        for name in skreg._fused.NAMES:
            setattr(skreg._fused, name, None)
        without = _fit_outcome(Estimator, X, y, sample_weight, params)
    finally:
        for name, kernel in saved.items():
            setattr(skreg._fused, name, kernel)
    if isinstance(with_kernels, str) or isinstance(without, str):
        assert with_kernels == without
        return
    for a, b in zip(with_kernels[0], without[0], strict=True):
        np.testing.assert_array_equal(a, b)
    assert with_kernels[1:] == without[1:]
