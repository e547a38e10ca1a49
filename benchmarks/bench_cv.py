"""MLPClassifierCV / MLPRegressorCV against GridSearchCV, in one process.

Two parts:

- ``compare`` (default): on a problem of a few thousand rows, the CV estimator
  and ``GridSearchCV`` over the same alphas, folds and base estimator. Prints
  the median time of each over ``--repeats`` alternating runs, their ratio,
  and both held-out scores.
- ``--grid``: the automatic grid on twelve kinds of data (binary, multiclass,
  regression; 150 to 20,000 rows): where the chosen alpha falls in its grid,
  over three outer splits each. An alpha at either end of the grid would mean
  the grid should reach further.

- ``--moments``: a path with Adam's moments reset at each alpha (what
  ``mlp_path`` does) against one that keeps them, on the two problems of
  ``compare``: the best held-out score along each path and its time.

    python benchmarks/bench_cv.py --repeats 3
    python benchmarks/bench_cv.py --grid
    python benchmarks/bench_cv.py --moments
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_friedman1,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from skreg._mlp import _BaseMLP
from skreg._path import alpha_max

BASE = dict(hidden_layer_sizes=(32,), penalty="l1", max_iter=100, random_state=0)


def _standardized(X):
    return StandardScaler().fit_transform(X)


def _compare_problems():
    X, y = make_classification(4000, 40, n_informative=8, n_redundant=4, random_state=0)
    yield "binary 4000 x 40", _standardized(X), y, MLPClassifier, MLPClassifierCV
    X, y = make_friedman1(3000, 20, noise=1.0, random_state=0)
    yield "friedman1 3000 x 20", _standardized(X), y, MLPRegressor, MLPRegressorCV


def compare(repeats, n_alphas, cv):
    print(
        f"{'problem':<22} {'GridSearchCV s':>15} {'CV estimator s':>15} "
        f"{'ratio':>6} {'grid score':>11} {'cv score':>9} {'alpha_':>9}"
    )
    for name, X, y, Base, CV in _compare_problems():
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        times = {"grid": [], "cv": []}
        for _ in range(repeats):
            start = time.perf_counter()
            cv_model = CV(alphas=n_alphas, cv=cv, **BASE).fit(X_train, y_train)
            times["cv"].append(time.perf_counter() - start)
            start = time.perf_counter()
            search = GridSearchCV(
                Base(**BASE), {"alpha": list(cv_model.alphas_)}, cv=cv
            ).fit(X_train, y_train)
            times["grid"].append(time.perf_counter() - start)
        grid_time = statistics.median(times["grid"])
        cv_time = statistics.median(times["cv"])
        print(
            f"{name:<22} {grid_time:>15.2f} {cv_time:>15.2f} "
            f"{cv_time / grid_time:>6.2f} {search.score(X_test, y_test):>11.4f} "
            f"{cv_model.score(X_test, y_test):>9.4f} {cv_model.alpha_:>9.3g}"
        )


def _grid_problems():
    for loader in (load_iris, load_wine, load_breast_cancer, load_digits):
        X, y = loader(return_X_y=True)
        yield loader.__name__[5:], X, y, MLPClassifierCV
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes", X, y / y.std(), MLPRegressorCV
    for n, classes in ((1000, 2), (5000, 2), (20000, 5)):
        X, y = make_classification(
            n, 30, n_informative=6, n_classes=classes, random_state=n
        )
        yield f"classification {n} ({classes})", X, y, MLPClassifierCV
    X, y = make_regression(2000, 30, n_informative=5, noise=10.0, random_state=0)
    yield "regression 2000", X, y / y.std(), MLPRegressorCV
    X, y = make_friedman1(10000, 10, noise=1.0, random_state=0)
    yield "friedman1 10000", X, y, MLPRegressorCV
    X, y = make_regression(300, 50, n_informative=10, noise=5.0, random_state=1)
    yield "regression 300 x 50", X, y / y.std(), MLPRegressorCV
    X, y = make_classification(
        600, 100, n_informative=5, n_redundant=0, n_classes=3, random_state=2
    )
    yield "classification 600 x 100 (3)", X, y, MLPClassifierCV


def grid(n_splits, max_iter):
    print(f"{'data':<30} {'rows':>6}  position of alpha_ in its grid, per split")
    inside = total = 0
    for name, X, y, CV in _grid_problems():
        X = _standardized(X)
        positions = []
        splits = KFold(n_splits, shuffle=True, random_state=0).split(X)
        for train, _ in splits:
            params = {**BASE, "max_iter": max_iter}
            model = CV(cv=3, **params).fit(X[train], y[train])
            index = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
            positions.append(f"{index + 1}/{len(model.alphas_)}")
            interior = 0 < index < len(model.alphas_) - 1
            inside += interior
            total += 1
        print(f"{name:<30} {X.shape[0]:>6}  {' '.join(positions)}")
    print(f"alpha_ inside the grid (not at an end): {inside} of {total} splits")


def _path_scores(Estimator, split, alphas, keep_moments):
    """Held-out scores along a warm-started path, optionally keeping Adam's moments.

    Keeping them needs the optimizer of the previous alpha's fit; ``fit`` makes
    a new one, so for this experiment only ``_make_optimizer`` hands back the
    previous one (a private hook, fine in a benchmark, not in the package).
    """
    X_train, X_test, y_train, y_test = split
    model = Estimator(**BASE, warm_start=True)
    scores, original = [], _BaseMLP._make_optimizer
    try:
        for i, alpha in enumerate(alphas):
            if i == 1:
                model.set_params(max_iter=BASE["max_iter"] // 5)
                if keep_moments:
                    kept = model._optimizer
                    _BaseMLP._make_optimizer = lambda self, params: kept
            model.set_params(alpha=alpha).fit(X_train, y_train)
            scores.append(model.score(X_test, y_test))
    finally:
        _BaseMLP._make_optimizer = original
    return max(scores)


def moments():
    print(f"{'problem':<22} {'moments':>8} {'best held-out score':>20} {'s':>6}")
    for name, X, y, Base, _ in _compare_problems():
        split = train_test_split(X, y, random_state=0)
        alphas = alpha_max(split[0], split[2]) * np.logspace(-4, 0, 12)
        for keep in (False, True):
            start = time.perf_counter()
            best = _path_scores(Base, split, alphas, keep)
            elapsed = time.perf_counter() - start
            label = "kept" if keep else "reset"
            print(f"{name:<22} {label:>8} {best:>20.4f} {elapsed:>6.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="the automatic grid")
    parser.add_argument(
        "--moments", action="store_true", help="Adam's moments reset or kept"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--alphas", type=int, default=12)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--max-iter", type=int, default=100)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.grid:
        grid(args.splits, args.max_iter)
    elif args.moments:
        moments()
    else:
        compare(args.repeats, args.alphas, args.cv)


if __name__ == "__main__":
    main()
