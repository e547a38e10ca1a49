"""Which inputs and hidden units a sparse network still uses, and pruning them.

Functions of the weight arrays only (``coefs_``, ``intercepts_`` as the
estimators store them), so they apply to any fitted multi-layer perceptron with
scikit-learn's layout: ``coefs[i]`` has shape ``(n_units[i], n_units[i + 1])``,
row ``j`` holding the outgoing weights of unit ``j`` of layer ``i`` (layer 0 is
the input). ``SelectionMixin`` gives the estimators their selection API on top
of them.
"""

import copy
from collections import namedtuple

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

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


class SelectionMixin:
    """The selection API of a fitted estimator: importances, counts, pruning.

    For an estimator that stores ``coefs_`` and ``intercepts_`` as above, takes
    ``hidden_layer_sizes``, and names in ``_fitted_attributes`` the fitted
    attributes that ``pruned`` copies to the smaller estimator (the weights
    and what has their shapes are made anew).
    """

    def _used_network(self, drop_inputs=False):
        check_is_fitted(self)
        return prune(self.coefs_, self.intercepts_, drop_inputs=drop_inputs)

    @property
    def feature_importances_(self):
        """L2 norm of each input feature's weights into the units still in use.

        A property of ``coefs_``: exactly 0.0 for a feature the network no
        longer uses (see ``n_features_kept_``), so that
        :class:`~sklearn.feature_selection.SelectFromModel` can select on it.
        """
        # Columns of dead hidden units do not count: a feature whose only
        # non-zero weights lead to units that reach no output is unused, as
        # pruned() sees it.
        return input_importances(self._used_network().coefs)

    @property
    def n_features_kept_(self):
        """Number of input features the network uses (non-zero importance)."""
        return int(np.count_nonzero(self.feature_importances_))

    @property
    def n_units_kept_(self):
        """Number of units of each hidden layer that reach the output."""
        kept_units = self._used_network().kept_units
        return np.array([kept.size for kept in kept_units], dtype=np.intp)

    def pruned(self, *, drop_inputs=False):
        """The same fitted model without the units and inputs it does not use.

        A hidden unit whose outgoing weights are all exactly zero (as
        ``penalty='group'`` makes them) cannot change the output: the returned
        estimator has those units removed (``hidden_layer_sizes`` becomes
        ``n_units_kept_``) and predicts the same up to rounding. This estimator
        is not modified.

        Parameters
        ----------
        drop_inputs : bool, default=False
            Whether to remove the unused input features too. By default the
            pruned estimator takes the same ``X`` as this one, so it can
            replace it anywhere. With ``drop_inputs=True`` it takes only the
            columns ``np.flatnonzero(self.feature_importances_)``
            (``n_features_in_`` and ``feature_names_in_`` say so), which saves
            the first layer's work on unused columns but needs ``X`` sliced.

        Returns
        -------
        estimator : object
            A new fitted estimator of the same class and parameters, but for
            ``hidden_layer_sizes``. Its training record (``loss_curve_``,
            ``n_iter_``, ...) is this one's; a warm start or ``partial_fit``
            continues training the smaller network with a fresh optimizer
            state. A hidden layer with no unit left gives a size of 0, which
            predicts (a constant) but cannot be fitted again.
        """
        network = self._used_network(drop_inputs=drop_inputs)
        if drop_inputs and network.kept_inputs.size == 0:
            # scikit-learn's input checks refuse data without columns.
            raise ValueError(
                "The network uses no input feature (its output is a constant), "
                "so pruned(drop_inputs=True) would take no column. Use "
                "drop_inputs=False, or fit with a smaller alpha."
            )
        sizes = tuple(int(kept.size) for kept in network.kept_units)
        smaller = clone(self).set_params(hidden_layer_sizes=sizes)
        # The optimizer's moments and early stopping's best weights have the
        # old shapes: the smaller network starts them anew.
        stale = {
            "coefs_",
            "intercepts_",
            "_optimizer",
            "_best_coefs",
            "_best_intercepts",
        }
        smaller.__dict__.update(
            copy.deepcopy(
                {
                    name: self.__dict__[name]
                    for name in self._fitted_attributes
                    if name in self.__dict__ and name not in stale
                }
            )
        )
        smaller.coefs_ = network.coefs
        smaller.intercepts_ = network.intercepts
        if "_best_coefs" in self.__dict__:
            smaller._best_coefs = [W.copy() for W in network.coefs]
            smaller._best_intercepts = [b.copy() for b in network.intercepts]
        if drop_inputs:
            smaller.n_features_in_ = int(network.kept_inputs.size)
            if hasattr(self, "feature_names_in_"):
                smaller.feature_names_in_ = self.feature_names_in_[network.kept_inputs]
        return smaller
