"""Forward and backward passes of a multi-layer perceptron over reusable buffers.

This module knows arrays only (no estimator, no scikit-learn validation), so it
can be tested and benchmarked on its own. ``Network`` owns the per-batch
buffers of one fit; ``predict_output`` is the allocation-per-call path used for
prediction, safe to run from several threads at once.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from skreg import _fused
from skreg._activations import (
    ACTIVATIONS,
    DERIVATIVES,
    divide_by_row_sum,
    subtract_row_max,
)
from skreg._dropout import drop, sample_mask


def _flat_copy(arrays):
    flat = np.empty(sum(a.size for a in arrays), dtype=arrays[0].dtype)
    start = 0
    for a in arrays:
        flat[start : start + a.size] = a.ravel()
        start += a.size
    return flat


def layer_views(flat, shapes):
    """The per-layer arrays of a flat buffer, as views into it."""
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


def _bias_relu(Z, b):
    """``Z += b``, then relu in place."""
    if _fused.bias_relu is not None:
        _fused.bias_relu(Z, b)
    else:
        Z += b
        ACTIVATIONS["relu"](Z)


def _scale_rows(delta, row_weights):
    """``delta *= row_weights`` for a float or one weight per row."""
    if isinstance(row_weights, float):
        delta *= row_weights
    else:
        delta *= row_weights[:, np.newaxis]


def _class_delta(delta, P, classes, row_weights, row_starts):
    """``(P - Y) * row_weights`` into ``delta`` for the one-hot ``Y`` of ``classes``.

    ``row_starts`` holds at least ``len(P)`` offsets of rows of ``P``'s width.
    """
    # type(), not isinstance: a numpy float64 (a float subclass) would make
    # numpy compute in float64, the kernel in the array's precision.
    if type(row_weights) is float and _fused.class_delta is not None:
        _fused.class_delta(delta, P, classes, row_weights)
        return delta
    # P - Y for one-hot Y: P, minus 1 at each row's class (exactly). The
    # buffer's rows are contiguous, so the reshape is a view.
    np.copyto(delta, P)
    delta.reshape(-1)[row_starts[: len(P)] + classes] -= 1
    _scale_rows(delta, row_weights)
    return delta


def _bias_softmax(Z, b):
    """``Z += b``, then softmax in place."""
    if _fused.bias_shift_max is not None:
        _fused.bias_shift_max(Z, b)
    else:
        Z += b
        subtract_row_max(Z)
    np.exp(Z, out=Z)
    divide_by_row_sum(Z)


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
        coefs[:] = layer_views(self.weights, [W.shape for W in coefs])
        intercepts[:] = layer_views(self.biases, [b.shape for b in intercepts])
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
        self._no_masks = [None] * self.n_layers
        self._active_masks = self._no_masks
        self._batch_size = batch_size
        self.weight_grads = np.empty_like(self.weights)
        self.bias_grads = np.empty_like(self.biases)
        self.coef_grads = layer_views(self.weight_grads, [W.shape for W in coefs])
        self.intercept_grads = layer_views(
            self.bias_grads, [b.shape for b in intercepts]
        )
        # Column sums as a matrix-vector product: several times faster than
        # np.sum(axis=0) on row-major batches.
        self._ones = np.ones(batch_size, dtype=dtype)
        # Where each row of the flattened output starts, for one-hot targets
        # given by class index.
        self._row_starts = np.arange(0, batch_size * units[-1], units[-1])

    @property
    def param_groups(self):
        """The flat parameter buffers and their gradients: weights, intercepts."""
        return [self.weights, self.biases], [self.weight_grads, self.bias_grads]

    def _rows(self, buffers, n):
        # Full batches use the buffers themselves; only the last, shorter
        # batch of an epoch needs views.
        if n == self._batch_size:
            return buffers
        return [None if b is None else b[:n] for b in buffers]

    def forward(self, X, rng=None):
        """Output of the network on the batch ``X``; a view into a buffer.

        With ``rng``, dropout masks are drawn for the layers that have a rate;
        without it, nothing is dropped.
        """
        n = X.shape[0]
        outputs = self._rows(self._outputs, n)
        hidden = ACTIVATIONS[self.activation]
        relu = self.activation == "relu"
        last = self.n_layers - 1
        masks = self._rows(self._masks, n) if rng is not None else self._no_masks
        dropped = self._rows(self._dropped, n) if rng is not None else None
        inputs = self._inputs
        layer_input = X
        self._sparse_input = sparse_input = sp.issparse(X)
        for i, (W, b, Z, mask) in enumerate(
            zip(self.coefs, self.intercepts, outputs, masks)
        ):
            if mask is not None:
                rate = self.dropout_rates[i]
                if i == 0 and sparse_input:
                    sample_mask(rng, rate, mask)
                    layer_input = sp.csr_matrix(layer_input.multiply(mask))
                else:
                    layer_input = drop(rng, rate, layer_input, mask, dropped[i])
            inputs[i] = layer_input
            if i == 0 and sparse_input:
                Z[...] = layer_input @ W
            else:
                np.matmul(layer_input, W, out=Z)
            if i == last:
                if self.out_activation == "softmax":
                    _bias_softmax(Z, b)
                else:
                    Z += b
                    ACTIVATIONS[self.out_activation](Z)
            elif relu:
                _bias_relu(Z, b)
            else:
                Z += b
                hidden(Z)
            layer_input = Z
        self._active_masks = masks
        return layer_input

    def backward(self, Y, row_weights, classes=None):
        """Gradients of the weighted mean loss of the last ``forward`` batch.

        Parameters
        ----------
        Y : ndarray of shape (n, n_outputs) or None
            Targets of the batch.
        row_weights : ndarray of shape (n,) or float
            Each row's weight divided by the batch's weight sum (``1 / n``
            without sample weights), so the gradients are of a weighted mean.
        classes : ndarray of shape (n,) of int, optional
            One-hot targets given by each row's class index, in place of
            ``Y``: the same gradients without building the target matrix.

        Fills ``coef_grads`` and ``intercept_grads`` (data part only).
        """
        n = (Y if classes is None else classes).shape[0]
        outputs = self._rows(self._outputs, n)
        deltas = self._rows(self._deltas, n)
        ones = self._ones if n == self._batch_size else self._ones[:n]
        masks = self._active_masks
        derivative = DERIVATIVES[self.activation]
        last = self.n_layers - 1
        # Each output activation is paired with its canonical loss, so the
        # gradient with respect to the output pre-activation is P - Y.
        if classes is None:
            delta = np.subtract(outputs[last], Y, out=deltas[last])
            _scale_rows(delta, row_weights)
        else:
            delta = _class_delta(
                deltas[last], outputs[last], classes, row_weights, self._row_starts
            )
        for i in range(last, -1, -1):
            layer_input = self._inputs[i]
            if i == 0 and self._sparse_input:
                self.coef_grads[i][...] = layer_input.T @ delta
            else:
                np.matmul(layer_input.T, delta, out=self.coef_grads[i])
            np.matmul(ones, delta, out=self.intercept_grads[i])
            if i == 0:
                break
            previous = np.matmul(delta, self.coefs[i].T, out=deltas[i - 1])
            if masks[i] is not None:
                previous *= masks[i]
            derivative(outputs[i - 1], previous)
            delta = previous
        return self.coef_grads, self.intercept_grads


# How much a hidden activation can grow: relu and identity keep |a| <= |z|,
# tanh and logistic keep it at most 1.
_BOUNDED_ACTIVATIONS = ("tanh", "logistic")


def _max_abs_column_sum(W, rows=64):
    # In blocks of rows: |W| of a whole layer would be a temporary as large as
    # the layer, and this runs at the end of every fit.
    sums = np.zeros(W.shape[1])
    for start in range(0, W.shape[0], rows):
        sums += np.abs(W[start : start + rows]).sum(axis=0, dtype=np.float64)
    return float(sums.max(initial=0.0))


def preactivation_bound(coefs, intercepts, activation, input_bound):
    """A bound on ``|z|`` over every unit of every layer, for ``|x| <= input_bound``.

    A unit's pre-activation is ``sum_i a_i W_ij + b_j``, so ``|z_j| <= max|a| *
    sum_i |W_ij| + |b_j|``, and the same holds for every partial sum a matrix
    product forms on the way. It costs one pass over the parameters where a
    forward pass costs one per training row. Returns a float: inf or nan when
    the bound itself overflows or a parameter is not finite.
    """
    bound = float(input_bound)
    worst = 0.0
    for W, b in zip(coefs, intercepts):
        z_bound = bound * _max_abs_column_sum(W)
        z_bound += float(np.abs(b).max(initial=0.0))
        if not z_bound <= np.inf:  # nan: a parameter was not finite
            return np.nan
        worst = max(worst, z_bound)
        bound = min(z_bound, 1.0) if activation in _BOUNDED_ACTIVATIONS else z_bound
    return worst


# Rows per prediction chunk are chosen so that one chunk's activations take
# about this much memory: small enough to stay in the last-level cache, so the
# elementwise passes between the matrix products do not go to main memory
# (bench_fit's predict_proba case: 2000-4000 rows of a (256, 256) network run
# 1.2-1.3x faster than one 50,000-row block), and at least _MIN_CHUNK_ROWS rows
# so that the products keep their speed.
_CACHE_BYTES = 8 * 2**20
_MIN_CHUNK_ROWS = 512


def _chunk_rows(n_samples, units, itemsize):
    """Rows per prediction chunk: cache-sized, and within working_memory."""
    working_memory = get_config()["working_memory"] * 2**20
    row_bytes = max(1, sum(units) * itemsize)
    target = max(_CACHE_BYTES, _MIN_CHUNK_ROWS * row_bytes)
    return int(max(1, min(n_samples, min(working_memory, target) // row_bytes)))


def predict_output(X, coefs, intercepts, activation, out_activation):
    """Network output on ``X`` without dropout, computed chunk by chunk.

    Allocates its own arrays at every call (nothing shared between calls, so
    concurrent predictions are safe): one chunk's activations, reused from
    chunk to chunk, and the output. The chunk size is bounded by
    scikit-learn's ``working_memory`` setting.
    """
    n_samples = X.shape[0]
    units = [coef.shape[1] for coef in coefs]
    dtype = np.result_type(X, coefs[0].dtype)
    chunk = _chunk_rows(n_samples, units, dtype.itemsize)
    hidden = ACTIVATIONS[activation]
    buffers = [np.empty((chunk, u), dtype=dtype) for u in units[:-1]]
    out = np.empty((n_samples, units[-1]), dtype=dtype)
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        A = X[start:stop]
        layer_outputs = [b[: stop - start] for b in buffers] + [out[start:stop]]
        for i, (W, b, Z) in enumerate(zip(coefs, intercepts, layer_outputs)):
            if sp.issparse(A):
                Z[...] = A @ W
            else:
                np.matmul(A, W, out=Z)
            Z += b
            if i < len(coefs) - 1:
                hidden(Z)
            A = Z
        ACTIVATIONS[out_activation](A)
    return out
