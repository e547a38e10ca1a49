"""Which inputs and hidden units a sparse network still uses, and pruning them.

Functions of the weight arrays only (``coefs_``, ``intercepts_`` as the
estimators store them), so they apply to any fitted multi-layer perceptron with
scikit-learn's layout: ``coefs[i]`` has shape ``(n_units[i], n_units[i + 1])``,
row ``j`` holding the outgoing weights of unit ``j`` of layer ``i`` (layer 0 is
the input).
"""

from collections import namedtuple

import numpy as np

PrunedNetwork = namedtuple(
    "PrunedNetwork", ["coefs", "intercepts", "kept_inputs", "kept_units"]
)
PrunedNetwork.__doc__ = """The result of :func:`prune`.

coefs, intercepts : list of ndarray
    The parameters of the smaller network.
kept_inputs : ndarray of int
    The input columns the smaller network takes, in order: predict with
    ``X[:, kept_inputs]``.
kept_units : list of ndarray of int
    For each hidden layer, the indices of the units kept.
"""


def _used_rows(W):
    """Boolean mask of the rows of ``W`` with at least one non-zero entry."""
    # != 0 rather than a norm: a weight of 1e-200 is non-zero, its square is not.
    return np.any(W != 0, axis=1)


def input_importances(coefs):
    """L2 norm of each input feature's outgoing first-layer weights.

    The row norms of ``coefs[0]``: exactly ``0.0`` for a feature whose weights
    are all exactly zero (a feature the network no longer uses, as ``penalty='l1'``
    or ``'elasticnet'`` produce), and positive for every other feature.

    Parameters
    ----------
    coefs : list of ndarray
        The weight matrices, ``coefs[0]`` of shape ``(n_features, n_units)``.

    Returns
    -------
    importances : ndarray of shape (n_features,)
        Non-negative floats, in the dtype of ``coefs[0]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg._selection import input_importances
    >>> input_importances([np.array([[3.0, 4.0], [0.0, 0.0]])])
    array([5., 0.])
    """
    W = np.asarray(coefs[0])
    # Scaled by each row's largest |weight|, so that tiny weights do not
    # underflow to a norm of 0 (nor large ones overflow): a row is 0 exactly
    # when all its weights are.
    scale = np.abs(W).max(axis=1, initial=0)
    used = scale > 0
    importances = np.zeros(W.shape[0], dtype=np.result_type(W.dtype, np.float32))
    rows = W[used] / scale[used, np.newaxis]
    importances[used] = scale[used] * np.sqrt(np.einsum("ij,ij->i", rows, rows))
    return importances


def live_units(coefs):
    """Number of units of each hidden layer with a non-zero outgoing weight.

    A unit whose outgoing weights are all exactly zero (a dead unit) does not
    change the network's output; :func:`prune` removes it. This counts each
    layer on its own: a unit whose only non-zero weights lead to dead units is
    counted here, though :func:`prune` removes it too.

    Parameters
    ----------
    coefs : list of ndarray
        The weight matrices of a network with ``len(coefs) - 1`` hidden layers.

    Returns
    -------
    n_live : ndarray of shape (len(coefs) - 1,) of int
        For each hidden layer, the count of units with any non-zero outgoing
        weight.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg._selection import live_units
    >>> coefs = [np.ones((2, 3)), np.array([[1.0], [0.0], [2.0]])]
    >>> live_units(coefs)
    array([2])
    """
    return np.array(
        [np.count_nonzero(_used_rows(np.asarray(W))) for W in coefs[1:]],
        dtype=np.intp,
    )


def prune(coefs, intercepts, *, drop_inputs=True):
    """The same network without its dead hidden units and unused inputs.

    A hidden unit whose outgoing weights are all exactly zero adds nothing to
    the next layer, whatever its activation: removing it (its column of the
    incoming weights, its intercept and its row of outgoing weights) leaves the
    output unchanged up to the rounding of the shorter sums. The layers are
    pruned from the last hidden layer back, so a unit whose only non-zero
    weights lead to removed units is removed as well. With ``drop_inputs``, the
    input features whose rows of ``coefs[0]`` are all zero are removed too.

    A layer may end up with no unit at all (then the output is a constant); the
    arrays of zero width still compute it.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The parameters, as the estimators' ``coefs_`` and ``intercepts_``. They
        are not modified.
    drop_inputs : bool, default=True
        Whether to remove the unused input features as well. Without it, the
        pruned network takes the same ``X`` as the original one.

    Returns
    -------
    pruned : PrunedNetwork
        A named tuple ``(coefs, intercepts, kept_inputs, kept_units)`` of new
        arrays; ``kept_inputs`` are the columns of ``X`` the pruned network
        takes, ``kept_units`` the indices of the kept units of each hidden
        layer.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg._selection import prune
    >>> coefs = [np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0], [3.0]])]
    >>> intercepts = [np.zeros(2), np.zeros(1)]
    >>> pruned = prune(coefs, intercepts)
    >>> [W.shape for W in pruned.coefs], pruned.kept_inputs
    ([(1, 1), (1, 1)], array([0]))
    """
    if len(coefs) != len(intercepts):
        raise ValueError(
            f"coefs and intercepts must have the same length, got {len(coefs)} "
            f"and {len(intercepts)}."
        )
    coefs = [np.array(W, copy=True) for W in coefs]
    intercepts = [np.array(b, copy=True) for b in intercepts]
    kept_units = [None] * (len(coefs) - 1)
    # Hidden layer k has incoming weights coefs[k], intercepts[k] and outgoing
    # weights coefs[k + 1]. From the last hidden layer back: removing a layer's
    # units removes columns of the previous layer's outgoing weights, which
    # the next step then looks at.
    for k in range(len(coefs) - 2, -1, -1):
        kept = np.flatnonzero(_used_rows(coefs[k + 1]))
        kept_units[k] = kept
        coefs[k + 1] = coefs[k + 1][kept]
        coefs[k] = coefs[k][:, kept]
        intercepts[k] = intercepts[k][kept]
    if drop_inputs:
        kept_inputs = np.flatnonzero(_used_rows(coefs[0]))
        coefs[0] = coefs[0][kept_inputs]
    else:
        kept_inputs = np.arange(coefs[0].shape[0])
    return PrunedNetwork(coefs, intercepts, kept_inputs, kept_units)
