"""MLPClassifierCV and MLPRegressorCV: the grid, the folds, the choice, the refit."""

import threading

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch
from threadpoolctl import threadpool_info

import skreg._mlp_cv
from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV, mlp_path
from skreg._path import alpha_max

PARAMS = dict(
    hidden_layer_sizes=(8,),
    penalty="l1",
    learning_rate_init=0.01,
    max_iter=30,
    random_state=0,
)


def _classification(n=150):
    X, y = make_classification(n, 6, n_informative=3, n_redundant=0, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_scores_are_the_paths_of_the_folds_and_alpha_is_the_best_mean():
    X, y = _classification()
    model = MLPClassifierCV(alphas=5, cv=3, **PARAMS).fit(X, y)
    top = alpha_max(X, y)
    np.testing.assert_allclose(model.alphas_, top * np.logspace(-4, 0, 5))
    assert model.scores_.shape == model.n_features_kept_.shape == (1, 5, 3)
    folds = StratifiedKFold(3).split(X, y)
    for k, (train, test) in enumerate(folds):
        path = mlp_path(
            X[train],
            y[train],
            alphas=model.alphas_,
            estimator=MLPClassifier(**PARAMS),
            X_test=X[test],
            y_test=y[test],
        )
        np.testing.assert_array_equal(model.scores_[0, :, k], path.test_score)
        np.testing.assert_array_equal(
            model.n_features_kept_[0, :, k], path.n_features_kept
        )
    mean = model.scores_[0].mean(axis=1)
    best = np.flatnonzero(mean == mean.max())[-1]
    assert model.alpha_ == model.alphas_[best]
    assert model.l1_ratio_ == 0.15


def _first_fold_network(X, y, alphas, alpha, train):
    """What the refit starts from, built with public API only."""
    path = mlp_path(
        X[train],
        y[train],
        alphas=alphas,
        estimator=MLPClassifier(**PARAMS),
        return_models=True,
    )
    index = int(np.flatnonzero(path.alphas == alpha)[0])
    # A one-epoch fit on all the data sets everything a warm start needs;
    # then the weights are the fold's and the training record is empty.
    model = MLPClassifier(**{**PARAMS, "alpha": alpha, "max_iter": 1}).fit(X, y)
    model.coefs_ = path.coefs[index]
    model.intercepts_ = path.intercepts[index]
    model.n_iter_ = model.t_ = 0
    model.loss_curve_ = []
    model.best_loss_ = np.inf
    return model


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_refit_trains_the_first_folds_network_on_all_the_data():
    X, y = _classification()
    model = MLPClassifierCV(alphas=[0.5, 5.0, 50.0], cv=3, **PARAMS).fit(X, y)
    train, _ = next(StratifiedKFold(3).split(X, y))
    reference = _first_fold_network(X, y, model.alphas_, model.alpha_, train)
    reference.set_params(warm_start=True, max_iter=PARAMS["max_iter"] // 5)
    reference.fit(X, y)
    for ours, theirs in zip(model.coefs_, reference.coefs_):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    assert model.n_iter_ == reference.n_iter_ <= PARAMS["max_iter"] // 5
    assert model.loss_curve_ == reference.loss_curve_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_refit_runs_the_path_when_the_first_fold_missed_a_class():
    X, y = _classification(n=150)
    y = np.where(np.arange(y.size) < 6, 2, y)
    # The first fold trains without class 2; the second has it on both sides.
    folds = [(np.arange(6, 150), np.arange(6)), (np.arange(3, 150), np.arange(3))]
    model = MLPClassifierCV(alphas=[0.5, 5.0], cv=folds, **PARAMS).fit(X, y)
    alphas = model.alphas_[model.alphas_ <= model.alpha_]
    reference = mlp_path(
        X, y, alphas=alphas, estimator=MLPClassifier(**PARAMS)
    ).estimator
    for ours, theirs in zip(model.coefs_, reference.coefs_):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.n_iter_ == reference.n_iter_


def test_the_refit_warns_with_its_own_budget():
    X, y = _classification()
    with pytest.warns(ConvergenceWarning) as caught:
        model = MLPClassifierCV(alphas=[0.5, 5.0], cv=2, **PARAMS).fit(X, y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert messages[-1] == (
        f"The refit at alpha_={model.alpha_:g}, which starts from the first "
        "fold's network, reached its iteration budget (6 iterations) before the "
        "stopping rule was met."
    )


def test_regressor_and_a_list_of_l1_ratios():
    X, y = make_regression(120, 5, n_informative=2, noise=1.0, random_state=0)
    params = {**PARAMS, "penalty": "elasticnet"}
    model = MLPRegressorCV(alphas=4, l1_ratio=[0.5, 1.0], cv=2, **params).fit(
        X, y / y.std()
    )
    assert model.alphas_.shape == (2, 4)
    assert model.scores_.shape == (2, 4, 2)
    assert model.l1_ratio_ in (0.5, 1.0)
    row = [0.5, 1.0].index(model.l1_ratio_)
    assert model.alpha_ in model.alphas_[row]
    # l1_ratio=0.5 halves the |W| part: its grid is alpha_max / 0.5.
    np.testing.assert_allclose(model.alphas_[0], 2 * model.alphas_[1])


def test_bad_settings_raise_naming_the_parameter():
    X, y = _classification()
    with pytest.raises(ValueError, match="needs penalty='elasticnet'"):
        MLPClassifierCV(l1_ratio=[0.1, 0.9], **PARAMS).fit(X, y)
    with pytest.raises(ValueError, match="penalty=None does not have"):
        MLPClassifierCV(**{**PARAMS, "penalty": None}).fit(X, y)
    with pytest.raises(ValueError, match="alphas must be a positive int or an array"):
        MLPClassifierCV(alphas=[1.0, -1.0], **PARAMS).fit(X, y)
    with pytest.raises(AttributeError):
        MLPClassifierCV().partial_fit


def test_refit_false_chooses_alpha_but_keeps_no_model():
    X, y = _classification()
    model = MLPClassifierCV(alphas=3, cv=2, refit=False, **PARAMS).fit(X, y)
    assert model.alpha_ in model.alphas_
    with pytest.raises(NotFittedError):
        model.predict(X)


def _blas_threads():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_a_fold_in_its_own_process_limits_blas_and_a_fold_thread_does_not(
    monkeypatch,
):
    # The limit is process-wide: a worker process's fold sets it, fold threads
    # sharing a process must not (they restored each other's limits out of
    # order and left the process at one thread).
    X, y = _classification()
    seen = []

    def recording(*args, **kwargs):
        seen.append(_blas_threads())
        return Bunch(estimator=None)

    monkeypatch.setattr(skreg._mlp_cv, "mlp_path", recording)
    args = (MLPClassifier(), X, y, None, np.arange(100), np.arange(100, 150))
    skreg._mlp_cv._fold_path(*args, [1.0], None, None, 1)
    before = _blas_threads()
    worker = threading.Thread(
        target=skreg._mlp_cv._fold_path, args=(*args, [1.0], None, None, 1)
    )
    worker.start()
    worker.join()
    assert seen[0] and all(n == 1 for n in seen[0])
    assert seen[1] == before


def test_folds_in_parallel_give_the_same_scores():
    X, y = _classification()
    serial = MLPClassifierCV(alphas=3, cv=2, **PARAMS).fit(X, y)
    before = _blas_threads()
    with parallel_backend("threading"):
        threaded = MLPClassifierCV(alphas=3, cv=2, n_jobs=2, **PARAMS).fit(X, y)
    np.testing.assert_array_equal(serial.scores_, threaded.scores_)
    assert _blas_threads() == before
    processes = MLPClassifierCV(alphas=3, cv=2, n_jobs=2, **PARAMS).fit(X, y)
    np.testing.assert_array_equal(serial.scores_, processes.scores_)
    np.testing.assert_array_equal(serial.coefs_[0], processes.coefs_[0])


def test_a_path_warns_once_when_alphas_use_their_whole_budget():
    X, y = _classification()
    with pytest.warns(ConvergenceWarning) as caught:
        mlp_path(X, y, alphas=[0.1, 1.0, 10.0], estimator=MLPClassifier(**PARAMS))
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert messages == [
        "3 of 3 alphas of the path reached their iteration budget (max_iter=30 "
        "for the first, warm_max_iter=6 for the others) before the stopping rule "
        "was met."
    ]


def test_in_a_pipeline_tuned_by_grid_search():
    X, y = _classification()
    pipe = make_pipeline(StandardScaler(), MLPClassifierCV(alphas=3, cv=2, **PARAMS))
    search = GridSearchCV(pipe, {"mlpclassifiercv__dropout": [0.0, 0.2]}, cv=2)
    search.fit(X, y)
    assert search.best_estimator_[-1].alpha_ in search.best_estimator_[-1].alphas_


def test_a_failed_fit_leaves_a_fitted_model_as_it_was():
    X, y = _classification()
    model = MLPClassifierCV(alphas=3, cv=2, **PARAMS).fit(X, y)
    before = (model.alpha_, [W.copy() for W in model.coefs_], model.scores_.copy())
    with pytest.raises(ValueError):
        model.fit(X, y, sample_weight=-np.ones(len(y)))
    assert model.alpha_ == before[0]
    np.testing.assert_array_equal(model.scores_, before[2])
    for W, saved in zip(model.coefs_, before[1]):
        np.testing.assert_array_equal(W, saved)


def test_the_regressor_cv_is_a_regressor_and_predicts_like_its_base():
    X, y = make_regression(100, 4, noise=1.0, random_state=0)
    model = MLPRegressorCV(alphas=3, cv=2, **PARAMS).fit(X, y / y.std())
    assert (
        model._estimator_type == "regressor"
        if hasattr(model, "_estimator_type")
        else True
    )
    assert isinstance(model, MLPRegressor)
    assert model.predict(X).shape == (100,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pruned_keeps_what_the_search_found():
    X, y = _classification()
    model = MLPClassifierCV(alphas=3, cv=2, **PARAMS).fit(X, y)
    smaller = model.pruned()
    assert isinstance(smaller, MLPClassifierCV)
    assert smaller.alpha_ == model.alpha_
    np.testing.assert_array_equal(smaller.alphas_, model.alphas_)
    np.testing.assert_array_equal(smaller.scores_, model.scores_)
    np.testing.assert_array_equal(smaller.n_features_kept_, model.n_features_kept_)
    np.testing.assert_allclose(
        smaller.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-12
    )
