"""Feature selection of skreg's group lasso against LassoNet, at each kept count.

Optional: needs ``lassonet`` (and so PyTorch), which skreg does not depend on.
Without it the script says so and exits with status 0; it is not part of the
test suite (``tests/test_benchmarks.py`` checks the skreg side only). Install
both in a separate environment, then run it with skreg importable there, for
example::

    python -m venv /tmp/venv-lassonet
    /tmp/venv-lassonet/bin/pip install torch lassonet -e .
    /tmp/venv-lassonet/bin/python benchmarks/bench_lassonet.py

Data (``--data``): ``synthetic`` is ``make_classification(n_samples=1000,
n_features=60, n_informative=8, n_redundant=0, shuffle=False, random_state=0)``
(the first 8 features are the informative ones), 750 rows to train, 250 to
test; ``breast_cancer`` is scikit-learn's (30 features, standardized on the
training part), 426 rows to train, 143 to test.

The four rows of the final table:

* ``skreg path``: ``MLPClassifier((32,), penalty='group',
  learning_rate_init=0.01, random_state=0)`` fitted along a warm-started path,
  as ``mlp_path`` fits it (200 epochs at the first alpha, at most 40 at each
  next one, each alpha starting from the previous one's weights), over 25
  alphas log-spaced from ``alpha_max / 10**2.5`` to ``alpha_max / 10**0.5``
  (``alpha_max(..., l1_ratio=0, group=True)``, the group lasso's bound for a
  linear model); it stops at the first alpha that keeps no input. Then, where
  two neighbouring alphas keep counts that differ by more than one and the
  smaller count is below 19, the gap is bisected: a fit at their geometric
  mean, warm-started from the smaller alpha's model, up to 6 times per gap, so
  that the path reaches (nearly) every count up to 20. Each point's accuracy is
  the path model's own.
* ``skreg path + refit``: the same points; each kept set (once per distinct
  set) is refitted by a plain ``MLPClassifier((32,), random_state=0)`` (its
  default ``penalty='l2'``, ``alpha=1e-4``) on the kept columns only, and that
  model's accuracy is the point's. This is the two-stage recipe of the user
  guide: the group lasso selects, an unpenalized network fits. Below the
  sparsest path model that keeps an input (the path can fall from a few inputs
  to none at once, when its last hidden units die together), the budgets k
  take that model's k most important inputs
  (``SelectFromModel(max_features=k, threshold=-np.inf)``), refitted the same
  way. Its time includes the path and every refit.
* ``LassoNet``: ``LassoNetClassifier(hidden_dims=(32,))`` (its default
  ``M=10``) along its own warm-started path of ``lambda``
  (``--path-multiplier``, default 1.05), each point's own model, as LassoNet
  users get it.
* ``LassoNet + refit``: the same refit on each kept set of LassoNet's path.

A point that keeps no input has nothing to refit: its accuracy (a constant
predictor) is used in the refit rows too. The table gives, for several k, each
row's best test accuracy among its points with at most k features kept (the
same rule for every row; it selects on the test set, so it compares what each
method can reach at k features, not a tuned model). With ``--repeats`` the
whole comparison runs again and the times are medians; the accuracies, with
fixed seeds, must not change (the script says if they do). ``--random-state``
seeds every model (skreg's path and refits, LassoNet's ``random_state`` and
``torch_seed``; default 0), not the data: the comparison at one seed is one
draw, and benchmarks/README.md gives three. Everything runs on one thread; the
times include scoring the points on the test set.
"""

import argparse
import copy
import statistics
import sys
import time
import warnings

import numpy as np
import threadpoolctl
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier
from skreg._path import alpha_max

N_INFORMATIVE = 8
# The path's alphas, relative to alpha_max: the group lasso of a network
# removes every input well below the linear model's bound (at about a tenth of
# it on both data sets), so the grid ends half a decade below it.
GRID = np.logspace(-2.5, -0.5, 25)
BUDGETS = (2, 4, 6, 8, 10, 15, 20)
MAX_BISECTIONS = 6


def _data(name):
    if name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        scaler = StandardScaler().fit(X_train)
        return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test
    X, y = make_classification(
        n_samples=1000,
        n_features=60,
        n_informative=N_INFORMATIVE,
        n_redundant=0,
        shuffle=False,
        random_state=0,
    )
    return train_test_split(X, y, random_state=0)


def _counts(kept):
    return int(np.sum(kept < N_INFORMATIVE)), int(np.sum(kept >= N_INFORMATIVE))


def path_estimator(**params):
    return MLPClassifier(
        (32,),
        penalty="group",
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ).set_params(**params)


def _kept(model):
    return np.flatnonzero(model.feature_importances_ > 0)


def skreg_path(
    X, y, alphas, *, estimator=None, max_kept=max(BUDGETS), bisections=MAX_BISECTIONS
):
    """Warm-started fits over ``alphas``, then the gaps in the kept count bisected.

    The fits at ``alphas`` are those of ``mlp_path`` (the first with the
    estimator's ``max_iter``, the next ones with ``max_iter // 5``, each from the
    previous weights), up to the first alpha that keeps no input. A gap between
    neighbours whose kept counts differ by more than one, with the smaller count
    below ``max_kept - 1``, gets a fit at the geometric mean of their alphas,
    warm-started from a copy of the smaller alpha's model, and each half is
    bisected again, at most ``bisections`` deep. Returns ``(alpha, model)``
    pairs in increasing alpha.
    """
    model = copy.deepcopy(path_estimator() if estimator is None else estimator)
    model.set_params(warm_start=True)
    warm_max_iter = max(1, model.max_iter // 5)
    points = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for alpha in np.sort(np.asarray(alphas, dtype=float)):
            model.set_params(alpha=alpha).fit(X, y)
            model.set_params(max_iter=warm_max_iter)
            points.append((alpha, copy.deepcopy(model)))
            if model.n_features_kept_ == 0:
                break

        def bisect(low, high, depth):
            (alpha_low, model_low), (alpha_high, model_high) = low, high
            gap = model_low.n_features_kept_ - model_high.n_features_kept_
            if depth == 0 or gap <= 1 or model_high.n_features_kept_ >= max_kept - 1:
                return []
            alpha = float(np.sqrt(alpha_low * alpha_high))
            middle = (alpha, copy.deepcopy(model_low).set_params(alpha=alpha))
            middle[1].fit(X, y)
            return [
                *bisect(low, middle, depth - 1),
                middle,
                *bisect(middle, high, depth - 1),
            ]

        filled = points[:1]
        for low, high in zip(points, points[1:]):
            filled += [*bisect(low, high, bisections), high]
    return filled


def refit_scores(kept_sets, X_train, X_test, y_train, y_test, random_state=0):
    """Test accuracy of a plain ``MLPClassifier((32,))`` on each kept set's columns."""
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for kept in kept_sets:
            key = tuple(int(j) for j in kept)
            if key and key not in scores:
                model = MLPClassifier((32,), random_state=random_state)
                model.fit(X_train[:, key], y_train)
                scores[key] = model.score(X_test[:, key], y_test)
    return scores


def _with_refits(points, scores):
    """Each point ``(label, kept, accuracy)`` with its refit accuracy appended."""
    return [
        (label, kept, accuracy, scores.get(tuple(int(j) for j in kept), accuracy))
        for label, kept, accuracy in points
    ]


def ranked_points(alpha, model):
    """The top k inputs of a model by ``feature_importances_``, for k below its
    kept count: ``SelectFromModel(max_features=k, threshold=-inf)``.

    Points for the refit only (their own accuracy is NaN: the model uses more
    inputs than k).
    """
    return [
        (
            f"top {k}, alpha={alpha:.4g}",
            SelectFromModel(
                model, prefit=True, max_features=k, threshold=-np.inf
            ).get_support(indices=True),
            np.nan,
        )
        for k in range(1, model.n_features_kept_)
    ]


def skreg_points(X_train, X_test, y_train, y_test, alphas, random_state):
    estimator = path_estimator(random_state=random_state)
    path = skreg_path(X_train, y_train, alphas, estimator=estimator)
    points = [
        (f"alpha={alpha:.4g}", _kept(model), model.score(X_test, y_test))
        for alpha, model in path
    ]
    # Below the sparsest model that keeps an input, the path can fall to no
    # input at once (the last hidden units die together): the smaller budgets
    # take that model's most important inputs instead.
    sparsest = [(alpha, model) for alpha, model in path if model.n_features_kept_]
    if sparsest:
        points += ranked_points(*sparsest[-1])
    return points


def lassonet_points(X_train, X_test, y_train, y_test, path_multiplier, random_state):
    import torch
    from lassonet import LassoNetClassifier

    torch.set_num_threads(1)
    model = LassoNetClassifier(
        hidden_dims=(32,),
        path_multiplier=path_multiplier,
        verbose=0,
        random_state=random_state,
        torch_seed=random_state,
    )
    path = model.path(X_train, y_train, return_state_dicts=True)
    points = []
    for item in path:
        model.load(item.state_dict)
        kept = np.flatnonzero(item.selected.cpu().numpy())
        accuracy = float(np.mean(model.predict(X_test) == y_test))
        points.append((f"lambda={item.lambda_:.3g}", kept, accuracy))
    return points


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _compare(data, path_multiplier, random_state):
    """One run of both methods and their refits: the points and the four times."""
    X_train, X_test, y_train, y_test = data
    alphas = alpha_max(X_train, y_train, l1_ratio=0.0, group=True) * GRID
    ours, ours_time = _timed(skreg_points, *data, alphas, random_state)
    scores, ours_refit = _timed(refit_scores, [p[1] for p in ours], *data, random_state)
    theirs, theirs_time = _timed(lassonet_points, *data, path_multiplier, random_state)
    their_scores, theirs_refit = _timed(
        refit_scores, [p[1] for p in theirs], *data, random_state
    )
    points = (_with_refits(ours, scores), _with_refits(theirs, their_scores))
    times = (ours_time, ours_time + ours_refit, theirs_time, theirs_time + theirs_refit)
    return points, times


def best_within(points, budgets, column):
    """Each budget k's best accuracy (``column`` 2: own, 3: refit) among the
    points with at most k features kept; None where no point has so few."""
    return [
        max(
            (p[column] for p in points if p[1].size <= k and not np.isnan(p[column])),
            default=None,
        )
        for k in budgets
    ]


def _report(name, points, seconds, out, every=1, known=True):
    path, with_refits = seconds
    print(
        f"\n{name}: {len(points)} points in {path:.1f} s, {with_refits:.1f} s "
        "with the refits",
        file=out,
    )
    # Without known features (breast_cancer) the two counts are the first 8
    # columns and the others.
    print(
        f"  {'point':<18}{'informative':>12}{'noise':>7}{'accuracy':>10}{'refit':>8}",
        file=out,
    )
    for i, (label, kept, accuracy, refit) in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            informative, noise = _counts(kept)
            print(
                f"  {label:<18}{informative:>12}{noise:>7}{accuracy:>10.3f}"
                f"{refit:>8.3f}",
                file=out,
            )
    if not known:
        return
    complete = [p for p in points if _counts(p[1])[0] == N_INFORMATIVE]
    if complete:
        label, kept, accuracy, _ = min(
            complete, key=lambda p: (_counts(p[1])[1], -p[2])
        )
        print(
            f"  all {N_INFORMATIVE} informative with the fewest noise features: "
            f"{label}, {_counts(kept)[1]} noise, accuracy {accuracy:.3f}",
            file=out,
        )
    else:
        print(f"  no point keeps all {N_INFORMATIVE} informative features", file=out)


def _summary(points):
    return [[(p[0], p[1].tolist(), p[2], p[3]) for p in rows] for rows in points]


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--path-multiplier",
        type=float,
        default=1.05,
        help="LassoNet's lambda ratio between path points (its default: 1.02)",
    )
    parser.add_argument(
        "--data", choices=("synthetic", "breast_cancer"), default="synthetic"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="runs of the whole comparison; the times are their medians",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="the seed of every model (skreg's path and refits, LassoNet's "
        "random_state and torch_seed); the data do not change",
    )
    args = parser.parse_args(argv)
    try:
        import lassonet  # noqa: F401
    except ImportError:
        print(
            "lassonet is not installed (it needs PyTorch): skipping the "
            "comparison. See this script's docstring.",
            file=out,
        )
        return None
    data = _data(args.data)
    runs = []
    with threadpoolctl.threadpool_limits(1):
        for _ in range(args.repeats):
            runs.append(_compare(data, args.path_multiplier, args.random_state))
    (ours, theirs), _ = runs[0]
    times = [statistics.median(run[1][i] for run in runs) for i in range(4)]
    known = args.data == "synthetic"
    _report("skreg path", ours, times[:2], out, known=known)
    every = max(1, len(theirs) // 25)
    _report("LassoNet", theirs, times[2:], out, every=every, known=known)
    rows = [
        ("skreg path", ours, 2, times[0]),
        ("skreg path + refit", ours, 3, times[1]),
        ("LassoNet", theirs, 2, times[2]),
        ("LassoNet + refit", theirs, 3, times[3]),
    ]
    print(
        f"\nbest test accuracy with at most k features kept ({args.data}; times: "
        f"median of {args.repeats})\n"
        f"  {'k':<20}{'time':>8}" + "".join(f"{k:>8}" for k in BUDGETS),
        file=out,
    )
    table = {}
    for name, points, column, seconds in rows:
        table[name] = best_within(points, BUDGETS, column)
        cells = "".join(f"{'-' if a is None else f'{a:.3f}':>8}" for a in table[name])
        print(f"  {name:<20}{seconds:>7.1f}s" + cells, file=out)
    if any(_summary(run[0]) != _summary(runs[0][0]) for run in runs[1:]):
        print("  the kept sets or accuracies changed between repeats", file=out)
    return table, times


if __name__ == "__main__":
    main()
