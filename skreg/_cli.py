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
``_ALPHAS``), so the two held-out accuracies can be compared.
"""

import argparse
import csv
import math
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import cpu_count, effective_n_jobs
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from skreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPRegressor,
    MLPRegressorCV,
    _fused,
)
from skreg._callbacks import SearchProgress, progress_bar
from skreg._show_versions import show_versions
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

# skreg divides the penalty by the training set's sample-weight sum S, where
# scikit-learn's stochastic solvers divide by the batch size b: the same alpha
# is S / b times weaker here (about 4.5 on a digits training fold), so useful
# values reach about 100 for a few thousand rows. On digits these span barely
# regularized (0.1) to every weight pruned by l1 (100, where l2 still scores
# about 0.94). The CV estimators get this grid, not their automatic one: that one
# is spaced from a linear model's alpha_max, differs per penalty (l2's is 100
# times l1's), and would give each penalty its own alphas in the table.
_ALPHAS = (0.1, 1.0, 10.0, 100.0)
_QUICK_ALPHAS = (1.0,)
# scikit-learn's MLP tuned on its own scale: np.logspace(-5, 1, 7), decades from
# below its default 1e-4 to 10.
_SKLEARN_ALPHAS = tuple(10.0**k for k in range(-5, 2))
_QUICK_SKLEARN_ALPHAS = (1e-4, 1e-1)

# Small enough for the default search to finish in about 40 s on two cores;
# fewer epochs leave too little training for dropout and label smoothing to pay.
_MLP_SETTINGS = {
    "hidden_layer_sizes": (64,),
    "solver": "adam",
    "max_iter": 200,
    "early_stopping": False,
}
_QUICK_MLP_SETTINGS = {**_MLP_SETTINGS, "hidden_layer_sizes": (16,), "max_iter": 50}

_TOP_ROWS = 10
# Scores are printed, and ranked, with this many decimals.
_DECIMALS = 4

# Field separators found in CSV files: (name, the --delimiter argument).
_DELIMITERS = {
    ",": ("comma", ","),
    ";": ("semicolon", ";"),
    "\t": ("tab", "tab"),
    "|": ("pipe", "|"),
}


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


def _delimiter(text):
    """Parse ``--delimiter``: one character, or ``tab``."""
    if text == "tab":
        return "\t"
    if len(text) != 1:
        raise argparse.ArgumentTypeError(
            f"must be one character or 'tab', got {text!r}"
        )
    return text


def _build_parser():
    """Build the command-line parser.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = _ArgumentParser(
        prog="skreg",
        description=(
            "Tune the regularization (penalty, alpha, dropout and, for "
            "classification, label smoothing) of a skreg MLP by cross-validation, "
            "alpha along warm-started paths (MLPClassifierCV / MLPRegressorCV), "
            "print the ranked candidates and score the best one on a held-out "
            "split."
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
            "a comma-separated table with a header row; numeric columns are "
            "standardized, the others one-hot encoded"
        ),
    )
    parser.add_argument("--target", metavar="COLUMN", help="the target column of --csv")
    parser.add_argument(
        "--delimiter",
        type=_delimiter,
        default=",",
        metavar="CHAR",
        help="the field separator of --csv, one character or 'tab' (default: ',')",
    )
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
    parser.add_argument(
        "--version",
        action="store_true",
        help=(
            "print the versions of skreg, Python, numpy, scipy, scikit-learn and "
            "the BLAS, and whether the compiled kernels are in use, then exit"
        ),
    )
    return parser


def _check_args(args):
    """Reject argument combinations that argparse cannot express."""
    if args.csv is not None and args.target is None:
        raise _CLIError("argument --csv: requires --target COLUMN")
    if args.csv is None and args.target is not None:
        raise _CLIError("argument --target: only valid with --csv")
    if args.csv is None and args.delimiter != ",":
        raise _CLIError("argument --delimiter: only valid with --csv")
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


def _delimiter_hint(header, delimiter):
    """Suggest ``--delimiter`` when the header looks split on the wrong one."""
    if len(header) != 1:
        return ""
    for character, (name, argument) in _DELIMITERS.items():
        if character != delimiter and character in header[0]:
            return (
                f" (the header is a single column containing {character!r}: "
                f"for a {name}-separated file use --delimiter '{argument}')"
            )
    return ""


def _read_csv(path, target, delimiter=","):
    """Read a CSV file into feature columns and raw target strings.

    Parameters
    ----------
    path : str
        The file; UTF-8 (a byte-order mark is allowed), with a header row.
    target : str
        Name of the target column.
    delimiter : str, default=","
        The field separator, one character.

    Returns
    -------
    X : ndarray of shape (n_rows, n_columns - 1)
        The other columns: float64 when they all hold numbers, else an object
        array with floats in the numeric columns and strings in the others.
    categorical : list of str
        The names of the non-numeric columns (to be one-hot encoded), in order.
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
            reader = csv.reader(file, delimiter=delimiter)
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
    hint = _delimiter_hint(header, delimiter)
    if target not in header:
        raise _CLIError(
            f"{path} has no column {target!r}; its columns are "
            f"{_column_list(header)}{hint}"
        )
    if header.count(target) > 1:
        raise _CLIError(f"{path} has more than one column named {target!r}")
    if len(header) < 2:
        raise _CLIError(f"{path} has no feature columns besides {target!r}{hint}")
    if not rows:
        raise _CLIError(f"{path} has a header but no data rows")

    target_index = header.index(target)
    feature_names = [name for i, name in enumerate(header) if i != target_index]
    columns = [[] for _ in feature_names]
    y = []
    lines = []
    for line, fields in rows:
        if len(fields) != len(header):
            raise _CLIError(
                f"{path}, line {line}: expected {len(header)} fields, "
                f"found {len(fields)}"
            )
        y.append(fields[target_index].strip())
        lines.append(line)
        features = fields[:target_index] + fields[target_index + 1 :]
        for column, name, text in zip(columns, feature_names, features):
            text = text.strip()
            if not text:
                raise _CLIError(
                    f"{path}, line {line}: column {name!r} has a missing value"
                )
            column.append(text)

    X = np.empty((len(rows), len(feature_names)), dtype=object)
    categorical = []
    for j, (name, texts) in enumerate(zip(feature_names, columns)):
        numbers = _floats(texts)
        if numbers is None:
            # Words (or a mix of words and numbers): categories, as pandas
            # reads such a column.
            categorical.append(name)
            X[:, j] = texts
            continue
        finite = np.isfinite(numbers)
        if not finite.all():
            bad = int(np.argmin(finite))
            raise _CLIError(
                f"{path}, line {lines[bad]}: column {name!r} is not finite: "
                f"{texts[bad]!r}"
            )
        X[:, j] = numbers
    if not categorical:
        X = X.astype(np.float64)
    return X, categorical, y, lines


def _floats(texts):
    """The numbers in ``texts`` as a float array, or None if one is not a number."""
    try:
        return np.array([float(text) for text in texts])
    except ValueError:
        return None


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
    categorical : list of str
        The names of the columns to one-hot encode (only from --csv).
    y : ndarray of shape (n_samples,)
    name : str
        What to call the data in the report.
    task : {"classification", "regression"}
    """
    if args.csv is not None:
        X, categorical, values, lines = _read_csv(args.csv, args.target, args.delimiter)
        y, task = _parse_target(values, lines, args.task, args.csv, args.target)
        return X, categorical, y, f"{args.csv} (target {args.target!r})", task
    name = args.dataset or _DEFAULT_DATASET
    loader, task = _DATASETS[name]
    X, y = loader(return_X_y=True)
    return X, [], y, name, task


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


def _preprocessor(is_categorical):
    """Standardize the numeric columns and one-hot encode the categorical ones.

    Parameters
    ----------
    is_categorical : ndarray of bool, shape (n_features,)
    """
    if not is_categorical.any():
        return StandardScaler()
    transformers = [
        (
            "categorical",
            # A category seen in no training fold becomes all zeros.
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            np.flatnonzero(is_categorical),
        )
    ]
    if not is_categorical.all():
        numeric = np.flatnonzero(~is_categorical)
        transformers.insert(0, ("numeric", StandardScaler(), numeric))
    return ColumnTransformer(transformers)


def _make_model(task, mlp, is_categorical):
    """Wrap an MLP in preprocessing and return it with its parameter-name prefix.

    Parameters
    ----------
    task : {"classification", "regression"}
    mlp : estimator
    is_categorical : ndarray of bool, shape (n_features,)
        Which input columns hold categories (one-hot encoded) instead of
        numbers (standardized).

    Returns
    -------
    model : estimator
    prefix : str
        What ``GridSearchCV`` parameter names need before the MLP's own names.
    """
    pipeline = make_pipeline(_preprocessor(is_categorical), mlp)
    prefix = pipeline.steps[-1][0] + "__"
    if task == "regression":
        # The MLP's step sizes assume targets of order one: on diabetes (target
        # 25..346) an unscaled fit stays far below R^2 = 0 in 100 epochs.
        model = TransformedTargetRegressor(
            regressor=pipeline, transformer=StandardScaler()
        )
        return model, "regressor__" + prefix
    return pipeline, prefix


class _ReportingGridSearchCV(GridSearchCV):
    """A ``GridSearchCV`` that reports each candidate as soon as it is scored.

    ``GridSearchCV(verbose=...)`` prints from the workers, a line per fit and
    out of order. This search scores the candidates in groups of one per
    worker (all their folds in parallel) and calls ``report`` in this process
    after each group, so the lines come in order and with any ``n_jobs``.

    Parameters
    ----------
    report : callable, default=None
        Called as ``report(results, indices, n_candidates)`` after each group,
        with the ``cv_results_``-style dict so far and the indices of the
        group's candidates in it.
    """

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        report=None,
    ):
        super().__init__(
            estimator, param_grid, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv
        )
        self.report = report

    def _run_search(self, evaluate_candidates):
        candidates = list(ParameterGrid(self.param_grid))
        group = max(1, effective_n_jobs(self.n_jobs))
        for start in range(0, len(candidates), group):
            stop = min(start + group, len(candidates))
            results = evaluate_candidates(candidates[start:stop])
            if self.report is not None:
                self.report(results, range(start, stop), len(candidates))


def _progress_reporter(grid, prefix, label):
    """A ``report`` for :class:`_ReportingGridSearchCV`: a line per candidate.

    ``label`` names the mean test score printed, e.g. ``"CV accuracy"``.
    """

    def report(results, indices, n_candidates):
        width = len(str(n_candidates))
        for i in indices:
            params = results["params"][i]
            settings = " ".join(
                f"{key.removeprefix(prefix)}={params[key]:g}"
                if isinstance(params[key], float)
                else f"{key.removeprefix(prefix)}={params[key]}"
                for key in grid
            )
            score = results["mean_test_score"][i]
            print(
                f"[{i + 1:>{width}}/{n_candidates}] {settings}: "
                f"{label} {score:.{_DECIMALS}f}",
                flush=True,
            )

    return report


def _param_grid(task, prefix, quick):
    """The settings searched over besides alpha, which each candidate's path tunes."""
    grid = {
        "penalty": ["l2", "l1"] if quick else ["l2", "l1", "elasticnet"],
        "dropout": [0.0, 0.2],
    }
    if task == "classification":
        grid["label_smoothing"] = [0.0, 0.1]
    return {prefix + name: values for name, values in grid.items()}


def _fit_candidate(model, params, X, y, threads):
    """Fit one candidate's CV estimator (one alpha path per fold) in a worker.

    Returns
    -------
    scores : ndarray of shape (n_alphas, n_folds)
    kept : ndarray of shape (n_alphas, n_folds)
        The inputs each fold's model kept (``n_features_kept_``).
    seconds : float
        Wall time of the fit, all folds and alphas.
    """
    model = clone(model).set_params(**params)
    start = time.perf_counter()
    # Candidates run side by side: each gets its share of the cores for BLAS.
    with threadpool_limits(limits=threads, user_api="blas"):
        model.fit(X, y)
    seconds = time.perf_counter() - start
    if isinstance(model, TransformedTargetRegressor):
        model = model.regressor_
    cv_estimator = model[-1] if hasattr(model, "steps") else model
    return cv_estimator.scores_[0], cv_estimator.n_features_kept_[0], seconds


def _path_search(
    model, grid, alphas, X, y, *, prefix, n_jobs, n_folds, report=None, progress=None
):
    """Score every candidate of ``grid`` at every alpha with one CV fit each.

    ``model`` ends in an ``MLPClassifierCV`` / ``MLPRegressorCV`` (``refit=False``)
    whose paths score all the alphas on every fold, so a candidate costs one
    cold fit and ``len(alphas) - 1`` short warm ones per fold, where a grid
    search over alpha pays a cold fit per alpha. The candidates run in groups of
    one per worker; ``report(results, indices, n_candidates)`` is called after
    each group, with the indices of the group's candidates. ``progress``, a
    callback such as scikit-learn's ``ProgressBar``, sees the search as a task
    with a sub-task per candidate (begun when its group starts, ended when it
    is scored).

    Returns
    -------
    results : dict
        ``cv_results_``-style, one row per candidate and alpha (candidates in
        grid order, alphas increasing): ``params`` (with ``alpha`` after the
        prefix), ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_inputs_kept`` and ``path_time`` (the candidate's seconds per
        fold, the same for its alphas).
    """
    candidates = list(ParameterGrid(grid))
    n_workers = max(1, effective_n_jobs(n_jobs))
    threads = None if n_workers == 1 else max(1, cpu_count() // n_workers)
    per_candidate = []
    parallel = Parallel(n_jobs=n_jobs)

    def loop(tasks):
        for start in range(0, len(candidates), n_workers):
            stop = min(start + n_workers, len(candidates))
            for i in range(start, stop):
                if tasks is not None:
                    tasks.begin(i)
            per_candidate.extend(
                parallel(
                    delayed(_fit_candidate)(model, params, X, y, threads)
                    for params in candidates[start:stop]
                )
            )
            for i in range(start, stop):
                if tasks is not None:
                    tasks.end(i)
            if report is not None:
                report(per_candidate, range(start, stop), candidates)

    if progress is None:
        loop(None)
    else:
        SearchProgress([progress], len(candidates)).run(loop)
    params, means, stds, kept, seconds = [], [], [], [], []
    for candidate, (scores, n_kept, elapsed) in zip(candidates, per_candidate):
        for alpha, row, row_kept in zip(alphas, scores, n_kept):
            params.append({**candidate, prefix + "alpha": float(alpha)})
            means.append(row.mean())
            stds.append(row.std())
            kept.append(row_kept.mean())
            seconds.append(elapsed / n_folds)
    means = np.array(means)
    ranked = np.where(np.isnan(means), -np.inf, means)
    return {
        "params": params,
        "mean_test_score": means,
        "std_test_score": np.array(stds),
        "rank_test_score": rankdata(-ranked, method="min").astype(int),
        "mean_inputs_kept": np.array(kept),
        "path_time": np.array(seconds),
    }


def _progress(stream, grid, prefix, label, alphas):
    """How :func:`_path_search` shows its progress on ``stream``.

    scikit-learn's ``ProgressBar`` on a terminal when rich is installed (rich
    is not imported otherwise); else, and in a pipe or a log file, where a live
    bar is noise, the plain line per candidate.

    Returns
    -------
    kwargs : dict
        ``progress=`` or ``report=`` for :func:`_path_search`.
    """
    bar = progress_bar() if stream.isatty() else None
    if bar is not None:
        return {"progress": bar}
    return {"report": _path_reporter(grid, prefix, label, alphas)}


def _path_reporter(grid, prefix, label, alphas):
    """A ``report`` for :func:`_path_search`: a line per candidate.

    The line gives the candidate's best mean score over the alphas, and the
    alpha it was reached at.
    """

    def report(per_candidate, indices, candidates):
        n_candidates = len(candidates)
        width = len(str(n_candidates))
        for i in indices:
            params = candidates[i]
            settings = " ".join(
                f"{key.removeprefix(prefix)}={params[key]:g}"
                if isinstance(params[key], float)
                else f"{key.removeprefix(prefix)}={params[key]}"
                for key in grid
            )
            means = per_candidate[i][0].mean(axis=1)
            best = int(np.nanargmax(means)) if not np.all(np.isnan(means)) else 0
            print(
                f"[{i + 1:>{width}}/{n_candidates}] {settings}: "
                f"{label} {means[best]:.{_DECIMALS}f} (alpha={alphas[best]:g})",
                flush=True,
            )

    return report


def _ranks(mean_scores):
    """Rank 1 for the best mean score; equal as printed (4 decimals), equal rank.

    ``GridSearchCV``'s ``rank_test_score`` compares the unrounded means, whose
    last bits depend on the order of a sum, and ranked four means printed as
    0.9807 5, 5, 7, 7.
    """
    rounded = np.round(np.asarray(mean_scores, dtype=float), _DECIMALS)
    # A failed candidate (score nan, error_score's default) ranks last.
    rounded[np.isnan(rounded)] = -np.inf
    return rankdata(-rounded, method="min").astype(int)


def _legend(task, n_folds):
    """What the table's columns mean, as lines to print under it."""
    metric = "CV accuracy" if task == "classification" else "CV R^2"
    settings = "penalty, alpha, dropout"
    if task == "classification":
        settings += ", smoothing"
    lines = [
        f"rank: by {metric} as printed; equal means share a rank",
        f"{settings}: the candidate's parameters",
    ]
    if task == "classification":
        lines.append("  (smoothing is label_smoothing)")
    lines += [
        f"{metric}: mean +/- standard deviation over the {n_folds} folds, each "
        "scored on",
        "  the rows it did not train on",
        "inputs kept: the input columns with a non-zero weight after training, "
        "mean over",
        "  the folds (l1 and elasticnet remove inputs, l2 only shrinks weights)",
        "path s: seconds to fit the candidate's whole alpha path on one fold (shared",
        "  by its alpha rows)",
    ]
    return lines


def _format_table(cv_results, task, prefix):
    """Format the top rows of :func:`_path_search`'s results as a text table.

    Returns
    -------
    lines : list of str
    """
    metric = "CV accuracy" if task == "classification" else "CV R^2"
    columns = ["rank", "penalty", "alpha", "dropout"]
    if task == "classification":
        columns.append("smoothing")
    columns += [metric, "inputs kept", "path s"]

    ranks = _ranks(cv_results["mean_test_score"])
    # Ties in the printed precision by the unrounded means, then in grid order,
    # so the first row is the one refitted (see _best_index).
    keys = (np.arange(len(ranks)), cv_results["rank_test_score"], ranks)
    order = np.lexsort(keys)[:_TOP_ROWS]
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
            f"{cv_results['mean_test_score'][i]:.{_DECIMALS}f} +/- "
            f"{cv_results['std_test_score'][i]:.{_DECIMALS}f}",
            f"{cv_results['mean_inputs_kept'][i]:.1f}",
            f"{cv_results['path_time'][i]:.2f}",
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


def _best_index(results):
    """The row refitted: the highest unrounded mean, the first in grid order."""
    means = np.where(
        np.isnan(results["mean_test_score"]), -np.inf, results["mean_test_score"]
    )
    return int(np.argmax(means))


def _plural(count, word, plural=None):
    """``"1 feature"``, ``"2 features"``; ``plural`` for irregular words."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {plural or word + 's'}"


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


def _describe_data(X, is_categorical, categorical, y, y_train, y_test, task):
    """The report's ``data:`` line."""
    features = _plural(X.shape[1], "feature")
    if categorical:
        # Categories of the whole file, which the encoder fitted on a fold may
        # not all see.
        n_columns = sum(
            len(np.unique(X[:, j].astype(str))) for j in np.flatnonzero(is_categorical)
        )
        names = _column_list(categorical, limit=5)
        features += (
            f" ({_plural(len(categorical), 'categorical column')} one-hot "
            f"encoded into {_plural(n_columns, 'column')}: {names})"
        )
    what = (
        _plural(len(np.unique(y)), "class", "classes")
        if task == "classification"
        else "numeric target"
    )
    return (
        f"data: {_plural(X.shape[0], 'row')}, {features}, {what}; "
        f"{len(y_train)} for training, {len(y_test)} held out"
    )


def _run(args):
    """Run the job for parsed, checked arguments; print the report."""
    start = time.perf_counter()
    note = _kernels_note(_fused.status(), Path(_fused.__file__).resolve().parent)
    if note is not None and not _fused.SWITCHED_OFF:
        print(note, file=sys.stderr, flush=True)
    X, categorical, y, name, task = _load(args)
    X_train, X_test, y_train, y_test = _split(X, y, task, args)
    is_categorical = np.array([isinstance(value, str) for value in X[0]])

    settings = {
        **(_QUICK_MLP_SETTINGS if args.quick else _MLP_SETTINGS),
        "random_state": args.random_state,
    }
    if task == "classification":
        estimator_class, cv_class, scoring = MLPClassifier, MLPClassifierCV, "accuracy"
        cv = StratifiedKFold(args.cv, shuffle=True, random_state=args.random_state)
    else:
        estimator_class, cv_class, scoring = MLPRegressor, MLPRegressorCV, "r2"
        cv = KFold(args.cv, shuffle=True, random_state=args.random_state)
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
    n_rows = n_candidates * len(alphas)

    print(f"skreg {__version__}: {estimator_class.__name__} on {name}")
    print(_describe_data(X, is_categorical, categorical, y, y_train, y_test, task))
    hidden = settings["hidden_layer_sizes"]
    max_iter = settings["max_iter"]
    print(
        f"search: {n_candidates} candidates x {_plural(args.cv, 'fold')}, "
        f"hidden_layer_sizes={hidden}, max_iter={max_iter}, n_jobs={args.n_jobs}"
    )
    warm = (
        f", warm-started from the previous alpha with {max(1, max_iter // 5)} epochs"
        if len(alphas) > 1
        else ""
    )
    print(
        f"  alpha tuned by {cv_class.__name__} over {_format_alphas(alphas)}: "
        f"a path per fold{warm}"
    )
    print()

    with warnings.catch_warnings():
        # A capped max_iter is the point of a quick search; the warnings would
        # bury the table. scikit-learn passes these filters on to its workers.
        warnings.simplefilter("ignore", ConvergenceWarning)
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

        for line in _format_table(results, task, prefix):
            print(line)
        print(f"({min(_TOP_ROWS, n_rows)} of {n_rows} candidates shown)")
        for line in _legend(task, args.cv):
            print(line)
        print()

        best_index = _best_index(results)
        best_params = results["params"][best_index]
        # In the table's column order.
        order = [prefix + "penalty", prefix + "alpha", *list(grid)[1:]]
        best = ", ".join(
            f"{key.removeprefix(prefix)}={best_params[key]!r}" for key in order
        )
        n_tied = int(np.sum(_ranks(results["mean_test_score"]) == 1))
        tied = (
            f" (the first of {n_tied} tied at rank 1: the highest unrounded mean)"
            if n_tied > 1
            else ""
        )
        print(f"best: {best}{tied}")
        # The chosen settings trained from scratch on the whole training part,
        # as GridSearchCV's refit does.
        final, final_prefix = _make_model(
            task, estimator_class(**settings), is_categorical
        )
        final.set_params(
            **{
                final_prefix + key.removeprefix(prefix): value
                for key, value in best_params.items()
            }
        ).fit(X_train, y_train)
        print(
            f"held-out {metric}, skreg {estimator_class.__name__}: "
            f"{final.score(X_test, y_test):.{_DECIMALS}f}"
        )

        if task == "classification":
            split = (X_train, X_test, y_train, y_test)
            _run_baseline(args, settings, is_categorical, cv, split)

    print(f"time: {time.perf_counter() - start:.1f} s")


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


def _format_alphas(alphas):
    """``1e-05, 0.0001, ..., 10`` for a long grid, every value for a short one."""
    shown = [f"{alpha:g}" for alpha in alphas]
    if len(shown) > 4:
        shown = [*shown[:2], "...", shown[-1]]
    return "{" + ", ".join(shown) + "}"


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
