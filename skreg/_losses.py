"""Data losses (weighted means over samples) and label smoothing of targets.

Each output activation is paired with its canonical loss (identity/squared,
exp/poisson, logistic/binary log-loss, softmax/log-loss), so the gradient of
the loss with respect to the output pre-activation is always
``prediction - target``; the engine relies on that and never differentiates the
losses below. They only report the value.
"""

import numpy as np
from scipy.special import xlogy

from skreg import _fused


def _weighted_mean(values, sample_weight):
    # values: (n_samples,) per-sample losses.
    if sample_weight is None:
        # The sum's own reduce, not ndarray.mean: its Python wrapper took 4 of
        # the 5 microseconds on a batch.
        return float(np.add.reduce(values)) / values.size if values.size else np.nan
    return float(np.dot(values, sample_weight) / sample_weight.sum())


def squared_loss(Y, P, sample_weight=None):
    """Half the squared error, averaged over outputs and samples."""
    per_sample = ((Y - P) ** 2).mean(axis=1)
    return 0.5 * _weighted_mean(per_sample, sample_weight)


def poisson_loss(Y, P, sample_weight=None):
    """Half the Poisson deviance, summed over outputs."""
    per_sample = (xlogy(Y, Y / P) - Y + P).sum(axis=1)
    return _weighted_mean(per_sample, sample_weight)


def _clipped_log(P):
    # Probabilities are clipped to [eps, 1 - eps] of their dtype as scikit-learn
    # does, so the log is finite and 0 * log(p) is 0 without xlogy.
    # maximum then minimum is np.clip without its Python wrapper (half the
    # time on a batch), NaN included.
    eps = np.finfo(P.dtype).eps
    clipped = np.maximum(P, eps)
    return np.log(np.minimum(clipped, 1 - eps, out=clipped), out=clipped)


def log_loss(Y, P, sample_weight=None):
    """Cross-entropy of softmax outputs against (possibly smoothed) targets."""
    per_sample = -np.einsum("ij,ij->i", Y, _clipped_log(P))
    return _weighted_mean(per_sample, sample_weight)


def class_log_loss(classes, P, sample_weight=None):
    """``log_loss`` of one-hot targets, given each row's class index.

    Equal to ``log_loss`` bit for bit (the zero targets add exact zeros to each
    row's sum) while taking one log per row instead of one per class.
    """
    n, k = P.shape
    # The gather and the clipping of _clipped_log in one call.
    clipped = np.empty(n, dtype=P.dtype)
    eps = np.finfo(P.dtype).eps
    if _fused.class_probabilities is not None:
        _fused.class_probabilities(P, classes, eps, clipped)
        return -_weighted_mean(np.log(clipped, out=clipped), sample_weight)
    true_class = P.reshape(-1)[np.arange(0, n * k, k) + classes]
    return -_weighted_mean(_clipped_log(true_class), sample_weight)


def binary_log_loss(Y, P, sample_weight=None):
    """Cross-entropy of independent logistic outputs (binary and multilabel)."""
    per_sample = -(
        np.einsum("ij,ij->i", Y, _clipped_log(P))
        + np.einsum("ij,ij->i", 1 - Y, _clipped_log(1 - P))
    )
    return _weighted_mean(per_sample, sample_weight)


# Keyed by the output activation: the pairing is what makes delta = P - Y exact.
LOSSES = {
    "identity": squared_loss,
    "exp": poisson_loss,
    "softmax": log_loss,
    "logistic": binary_log_loss,
}


def smooth_targets(Y, label_smoothing, n_choices):
    """Smooth float targets in place and return them.

    Softmax outputs (multiclass, ``n_choices = K``) get ``(1 - eps) * Y + eps /
    K``; logistic outputs (binary and multilabel, one independent unit each,
    ``n_choices = 2``) get ``Y * (1 - eps) + eps / 2``.
    """
    if label_smoothing:
        Y *= 1.0 - label_smoothing
        Y += label_smoothing / n_choices
    return Y
