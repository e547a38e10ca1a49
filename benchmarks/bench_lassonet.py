"""Feature selection of skreg's group lasso against LassoNet, on known features.

Optional: needs ``lassonet`` (and so PyTorch), which skreg does not depend on.
Without it the script says so and exits with status 0; it is not part of the
test suite. Install both in a separate environment, then run it with skreg
importable there, for example::

    python -m venv /tmp/venv-lassonet
    /tmp/venv-lassonet/bin/pip install torch lassonet -e .
    /tmp/venv-lassonet/bin/python benchmarks/bench_lassonet.py

Data (``--data``): ``synthetic`` is ``make_classification(n_samples=1000,
n_features=60, n_informative=8, n_redundant=0, shuffle=False, random_state=0)``
(the first 8 features are the informative ones), 750 rows to train, 250 to
test; ``breast_cancer`` is scikit-learn's (30 features, standardized on the
training part), 426 rows to train, 143 to test. skreg fits one
``MLPClassifier((32,), penalty='group')`` per ``alpha`` of a grid; LassoNet
(``hidden_dims=(32,)``, its default ``M=10``) follows its own warm-started
path of ``lambda``. For every point the table gives the informative and the
noise features kept and the test accuracy; then, for each method, the point
that keeps all 8 informative features with the fewest noise ones, and the time
of the whole sweep. On both data sets it then gives each method's best test
accuracy among the points with at most k features kept, for several k. Both
run on one thread.
"""

import argparse
import sys
import time
import warnings

import numpy as np
import threadpoolctl
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier
from skreg._path import alpha_max

N_INFORMATIVE = 8
ALPHAS = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0)


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


def _alphas(name, X_train, y_train):
    if name != "breast_cancer":
        return ALPHAS
    # Spaced from where the group lasso removes every input of a linear model.
    top = alpha_max(X_train, y_train, l1_ratio=0.0, group=True)
    return tuple(top * np.logspace(-2.5, 0, 11))


def _counts(kept):
    kept = np.flatnonzero(kept)
    return int(np.sum(kept < N_INFORMATIVE)), int(np.sum(kept >= N_INFORMATIVE))


def skreg_sweep(X_train, X_test, y_train, y_test, alphas=ALPHAS):
    points = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for alpha in alphas:
            model = MLPClassifier(
                (32,),
                penalty="group",
                alpha=alpha,
                learning_rate_init=0.01,
                max_iter=200,
                random_state=0,
            ).fit(X_train, y_train)
            informative, noise = _counts(model.feature_importances_ > 0)
            points.append(
                (f"alpha={alpha:g}", informative, noise, model.score(X_test, y_test))
            )
    return points


def lassonet_sweep(X_train, X_test, y_train, y_test, path_multiplier):
    import torch
    from lassonet import LassoNetClassifier

    torch.set_num_threads(1)
    model = LassoNetClassifier(
        hidden_dims=(32,),
        path_multiplier=path_multiplier,
        verbose=0,
        random_state=0,
        torch_seed=0,
    )
    path = model.path(X_train, y_train, return_state_dicts=True)
    points = []
    for item in path:
        model.load(item.state_dict)
        informative, noise = _counts(item.selected.cpu().numpy())
        accuracy = float(np.mean(model.predict(X_test) == y_test))
        points.append((f"lambda={item.lambda_:.3g}", informative, noise, accuracy))
    return points


def _best_within(points, budgets, out, name):
    """The best test accuracy among the points with at most k features kept."""
    cells = []
    for k in budgets:
        within = [p[3] for p in points if p[1] + p[2] <= k]
        cells.append(f"{max(within):.3f}" if within else "  -  ")
    print(f"  {name:<24}" + "".join(f"{c:>8}" for c in cells), file=out)


def _report(name, points, seconds, out, every=1, known=True):
    print(f"\n{name}: {len(points)} points in {seconds:.1f} s", file=out)
    # Without known features (breast_cancer) the two counts are the first 8
    # columns and the others.
    print(f"  {'point':<18}{'informative':>12}{'noise':>7}{'accuracy':>10}", file=out)
    for i, (label, informative, noise, accuracy) in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            print(
                f"  {label:<18}{informative:>12}{noise:>7}{accuracy:>10.3f}", file=out
            )
    if not known:
        return
    complete = [p for p in points if p[1] == N_INFORMATIVE]
    if complete:
        best = min(complete, key=lambda p: (p[2], -p[3]))
        print(
            f"  all {N_INFORMATIVE} informative with the fewest noise features: "
            f"{best[0]}, {best[2]} noise, accuracy {best[3]:.3f}",
            file=out,
        )
    else:
        print(f"  no point keeps all {N_INFORMATIVE} informative features", file=out)


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
    X_train, X_test, y_train, y_test = _data(args.data)
    alphas = _alphas(args.data, X_train, y_train)
    with threadpoolctl.threadpool_limits(1):
        start = time.perf_counter()
        ours = skreg_sweep(X_train, X_test, y_train, y_test, alphas)
        known = args.data == "synthetic"
        seconds = time.perf_counter() - start
        _report("skreg penalty='group'", ours, seconds, out, known=known)
        start = time.perf_counter()
        theirs = lassonet_sweep(X_train, X_test, y_train, y_test, args.path_multiplier)
        seconds = time.perf_counter() - start
        every = max(1, len(theirs) // 25)
        _report("LassoNet", theirs, seconds, out, every=every, known=known)
    budgets = (2, 4, 6, 8, 10, 15, 20)
    print(
        f"\nbest test accuracy with at most k features kept ({args.data})\n"
        f"  {'k':<24}" + "".join(f"{k:>8}" for k in budgets),
        file=out,
    )
    _best_within(ours, budgets, out, "skreg penalty='group'")
    _best_within(theirs, budgets, out, "LassoNet")
    return ours, theirs


if __name__ == "__main__":
    main()
