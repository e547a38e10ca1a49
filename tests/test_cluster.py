"""Searches in other processes and on a dask cluster give the serial scores.

Issue 13, item 4: ``GridSearchCV`` over a pipeline and ``MLPClassifierCV`` run
their fits through joblib, so a search moves to other processes (loky, the
default) or to a cluster (``joblib.parallel_backend("dask")``) without code
changes, and with a fixed ``random_state`` it scores every candidate exactly as
a serial run does.

The cluster is a ``distributed.LocalCluster`` whose two workers are threads of
this process talking over TCP: starting it takes a fraction of a second (worker
processes take several seconds on a loaded machine), and TCP makes every task,
estimator and array go through dask's serialization as on a real cluster (the
default in-process transport would hand the Python objects over as they are).
"""

import threading

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skreg

# No call below may wait longer than this (seconds): a stuck cluster fails the
# test instead of hanging the suite.
TIMEOUT = 60

BASE = dict(
    hidden_layer_sizes=(8,),
    penalty="l1",
    learning_rate_init=0.01,
    max_iter=30,
    random_state=0,
)
GRID = {
    "mlpclassifier__alpha": [0.3, 3.0],
    "mlpclassifier__penalty": ["l1", "l2"],
}


def _data():
    return make_classification(200, 8, n_informative=4, n_redundant=0, random_state=0)


def _search(n_jobs):
    pipe = make_pipeline(StandardScaler(), skreg.MLPClassifier(**BASE))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(pipe, GRID, cv=cv, n_jobs=n_jobs)


def _cv_estimator(n_jobs):
    return skreg.MLPClassifierCV(alphas=4, cv=3, n_jobs=n_jobs, **BASE)


def _within_timeout(function):
    """Run ``function()`` in a thread; fail the test if it outlasts TIMEOUT.

    joblib waits on a backend's results without a time limit, so this is what
    keeps a lost worker from hanging the suite. The backend context is
    per-thread in joblib: ``function`` must enter it itself.
    """
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    if thread.is_alive():
        pytest.fail(f"the search did not finish within {TIMEOUT} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster, timeout=TIMEOUT)
    try:
        client.wait_for_workers(2, timeout=TIMEOUT)
        yield client
    finally:
        client.close(timeout=TIMEOUT)
        cluster.close(timeout=TIMEOUT)


def _dask(client, function):
    """``function()`` under the dask backend, and the task names it ran."""
    from distributed import get_task_stream

    def run():
        with get_task_stream(client) as stream:
            with parallel_backend("dask", wait_for_workers_timeout=TIMEOUT):
                result = function()
        return result, stream.data

    result, tasks = _within_timeout(run)
    return result, " ".join(task["key"] for task in tasks)


def test_grid_search_in_worker_processes_scores_as_serial():
    X, y = _data()
    serial = _search(n_jobs=None).fit(X, y)
    loky = _within_timeout(lambda: _search(n_jobs=2).fit(X, y))
    np.testing.assert_array_equal(
        loky.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert loky.best_params_ == serial.best_params_


def test_grid_search_on_a_dask_cluster_scores_as_serial(client):
    X, y = _data()
    serial = _search(n_jobs=None).fit(X, y)
    search, tasks = _dask(client, lambda: _search(n_jobs=2).fit(X, y))
    # The fits ran as tasks of the cluster, not in this thread.
    assert "_fit_and_score" in tasks
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == serial.best_params_
    np.testing.assert_array_equal(search.predict(X), serial.predict(X))


def test_cv_estimator_on_a_dask_cluster_scores_as_serial(client):
    X, y = _data()
    X = StandardScaler().fit_transform(X)
    serial = _cv_estimator(n_jobs=None).fit(X, y)
    model, tasks = _dask(client, lambda: _cv_estimator(n_jobs=2).fit(X, y))
    assert "_fold_path" in tasks
    np.testing.assert_array_equal(model.alphas_, serial.alphas_)
    np.testing.assert_array_equal(model.scores_, serial.scores_)
    np.testing.assert_array_equal(model.n_features_kept_, serial.n_features_kept_)
    assert model.alpha_ == serial.alpha_
    # The refit runs in this process, after the folds.
    for ours, theirs in zip(model.coefs_, serial.coefs_):
        np.testing.assert_array_equal(ours, theirs)
