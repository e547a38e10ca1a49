"""Weight-norm penalties: value, gradient of the smooth part, proximal step.

Every penalty has one interface, which the optimizers and L-BFGS call without
knowing which penalty it is: ``value``, ``smooth_value`` and
``add_smooth_gradient`` (the smooth part, which goes through the optimizer),
``prox`` (the non-smooth part, after each step), ``has_prox``, and
``split_slope`` for L-BFGS-B's bound-constrained form. Each sees a parameter
group: the weights of every layer in one flat buffer (``Network``). An
elementwise penalty works on the whole buffer at once; a penalty on rows (the
outgoing weights of a unit) views it as the layers' 2-D matrices.

The penalty on a weight matrix ``W`` is

    strength * (l1_ratio * sum|W| + 0.5 * (1 - l1_ratio) * sum W**2)

where ``strength = alpha / S`` (``S`` is the training set's sample-weight sum).
The squared part is smooth and goes through the optimizer with the data
gradient; the ``|W|`` part is applied after the optimizer's step as the exact
proximal map of ``step * l1 * |w|`` (soft-thresholding), which is what puts
weights at exactly 0.0 and keeps them there until the data pull them out.
"""

import numpy as np

# penalty name -> l1_ratio it implies (None: taken from the l1_ratio parameter).
PENALTY_L1_RATIOS = {"l2": 0.0, "l1": 1.0, "elasticnet": None, None: 0.0}


class ElasticNetPenalty:
    """The elastic-net penalty of one parameter group, coordinate by coordinate.

    Parameters
    ----------
    strength : float
        ``alpha / S``.
    l1_ratio : float
        Share of the ``|W|`` part, in [0, 1].
    """

    def __init__(self, strength, l1_ratio):
        self.l1 = float(strength * l1_ratio)
        self.l2 = float(strength * (1.0 - l1_ratio))

    @property
    def has_l1(self):
        return self.l1 > 0

    @property
    def has_prox(self):
        """Whether there is a non-smooth part, applied by ``prox``."""
        return self.l1 > 0

    def coordinate_strengths(self):
        """``(l2, l1)`` of every coordinate, for the fused Adam step.

        A penalty that is not the same elementwise penalty on every coordinate
        returns None, and the optimizer calls its methods instead.
        """
        return self.l2, self.l1

    def split_slope(self):
        """The non-smooth part as L-BFGS-B's linear term, or None without one.

        With each weight split as ``w = p - n``, ``p, n >= 0``, the ``|w|`` part
        is ``slope * (p + n)`` on the feasible set.
        """
        return self.l1 if self.l1 > 0 else None

    def smooth_value(self, W):
        """The smooth (squared) part of the penalty of ``W`` (a float)."""
        if not self.l2:
            return 0.0
        flat = W.ravel()
        return 0.5 * self.l2 * float(np.dot(flat, flat))

    def value(self, W):
        """The penalty of ``W`` (a float)."""
        value = self.smooth_value(W)
        if self.l1:
            # Not BLAS asum, although it is 5-7x faster: OpenBLAS's asum sums
            # in an order that depends on where the array sits in memory, so
            # the same weights gave losses differing by 1e-11 from fit to fit,
            # and the stopping rule compares losses. numpy's sum does not.
            value += self.l1 * float(np.abs(W).sum())
        return value

    def add_smooth_gradient(self, W, grad, scratch=None):
        """Add the gradient of the squared part to ``grad`` in place.

        ``scratch``, shaped like ``W``, avoids allocating a temporary.
        """
        if self.l2:
            grad += np.multiply(W, self.l2, out=scratch)

    def prox(self, W, step, scratch=None):
        """Soft-threshold ``W`` in place with threshold ``step * l1``.

        ``step`` is the optimizer's step size for each coordinate: a float for
        SGD, an array shaped like ``W`` for Adam (it may be overwritten).
        ``scratch`` is an optional buffer shaped like ``W``.
        """
        if not self.l1:
            return
        if np.ndim(step) == 0:
            threshold = float(step) * self.l1
            clipped = np.clip(W, -threshold, threshold, out=scratch)
        else:
            # clip(W, -t, t) in two buffers: -t as an argument would be a
            # third array the size of W.
            threshold = np.multiply(step, self.l1, out=step)
            clipped = np.minimum(W, threshold, out=scratch)
            np.maximum(clipped, np.negative(threshold, out=threshold), out=clipped)
        # w - clip(w, -t, t) is sign(w) * max(|w| - t, 0), and exactly 0.0 where
        # |w| <= t because it subtracts w from itself.
        W -= clipped


def make_penalties(penalty, alpha, l1_ratio, weight_sum):
    """The penalty of each parameter group: the weights, then the intercepts.

    A list aligned with ``Network.param_groups``; the intercepts are never
    penalised (None). A finer grouping (one group per input feature or hidden
    unit, for group-sparse penalties) only needs more groups here.
    """
    ratio = PENALTY_L1_RATIOS[penalty]
    if ratio is None:
        ratio = l1_ratio
    strength = 0.0 if penalty is None else alpha / weight_sum
    return [ElasticNetPenalty(strength, ratio), None]
