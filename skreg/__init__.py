"""Regularized multi-layer perceptrons for scikit-learn."""

from skreg._exceptions import InconsistentVersionWarning
from skreg._mlp import MLPClassifier, MLPRegressor
from skreg._show_versions import show_versions
from skreg._version import __version__

__all__ = [
    "InconsistentVersionWarning",
    "MLPClassifier",
    "MLPRegressor",
    "__version__",
    "show_versions",
]
