"""scikit-learn's own MLPClassifier tuned on its alpha scale, the job's baseline."""

from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from skreg._cli_progress import _progress_reporter
from skreg._cli_report import _DECIMALS, _format_alphas
from skreg._cli_search import _make_model, _ReportingGridSearchCV

# scikit-learn's MLP tuned on its own scale: np.logspace(-5, 1, 7), decades from
# below its default 1e-4 to 10.
_SKLEARN_ALPHAS = tuple(10.0**k for k in range(-5, 2))
_QUICK_SKLEARN_ALPHAS = (1e-4, 1e-1)


def _run_baseline(args, settings, is_categorical, cv, split):
    """Tune scikit-learn's MLPClassifier on its own alpha scale; print its score.

    It gets the same network, data and folds. Its alpha is not skreg's: its
    stochastic solvers divide the penalty by the batch size, not by the
    training set's size, so the same number is about n / batch_size times
    stronger there, and it is tuned over the grid its users would use.

    Parameters
    ----------
    split : tuple of (X_train, X_test, y_train, y_test)
    """
    X_train, X_test, y_train, y_test = split
    alphas = _QUICK_SKLEARN_ALPHAS if args.quick else _SKLEARN_ALPHAS
    baseline, prefix = _make_model(
        "classification", SklearnMLPClassifier(**settings), is_categorical
    )
    grid = {prefix + "alpha": list(alphas)}
    print()
    n_rows = len(y_train) * (args.cv - 1) // args.cv  # in a training fold
    batch_size = min(200, n_rows)  # batch_size='auto'
    print(
        "baseline: scikit-learn's MLPClassifier, the same network and folds, "
        "L2 penalty only,"
    )
    factor = n_rows / batch_size
    print(
        f"  alpha tuned over {_format_alphas(alphas)}, on scikit-learn's own scale: "
        "the same"
    )
    print(
        f"  alpha is about {factor:.2g} times stronger there (it divides the "
        f"penalty by the batch"
    )
    print(f"  size, {batch_size}, skreg by the {n_rows} training rows of a fold)")
    baseline_search = _ReportingGridSearchCV(
        baseline,
        grid,
        scoring="accuracy",
        cv=cv,
        n_jobs=args.n_jobs,
        report=_progress_reporter(grid, prefix, "CV accuracy"),
    )
    baseline_search.fit(X_train, y_train)
    baseline_alpha = baseline_search.best_params_[prefix + "alpha"]
    print(
        f"held-out accuracy, sklearn MLPClassifier: "
        f"{baseline_search.score(X_test, y_test):.{_DECIMALS}f} "
        f"(alpha={baseline_alpha:g}, about skreg's alpha="
        f"{baseline_alpha * factor:.2g})"
    )
