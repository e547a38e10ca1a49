"""``show_versions``: the versions and build facts a bug report needs."""

import os
import platform
import sys

import numpy
import scipy
import scipy.linalg  # noqa: F401  (loads scipy's BLAS, so threadpoolctl sees it)
import sklearn
from threadpoolctl import threadpool_info

from skreg import _fused
from skreg._version import __version__


def _blas_lines():
    """One description per BLAS library loaded in this process.

    numpy and scipy each ship their own OpenBLAS in their wheels, so there are
    usually two; the folder in parentheses tells them apart.
    """
    lines = []
    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        name = f"{info.get('internal_api', 'unknown')} {info.get('version') or ''}"
        details = [name.strip(), f"{info.get('num_threads')} threads"]
        for key in ("architecture", "threading_layer"):
            if info.get(key):
                details.append(str(info[key]))
        filepath = info.get("filepath") or ""
        where = os.path.join(*filepath.split(os.sep)[-2:]) if filepath else "?"
        lines.append(f"{', '.join(details)} ({where})")
    return lines or ["none found by threadpoolctl"]


def _versions():
    """The lines of :func:`show_versions` as (name, value) pairs.

    Returns
    -------
    items : list of (str, str)
    """
    items = [
        ("skreg", __version__),
        ("python", sys.version.replace("\n", " ")),
        ("executable", sys.executable),
        ("platform", platform.platform()),
        ("numpy", numpy.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
    ]
    # threadpoolctl only sees the libraries loaded so far: numpy's and
    # scipy's, both imported above.
    items += [("BLAS", line) for line in _blas_lines()]
    if _fused.LOOPS is not None:
        # Which build of the kernels this CPU runs (see setup.py).
        items.append(("kernel loops", _fused.LOOPS))
    items.append(("compiled kernels", _fused.status()))
    return items


def show_versions():
    """Print the versions of skreg, Python and the libraries it runs on.

    The lines name skreg, Python, numpy, scipy and scikit-learn, each BLAS
    library loaded (as threadpoolctl reports it: implementation, version,
    threads) and whether skreg's compiled kernels are in use
    (``compiled kernels: yes``, or ``no (<why>)``; without them training is
    slower). Paste them into bug reports. ``python -m skreg --version`` prints
    the same.

    Examples
    --------
    >>> import skreg
    >>> skreg.show_versions()  # doctest: +SKIP
    skreg: 0.1.0
    python: 3.11.7 (main, ...) [GCC 12.2.0]
    ...
    compiled kernels: yes
    """
    for name, value in _versions():
        print(f"{name}: {value}")
