"""RegularizationPathDisplay: cross-validated score and features kept along alpha."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skreg._mlp_cv import _MLPCVMixin
from skreg._plotting._common import (
    _joint_legend,
    _legend_prefix,
    _pyplot,
    _require_matplotlib,
    _vertical_marker,
)


def _cv_score_name(estimator):
    scoring = getattr(estimator, "scoring", None)
    if scoring is None:
        return "accuracy" if is_classifier(estimator) else "R²"
    return scoring if isinstance(scoring, str) else "score"


def _cv_estimator(estimator, display_name):
    """The CV estimator itself, or the last step of a pipeline; else a TypeError."""
    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    if not isinstance(estimator, _MLPCVMixin):
        raise TypeError(
            f"{display_name} plots a cross-validated path: it needs an "
            "MLPClassifierCV or MLPRegressorCV (or a Pipeline ending with "
            f"one), got {type(estimator).__name__}."
        )
    return estimator


def _draw_mean_score(ax, alphas, mean, std, label, band_kw, line_kw):
    """The mean score over the folds, in a band of one standard deviation."""
    (line,) = ax.plot(alphas, mean, **{"marker": "o", "label": label, **line_kw})
    band = ax.fill_between(
        alphas,
        mean - std,
        mean + std,
        **{
            "color": line.get_color(),
            "alpha": 0.2,
            "linewidth": 0,
            **(band_kw or {}),
        },
    )
    return line, band


def _draw_features_kept(ax, alphas, kept_mean, color, label, line_kw):
    (line,) = ax.plot(
        alphas,
        kept_mean,
        **{
            "marker": "s",
            "linestyle": "--",
            "color": color,
            "label": label,
            **(line_kw or {}),
        },
    )
    return line


def _label_path_axes(ax, kept_ax, score_name):
    ax.set_xscale("log")
    ax.set_xlabel("alpha")
    ax.set_ylabel(f"{score_name} (mean ± std over folds)")
    kept_ax.set_ylabel("input features kept (mean over folds)")
    kept_ax.set_ylim(bottom=0)


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
        prefix = _legend_prefix(self.name if name is None else name)
        score_name = self.score_name or "score"
        suffixes = self._l1_ratio_suffixes(n_ratios)

        mean, std = scores.mean(axis=-1), scores.std(axis=-1)
        kept_mean = kept.mean(axis=-1)
        self.kept_ax_ = ax.twinx()
        self.score_lines_, self.score_bands_, self.kept_lines_ = [], [], []
        for i in range(n_ratios):
            line, band = _draw_mean_score(
                ax,
                alphas[i],
                mean[i],
                std[i],
                f"{prefix}mean CV {score_name}{suffixes[i]}",
                band_kw,
                kwargs,
            )
            # One ratio: a colour of its own for the other axis; several: the
            # ratio's colour, dashed.
            kept_line = _draw_features_kept(
                self.kept_ax_,
                alphas[i],
                kept_mean[i],
                "C1" if n_ratios == 1 else line.get_color(),
                f"{prefix}input features kept{suffixes[i]}",
                kept_kw,
            )
            self.score_lines_.append(line)
            self.score_bands_.append(band)
            self.kept_lines_.append(kept_line)

        self.alpha_line_ = None
        if self.alpha is not None:
            self.alpha_line_ = _vertical_marker(
                ax, self.alpha, f"{prefix}alpha_ = {self.alpha:.3g}", alpha_kw
            )

        _label_path_axes(ax, self.kept_ax_, score_name)
        _joint_legend(ax, self.kept_ax_)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _l1_ratio_suffixes(self, n_ratios):
        """What follows each path's labels: its l1_ratio, when there are several."""
        ratios = self.l1_ratios
        if ratios is not None and len(ratios) != n_ratios:
            raise ValueError(
                f"Got {len(ratios)} l1_ratios for {n_ratios} paths in scores."
            )
        if ratios is None or n_ratios == 1:
            return [""] * n_ratios
        suffixes = []
        for ratio in ratios:
            chosen = self.l1_ratio is not None and np.isclose(ratio, self.l1_ratio)
            suffixes.append(f" (l1_ratio={ratio:.3g}{', chosen' if chosen else ''})")
        return suffixes

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
        estimator = _cv_estimator(estimator, cls.__name__)
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
