"""The compiled kernels of ``skreg._kernels``, or None where it was not built.

The extension is optional (see setup.py): each kernel replaces a sequence of
numpy operations with one pass that gives the same bits, and the callers keep
the numpy sequence for when a kernel is None or cannot take the arrays. A
kernel checks every buffer before it writes anything and raises ValueError for
one it cannot take, so a caller may simply try it (``ran``; ``fusable`` asks
first, for callers that must not try twice). The callers look the kernels up
here at each call, so a test can switch one off.
"""

import numpy as np

try:
    from skreg import _kernels
except ImportError as error:  # pragma: no cover - the extension was not built
    _kernels = None
    _MISSING = f"not built ({error})"
else:
    _MISSING = None

adam_step = getattr(_kernels, "adam_step", None)
bias_relu = getattr(_kernels, "bias_relu", None)
relu_backward = getattr(_kernels, "relu_backward", None)
bias_shift_max = getattr(_kernels, "bias_shift_max", None)
normalize_rows = getattr(_kernels, "normalize_rows", None)
dropout = getattr(_kernels, "dropout", None)
take_rows = getattr(_kernels, "take_rows", None)
class_probabilities = getattr(_kernels, "class_probabilities", None)
class_delta = getattr(_kernels, "class_delta", None)

# The names above: what a test or the benchmark's --no-kernels sets to None.
NAMES = (
    "adam_step",
    "bias_relu",
    "relu_backward",
    "bias_shift_max",
    "normalize_rows",
    "dropout",
    "take_rows",
    "class_probabilities",
    "class_delta",
)

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def ran(kernel, *args):
    """Run ``kernel`` (one of the names above, looked up by the caller) on ``args``.

    Returns whether it ran: False when it is None, or when it refused the
    arrays, having written nothing (the caller then runs its numpy code).
    """
    if kernel is None:
        return False
    try:
        kernel(*args)
    except ValueError:
        return False
    return True


def fusable(*arrays):
    """Whether the kernels take these arrays as they are (no copy, no cast)."""
    dtype = arrays[0].dtype
    return dtype in _DTYPES and all(
        a.dtype == dtype and a.flags.c_contiguous for a in arrays
    )


def status():
    """``'yes'``, or ``'no (<why>)'``: whether the compiled kernels are in use."""
    if _MISSING is not None:
        return f"no ({_MISSING})"
    return "yes"
