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

``penalty='group'`` penalises each unit's outgoing weights (a row of a weight
matrix: an input feature in the first layer, a hidden unit after) by their
Euclidean norm, and ``'sparse_group'`` adds an ``|W|`` share: see
``GroupPenalty``. Its proximal step puts whole rows at exactly 0.0.
"""

import math

import numpy as np

# penalty name -> l1_ratio it implies (None: taken from the l1_ratio parameter).
PENALTY_L1_RATIOS = {
    "l2": 0.0,
    "l1": 1.0,
    "elasticnet": None,
    "group": 0.0,
    "sparse_group": None,
    None: 0.0,
}

# The penalties on rows, which need the layer shapes and have no smooth part.
GROUP_PENALTIES = ("group", "sparse_group")


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


class GroupPenalty:
    """The (sparse) group lasso on the rows of every weight matrix.

    The weights of all layers sit in one flat buffer; ``shapes`` says how it
    splits into matrices. Row ``j`` of a matrix holds the outgoing weights of
    one unit (an input feature for the first matrix, a hidden unit after), and
    the penalty of the buffer is

        strength * (l1_ratio * sum|W|
                    + (1 - l1_ratio) * sum_rows sqrt(row size) * ||row||_2)

    The square root of the group size is the group lasso's usual weighting
    (Yuan and Lin, 2006): it keeps wide rows from being cheaper per weight than
    narrow ones. There is no smooth part; everything goes through ``prox``,
    which is exact for a scalar step: soft-thresholding by ``step * l1``, then
    each row scaled by ``max(0, 1 - step * group * sqrt(size) / ||row||)``
    (the proximal map of the sparse group lasso is that composition).

    Parameters
    ----------
    strength : float
        ``alpha / S``.
    l1_ratio : float
        Share of the ``|W|`` part, in [0, 1]; 0 is the plain group lasso.
    shapes : list of tuple of int
        The shape of each weight matrix, in the order of the flat buffer.
    """

    def __init__(self, strength, l1_ratio, shapes):
        self.l1 = float(strength * l1_ratio)
        self.group = float(strength * (1.0 - l1_ratio))
        self.shapes = [tuple(int(n) for n in shape) for shape in shapes]
        # (slice of the flat buffer, rows, columns, sqrt(columns)) per matrix.
        self._layers, start = [], 0
        for rows, columns in self.shapes:
            stop = start + rows * columns
            # A Python float, so float32 weights are computed in float32.
            self._layers.append((slice(start, stop), rows, columns, math.sqrt(columns)))
            start = stop
        self._size = start

    @property
    def has_prox(self):
        return self.l1 > 0 or self.group > 0

    def coordinate_strengths(self):
        """None: a row's prox couples its coordinates, so no fused Adam kernel."""
        return None

    def split_slope(self):
        """Refuse L-BFGS-B: the row norms have no bound-constrained smooth form."""
        raise ValueError(
            "The group penalty has no smooth reformulation for L-BFGS-B; use a "
            "stochastic solver ('sgd' or 'adam')."
        )

    def _matrices(self, flat):
        if flat.size != self._size:
            raise ValueError(
                f"The weights have {flat.size} entries, the layer shapes "
                f"{self.shapes} {self._size}."
            )
        return [
            (flat[part].reshape(rows, columns), root)
            for part, rows, columns, root in self._layers
        ]

    def smooth_value(self, W):
        return 0.0

    def add_smooth_gradient(self, W, grad, scratch=None):
        pass

    def value(self, W):
        """The penalty of the flat weights ``W`` (a float)."""
        flat = W.ravel()
        value = 0.0
        if self.l1:
            value += self.l1 * float(np.abs(flat).sum())
        if self.group:
            for matrix, root in self._matrices(flat):
                # np.square then a row sum, not einsum or BLAS: numpy's sums do
                # not depend on where the buffer sits (see ElasticNetPenalty).
                norms = np.sqrt(np.square(matrix).sum(axis=1))
                value += self.group * root * float(norms.sum())
        return value

    def prox(self, W, step, scratch=None):
        """The proximal step of the penalty on the flat weights, in place.

        ``step`` is the optimizer's step size: a float (SGD), or an array shaped
        like ``W`` with one step per coordinate (Adam; it is not modified).
        ``scratch`` is an optional buffer shaped like ``W``.

        With per-coordinate steps ``s_i`` the proximal map of a row norm in
        Adam's metric (``min_w sum (w_i - v_i)**2 / (2 s_i) + t * ||w||``) has
        no closed form. Each row ``v`` gets the scalar step that makes the
        scaling of ``v`` exact: ``s = ||v||**2 / sum(v_i**2 / s_i)``, the
        harmonic mean of its steps weighted by ``v_i**2``. Over all ``c * v``
        with ``c`` in [0, 1] the row scaling minimises that objective, so the
        step never raises it above leaving the row alone, and with equal steps
        it is the exact prox.
        """
        if not self.has_prox:
            return
        flat = W.ravel()
        if scratch is None:
            scratch = np.empty_like(flat)
        scratch = scratch.ravel()
        scalar = np.ndim(step) == 0
        if self.l1:
            threshold = self.l1 * (float(step) if scalar else step.ravel())
            # w - clip(w, -t, t): exactly 0.0 where |w| <= t.
            flat -= np.clip(flat, -threshold, threshold, out=scratch)
        if not self.group:
            return
        steps = None if scalar else step.ravel()
        for (matrix, root), (part, _, _, _) in zip(self._matrices(flat), self._layers):
            squares = np.square(matrix, out=scratch[part].reshape(matrix.shape))
            norms = np.sqrt(squares.sum(axis=1))
            if scalar:
                # 1 - t / ||v||, with t = step * group * sqrt(size).
                shrink = np.divide(
                    float(step) * self.group * root,
                    norms,
                    out=np.full_like(norms, np.inf),
                    where=norms > 0,
                )
            else:
                # t / ||v|| = s * g / ||v|| = g * ||v|| / sum(v_i**2 / s_i).
                squares /= steps[part].reshape(matrix.shape)
                weighted = squares.sum(axis=1)
                shrink = np.divide(
                    self.group * root * norms,
                    weighted,
                    out=np.full_like(norms, np.inf),
                    where=weighted > 0,
                )
            # Rows with ||v|| <= t get the factor 0.0: exactly zero.
            factor = np.maximum(1.0 - shrink, 0.0, out=shrink)
            matrix *= factor[:, np.newaxis]


def make_penalties(penalty, alpha, l1_ratio, weight_sum, shapes=None):
    """The penalty of each parameter group: the weights, then the intercepts.

    A list aligned with ``Network.param_groups``; the intercepts are never
    penalised (None). ``shapes``, the shapes of the weight matrices in the
    order of the flat buffer, is needed by the penalties on rows ('group' and
    'sparse_group').
    """
    ratio = PENALTY_L1_RATIOS[penalty]
    if ratio is None:
        ratio = l1_ratio
    strength = 0.0 if penalty is None else alpha / weight_sum
    if penalty in GROUP_PENALTIES:
        if shapes is None:
            raise ValueError(f"penalty={penalty!r} needs the shapes of the layers.")
        return [GroupPenalty(strength, ratio, shapes), None]
    return [ElasticNetPenalty(strength, ratio), None]
