"""TrainingCurveDisplay: training loss, validation loss and score per epoch."""

import numpy as np
from sklearn.base import is_classifier, is_regressor

from skreg._plotting._common import (
    _check_fitted_mlp,
    _joint_legend,
    _legend_prefix,
    _pyplot,
    _require_matplotlib,
    _vertical_marker,
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


def _stochastic_loss_curve(estimator, display_name):
    """The estimator's ``loss_curve_`` as floats; a ValueError without one (L-BFGS)."""
    solver = getattr(estimator, "solver", None)
    loss_curve = getattr(estimator, "loss_curve_", None)
    if solver == "lbfgs" or loss_curve is None:
        raise ValueError(
            f"{display_name} plots the loss of each epoch, which only the "
            f"stochastic solvers record; the estimator has solver={solver!r} "
            "and no loss_curve_. Fit it with solver='adam' or 'sgd'."
        )
    return np.array(loss_curve, dtype=float)


def _recorded_curve(estimator, attribute):
    """A copy of a per-epoch attribute as floats; None when absent or empty."""
    values = getattr(estimator, attribute, None)
    if values is None or len(values) == 0:
        return None
    return np.array(values, dtype=float)


def _validation_score_name(estimator):
    if is_classifier(estimator):
        return "validation accuracy"
    if is_regressor(estimator):
        return "validation R²"
    return None


def _validation_epochs(values, what, n_epochs):
    """The epochs (from 1) of a validation curve: the last ``len(values)``."""
    if len(values) > n_epochs:
        raise ValueError(
            f"{what} has {len(values)} epochs, more than the {n_epochs} of loss_curve."
        )
    return np.arange(n_epochs - len(values) + 1, n_epochs + 1)


def _draw_validation_loss(ax, curve, n_epochs, label, line_kw):
    values = np.asarray(curve, dtype=float)
    epochs = _validation_epochs(values, "validation_loss_curve", n_epochs)
    (line,) = ax.plot(
        epochs,
        values,
        **{"label": label, "linestyle": "--", **(line_kw or {})},
    )
    return line


def _draw_validation_scores(ax, scores, n_epochs, score_name, label, line_kw):
    """The scores on a twin of ``ax`` with a y-axis of their own; both returned."""
    values = np.asarray(scores, dtype=float)
    epochs = _validation_epochs(values, "validation_scores", n_epochs)
    score_ax = ax.twinx()
    # The twin axes starts its own colour cycle: a colour the losses
    # drawn by default do not take.
    (line,) = score_ax.plot(
        epochs,
        values,
        **{"label": label, "color": "C2", **(line_kw or {})},
    )
    score_ax.set_ylabel(score_name)
    return score_ax, line


def _label_loss_axes(ax):
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


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
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        prefix = _legend_prefix(self.name if name is None else name)

        loss = np.asarray(self.loss_curve, dtype=float)
        n_epochs = len(loss)
        (self.loss_line_,) = ax.plot(
            np.arange(1, n_epochs + 1),
            loss,
            **{"label": f"{prefix}training loss", **kwargs},
        )

        self.validation_loss_line_ = None
        if self.validation_loss_curve is not None:
            self.validation_loss_line_ = _draw_validation_loss(
                ax,
                self.validation_loss_curve,
                n_epochs,
                f"{prefix}validation loss",
                validation_loss_kw,
            )

        self.score_ax_ = self.validation_score_line_ = None
        if self.validation_scores is not None:
            score_name = self.score_name or "validation score"
            self.score_ax_, self.validation_score_line_ = _draw_validation_scores(
                ax,
                self.validation_scores,
                n_epochs,
                score_name,
                f"{prefix}{score_name}",
                validation_score_kw,
            )

        self.best_epoch_line_ = None
        if self.best_epoch is not None:
            self.best_epoch_line_ = _vertical_marker(
                ax,
                self.best_epoch,
                f"{prefix}best epoch ({self.best_epoch})",
                best_epoch_kw,
            )

        _label_loss_axes(ax)
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
        loss_curve = _stochastic_loss_curve(estimator, cls.__name__)
        validation_scores = _recorded_curve(estimator, "validation_scores_")
        # Early stopping on the loss records the negated validation loss as
        # its score: drawn already as the validation loss, not as a score.
        stopped_on_loss = getattr(estimator, "_validation_scoring", None) == "loss"
        display = cls(
            loss_curve=loss_curve,
            validation_loss_curve=_recorded_curve(estimator, "validation_loss_curve_"),
            validation_scores=None if stopped_on_loss else validation_scores,
            best_epoch=_best_epoch(
                loss_curve,
                validation_scores,
                getattr(estimator, "best_validation_score_", None),
            ),
            score_name=_validation_score_name(estimator),
            name=name,
        )
        return display.plot(
            ax=ax,
            validation_loss_kw=validation_loss_kw,
            validation_score_kw=validation_score_kw,
            best_epoch_kw=best_epoch_kw,
            **kwargs,
        )
