"""The ``skreg`` command's options: the parser, its value types, its checks."""

import argparse

from skreg._cli_csv import _MAX_AUTO_CLASSES
from skreg._cli_data import _DATASETS, _DEFAULT_DATASET
from skreg._cli_error import _CLIError


class _ArgumentParser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing usage and exiting.

    ``main`` turns the exception into a single ``skreg: error: ...`` line and
    exit status 2, the same status argparse uses, without the usage block.
    """

    def error(self, message):
        raise _CLIError(message)


def _number(text, kind, description):
    """``kind(text)``, or an argparse error saying the value must be ``description``."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be {description}, got {text!r}"
        ) from None


def _int_at_least(minimum):
    """Return an argparse ``type`` accepting integers ``>= minimum``."""

    def parse(text):
        value = _number(text, int, "an integer")
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be an integer >= {minimum}, got {text!r}"
            )
        return value

    return parse


def _n_jobs(text):
    """Parse ``--n-jobs``: any integer but 0, as joblib understands it."""
    value = _number(text, int, "an integer")
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (use -1 for all cores)")
    return value


def _fraction(text):
    """Parse ``--test-size``: a float strictly between 0 and 1."""
    value = _number(text, float, "a number")
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
    _add_data_options(parser)
    _add_search_options(parser)
    parser.add_argument(
        "--version",
        action="store_true",
        help=(
            "print the versions of skreg, Python, numpy, scipy, scikit-learn and "
            "the BLAS, and whether the compiled kernels are in use, then exit"
        ),
    )
    return parser


def _add_data_options(parser):
    """Add the options that choose the data set or read a CSV file."""
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


def _add_search_options(parser):
    """Add the options of the search: folds, jobs, seed, held-out share, --quick."""
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
