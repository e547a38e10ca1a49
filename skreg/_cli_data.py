"""The data the ``skreg`` job runs on, and its split into training and held-out rows."""

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.model_selection import train_test_split

from skreg._cli_csv import _parse_target, _read_csv
from skreg._cli_error import _CLIError

_DATASETS = {
    "digits": (load_digits, "classification"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "wine": (load_wine, "classification"),
    "diabetes": (load_diabetes, "regression"),
}
_DEFAULT_DATASET = "digits"


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
