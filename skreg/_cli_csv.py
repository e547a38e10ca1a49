"""A user's CSV file read into feature columns and a target, or a one-line error."""

import csv

import numpy as np

from skreg._cli_error import _CLIError

# A numeric target with at most this many distinct integer values is taken for
# class labels by ``--task auto``.
_MAX_AUTO_CLASSES = 20

# Field separators found in CSV files: (name, the --delimiter argument).
_DELIMITERS = {
    ",": ("comma", ","),
    ";": ("semicolon", ";"),
    "\t": ("tab", "tab"),
    "|": ("pipe", "|"),
}


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
    header, rows = _read_rows(path, delimiter)
    _check_header(header, rows, path, target, delimiter)
    target_index = header.index(target)
    feature_names = [name for i, name in enumerate(header) if i != target_index]
    columns, y, lines = _split_columns(
        rows, len(header), target_index, feature_names, path
    )
    X, categorical = _feature_array(columns, feature_names, lines, path)
    return X, categorical, y, lines


def _read_rows(path, delimiter):
    """The header's names (None for an empty file) and ``(line, fields)`` per row."""
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
    return header, rows


def _check_header(header, rows, path, target, delimiter):
    """Raise unless the file has the target, another column and a data row."""
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


def _split_columns(rows, n_fields, target_index, feature_names, path):
    """The stripped texts of each feature column, the target's and the line numbers.

    Raises
    ------
    _CLIError
        At the first row with the wrong number of fields or a missing feature.
    """
    columns = [[] for _ in feature_names]
    y = []
    lines = []
    for line, fields in rows:
        if len(fields) != n_fields:
            raise _CLIError(
                f"{path}, line {line}: expected {n_fields} fields, found {len(fields)}"
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
    return columns, y, lines


def _feature_array(columns, feature_names, lines, path):
    """The feature columns as one array, and the names of the categorical ones.

    See :func:`_read_csv` for the array's dtype.
    """
    X = np.empty((len(lines), len(feature_names)), dtype=object)
    categorical = []
    for j, (name, texts) in enumerate(zip(feature_names, columns)):
        numbers = _floats(texts)
        if numbers is None:
            # Words (or a mix of words and numbers): categories, as pandas
            # reads such a column.
            categorical.append(name)
            X[:, j] = texts
            continue
        _check_finite(numbers, texts, lines, path, f"column {name!r}")
        X[:, j] = numbers
    if not categorical:
        X = X.astype(np.float64)
    return X, categorical


def _floats(texts):
    """The numbers in ``texts`` as a float array, or None if one is not a number."""
    try:
        return np.array([float(text) for text in texts])
    except ValueError:
        return None


def _check_finite(numbers, texts, lines, path, column):
    """Raise at the first of ``numbers`` that is infinite or nan.

    ``texts`` are the numbers as written and ``column`` names them, for the
    message.
    """
    finite = np.isfinite(numbers)
    if not finite.all():
        bad = int(np.argmin(finite))
        raise _CLIError(
            f"{path}, line {lines[bad]}: {column} is not finite: {texts[bad]!r}"
        )


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
    numbers = _floats(values)
    # Beyond 2**53 floats cannot tell neighbouring integers apart, and int64
    # would overflow: such numbers are measurements, not class labels.
    is_integral = (
        numbers is not None
        and bool(np.all(np.abs(numbers) < 2.0**53))
        and bool(np.all(numbers == np.round(numbers)))
    )
    if task == "auto":
        task = _auto_task(numbers, is_integral)
    if task == "regression":
        return _regression_target(values, numbers, lines, path, target), task
    return _class_labels(values, numbers, is_integral, path, target), task


def _auto_task(numbers, is_integral):
    """The task ``--task auto`` takes for a target parsed as ``numbers``."""
    if numbers is None:
        return "classification"
    if is_integral and len(np.unique(numbers)) <= _MAX_AUTO_CLASSES:
        return "classification"
    return "regression"


def _regression_target(values, numbers, lines, path, target):
    """The target's numbers, or an error at its first non-numeric or infinite value."""
    if numbers is None:
        bad = next(i for i, value in enumerate(values) if not _is_float(value))
        raise _CLIError(
            f"{path}, line {lines[bad]}: target column {target!r} is not "
            f"numeric: {values[bad]!r}; regression needs a numeric target"
        )
    _check_finite(numbers, values, lines, path, f"target column {target!r}")
    return numbers


def _class_labels(values, numbers, is_integral, path, target):
    """The target as class labels: its strings, or integers if it holds numbers."""
    if numbers is None:
        return np.asarray(values)
    if is_integral:
        # "1" and "1.0" name the same class.
        return numbers.astype(np.int64)
    raise _CLIError(
        f"target column {target!r} of {path} holds non-integer numbers, "
        "which are not class labels (use --task regression)"
    )


def _is_float(text):
    """Whether ``float(text)`` succeeds."""
    try:
        float(text)
    except ValueError:
        return False
    return True
