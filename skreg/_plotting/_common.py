"""What the displays share: the lazy matplotlib import, legends, markers, checks.

The displays follow scikit-learn's visualization API (its developer guide
``doc/developers/plotting.rst``, and ``RocCurveDisplay``,
``LearningCurveDisplay`` and ``PartialDependenceDisplay`` as examples): the
constructor stores the computed data and nothing else, ``plot(ax=None, ...)``
draws them and keeps the matplotlib objects in attributes ending with ``_``
(``ax_`` or ``axes_``, ``figure_`` and the artists), and the class method
``from_estimator`` computes the data from a fitted estimator, then calls
``plot``. matplotlib is imported inside ``plot`` and ``from_estimator`` only,
so that ``import skreg`` works without it.
"""

from sklearn.utils.validation import check_is_fitted


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


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _legend_prefix(name):
    """What goes before each legend label: the model's name, if it has one."""
    return f"{name}: " if name else ""


def _vertical_marker(ax, x, label, marker_kw):
    """A thin dotted black line at ``x`` (the chosen epoch or alpha)."""
    return ax.axvline(
        x,
        **{
            "label": label,
            "color": "black",
            "linestyle": ":",
            "linewidth": 1,
            **(marker_kw or {}),
        },
    )


def _joint_legend(ax, twin):
    """One legend for an axes and its twin, on the twin (drawn on top)."""
    handles, labels = ax.get_legend_handles_labels()
    if twin is None:
        ax.legend(handles, labels, loc="best")
        return
    more_handles, more_labels = twin.get_legend_handles_labels()
    twin.legend(handles + more_handles, labels + more_labels, loc="best")


def _check_fitted_mlp(estimator):
    check_is_fitted(estimator)
    if not hasattr(estimator, "coefs_"):
        raise TypeError(
            "Expected a fitted multi-layer perceptron (an estimator with a "
            f"coefs_ attribute), got {type(estimator).__name__}."
        )
