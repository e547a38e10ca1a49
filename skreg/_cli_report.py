"""The ``skreg`` job's report: the data line, the ranked table and its legend."""

import numpy as np
from scipy.stats import rankdata

from skreg._cli_csv import _column_list

_TOP_ROWS = 10
# Scores are printed, and ranked, with this many decimals.
_DECIMALS = 4


def _plural(count, word, plural=None):
    """``"1 feature"``, ``"2 features"``; ``plural`` for irregular words."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {plural or word + 's'}"


def _format_alphas(alphas):
    """``1e-05, 0.0001, ..., 10`` for a long grid, every value for a short one."""
    shown = [f"{alpha:g}" for alpha in alphas]
    if len(shown) > 4:
        shown = [*shown[:2], "...", shown[-1]]
    return "{" + ", ".join(shown) + "}"


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
    # so the first row is the one refitted (see _cli_search._best_index).
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


def _search_lines(n_candidates, n_folds, n_jobs, settings, cv_class, alphas):
    """The report's ``search:`` line and its line on how alpha is tuned."""
    hidden = settings["hidden_layer_sizes"]
    max_iter = settings["max_iter"]
    warm = (
        f", warm-started from the previous alpha with {max(1, max_iter // 5)} epochs"
        if len(alphas) > 1
        else ""
    )
    return [
        f"search: {n_candidates} candidates x {_plural(n_folds, 'fold')}, "
        f"hidden_layer_sizes={hidden}, max_iter={max_iter}, n_jobs={n_jobs}",
        f"  alpha tuned by {cv_class.__name__} over {_format_alphas(alphas)}: "
        f"a path per fold{warm}",
    ]


def _table_with_legend(results, task, prefix, n_rows, n_folds):
    """The ranked table's lines, how many rows it shows, and its legend."""
    return [
        *_format_table(results, task, prefix),
        f"({min(_TOP_ROWS, n_rows)} of {n_rows} candidates shown)",
        *_legend(task, n_folds),
    ]


def _best_line(results, best_params, grid, prefix):
    """The report's ``best:`` line: the refitted row, and whether it was tied."""
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
    return f"best: {best}{tied}"
