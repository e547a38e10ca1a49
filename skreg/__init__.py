"""Regularized multi-layer perceptrons for scikit-learn."""

from skreg._exceptions import InconsistentVersionWarning
from skreg._mlp import MLPClassifier, MLPRegressor
from skreg._plotting import TrainingCurveDisplay, WeightSparsityDisplay
from skreg._version import __version__

__all__ = [
    "InconsistentVersionWarning",
    "MLPClassifier",
    "MLPRegressor",
    "TrainingCurveDisplay",
    "WeightSparsityDisplay",
    "__version__",
]
