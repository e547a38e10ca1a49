"""Regularized multi-layer perceptrons for scikit-learn."""

from skreg._mlp import MLPClassifier, MLPRegressor
from skreg._version import __version__

__all__ = ["MLPClassifier", "MLPRegressor", "__version__"]
