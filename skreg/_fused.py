"""The compiled kernels of ``skreg._kernels``, or None where they are not in use.

The extension is optional (see setup.py), and setting the environment variable
``SKREG_NO_KERNELS`` to anything but ``0`` switches it off at import. On a CPU
with AVX2 the same kernels built with AVX2 allowed, ``skreg._kernels_avx2``,
are used where they were built (``LOOPS`` says which). Each
kernel replaces a sequence of numpy operations with one pass that gives the
same bits, and the callers keep the numpy sequence for when a kernel is None.
The callers look the kernels up here at each call, so a test can switch one
off by setting its name to None.

A kernel takes C-contiguous, aligned float32 or float64 arrays in native byte
order. skreg's own buffers are allocated that way; the user's training data is
made so once per fit by ``kernel_ready``, so no caller tries a kernel and falls
back on an error. An array a kernel cannot take makes it raise.
"""

import os

import numpy as np
import scipy.sparse as sp

_SWITCH = "SKREG_NO_KERNELS"
# Whether the user switched the kernels off (then nobody needs telling).
SWITCHED_OFF = os.environ.get(_SWITCH, "") not in ("", "0")

if SWITCHED_OFF:
    _kernels = None
    _MISSING = f"switched off by {_SWITCH}"
else:
    try:
        from skreg import _kernels
    except ImportError as error:  # pragma: no cover - the extension was not built
        _kernels = None
        _MISSING = f"not built ({error})"
    else:
        _MISSING = None

# The instruction set the kernels' loops were built for: the baseline module
# runs everywhere, the AVX2 build of the same source only where the CPU has it.
LOOPS = None
if _kernels is not None:
    LOOPS = "baseline"
    if _kernels._cpu_has_avx2():
        try:
            from skreg import _kernels_avx2 as _kernels
        except ImportError:  # pragma: no cover - built without the AVX2 module
            pass
        else:
            LOOPS = "avx2"

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

# Native byte order: a dtype of the other order compares unequal to these.
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def fusable(*arrays):
    """Whether the kernels take these arrays as they are (no copy, no cast).

    Float32 or float64 of one dtype in native byte order, C-contiguous and
    aligned: the memoryviews check the dtype and the layout, but not the
    alignment, which the compiled loops assume.
    """
    dtype = arrays[0].dtype
    return dtype in _DTYPES and all(
        a.dtype == dtype and a.flags.c_contiguous and a.flags.aligned for a in arrays
    )


def kernel_ready(X):
    """``X``, or one C-contiguous, aligned, native-order copy the kernels take.

    Called once per fit where the training data enters the stochastic loop,
    so the kernels that read it (the batch gather, input dropout) never meet
    a Fortran-ordered, strided, misaligned or byte-swapped array. Sparse
    input, non-float data and runs without the kernels keep ``X`` as it is:
    the numpy code takes anything.
    """
    if _kernels is None or sp.issparse(X) or fusable(X):
        return X
    if X.dtype.newbyteorder("=") not in _DTYPES:
        return X
    return np.array(X, dtype=X.dtype.newbyteorder("="), order="C")


def status():
    """``'yes'``, or ``'no (<why>)'``: whether the compiled kernels are in use."""
    if _MISSING is not None:
        return f"no ({_MISSING})"
    return "yes"
