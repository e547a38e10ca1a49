"""What the ``skreg`` job prints while it searches: a line per candidate, or a bar."""

import numpy as np

from skreg._callbacks import progress_bar
from skreg._cli_report import _DECIMALS


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
            settings = _settings_text(params, grid, prefix)
            means = per_candidate[i][0].mean(axis=1)
            best = int(np.nanargmax(means)) if not np.all(np.isnan(means)) else 0
            print(
                f"[{i + 1:>{width}}/{n_candidates}] {settings}: "
                f"{label} {means[best]:.{_DECIMALS}f} (alpha={alphas[best]:g})",
                flush=True,
            )

    return report


def _progress_reporter(grid, prefix, label):
    """A ``report`` for :class:`_ReportingGridSearchCV`: a line per candidate.

    ``label`` names the mean test score printed, e.g. ``"CV accuracy"``.
    """

    def report(results, indices, n_candidates):
        width = len(str(n_candidates))
        for i in indices:
            params = results["params"][i]
            settings = _settings_text(params, grid, prefix)
            score = results["mean_test_score"][i]
            print(
                f"[{i + 1:>{width}}/{n_candidates}] {settings}: "
                f"{label} {score:.{_DECIMALS}f}",
                flush=True,
            )

    return report


def _settings_text(params, grid, prefix):
    """A candidate's searched settings, ``penalty=l1 dropout=0.2``, for its line."""
    return " ".join(
        f"{key.removeprefix(prefix)}={params[key]:g}"
        if isinstance(params[key], float)
        else f"{key.removeprefix(prefix)}={params[key]}"
        for key in grid
    )
