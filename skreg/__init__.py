"""Regularized multi-layer perceptrons for scikit-learn."""

from skreg._exceptions import InconsistentVersionWarning
from skreg._mlp import MLPClassifier, MLPRegressor
from skreg._mlp_cv import MLPClassifierCV, MLPRegressorCV
from skreg._path import mlp_path
from skreg._plotting import (
    RegularizationPathDisplay,
    TrainingCurveDisplay,
    WeightSparsityDisplay,
)
from skreg._show_versions import show_versions
from skreg._version import __version__

__all__ = [
    "InconsistentVersionWarning",
    "MLPClassifier",
    "MLPClassifierCV",
    "MLPRegressor",
    "MLPRegressorCV",
    "RegularizationPathDisplay",
    "TrainingCurveDisplay",
    "WeightSparsityDisplay",
    "__version__",
    "mlp_path",
    "show_versions",
]
