"""Activation functions and their derivatives, applied in place.

Registries keyed by the public option string, as in scikit-learn's
``sklearn.neural_network._base``: the derivatives are written in terms of the
activation's *output*, so the forward pass can overwrite its input.
"""

import numpy as np
from scipy.special import expit

from skreg import _fused


def _identity(Z):
    pass


def _exp(Z):
    np.exp(Z, out=Z)


def _logistic(Z):
    expit(Z, out=Z)


def _tanh(Z):
    np.tanh(Z, out=Z)


def _relu(Z):
    # scikit-learn's relu: -inf gives 0 (a product with the comparison gave
    # -inf * 0 = NaN), NaN stays NaN, and a negative input gives +0.0.
    np.maximum(Z, 0, out=Z)


# Up to this many classes the row maximum is taken over a transposed copy:
# numpy reduces short rows one by one (12 us for 256 x 10), while the maximum
# of K contiguous rows is K vectorised passes (3 us). The maximum is the same
# whatever the order; for many classes the copy costs more than it saves.
_FEW_CLASSES = 32


def subtract_row_max(Z):
    """Each row of ``Z`` minus its maximum, in place: softmax's first step.

    Subtracting the row maximum keeps exp from overflowing; the softmax is
    mathematically unchanged.
    """
    # The ufuncs' reduce, not ndarray.max and .sum: the same loops without
    # their Python wrappers, which cost more than the work on a batch.
    if Z.shape[1] <= _FEW_CLASSES:
        Z -= np.maximum.reduce(Z.T.copy(), axis=0)[:, np.newaxis]
    else:
        Z -= np.maximum.reduce(Z, axis=1, keepdims=True)


def divide_by_row_sum(Z):
    """Each row of ``Z`` divided by its sum, in place: softmax's last step."""
    # The kernel repeats numpy's pairwise sum of each whole row. Some numpy
    # versions (1.26) sum a row longer than numpy's buffer size a buffer at a
    # time instead, so those rows stay with numpy. Z is one of skreg's own
    # buffers (C-contiguous, aligned), which the kernel takes.
    if _fused.normalize_rows is not None and Z.shape[1] <= np.getbufsize():
        _fused.normalize_rows(Z)
    else:
        Z /= np.add.reduce(Z, axis=1, keepdims=True)


def _softmax(Z):
    subtract_row_max(Z)
    np.exp(Z, out=Z)
    divide_by_row_sum(Z)


ACTIVATIONS = {
    "identity": _identity,
    "exp": _exp,
    "logistic": _logistic,
    "tanh": _tanh,
    "relu": _relu,
    "softmax": _softmax,
}


def _identity_derivative(A, delta):
    pass


def _logistic_derivative(A, delta):
    delta *= A
    delta *= 1 - A


def _tanh_derivative(A, delta):
    delta *= 1 - A**2


def _relu_derivative(A, delta):
    # A is 0 (or NaN) exactly where the pre-activation was <= 0 (or NaN), so
    # no mask of the pre-activations needs to be kept for the backward pass.
    if _fused.relu_backward is not None:
        _fused.relu_backward(delta, A)
    else:
        np.multiply(delta, A > 0, out=delta)


DERIVATIVES = {
    "identity": _identity_derivative,
    "logistic": _logistic_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}
