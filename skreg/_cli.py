"""The ``skreg`` job: tune a regularized MLP and report what it found.

The job splits a data set into a training and a held-out part and searches the
regularization settings of :class:`skreg.MLPClassifier` or
:class:`skreg.MLPRegressor` with cross-validation on the training part: penalty,
dropout and label smoothing by a grid, and for each of those candidates alpha by
one :class:`skreg.MLPClassifierCV` / :class:`skreg.MLPRegressorCV` fit (a
warm-started alpha path per fold, cheaper than a cold fit per alpha). It prints a
ranked table of the (candidate, alpha) rows, refits the best from scratch and
scores it on the held-out part. For
classification it also tunes scikit-learn's own ``MLPClassifier`` over the
``alpha`` grid its users would search (its ``alpha`` is on another scale, see
``_cli_search._ALPHAS``), so the two held-out accuracies can be compared.
"""

import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skreg import _fused
from skreg._cli_args import _build_parser, _check_args
from skreg._cli_baseline import _run_baseline
from skreg._cli_data import _load, _split
from skreg._cli_error import _CLIError
from skreg._cli_progress import _progress
from skreg._cli_report import (
    _DECIMALS,
    _best_line,
    _describe_data,
    _search_lines,
    _table_with_legend,
)
from skreg._cli_search import (
    _ALPHAS,
    _MLP_SETTINGS,
    _QUICK_ALPHAS,
    _QUICK_MLP_SETTINGS,
    _best_index,
    _best_model,
    _estimator_classes,
    _folds,
    _make_model,
    _param_grid,
    _path_search,
)
from skreg._show_versions import show_versions
from skreg._version import __version__


def _kernels_note(status, package_dir):
    """A one-line note when the compiled kernels are not in use, else None.

    Parameters
    ----------
    status : str
        ``skreg._fused.status()``: ``'yes'`` or ``'no (<why>)'``.
    package_dir : pathlib.Path
        The folder skreg was imported from.
    """
    if status == "yes":
        return None
    if (package_dir.parent / "setup.py").is_file():
        # `python -m skreg` in a clone imports ./skreg, not the installed copy;
        # the ImportError's words ("partially initialized module") would
        # only confuse.
        return (
            f"skreg: note: running the source tree {package_dir}, whose compiled "
            "kernels are not built (about 25% slower); run the installed `skreg` "
            "command instead, or build them in place with `pip install -e .`"
        )
    return f"skreg: note: compiled kernels: {status}; training is about 25% slower"


def _print_kernels_note():
    """Print :func:`_kernels_note` on standard error, unless switched off."""
    note = _kernels_note(_fused.status(), Path(_fused.__file__).resolve().parent)
    if note is not None and not _fused.SWITCHED_OFF:
        print(note, file=sys.stderr, flush=True)


def _run(args):
    """Run the job for parsed, checked arguments; print the report."""
    start = time.perf_counter()
    _print_kernels_note()
    X, categorical, y, name, task = _load(args)
    split = _split(X, y, task, args)
    _, _, y_train, y_test = split
    is_categorical = np.array([isinstance(value, str) for value in X[0]])
    settings = {
        **(_QUICK_MLP_SETTINGS if args.quick else _MLP_SETTINGS),
        "random_state": args.random_state,
    }
    cv = _folds(task, args.cv, args.random_state)

    estimator_class, _, _ = _estimator_classes(task)
    print(f"skreg {__version__}: {estimator_class.__name__} on {name}")
    print(_describe_data(X, is_categorical, categorical, y, y_train, y_test, task))
    with warnings.catch_warnings():
        # A capped max_iter is the point of a quick search; the warnings would
        # bury the table. scikit-learn passes these filters on to its workers.
        warnings.simplefilter("ignore", ConvergenceWarning)
        _run_search(args, task, settings, is_categorical, cv, split)
        if task == "classification":
            _run_baseline(args, settings, is_categorical, cv, split)

    print(f"time: {time.perf_counter() - start:.1f} s")


def _run_search(args, task, settings, is_categorical, cv, split):
    """Tune skreg's MLP; print the search, the ranked table and the held-out score.

    Parameters
    ----------
    split : tuple of (X_train, X_test, y_train, y_test)
    """
    X_train, X_test, y_train, y_test = split
    estimator_class, cv_class, scoring = _estimator_classes(task)
    alphas = np.array(_QUICK_ALPHAS if args.quick else _ALPHAS)
    # The candidates run in parallel, so each CV estimator runs its folds
    # in one process; it only scores (refit=False): the best is refitted below.
    cv_estimator = cv_class(
        **settings, alphas=alphas, cv=cv, scoring=scoring, n_jobs=1, refit=False
    )
    model, prefix = _make_model(task, cv_estimator, is_categorical)
    grid = _param_grid(task, prefix, args.quick)
    metric = "accuracy" if task == "classification" else "R^2"
    n_candidates = math.prod(len(values) for values in grid.values())
    for line in _search_lines(
        n_candidates, args.cv, args.n_jobs, settings, cv_class, alphas
    ):
        print(line)
    print()

    results = _path_search(
        model,
        grid,
        alphas,
        X_train,
        y_train,
        prefix=prefix,
        n_jobs=args.n_jobs,
        n_folds=args.cv,
        **_progress(sys.stdout, grid, prefix, f"CV {metric}", alphas),
    )
    print()
    n_rows = n_candidates * len(alphas)
    for line in _table_with_legend(results, task, prefix, n_rows, args.cv):
        print(line)
    print()

    best_params = results["params"][_best_index(results)]
    print(_best_line(results, best_params, grid, prefix))
    # The chosen settings trained from scratch on the whole training part,
    # as GridSearchCV's refit does.
    final = _best_model(
        task, estimator_class(**settings), is_categorical, best_params, prefix
    ).fit(X_train, y_train)
    print(
        f"held-out {metric}, skreg {estimator_class.__name__}: "
        f"{final.score(X_test, y_test):.{_DECIMALS}f}"
    )


def main(argv=None):
    """Run the ``skreg`` command (also ``python -m skreg``).

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 for bad arguments or unusable input data (after one
        ``skreg: error: ...`` line on standard error).
    """
    try:
        try:
            args = _build_parser().parse_args(argv)
        except SystemExit as exc:
            # --help prints and "exits"; keep main() returning.
            return exc.code if isinstance(exc.code, int) else 0
        if args.version:
            show_versions()
            return 0
        _check_args(args)
        _run(args)
    except _CLIError as exc:
        print(f"skreg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # A long search stopped with Ctrl-C is not a crash: no traceback.
        print("skreg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `skreg | head` closed the pipe: stop quietly, and keep the interpreter
        # from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
