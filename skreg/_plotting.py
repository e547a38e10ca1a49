"""Displays of a fitted network: training curves, weight sparsity, CV path.

The classes follow scikit-learn's visualization API (its developer guide
``doc/developers/plotting.rst``, and ``RocCurveDisplay``,
``LearningCurveDisplay`` and ``PartialDependenceDisplay`` as examples): the
constructor stores the computed data and nothing else, ``plot(ax=None, ...)``
draws them and keeps the matplotlib objects in attributes ending with ``_``
(``ax_`` or ``axes_``, ``figure_`` and the artists), and the class method
``from_estimator`` computes the data from a fitted estimator, then calls
``plot``. matplotlib is imported inside ``plot`` and ``from_estimator`` only,
so that ``import skreg`` works without it.
"""

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skreg._mlp_cv import _MLPCVMixin
from skreg._selection import input_importances


def _require_matplotlib(caller):
    """Raise an ImportError naming ``caller`` when matplotlib is missing.

    The same check as scikit-learn's displays make (there a private helper),
    written here so that skreg does not import it.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            "with `pip install matplotlib`."
        ) from exc


def _joint_legend(ax, twin):
    """One legend for an axes and its twin, on the twin (drawn on top)."""
    handles, labels = ax.get_legend_handles_labels()
    if twin is None:
        ax.legend(handles, labels, loc="best")
        return
    more_handles, more_labels = twin.get_legend_handles_labels()
    twin.legend(handles + more_handles, labels + more_labels, loc="best")


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _check_fitted_mlp(estimator):
    check_is_fitted(estimator)
    if not hasattr(estimator, "coefs_"):
        raise TypeError(
            "Expected a fitted multi-layer perceptron (an estimator with a "
            f"coefs_ attribute), got {type(estimator).__name__}."
        )


def _best_epoch(loss_curve, validation_scores, best_validation_score):
    """The epoch (from 1) that early stopping keeps, or of the least loss."""
    n_epochs = len(loss_curve)
    if validation_scores is not None:
        # The epoch whose weights early stopping restores: the first with
        # the best score. The scores cover the last epochs of the curve (a
        # warm start may have switched early stopping on).
        if best_validation_score is None:
            return None
        hits = np.flatnonzero(validation_scores == best_validation_score)
        if hits.size == 0:  # no finite score: the initial weights were kept
            return None
        return int(n_epochs - len(validation_scores) + hits[0] + 1)
    finite = np.flatnonzero(np.isfinite(loss_curve))
    if finite.size == 0:
        return None
    return int(finite[np.argmin(loss_curve[finite])] + 1)


class TrainingCurveDisplay:
    """Training loss, validation loss and validation score per epoch.

    It is recommended to use :meth:`from_estimator` to create a display from
    a network fitted with ``solver='sgd'`` or ``'adam'``. All parameters are
    stored as attributes.

    The losses share the left y-axis; the validation score (accuracy for a
    classifier, :math:`R^2` for a regressor), which is not a loss, has its own
    y-axis on the right. Epochs are numbered from 1. A validation curve shorter
    than ``loss_curve`` covers its last epochs (a warm start that switched on
    ``early_stopping`` validates from then on).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        The training loss at each epoch, the estimator's ``loss_curve_``.
    validation_loss_curve : array-like of shape (n_validation_epochs,), default=None
        The loss on the validation set at each epoch, when the estimator
        records one (``validation_loss_curve_``). None: not drawn.
    validation_scores : array-like of shape (n_validation_epochs,), default=None
        The score on the validation set at each epoch, the estimator's
        ``validation_scores_`` with ``early_stopping=True``. None: not drawn.
    best_epoch : int, default=None
        The epoch to mark, numbered from 1: with early stopping, the epoch
        whose weights the estimator kept (the first with
        ``best_validation_score_``); otherwise the epoch of the least training
        loss. None: no mark.
    score_name : str, default=None
        Label of the validation score axis; None means ``"validation score"``.
    name : str, default=None
        Name of the model, put before the labels in the legend. None: no name.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the losses.
    score_ax_ : matplotlib Axes or None
        Axes of the validation score (a twin of ``ax_`` sharing its x-axis),
        or None when there is no validation score.
    figure_ : matplotlib Figure
        Figure containing the axes.
    loss_line_ : matplotlib Line2D
        The training loss.
    validation_loss_line_ : matplotlib Line2D or None
        The validation loss, or None.
    validation_score_line_ : matplotlib Line2D or None
        The validation score, or None.
    best_epoch_line_ : matplotlib Line2D or None
        Vertical line at ``best_epoch``, or None.

    See Also
    --------
    WeightSparsityDisplay : Exact zeros per layer and the input features kept.
    sklearn.model_selection.LearningCurveDisplay : Scores against the number of
        training samples, over several fits.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skreg import MLPClassifier, TrainingCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(
    ...     hidden_layer_sizes=(8,), early_stopping=True, max_iter=30, random_state=0
    ... ).fit(X, y)
    >>> display = TrainingCurveDisplay.from_estimator(clf)
    >>> scores = clf.validation_scores_
    >>> display.best_epoch == scores.index(clf.best_validation_score_) + 1
    True
    >>> display.score_ax_.get_ylabel()
    'validation accuracy'
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        best_epoch=None,
        score_name=None,
        name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch
        self.score_name = score_name
        self.name = name

    def _validation_epochs(self, values, what, n_epochs):
        if len(values) > n_epochs:
            raise ValueError(
                f"{what} has {len(values)} epochs, more than the {n_epochs} of "
                "loss_curve."
            )
        return np.arange(n_epochs - len(values) + 1, n_epochs + 1)

    def plot(
        self,
        ax=None,
        *,
        name=None,
        validation_loss_kw=None,
        validation_score_kw=None,
        best_epoch_kw=None,
        **kwargs,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the losses on; the validation score gets a twin axes
            of it (a new one at each call). None: a new figure and axes.
        name : str, default=None
            Name put before the legend labels; None uses the ``name`` given
            to the display.
        validation_loss_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the validation loss.
        validation_score_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the validation
            score.
        best_epoch_kw : dict, default=None
            Keyword arguments of matplotlib's ``axvline`` for the best epoch.
        **kwargs : dict
            Keyword arguments of matplotlib's ``plot`` for the training loss.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with the matplotlib objects in its attributes.
        """
        _require_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.ticker import MaxNLocator

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        prefix = f"{name}: " if name else ""

        loss = np.asarray(self.loss_curve, dtype=float)
        n_epochs = len(loss)
        (self.loss_line_,) = ax.plot(
            np.arange(1, n_epochs + 1),
            loss,
            **{"label": f"{prefix}training loss", **kwargs},
        )

        self.validation_loss_line_ = None
        if self.validation_loss_curve is not None:
            values = np.asarray(self.validation_loss_curve, dtype=float)
            epochs = self._validation_epochs(values, "validation_loss_curve", n_epochs)
            (self.validation_loss_line_,) = ax.plot(
                epochs,
                values,
                **{
                    "label": f"{prefix}validation loss",
                    "linestyle": "--",
                    **(validation_loss_kw or {}),
                },
            )

        self.score_ax_ = self.validation_score_line_ = None
        if self.validation_scores is not None:
            values = np.asarray(self.validation_scores, dtype=float)
            epochs = self._validation_epochs(values, "validation_scores", n_epochs)
            score_name = self.score_name or "validation score"
            self.score_ax_ = ax.twinx()
            # The twin axes starts its own colour cycle: a colour the losses
            # drawn by default do not take.
            (self.validation_score_line_,) = self.score_ax_.plot(
                epochs,
                values,
                **{
                    "label": f"{prefix}{score_name}",
                    "color": "C2",
                    **(validation_score_kw or {}),
                },
            )
            self.score_ax_.set_ylabel(score_name)

        self.best_epoch_line_ = None
        if self.best_epoch is not None:
            self.best_epoch_line_ = ax.axvline(
                self.best_epoch,
                **{
                    "label": f"{prefix}best epoch ({self.best_epoch})",
                    "color": "black",
                    "linestyle": ":",
                    "linewidth": 1,
                    **(best_epoch_kw or {}),
                },
            )

        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _joint_legend(ax, self.score_ax_)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        name=None,
        validation_loss_kw=None,
        validation_score_kw=None,
        best_epoch_kw=None,
        **kwargs,
    ):
        """Plot the training curves of a fitted network.

        Parameters
        ----------
        estimator : MLPClassifier or MLPRegressor
            A network fitted with ``solver='sgd'`` or ``'adam'`` (scikit-learn's
            own MLPs work too). ``solver='lbfgs'`` records no curve.
        ax : matplotlib Axes, default=None
            Axes to draw the losses on. None: a new figure and axes.
        name : str, default=None
            Name put before the legend labels. None: no name.
        validation_loss_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the validation loss.
        validation_score_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the validation
            score.
        best_epoch_kw : dict, default=None
            Keyword arguments of matplotlib's ``axvline`` for the best epoch.
        **kwargs : dict
            Keyword arguments of matplotlib's ``plot`` for the training loss.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, drawn.

        Raises
        ------
        NotFittedError
            When the estimator is not fitted.
        ValueError
            When it was fitted with ``solver='lbfgs'`` or has no loss curve.
        """
        _require_matplotlib(f"{cls.__name__}.from_estimator")
        _check_fitted_mlp(estimator)
        solver = getattr(estimator, "solver", None)
        loss_curve = getattr(estimator, "loss_curve_", None)
        if solver == "lbfgs" or loss_curve is None:
            raise ValueError(
                f"{cls.__name__} plots the loss of each epoch, which only the "
                f"stochastic solvers record; the estimator has solver={solver!r} "
                "and no loss_curve_. Fit it with solver='adam' or 'sgd'."
            )
        loss_curve = np.array(loss_curve, dtype=float)

        def _curve(attribute):
            values = getattr(estimator, attribute, None)
            if values is None or len(values) == 0:
                return None
            return np.array(values, dtype=float)

        validation_scores = _curve("validation_scores_")
        if is_classifier(estimator):
            score_name = "validation accuracy"
        elif is_regressor(estimator):
            score_name = "validation R²"
        else:
            score_name = None
        # Early stopping on the loss records the negated validation loss as
        # its score: drawn already as the validation loss, not as a score.
        stopped_on_loss = getattr(estimator, "_validation_scoring", None) == "loss"
        display = cls(
            loss_curve=loss_curve,
            validation_loss_curve=_curve("validation_loss_curve_"),
            validation_scores=None if stopped_on_loss else validation_scores,
            best_epoch=_best_epoch(
                loss_curve,
                validation_scores,
                getattr(estimator, "best_validation_score_", None),
            ),
            score_name=score_name,
            name=name,
        )
        return display.plot(
            ax=ax,
            validation_loss_kw=validation_loss_kw,
            validation_score_kw=validation_score_kw,
            best_epoch_kw=best_epoch_kw,
            **kwargs,
        )


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
        from matplotlib.axes import Axes
        from matplotlib.ticker import PercentFormatter

        plt = _pyplot()
        shares = np.asarray(self.zero_shares, dtype=float)
        importances = np.asarray(self.input_importances, dtype=float)
        n_layers, n_features = len(shares), len(importances)
        feature_names = self.feature_names
        if feature_names is None:
            feature_names = [f"x{i}" for i in range(n_features)]
        layer_names = self.layer_names
        if layer_names is None:
            layer_names = [f"layer {i + 1}" for i in range(n_layers)]
        if len(feature_names) != n_features or len(layer_names) != n_layers:
            raise ValueError(
                f"Got {len(feature_names)} feature names for {n_features} "
                f"features and {len(layer_names)} layer names for {n_layers} "
                "layers."
            )
        if ax is None:
            _, ax = plt.subplots(
                1,
                2,
                figsize=(10, max(3.5, 1.0 + 0.2 * n_features)),
                gridspec_kw={"width_ratios": [1, 1.5]},
                # Room for the feature names between the two axes.
                layout="constrained",
            )
        axes = np.asarray(ax, dtype=object).ravel()
        if axes.size != 2 or not all(isinstance(a, Axes) for a in axes):
            raise ValueError(
                "ax must be a pair of matplotlib Axes (zero shares, input "
                f"features), got {ax!r}."
            )
        layer_ax, feature_ax = axes

        positions = np.arange(n_layers)
        self.layer_bars_ = layer_ax.bar(
            positions, shares, **{"color": "C0", **(layer_kw or {})}
        )
        layer_ax.bar_label(self.layer_bars_, labels=[f"{s:.0%}" for s in shares])
        layer_ax.set_xticks(positions, [str(name) for name in layer_names])
        layer_ax.set_ylim(0, 1.1)
        layer_ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        layer_ax.set_ylabel("weights exactly 0")
        layer_ax.set_title("zero weights per layer")

        kept = importances > 0
        rows = np.arange(n_features)
        colors = ["C0" if k else "lightgray" for k in kept]
        self.feature_bars_ = feature_ax.barh(
            rows, importances, **{"color": colors, **(feature_kw or {})}
        )
        self.removed_markers_ = None
        if not kept.all():
            (self.removed_markers_,) = feature_ax.plot(
                np.zeros(np.count_nonzero(~kept)),
                rows[~kept],
                **{
                    "linestyle": "",
                    "marker": "x",
                    "color": "C3",
                    "label": "removed (all weights 0)",
                    **(removed_kw or {}),
                },
            )
            feature_ax.legend(loc="best")
        feature_ax.set_yticks(
            rows,
            [str(name) for name in feature_names],
            **({"fontsize": "small"} if n_features > 20 else {}),
        )
        feature_ax.set_ylim(n_features - 0.5, -0.5)  # first feature on top
        feature_ax.set_xlim(left=0)
        feature_ax.set_xlabel("L2 norm of the first-layer weights")
        feature_ax.set_title(f"{np.count_nonzero(kept)} of {n_features} inputs kept")

        self.axes_ = axes
        self.figure_ = layer_ax.figure
        return self

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
        n_features = coefs[0].shape[0]
        if feature_names is None:
            feature_names = getattr(estimator, "feature_names_in_", None)
        if feature_names is None:
            feature_names = [f"x{i}" for i in range(n_features)]
        feature_names = [str(name) for name in feature_names]
        if len(feature_names) != n_features:
            raise ValueError(
                f"Got {len(feature_names)} feature names; the network has "
                f"{n_features} input features."
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


def _cv_score_name(estimator):
    scoring = getattr(estimator, "scoring", None)
    if scoring is None:
        return "accuracy" if is_classifier(estimator) else "R²"
    return scoring if isinstance(scoring, str) else "score"


class RegularizationPathDisplay:
    """Cross-validated score and input features kept along the alpha path.

    It is recommended to use :meth:`from_estimator` to create a display from
    a fitted :class:`~skreg.MLPClassifierCV` or :class:`~skreg.MLPRegressorCV`.
    All parameters are stored as attributes.

    Against ``alpha`` on a log x-axis, the display draws the mean
    cross-validation score, with a band of one standard deviation over the
    folds, on the left y-axis, and the mean number of input features the
    folds' networks keep (dashed) on a right y-axis; a vertical line marks the
    chosen ``alpha``. With several ``l1_ratio`` values, each gets its own pair
    of curves (the same colour); all are drawn, so that the path of the chosen
    ``l1_ratio`` can be compared with the others.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The alpha grid, the estimator's ``alphas_``; a 1-D grid is shared by
        every ``l1_ratio``.
    scores : array-like of shape (n_l1_ratio, n_alphas, n_folds)
        The score of each fold at each alpha, the estimator's ``scores_``.
    n_features_kept : array-like of shape (n_l1_ratio, n_alphas, n_folds)
        The input features each fold's network keeps, the estimator's
        ``n_features_kept_``.
    alpha : float, default=None
        The chosen alpha to mark, the estimator's ``alpha_``. None: no mark.
    l1_ratios : array-like of shape (n_l1_ratio,), default=None
        The ``l1_ratio`` of each path, put in the legend when there are
        several. None: ``l1_ratio`` is not named.
    l1_ratio : float, default=None
        The chosen ``l1_ratio`` (the estimator's ``l1_ratio_``), marked in the
        legend when there are several paths.
    score_name : str, default=None
        Name of the score; None means ``"score"``.
    name : str, default=None
        Name of the model, put before the labels in the legend. None: no name.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the scores.
    kept_ax_ : matplotlib Axes
        Axes of the input features kept, a twin of ``ax_`` sharing its x-axis.
    figure_ : matplotlib Figure
        Figure containing the axes.
    score_lines_ : list of matplotlib Line2D
        The mean score of each ``l1_ratio``.
    score_bands_ : list of matplotlib PolyCollection
        The band of one standard deviation around each mean score.
    kept_lines_ : list of matplotlib Line2D
        The mean number of input features kept, for each ``l1_ratio``.
    alpha_line_ : matplotlib Line2D or None
        Vertical line at ``alpha``, or None.

    See Also
    --------
    WeightSparsityDisplay : Exact zeros per layer and the input features kept,
        of one network.
    sklearn.model_selection.ValidationCurveDisplay : Train and test scores
        against any one parameter, from ``validation_curve``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skreg import MLPClassifierCV, RegularizationPathDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifierCV(
    ...     hidden_layer_sizes=(8,), penalty="l1", alphas=4, cv=2, max_iter=20,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> display = RegularizationPathDisplay.from_estimator(clf)
    >>> display.alpha == clf.alpha_
    True
    >>> display.ax_.get_xscale()
    'log'
    """

    def __init__(
        self,
        *,
        alphas,
        scores,
        n_features_kept,
        alpha=None,
        l1_ratios=None,
        l1_ratio=None,
        score_name=None,
        name=None,
    ):
        self.alphas = alphas
        self.scores = scores
        self.n_features_kept = n_features_kept
        self.alpha = alpha
        self.l1_ratios = l1_ratios
        self.l1_ratio = l1_ratio
        self.score_name = score_name
        self.name = name

    def _arrays(self):
        scores = np.asarray(self.scores, dtype=float)
        kept = np.asarray(self.n_features_kept, dtype=float)
        if scores.ndim == 2:  # (n_alphas, n_folds): one l1_ratio
            scores, kept = scores[None], kept[None]
        if scores.ndim != 3 or kept.shape != scores.shape:
            raise ValueError(
                "scores and n_features_kept must have the same shape "
                f"(n_l1_ratio, n_alphas, n_folds), got {scores.shape} and "
                f"{kept.shape}."
            )
        alphas = np.asarray(self.alphas, dtype=float)
        try:
            alphas = np.broadcast_to(np.atleast_2d(alphas), scores.shape[:2])
        except ValueError:
            raise ValueError(
                f"alphas of shape {alphas.shape} do not match scores of shape "
                f"{scores.shape} (n_l1_ratio, n_alphas, n_folds)."
            ) from None
        return alphas, scores, kept

    def plot(
        self,
        ax=None,
        *,
        name=None,
        band_kw=None,
        kept_kw=None,
        alpha_kw=None,
        **kwargs,
    ):
        """Draw the paths.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the scores on; the features kept get a twin axes of
            it (a new one at each call). None: a new figure and axes.
        name : str, default=None
            Name put before the legend labels; None uses the ``name`` given
            to the display.
        band_kw : dict, default=None
            Keyword arguments of matplotlib's ``fill_between`` for the bands
            of one standard deviation.
        kept_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the features kept.
        alpha_kw : dict, default=None
            Keyword arguments of matplotlib's ``axvline`` for the chosen
            alpha.
        **kwargs : dict
            Keyword arguments of matplotlib's ``plot`` for the mean scores.

        Returns
        -------
        display : RegularizationPathDisplay
            The display, with the matplotlib objects in its attributes.
        """
        _require_matplotlib(f"{type(self).__name__}.plot")
        plt = _pyplot()
        alphas, scores, kept = self._arrays()
        n_ratios = scores.shape[0]
        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        prefix = f"{name}: " if name else ""
        score_name = self.score_name or "score"
        ratios = self.l1_ratios
        if ratios is not None and len(ratios) != n_ratios:
            raise ValueError(
                f"Got {len(ratios)} l1_ratios for {n_ratios} paths in scores."
            )

        def _suffix(i):
            if ratios is None or n_ratios == 1:
                return ""
            chosen = self.l1_ratio is not None and np.isclose(ratios[i], self.l1_ratio)
            return f" (l1_ratio={ratios[i]:.3g}{', chosen' if chosen else ''})"

        mean, std = scores.mean(axis=-1), scores.std(axis=-1)
        kept_mean = kept.mean(axis=-1)
        self.kept_ax_ = ax.twinx()
        self.score_lines_, self.score_bands_, self.kept_lines_ = [], [], []
        for i in range(n_ratios):
            (line,) = ax.plot(
                alphas[i],
                mean[i],
                **{
                    "marker": "o",
                    "label": f"{prefix}mean CV {score_name}{_suffix(i)}",
                    **kwargs,
                },
            )
            color = line.get_color()
            band = ax.fill_between(
                alphas[i],
                mean[i] - std[i],
                mean[i] + std[i],
                **{"color": color, "alpha": 0.2, "linewidth": 0, **(band_kw or {})},
            )
            # One ratio: a colour of its own for the other axis; several: the
            # ratio's colour, dashed.
            (kept_line,) = self.kept_ax_.plot(
                alphas[i],
                kept_mean[i],
                **{
                    "marker": "s",
                    "linestyle": "--",
                    "color": "C1" if n_ratios == 1 else color,
                    "label": f"{prefix}input features kept{_suffix(i)}",
                    **(kept_kw or {}),
                },
            )
            self.score_lines_.append(line)
            self.score_bands_.append(band)
            self.kept_lines_.append(kept_line)

        self.alpha_line_ = None
        if self.alpha is not None:
            self.alpha_line_ = ax.axvline(
                self.alpha,
                **{
                    "label": f"{prefix}alpha_ = {self.alpha:.3g}",
                    "color": "black",
                    "linestyle": ":",
                    "linewidth": 1,
                    **(alpha_kw or {}),
                },
            )

        ax.set_xscale("log")
        ax.set_xlabel("alpha")
        ax.set_ylabel(f"{score_name} (mean ± std over folds)")
        self.kept_ax_.set_ylabel("input features kept (mean over folds)")
        self.kept_ax_.set_ylim(bottom=0)
        _joint_legend(ax, self.kept_ax_)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        name=None,
        band_kw=None,
        kept_kw=None,
        alpha_kw=None,
        **kwargs,
    ):
        """Plot the cross-validated path of a fitted CV estimator.

        Parameters
        ----------
        estimator : MLPClassifierCV or MLPRegressorCV, or Pipeline
            A fitted cross-validated estimator (``refit=False`` is enough),
            or a pipeline whose last step is one.
        ax : matplotlib Axes, default=None
            Axes to draw the scores on. None: a new figure and axes.
        name : str, default=None
            Name put before the legend labels. None: no name.
        band_kw : dict, default=None
            Keyword arguments of matplotlib's ``fill_between`` for the bands
            of one standard deviation.
        kept_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for the features kept.
        alpha_kw : dict, default=None
            Keyword arguments of matplotlib's ``axvline`` for ``alpha_``.
        **kwargs : dict
            Keyword arguments of matplotlib's ``plot`` for the mean scores.

        Returns
        -------
        display : RegularizationPathDisplay
            The display, drawn.

        Raises
        ------
        TypeError
            When the estimator is not an MLPClassifierCV or MLPRegressorCV.
        NotFittedError
            When it is not fitted.
        """
        _require_matplotlib(f"{cls.__name__}.from_estimator")
        if isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        if not isinstance(estimator, _MLPCVMixin):
            raise TypeError(
                f"{cls.__name__} plots a cross-validated path: it needs an "
                "MLPClassifierCV or MLPRegressorCV (or a Pipeline ending with "
                f"one), got {type(estimator).__name__}."
            )
        # With refit=False the estimator is not fitted for predict, but has
        # its path.
        check_is_fitted(estimator, ["alphas_", "alpha_", "scores_"])
        ratios = np.atleast_1d(np.asarray(estimator.l1_ratio, dtype=float))
        display = cls(
            alphas=estimator.alphas_,
            scores=estimator.scores_,
            n_features_kept=estimator.n_features_kept_,
            alpha=estimator.alpha_,
            l1_ratios=ratios,
            l1_ratio=estimator.l1_ratio_,
            score_name=_cv_score_name(estimator),
            name=name,
        )
        return display.plot(
            ax=ax, band_kw=band_kw, kept_kw=kept_kw, alpha_kw=alpha_kw, **kwargs
        )
