"""Forward and backward passes of a multi-layer perceptron over reusable buffers.

This module knows arrays only (no estimator, no scikit-learn validation), so it
can be tested and benchmarked on its own. ``Network`` owns the per-batch
buffers of one fit; ``predict_output`` is the allocation-per-call path used for
prediction, safe to run from several threads at once.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from skreg._activations import ACTIVATIONS, DERIVATIVES
from skreg._dropout import sample_mask


def _dot_into(A, W, out):
    """``out[...] = A @ W`` for dense or sparse ``A``."""
    if sp.issparse(A):
        out[...] = A @ W
    else:
        np.matmul(A, W, out=out)
    return out


def _flat_copy(arrays):
    flat = np.empty(sum(a.size for a in arrays), dtype=arrays[0].dtype)
    start = 0
    for a in arrays:
        flat[start : start + a.size] = a.ravel()
        start += a.size
    return flat


def _views(flat, shapes):
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


class Network:
    """Buffers and passes for training on mini-batches of at most ``batch_size``.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The parameters. They are copied into two flat buffers and the lists'
        items are replaced by views into them, which the optimizer updates in
        place; the network only reads them.
    activation : str
        Hidden activation, a key of ``ACTIVATIONS``.
    out_activation : str
        Output activation.
    batch_size : int
        The largest batch that will be passed.
    dropout_rates : list of float, optional
        Dropout rate of each layer's input (features first, then hidden layers).
    """

    def __init__(
        self,
        coefs,
        intercepts,
        activation,
        out_activation,
        batch_size,
        dropout_rates=None,
    ):
        # All weights live in one flat buffer and all intercepts in another;
        # the per-layer arrays are views into them. The optimizer then updates
        # each buffer with a dozen array operations per step instead of a
        # dozen per layer, and each buffer is a parameter group with its own
        # penalty (the weights' penalty; none on the intercepts).
        self.weights = _flat_copy(coefs)
        self.biases = _flat_copy(intercepts)
        # The caller's lists now hold the views: the estimator's coefs_ and
        # intercepts_ are the arrays being trained.
        coefs[:] = _views(self.weights, [W.shape for W in coefs])
        intercepts[:] = _views(self.biases, [b.shape for b in intercepts])
        self.coefs = coefs
        self.intercepts = intercepts
        self.activation = activation
        self.out_activation = out_activation
        dtype = self.dtype = coefs[0].dtype
        units = [coefs[0].shape[0]] + [coef.shape[1] for coef in coefs]
        self.n_layers = len(coefs)
        if dropout_rates is None:
            dropout_rates = [0.0] * self.n_layers
        self.dropout_rates = list(dropout_rates)
        # Layer outputs, after the activation and before dropout.
        self._outputs = [np.empty((batch_size, u), dtype=dtype) for u in units[1:]]
        self._deltas = [np.empty((batch_size, u), dtype=dtype) for u in units[1:]]
        # For each layer whose input is dropped: the mask and the dropped input.
        self._masks = [
            np.empty((batch_size, u), dtype=dtype) if rate > 0 else None
            for rate, u in zip(self.dropout_rates, units[:-1])
        ]
        self._dropped = [
            np.empty((batch_size, u), dtype=dtype) if rate > 0 else None
            for rate, u in zip(self.dropout_rates, units[:-1])
        ]
        self._inputs = [None] * self.n_layers
        self.weight_grads = np.empty_like(self.weights)
        self.bias_grads = np.empty_like(self.biases)
        self.coef_grads = _views(self.weight_grads, [W.shape for W in coefs])
        self.intercept_grads = _views(self.bias_grads, [b.shape for b in intercepts])
        # Column sums as a matrix-vector product: several times faster than
        # np.sum(axis=0) on row-major batches.
        self._ones = np.ones(batch_size, dtype=dtype)

    @property
    def param_groups(self):
        """The flat parameter buffers and their gradients: weights, intercepts."""
        return [self.weights, self.biases], [self.weight_grads, self.bias_grads]

    def forward(self, X, rng=None):
        """Output of the network on the batch ``X``; a view into a buffer.

        With ``rng``, dropout masks are drawn for the layers that have a rate;
        without it, nothing is dropped.
        """
        n = X.shape[0]
        hidden = ACTIVATIONS[self.activation]
        layer_input = X
        for i in range(self.n_layers):
            if rng is not None and self._masks[i] is not None:
                mask = sample_mask(rng, self.dropout_rates[i], self._masks[i][:n])
                if sp.issparse(layer_input):
                    layer_input = sp.csr_matrix(layer_input.multiply(mask))
                else:
                    layer_input = np.multiply(
                        layer_input, mask, out=self._dropped[i][:n]
                    )
            self._inputs[i] = layer_input
            Z = _dot_into(layer_input, self.coefs[i], self._outputs[i][:n])
            Z += self.intercepts[i]
            if i < self.n_layers - 1:
                hidden(Z)
            else:
                ACTIVATIONS[self.out_activation](Z)
            layer_input = Z
        self._masked = rng is not None
        return layer_input

    def backward(self, Y, row_weights):
        """Gradients of the weighted mean loss of the last ``forward`` batch.

        Parameters
        ----------
        Y : ndarray of shape (n, n_outputs)
            Targets of the batch.
        row_weights : ndarray of shape (n,) or float
            Each row's weight divided by the batch's weight sum (``1 / n``
            without sample weights), so the gradients are of a weighted mean.

        Fills ``coef_grads`` and ``intercept_grads`` (data part only).
        """
        n = Y.shape[0]
        derivative = DERIVATIVES[self.activation]
        last = self.n_layers - 1
        # Each output activation is paired with its canonical loss, so the
        # gradient with respect to the output pre-activation is P - Y.
        delta = np.subtract(self._outputs[last][:n], Y, out=self._deltas[last][:n])
        if np.ndim(row_weights) == 0:
            delta *= row_weights
        else:
            delta *= row_weights[:, np.newaxis]
        for i in range(last, -1, -1):
            layer_input = self._inputs[i]
            if sp.issparse(layer_input):
                self.coef_grads[i][...] = layer_input.T @ delta
            else:
                np.matmul(layer_input.T, delta, out=self.coef_grads[i])
            np.matmul(self._ones[:n], delta, out=self.intercept_grads[i])
            if i == 0:
                break
            previous = np.matmul(delta, self.coefs[i].T, out=self._deltas[i - 1][:n])
            if self._masked and self._masks[i] is not None:
                previous *= self._masks[i][:n]
            derivative(self._outputs[i - 1][:n], previous)
            delta = previous
        return self.coef_grads, self.intercept_grads


def _chunk_rows(n_samples, units, itemsize):
    """Rows per prediction chunk so one chunk's activations fit working_memory."""
    working_memory = get_config()["working_memory"] * 2**20
    row_bytes = max(1, sum(units) * itemsize)
    return int(max(1, min(n_samples, working_memory // row_bytes)))


def predict_output(X, coefs, intercepts, activation, out_activation):
    """Network output on ``X`` without dropout, computed chunk by chunk.

    Allocates its own arrays at every call (nothing shared between calls, so
    concurrent predictions are safe) and never holds more than one chunk's
    activations, sized by scikit-learn's ``working_memory`` setting.
    """
    n_samples = X.shape[0]
    dtype = coefs[0].dtype
    out = np.empty((n_samples, coefs[-1].shape[1]), dtype=np.result_type(X, dtype))
    units = [coef.shape[1] for coef in coefs]
    chunk = _chunk_rows(n_samples, units, out.itemsize)
    hidden = ACTIVATIONS[activation]
    for start in range(0, n_samples, chunk):
        A = X[start : start + chunk]
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            A = A @ W
            A += b
            if i < len(coefs) - 1:
                hidden(A)
        ACTIVATIONS[out_activation](A)
        out[start : start + chunk] = A
    return out
