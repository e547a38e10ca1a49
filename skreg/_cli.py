"""The ``python -m skreg`` job: tune a regularized MLP and report what it found.

The job splits a data set into a training and a held-out part, grid-searches the
regularization settings of :class:`skreg.MLPClassifier` or
:class:`skreg.MLPRegressor` with cross-validation on the training part, prints a
ranked table of the candidates and scores the best one on the held-out part. For
classification it also tunes scikit-learn's own ``MLPClassifier`` over the same
``alpha`` values, so the two held-out accuracies can be compared directly.
"""

import argparse
import csv
import math
import sys
import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPRegressor
from skreg._version import __version__

_DATASETS = {
    "digits": (load_digits, "classification"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "wine": (load_wine, "classification"),
    "diabetes": (load_diabetes, "regression"),
}
_DEFAULT_DATASET = "digits"

# A numeric target with at most this many distinct integer values is taken for
# class labels by ``--task auto``.
_MAX_AUTO_CLASSES = 20

# skreg divides the penalty by the training set's sample-weight sum (not by the
# mini-batch size as scikit-learn does), so useful alphas are of order one. On
# digits these span barely regularized (0.1), the best accuracies (1) and most
# weights pruned by L1 (10); scikit-learn's own best alpha is in the range too.
_ALPHAS = (0.1, 1.0, 10.0)
_QUICK_ALPHAS = (1.0,)

# Small enough for the default grid to finish in about a minute on two cores;
# fewer epochs leave too little training for dropout and label smoothing to pay.
_MLP_SETTINGS = {
    "hidden_layer_sizes": (64,),
    "solver": "adam",
    "max_iter": 200,
    "early_stopping": False,
}
_QUICK_MLP_SETTINGS = {**_MLP_SETTINGS, "hidden_layer_sizes": (16,), "max_iter": 50}

_TOP_ROWS = 10


class _CLIError(Exception):
    """A problem with the arguments or the input data, reported in one line."""


class _ArgumentParser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing usage and exiting.

    ``main`` turns the exception into a single ``skreg: error: ...`` line and
    exit status 2, the same status argparse uses, without the usage block.
    """

    def error(self, message):
        raise _CLIError(message)


def _int_at_least(minimum):
    """Return an argparse ``type`` accepting integers ``>= minimum``."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer, got {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be an integer >= {minimum}, got {text!r}"
            )
        return value

    return parse


def _n_jobs(text):
    """Parse ``--n-jobs``: any integer but 0, as joblib understands it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (use -1 for all cores)")
    return value


def _fraction(text):
    """Parse ``--test-size``: a float strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(
            f"must be strictly between 0 and 1, got {text!r}"
        )
    return value


def _build_parser():
    """Build the command-line parser.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = _ArgumentParser(
        prog="python -m skreg",
        description=(
            "Tune the regularization (penalty, alpha, dropout and, for "
            "classification, label smoothing) of a skreg MLP by cross-validated "
            "grid search, print the ranked candidates and score the best one on "
            "a held-out split."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=sorted(_DATASETS),
        help=(
            "a data set that ships with scikit-learn (default: "
            f"{_DEFAULT_DATASET}); diabetes is a regression task, the others "
            "classification"
        ),
    )
    source.add_argument(
        "--csv",
        metavar="PATH",
        help=(
            "a comma-separated table with a header row; all columns but the "
            "target must be numeric"
        ),
    )
    parser.add_argument("--target", metavar="COLUMN", help="the target column of --csv")
    parser.add_argument(
        "--task",
        choices=("auto", "classification", "regression"),
        default="auto",
        help=(
            "how to treat the --csv target (default: auto: classification if "
            f"it is not numeric or has at most {_MAX_AUTO_CLASSES} distinct "
            "integer values)"
        ),
    )
    parser.add_argument(
        "--cv",
        type=_int_at_least(2),
        default=3,
        help="number of cross-validation folds (default: 3)",
    )
    parser.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        help="parallel fits, -1 for all cores (default: -1)",
    )
    parser.add_argument(
        "--random-state",
        type=_int_at_least(0),
        default=0,
        help="seed for the split, the folds and the networks (default: 0)",
    )
    parser.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        help="held-out share of the rows (default: 0.25)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny grid and tiny networks, for smoke tests",
    )
    parser.add_argument("--version", action="version", version=f"skreg {__version__}")
    return parser


def _check_args(args):
    """Reject argument combinations that argparse cannot express."""
    if args.csv is not None and args.target is None:
        raise _CLIError("argument --csv: requires --target COLUMN")
    if args.csv is None and args.target is not None:
        raise _CLIError("argument --target: only valid with --csv")
    if args.csv is None and args.task != "auto":
        # The built-in data sets have a fixed task; silently ignoring --task
        # would let a user believe digits was run as a regression.
        raise _CLIError("argument --task: only valid with --csv")


def _column_list(names, limit=10):
    """Format column names for an error message, eliding long lists."""
    shown = ", ".join(repr(name) for name in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names)} columns)"
    return shown


def _read_csv(path, target):
    """Read a CSV file into a float feature matrix and raw target strings.

    Parameters
    ----------
    path : str
        The file; UTF-8 (a byte-order mark is allowed), comma-separated, with a
        header row.
    target : str
        Name of the target column.

    Returns
    -------
    X : ndarray of shape (n_rows, n_columns - 1)
        The other columns, which must all hold finite numbers.
    y : list of str
        The target column, unparsed.
    lines : list of int
        The line number of each row, for error messages.

    Raises
    ------
    _CLIError
        If the file cannot be read or is not such a table.
    """
    header = None
    rows = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            for fields in reader:
                if not fields:  # a blank line, not a row of empty cells
                    continue
                if header is None:
                    header = [name.strip() for name in fields]
                else:
                    rows.append((reader.line_num, fields))
    except OSError as exc:
        raise _CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _CLIError(f"cannot read {path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise _CLIError(f"cannot parse {path}: {exc}") from None

    if header is None:
        raise _CLIError(f"{path} is empty")
    if target not in header:
        raise _CLIError(
            f"{path} has no column {target!r}; its columns are {_column_list(header)}"
        )
    if header.count(target) > 1:
        raise _CLIError(f"{path} has more than one column named {target!r}")
    if len(header) < 2:
        raise _CLIError(f"{path} has no feature columns besides {target!r}")
    if not rows:
        raise _CLIError(f"{path} has a header but no data rows")

    target_index = header.index(target)
    feature_names = [name for i, name in enumerate(header) if i != target_index]
    X = np.empty((len(rows), len(feature_names)))
    y = []
    lines = []
    for row_index, (line, fields) in enumerate(rows):
        if len(fields) != len(header):
            raise _CLIError(
                f"{path}, line {line}: expected {len(header)} fields, "
                f"found {len(fields)}"
            )
        y.append(fields[target_index].strip())
        lines.append(line)
        features = fields[:target_index] + fields[target_index + 1 :]
        for column, (name, text) in enumerate(zip(feature_names, features)):
            text = text.strip()
            if not text:
                raise _CLIError(
                    f"{path}, line {line}: column {name!r} has a missing value"
                )
            try:
                value = float(text)
            except ValueError:
                raise _CLIError(
                    f"{path}, line {line}: column {name!r} is not numeric: {text!r}"
                ) from None
            if not math.isfinite(value):
                raise _CLIError(
                    f"{path}, line {line}: column {name!r} is not finite: {text!r}"
                )
            X[row_index, column] = value
    return X, y, lines


def _parse_target(values, lines, task, path, target):
    """Turn the raw target strings into labels or numbers and settle the task.

    Parameters
    ----------
    values : list of str
        The target column.
    lines : list of int
        Line number of each value, for error messages.
    task : {"auto", "classification", "regression"}
        The requested task.
    path, target : str
        File and column name, for error messages.

    Returns
    -------
    y : ndarray
        Integer or string labels for classification, floats for regression.
    task : {"classification", "regression"}
        The task, with "auto" resolved.
    """
    for value, line in zip(values, lines):
        if not value:
            raise _CLIError(
                f"{path}, line {line}: target column {target!r} has a missing value"
            )
    try:
        numbers = np.array([float(value) for value in values])
    except ValueError:
        numbers = None
    # Beyond 2**53 floats cannot tell neighbouring integers apart, and int64
    # would overflow: such numbers are measurements, not class labels.
    is_integral = (
        numbers is not None
        and bool(np.all(np.abs(numbers) < 2.0**53))
        and bool(np.all(numbers == np.round(numbers)))
    )

    if task == "auto":
        if numbers is None:
            task = "classification"
        elif is_integral and len(np.unique(numbers)) <= _MAX_AUTO_CLASSES:
            task = "classification"
        else:
            task = "regression"

    if task == "regression":
        if numbers is None:
            bad = next(i for i, value in enumerate(values) if not _is_float(value))
            raise _CLIError(
                f"{path}, line {lines[bad]}: target column {target!r} is not "
                f"numeric: {values[bad]!r}; regression needs a numeric target"
            )
        finite = np.isfinite(numbers)
        if not finite.all():
            bad = int(np.argmin(finite))
            raise _CLIError(
                f"{path}, line {lines[bad]}: target column {target!r} is not "
                f"finite: {values[bad]!r}"
            )
        return numbers, task

    if numbers is None:
        y = np.asarray(values)
    elif is_integral:
        # "1" and "1.0" name the same class.
        y = numbers.astype(np.int64)
    else:
        raise _CLIError(
            f"target column {target!r} of {path} holds non-integer numbers, "
            "which are not class labels (use --task regression)"
        )
    return y, task


def _is_float(text):
    """Whether ``float(text)`` succeeds."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _load(args):
    """Load the requested data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    name : str
        What to call the data in the report.
    task : {"classification", "regression"}
    """
    if args.csv is not None:
        X, values, lines = _read_csv(args.csv, args.target)
        y, task = _parse_target(values, lines, args.task, args.csv, args.target)
        return X, y, f"{args.csv} (target {args.target!r})", task
    name = args.dataset or _DEFAULT_DATASET
    loader, task = _DATASETS[name]
    X, y = loader(return_X_y=True)
    return X, y, name, task


def _split(X, y, task, args):
    """Split off the held-out rows, checking there are enough for the CV.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
    """
    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise _CLIError(f"the target has a single class ({classes[0].item()!r})")
        if counts.min() < 2:
            raise _CLIError(
                f"class {classes[np.argmin(counts)].item()!r} has a single row; every "
                "class needs rows in both the training and the held-out split"
            )
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=args.test_size,
            random_state=args.random_state,
            stratify=y if task == "classification" else None,
        )
    except ValueError as exc:
        # E.g. a held-out split too small to hold every class.
        raise _CLIError(f"cannot split {len(y)} rows: {exc}") from None
    if task == "classification":
        classes, counts = np.unique(y_train, return_counts=True)
        if counts.min() < args.cv:
            raise _CLIError(
                f"class {classes[np.argmin(counts)].item()!r} has {counts.min()} "
                f"training rows, fewer than --cv {args.cv} folds"
            )
    elif len(y_train) < args.cv:
        raise _CLIError(
            f"{len(y_train)} training rows are fewer than --cv {args.cv} folds"
        )
    return X_train, X_test, y_train, y_test


def _make_model(task, mlp):
    """Wrap an MLP in scaling and return it with its parameter-name prefix.

    Returns
    -------
    model : estimator
    prefix : str
        What ``GridSearchCV`` parameter names need before the MLP's own names.
    """
    pipeline = make_pipeline(StandardScaler(), mlp)
    prefix = pipeline.steps[-1][0] + "__"
    if task == "regression":
        # The MLP's step sizes assume targets of order one: on diabetes (target
        # 25..346) an unscaled fit stays far below R^2 = 0 in 100 epochs.
        model = TransformedTargetRegressor(
            regressor=pipeline, transformer=StandardScaler()
        )
        return model, "regressor__" + prefix
    return pipeline, prefix


def _zero_share(estimator, X, y):
    """Share of the fitted network's weights that are exactly zero.

    Used as a ``GridSearchCV`` scorer so the sparsity of every candidate is
    recorded on each split at no extra fitting cost.
    """
    if isinstance(estimator, TransformedTargetRegressor):
        estimator = estimator.regressor_
    coefs = estimator[-1].coefs_
    zeros = sum(int(np.count_nonzero(coef == 0)) for coef in coefs)
    return zeros / sum(coef.size for coef in coefs)


def _param_grid(task, prefix, quick):
    """The regularization grid searched over."""
    grid = {
        "penalty": ["l2", "l1"] if quick else ["l2", "l1", "elasticnet"],
        "alpha": list(_QUICK_ALPHAS if quick else _ALPHAS),
        "dropout": [0.0, 0.2],
    }
    if task == "classification":
        grid["label_smoothing"] = [0.0, 0.1]
    return {prefix + name: values for name, values in grid.items()}


def _format_table(cv_results, task, prefix):
    """Format the top rows of a multi-metric ``cv_results_`` as a text table.

    Returns
    -------
    lines : list of str
    """
    metric = "CV accuracy" if task == "classification" else "CV R^2"
    columns = ["rank", "penalty", "alpha", "dropout"]
    if task == "classification":
        columns.append("smoothing")
    columns += [metric, "zero %", "fit s"]

    ranks = cv_results["rank_test_score"]
    order = np.lexsort((np.arange(len(ranks)), ranks))[:_TOP_ROWS]
    rows = []
    for i in order:
        params = cv_results["params"][i]
        row = [
            str(ranks[i]),
            params[prefix + "penalty"],
            f"{params[prefix + 'alpha']:g}",
            f"{params[prefix + 'dropout']:g}",
        ]
        if task == "classification":
            row.append(f"{params[prefix + 'label_smoothing']:g}")
        row += [
            f"{cv_results['mean_test_score'][i]:.4f} +/- "
            f"{cv_results['std_test_score'][i]:.4f}",
            f"{100 * cv_results['mean_test_zero_share'][i]:.1f}",
            f"{cv_results['mean_fit_time'][i]:.2f}",
        ]
        rows.append(row)

    widths = [max(len(c), *(len(r[j]) for r in rows)) for j, c in enumerate(columns)]
    # Numbers read best right-aligned, words left-aligned.
    left = {"penalty"}
    lines = []
    for row in [columns, *rows]:
        cells = [
            cell.ljust(w) if name in left else cell.rjust(w)
            for cell, w, name in zip(row, widths, columns)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _run(args):
    """Run the job for parsed, checked arguments; print the report."""
    start = time.perf_counter()
    X, y, name, task = _load(args)
    X_train, X_test, y_train, y_test = _split(X, y, task, args)

    settings = {
        **(_QUICK_MLP_SETTINGS if args.quick else _MLP_SETTINGS),
        "random_state": args.random_state,
    }
    if task == "classification":
        estimator_class, scoring = MLPClassifier, "accuracy"
        cv = StratifiedKFold(args.cv, shuffle=True, random_state=args.random_state)
        what = f"{len(np.unique(y))} classes"
    else:
        estimator_class, scoring = MLPRegressor, "r2"
        cv = KFold(args.cv, shuffle=True, random_state=args.random_state)
        what = "numeric target"
    model, prefix = _make_model(task, estimator_class(**settings))
    grid = _param_grid(task, prefix, args.quick)
    search = GridSearchCV(
        model,
        grid,
        scoring={"score": scoring, "zero_share": _zero_share},
        refit="score",
        cv=cv,
        n_jobs=args.n_jobs,
    )
    n_candidates = math.prod(len(values) for values in grid.values())

    print(f"skreg {__version__}: {estimator_class.__name__} on {name}")
    print(
        f"data: {X.shape[0]} rows, {X.shape[1]} features, {what}; "
        f"{len(y_train)} for training, {len(y_test)} held out"
    )
    hidden = settings["hidden_layer_sizes"]
    print(
        f"search: {n_candidates} candidates x {args.cv} folds, "
        f"hidden_layer_sizes={hidden}, max_iter={settings['max_iter']}, "
        f"n_jobs={args.n_jobs}"
    )
    print()

    with warnings.catch_warnings():
        # A capped max_iter is the point of a quick search; the warnings would
        # bury the table. scikit-learn passes these filters on to its workers.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)

        for line in _format_table(search.cv_results_, task, prefix):
            print(line)
        print(f"({min(_TOP_ROWS, n_candidates)} of {n_candidates} candidates shown)")
        print()

        # In grid order, which is the table's column order.
        best = ", ".join(
            f"{key.removeprefix(prefix)}={search.best_params_[key]!r}" for key in grid
        )
        metric = "accuracy" if task == "classification" else "R^2"
        print(f"best: {best}")
        print(
            f"held-out {metric}, skreg {estimator_class.__name__}: "
            f"{search.score(X_test, y_test):.4f}"
        )

        if task == "classification":
            # The baseline gets the same network, data, folds and alphas; its
            # only regularizer is scikit-learn's L2 penalty.
            baseline, _ = _make_model(task, SklearnMLPClassifier(**settings))
            baseline_search = GridSearchCV(
                baseline,
                {prefix + "alpha": grid[prefix + "alpha"]},
                scoring=scoring,
                cv=cv,
                n_jobs=args.n_jobs,
            )
            baseline_search.fit(X_train, y_train)
            baseline_alpha = baseline_search.best_params_[prefix + "alpha"]
            print(
                f"held-out {metric}, sklearn MLPClassifier: "
                f"{baseline_search.score(X_test, y_test):.4f} "
                f"(alpha={baseline_alpha:g}, tuned over the same alphas)"
            )

    print(f"time: {time.perf_counter() - start:.1f} s")


def main(argv=None):
    """Run ``python -m skreg``.

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
            # --help and --version print and "exit"; keep main() returning.
            return exc.code if isinstance(exc.code, int) else 0
        _check_args(args)
        _run(args)
    except _CLIError as exc:
        print(f"skreg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # A long search stopped with Ctrl-C is not a crash: no traceback.
        print("skreg: interrupted", file=sys.stderr)
        return 130
    return 0
