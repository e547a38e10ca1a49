"""The Display classes, one module each; matplotlib is imported inside plot only."""

from skreg._plotting._regularization_path import RegularizationPathDisplay
from skreg._plotting._training_curve import TrainingCurveDisplay
from skreg._plotting._weight_sparsity import WeightSparsityDisplay

__all__ = ["RegularizationPathDisplay", "TrainingCurveDisplay", "WeightSparsityDisplay"]
