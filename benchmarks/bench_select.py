"""Prediction time of a group-lasso network before and after ``pruned()``.

Run ``python benchmarks/bench_select.py`` (``--quick`` for a smoke run). One
network is fitted with ``penalty='group'`` on data with few informative
features, so that most inputs and hidden units end at exactly zero; then
``predict_proba`` is timed on the same rows for

* ``full``: the fitted estimator;
* ``pruned``: ``est.pruned()``, the dead hidden units removed (same ``X``);
* ``pruned+inputs``: ``est.pruned(drop_inputs=True)`` on the kept columns,
  the column slice ``X[:, kept]`` timed with it;
* ``pruned+inputs (sliced)``: the same on ``X[:, kept]`` sliced beforehand, as
  when only the kept features are collected in the first place.

BLAS runs on one thread by default (``--blas-threads``): on a loaded 2-core
machine a multi-threaded product of a few thousand rows can wait a scheduler
time slice (~20 ms) for its second thread, while the pruned network's smaller
products stay single-threaded, which would credit pruning with a gain it does
not make.

The variants alternate within every repeat (the order rotates) and the table
quotes medians with min and max; ratio = variant median / full median, so
below 1 is faster. The largest difference of the probabilities is printed too.
"""

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
import threadpoolctl
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skreg import MLPClassifier


def _settings(quick):
    if quick:
        return dict(n_train=300, n_predict=2_000, n_features=30, hidden=(32, 16))
    return dict(n_train=4_000, n_predict=200_000, n_features=200, hidden=(256, 128))


def fit_sparse_network(n_train, n_features, hidden, alpha, seed=0):
    """A group-lasso classifier on ``n_features`` of which 10 are informative."""
    X, y = make_classification(
        n_samples=n_train,
        n_features=n_features,
        n_informative=10,
        n_redundant=0,
        n_classes=3,
        shuffle=False,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPClassifier(
            hidden,
            penalty="group",
            alpha=alpha,
            learning_rate_init=0.01,
            max_iter=60,
            random_state=seed,
        ).fit(X, y)
    return est


def _time(function, number):
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat")
    parser.add_argument("--repeats", type=int, default=None, help="default 7")
    parser.add_argument("--alpha", type=float, default=None, help="default 6")
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="BLAS threads (default 1)"
    )
    args = parser.parse_args(argv)
    with threadpoolctl.threadpool_limits(args.blas_threads):
        return _run(args, out)


def _run(args, out):
    settings = _settings(args.quick)
    repeats = args.repeats or (1 if args.quick else 7)
    alpha = args.alpha if args.alpha is not None else (3.0 if args.quick else 6.0)

    est = fit_sparse_network(
        settings["n_train"], settings["n_features"], settings["hidden"], alpha
    )
    smaller = est.pruned()
    narrow = est.pruned(drop_inputs=True)
    kept = np.flatnonzero(est.feature_importances_)
    X = np.random.default_rng(1).standard_normal(
        (settings["n_predict"], settings["n_features"])
    )
    X_kept = np.ascontiguousarray(X[:, kept])
    variants = {
        "full": lambda: est.predict_proba(X),
        "pruned": lambda: smaller.predict_proba(X),
        "pruned+inputs": lambda: narrow.predict_proba(X[:, kept]),
        "pruned+inputs (sliced)": lambda: narrow.predict_proba(X_kept),
    }
    reference = variants["full"]()
    max_diff = max(
        float(np.abs(variant() - reference).max())
        for name, variant in variants.items()
        if name != "full"
    )
    for variant in variants.values():  # warm-up
        variant()

    times = {name: [] for name in variants}
    names = list(variants)
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(_time(variants[name], 1))

    print(
        f"network {settings['n_features']} -> {est.hidden_layer_sizes} -> "
        f"{est.n_outputs_}, penalty='group', alpha={alpha}: "
        f"kept {est.n_features_kept_} inputs, units {est.n_units_kept_.tolist()}",
        file=out,
    )
    print(
        f"predict_proba on {settings['n_predict']:,} rows, {repeats} repeats, "
        f"{args.blas_threads} BLAS thread(s); "
        f"max |difference| of the probabilities: {max_diff:.1e}",
        file=out,
    )
    full = statistics.median(times["full"])
    print(f"{'variant':<24}{'median ms':>11}{'min':>9}{'max':>9}{'ratio':>8}", file=out)
    rows = []
    for name in names:
        median = statistics.median(times[name])
        row = dict(
            variant=name,
            median=median,
            min=min(times[name]),
            max=max(times[name]),
            ratio=median / full,
        )
        rows.append(row)
        print(
            f"{name:<24}{1e3 * median:>11.2f}{1e3 * row['min']:>9.2f}"
            f"{1e3 * row['max']:>9.2f}{row['ratio']:>8.3f}",
            file=out,
        )
    return rows, max_diff


if __name__ == "__main__":
    main()
