"""WeightSparsityDisplay: exact zeros per layer and the input features kept."""

import numpy as np

from skreg._plotting._common import _check_fitted_mlp, _pyplot, _require_matplotlib
from skreg._selection import input_importances


def _default_feature_names(n_features):
    return [f"x{i}" for i in range(n_features)]


def _estimator_feature_names(estimator, feature_names, n_features):
    """The names given, else the estimator's ``feature_names_in_``, else ``x0...``."""
    if feature_names is None:
        feature_names = getattr(estimator, "feature_names_in_", None)
    if feature_names is None:
        feature_names = _default_feature_names(n_features)
    feature_names = [str(name) for name in feature_names]
    if len(feature_names) != n_features:
        raise ValueError(
            f"Got {len(feature_names)} feature names; the network has "
            f"{n_features} input features."
        )
    return feature_names


def _check_axes_pair(ax):
    """``ax`` as a flat array of two Axes, or a ValueError."""
    from matplotlib.axes import Axes

    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != 2 or not all(isinstance(a, Axes) for a in axes):
        raise ValueError(
            "ax must be a pair of matplotlib Axes (zero shares, input "
            f"features), got {ax!r}."
        )
    return axes


def _draw_zero_shares(ax, shares, layer_names, bar_kw):
    from matplotlib.ticker import PercentFormatter

    positions = np.arange(len(shares))
    bars = ax.bar(positions, shares, **{"color": "C0", **(bar_kw or {})})
    ax.bar_label(bars, labels=[f"{s:.0%}" for s in shares])
    ax.set_xticks(positions, [str(name) for name in layer_names])
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_ylabel("weights exactly 0")
    ax.set_title("zero weights per layer")
    return bars


def _draw_input_importances(ax, importances, kept, bar_kw):
    """One horizontal bar per feature, grey for a removed one."""
    colors = ["C0" if k else "lightgray" for k in kept]
    return ax.barh(
        np.arange(len(importances)), importances, **{"color": colors, **(bar_kw or {})}
    )


def _mark_removed_features(ax, rows, marker_kw):
    (markers,) = ax.plot(
        np.zeros(len(rows)),
        rows,
        **{
            "linestyle": "",
            "marker": "x",
            "color": "C3",
            "label": "removed (all weights 0)",
            **(marker_kw or {}),
        },
    )
    ax.legend(loc="best")
    return markers


def _label_feature_axes(ax, feature_names, n_kept):
    n_features = len(feature_names)
    ax.set_yticks(
        np.arange(n_features),
        [str(name) for name in feature_names],
        **({"fontsize": "small"} if n_features > 20 else {}),
    )
    ax.set_ylim(n_features - 0.5, -0.5)  # first feature on top
    ax.set_xlim(left=0)
    ax.set_xlabel("L2 norm of the first-layer weights")
    ax.set_title(f"{n_kept} of {n_features} inputs kept")


class WeightSparsityDisplay:
    """Exact zeros of each weight matrix, and the input features kept.

    It is recommended to use :meth:`from_estimator` to create a display from
    a fitted network. All parameters are stored as attributes.

    The display draws on two axes. Left: for each layer ``coefs_[i]`` (the
    output layer last), the share of its weights that are exactly ``0.0``, as
    ``penalty='l1'`` and ``'elasticnet'`` produce. Right: for each input
    feature, the L2 norm of its outgoing first-layer weights (a row of
    ``coefs_[0]``); a feature is kept when any of them is non-zero, and a
    removed feature is marked with a cross at 0.

    Parameters
    ----------
    zero_shares : array-like of shape (n_layers,)
        For each weight matrix, the share of its entries that are exactly 0.
    input_importances : array-like of shape (n_features,)
        For each input feature, the L2 norm of its outgoing first-layer
        weights; exactly 0 for a removed feature.
    feature_names : array-like of str of shape (n_features,), default=None
        Names of the input features; None means ``x0, x1, ...``.
    layer_names : array-like of str of shape (n_layers,), default=None
        Labels of the layers; None means ``layer 1, layer 2, ...``.

    Attributes
    ----------
    axes_ : ndarray of shape (2,) of matplotlib Axes
        The axes of the zero shares and of the input features, in this order.
    figure_ : matplotlib Figure
        Figure containing the axes.
    layer_bars_ : matplotlib BarContainer
        The bars of the zero shares.
    feature_bars_ : matplotlib BarContainer
        The bars of the input features' weight norms.
    removed_markers_ : matplotlib Line2D or None
        The crosses at the removed features, or None when every feature is
        kept.
    kept_features : ndarray of bool of shape (n_features,)
        Whether each input feature is kept (``input_importances > 0``); a
        property, available before ``plot``.

    See Also
    --------
    TrainingCurveDisplay : Training and validation curves per epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skreg import MLPClassifier, WeightSparsityDisplay
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> clf = MLPClassifier(
    ...     hidden_layer_sizes=(8,), penalty="l1", alpha=5.0, max_iter=50,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> display = WeightSparsityDisplay.from_estimator(clf)
    >>> display.feature_names[:2]
    ['sepal length (cm)', 'sepal width (cm)']
    >>> len(display.axes_)
    2
    """

    def __init__(
        self,
        *,
        zero_shares,
        input_importances,
        feature_names=None,
        layer_names=None,
    ):
        self.zero_shares = zero_shares
        self.input_importances = input_importances
        self.feature_names = feature_names
        self.layer_names = layer_names

    @property
    def kept_features(self):
        """Boolean mask of the input features kept (a non-zero weight norm)."""
        return np.asarray(self.input_importances) > 0

    def plot(self, ax=None, *, layer_kw=None, feature_kw=None, removed_kw=None):
        """Draw the zero shares and the input features' weight norms.

        Parameters
        ----------
        ax : pair of matplotlib Axes, default=None
            The axes of the zero shares and of the input features, in this
            order (for example ``plt.subplots(1, 2)[1]``). None: a new figure
            with two axes.
        layer_kw : dict, default=None
            Keyword arguments of matplotlib's ``bar`` for the zero shares.
        feature_kw : dict, default=None
            Keyword arguments of matplotlib's ``barh`` for the features.
        removed_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the crosses at the
            removed features.

        Returns
        -------
        display : WeightSparsityDisplay
            The display, with the matplotlib objects in its attributes.
        """
        _require_matplotlib(f"{type(self).__name__}.plot")
        plt = _pyplot()
        shares = np.asarray(self.zero_shares, dtype=float)
        importances = np.asarray(self.input_importances, dtype=float)
        layer_names, feature_names = self._names(len(shares), len(importances))
        if ax is None:
            _, ax = plt.subplots(
                1,
                2,
                figsize=(10, max(3.5, 1.0 + 0.2 * len(importances))),
                gridspec_kw={"width_ratios": [1, 1.5]},
                # Room for the feature names between the two axes.
                layout="constrained",
            )
        axes = _check_axes_pair(ax)
        layer_ax, feature_ax = axes

        self.layer_bars_ = _draw_zero_shares(layer_ax, shares, layer_names, layer_kw)
        kept = importances > 0
        self.feature_bars_ = _draw_input_importances(
            feature_ax, importances, kept, feature_kw
        )
        self.removed_markers_ = None
        if not kept.all():
            self.removed_markers_ = _mark_removed_features(
                feature_ax, np.flatnonzero(~kept), removed_kw
            )
        _label_feature_axes(feature_ax, feature_names, np.count_nonzero(kept))

        self.axes_ = axes
        self.figure_ = layer_ax.figure
        return self

    def _names(self, n_layers, n_features):
        """The layer and feature names, defaulted and checked against the data."""
        feature_names = self.feature_names
        if feature_names is None:
            feature_names = _default_feature_names(n_features)
        layer_names = self.layer_names
        if layer_names is None:
            layer_names = [f"layer {i + 1}" for i in range(n_layers)]
        if len(feature_names) != n_features or len(layer_names) != n_layers:
            raise ValueError(
                f"Got {len(feature_names)} feature names for {n_features} "
                f"features and {len(layer_names)} layer names for {n_layers} "
                "layers."
            )
        return layer_names, feature_names

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        feature_names=None,
        ax=None,
        layer_kw=None,
        feature_kw=None,
        removed_kw=None,
    ):
        """Plot the sparsity of a fitted network's weights.

        Parameters
        ----------
        estimator : MLPClassifier or MLPRegressor
            A fitted network (scikit-learn's own MLPs work too).
        feature_names : array-like of str of shape (n_features,), default=None
            Names of the input features. None: the estimator's
            ``feature_names_in_`` when it was fitted on a DataFrame, else
            ``x0, x1, ...``.
        ax : pair of matplotlib Axes, default=None
            The axes of the zero shares and of the input features, in this
            order. None: a new figure with two axes.
        layer_kw : dict, default=None
            Keyword arguments of matplotlib's ``bar`` for the zero shares.
        feature_kw : dict, default=None
            Keyword arguments of matplotlib's ``barh`` for the features.
        removed_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the crosses at the
            removed features.

        Returns
        -------
        display : WeightSparsityDisplay
            The display, drawn.

        Raises
        ------
        NotFittedError
            When the estimator is not fitted.
        """
        _require_matplotlib(f"{cls.__name__}.from_estimator")
        _check_fitted_mlp(estimator)
        coefs = estimator.coefs_
        feature_names = _estimator_feature_names(
            estimator, feature_names, n_features=coefs[0].shape[0]
        )
        display = cls(
            zero_shares=np.array([np.mean(W == 0) for W in coefs]),
            input_importances=input_importances(coefs),
            feature_names=feature_names,
            layer_names=[
                f"layer {i + 1}\n{W.shape[0]}→{W.shape[1]}" for i, W in enumerate(coefs)
            ],
        )
        return display.plot(
            ax=ax, layer_kw=layer_kw, feature_kw=feature_kw, removed_kw=removed_kw
        )
