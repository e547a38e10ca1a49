"""The one module that imports private scikit-learn helpers.

scikit-learn does not promise these names across releases; keeping every such
import here makes a future change one edit. Each is used the way scikit-learn's
own estimators use it.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "Interval",
    "Options",
    "StrOptions",
    "check_optimize_result",
    "check_partial_fit_first_call",
    "check_sample_weight",
    "fit_context",
]

fit_context = _fit_context
check_optimize_result = _check_optimize_result
check_partial_fit_first_call = _check_partial_fit_first_call


def check_sample_weight(sample_weight, X):
    """Validated float weights of X's dtype; negative weights raise ValueError."""
    return _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
