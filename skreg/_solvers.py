"""The two training loops on arrays: one epoch of mini-batches, and L-BFGS.

Both minimise the same objective: the weighted mean data loss plus, for each
weight matrix, its ``ElasticNetPenalty`` (already divided by the training set's
weight sum). Neither knows about estimators; ``skreg._mlp`` drives them.
"""

import math

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from skreg import _fused
from skreg._losses import LOSSES, class_log_loss, smooth_targets


class DivergenceError(ArithmeticError):
    """The training loss or the parameters became non-finite."""


def penalty_value(params, penalties):
    """The penalty of each parameter group, summed."""
    return sum(
        penalty.value(param)
        for param, penalty in zip(params, penalties)
        if penalty is not None
    )


def _row_weights(sample_weight, n):
    """Each row's share of the batch's weight, or None for an all-zero batch."""
    if sample_weight is None:
        return 1.0 / n
    total = sample_weight.sum()
    if total <= 0:
        return None
    return sample_weight / total


def _take_rows(X, rows, out):
    """``X[rows]`` written into ``out``, which is returned.

    ``X`` is as ``_fused.kernel_ready`` returned it, so the kernel takes it.
    """
    if _fused.take_rows is not None:
        _fused.take_rows(X, rows, out)
        return out
    # mode="clip": the indices are a permutation, always in range, and the
    # default mode="raise" gathers into a temporary first.
    return X.take(rows, axis=0, out=out, mode="clip")


class ShuffledOrder:
    """The sample order of the epochs, reshuffled in place at each one.

    scikit-learn's MLP takes ``order = sklearn.utils.shuffle(order, rs)`` each
    epoch: ``rs.shuffle`` of an ``arange``, then indexing the previous order.
    ``rs.shuffle`` swaps positions in a sequence that depends only on the
    length and the random draws, so shuffling the previous order in place
    gives the same permutation without allocating two arrays per epoch.
    """

    def __init__(self, n_samples):
        self.order = np.arange(n_samples)

    def shuffle(self, random_state):
        random_state.shuffle(self.order)


class EpochRunner:
    """One pass over the training data in mini-batches, reusing its buffers.

    Parameters
    ----------
    network : skreg._engine.Network
    optimizer : skreg._optimizers.SGDOptimizer or AdamOptimizer
    penalties : list of ElasticNetPenalty or None, one per parameter group
        (aligned with ``network.param_groups``)
    X, Y : training inputs (dense or sparse) and 2-D targets, float or 0/1
        integers; each batch is cast to the network's dtype
    smoothing : (eps, n_choices)
        Label smoothing applied to each batch of targets (``smooth_targets``).
    sample_weight : ndarray or None
    batch_size : int
    """

    def __init__(
        self,
        network,
        optimizer,
        penalties,
        X,
        Y,
        sample_weight,
        batch_size,
        smoothing=(0.0, 1),
    ):
        self.network = network
        self.optimizer = optimizer
        self.penalties = penalties
        # One copy per fit, if any, of data the kernels cannot take as it is.
        X = _fused.kernel_ready(X)
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = batch_size
        self._loss = LOSSES[network.out_activation]
        self._params, self._grads = network.param_groups
        # Gathering a shuffled batch into a reused contiguous buffer avoids a new
        # array per batch (fancy indexing) and keeps the matrix products on
        # contiguous memory.
        self._X_batch = (
            None
            if sp.issparse(X)
            else np.empty((batch_size, X.shape[1]), dtype=X.dtype)
        )
        self._Y_batch = np.empty((batch_size, Y.shape[1]), dtype=network.dtype)
        self._smoothing = smoothing
        # Unsmoothed multiclass targets are one-hot: the loss then needs only
        # each row's probability of its class (class_log_loss).
        self._classes = None
        if network.out_activation == "softmax" and not smoothing[0]:
            # The smallest integer type that holds them: one byte per row for
            # up to 256 classes, where argmax gives eight.
            classes = np.argmax(Y, axis=1)
            self._classes = classes.astype(np.min_scalar_type(Y.shape[1] - 1))
            self._class_batch = np.empty(batch_size, dtype=self._classes.dtype)

    def _batch(self, order, start, stop):
        """Inputs, targets, sample weights of one batch.

        Targets are ``(Y, None)``, or ``(None, classes)`` for one-hot targets
        given by their class indices (then no target matrix is built).
        """
        m = stop - start
        weights = self.sample_weight
        rows = slice(start, stop) if order is None else order.order[start:stop]
        if order is None or self._X_batch is None:
            X_batch = self.X[rows]
        else:
            X_batch = _take_rows(self.X, rows, self._X_batch[:m])
        if weights is not None:
            weights = weights[rows]
        if self._classes is not None:
            if order is None:
                return X_batch, (None, self._classes[rows]), weights
            classes = self._classes.take(rows, out=self._class_batch[:m], mode="clip")
            return X_batch, (None, classes), weights
        Y_batch = self._Y_batch[:m]
        if order is not None and self.Y.dtype == Y_batch.dtype:
            self.Y.take(rows, axis=0, out=Y_batch, mode="clip")
        else:
            np.copyto(Y_batch, self.Y[rows])
        return X_batch, (smooth_targets(Y_batch, *self._smoothing), None), weights

    def _batch_loss(self, targets, P, weights):
        Y_batch, classes = targets
        if classes is not None:
            return class_log_loss(classes, P, weights)
        return self._loss(Y_batch, P, weights)

    def run(self, order=None, dropout_rng=None):
        """Train on every batch once; return the sum of batch loss x batch size.

        ``order`` is a ``ShuffledOrder`` (None: the order as stored). The batch loss
        includes the penalty at the weights the batch saw, as scikit-learn's
        does, so ``sum / n_samples`` is its epoch loss.

        Raises DivergenceError as soon as a batch loss is not finite.
        """
        network = self.network
        n_samples = self.X.shape[0]
        accumulated = 0.0
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            X_batch, targets, weights = self._batch(order, start, stop)
            row_weights = _row_weights(weights, stop - start)
            if row_weights is None:
                # A batch of zero total weight carries no information (and its
                # weighted mean is undefined): skip it.
                continue
            P = network.forward(X_batch, dropout_rng)
            batch_loss = self._batch_loss(targets, P, weights) + penalty_value(
                self._params, self.penalties
            )
            if not math.isfinite(batch_loss):
                raise DivergenceError(batch_loss)
            Y_batch, classes = targets
            network.backward(Y_batch, row_weights, classes=classes)
            self.optimizer.step(self._params, self._grads, self.penalties)
            accumulated += batch_loss * (stop - start)
        return accumulated


class _LbfgsProblem:
    """The objective over L-BFGS-B's flat vector ``theta``, and its packing.

    ``theta`` is the weights then the intercepts, or with a ``split_slope``
    (an ``|W|`` part) the positive parts of the weights, their negative parts,
    then the intercepts, the parts bounded below by 0 (see ``fit_lbfgs``).
    """

    def __init__(self, network, penalty, X, Y, sample_weight):
        self.network = network
        self.penalty = penalty
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self._loss = LOSSES[network.out_activation]
        self._row_weights = _row_weights(sample_weight, X.shape[0])
        (self._weights, self._biases), self._grads = network.param_groups
        self._n_weights = self._weights.size
        self.slope = penalty.split_slope()
        self.split = self.slope is not None
        self.theta0 = self._pack()

    def _pack(self):
        weights, biases = self._weights, self._biases
        if self.split:
            return np.concatenate(
                [np.maximum(weights, 0), np.maximum(-weights, 0), biases]
            )
        return np.concatenate([weights, biases])

    def bounds(self):
        """The parts of the split weights at 0 or above; None without a split."""
        if not self.split:
            return None
        lower = np.full(self.theta0.size, -np.inf)
        lower[: 2 * self._n_weights] = 0.0
        return scipy.optimize.Bounds(lower, np.inf)

    def options(self, *, max_iter, max_fun, tol):
        """scipy's L-BFGS-B options for this packing."""
        options = {"maxfun": max_fun, "maxiter": max_iter, "gtol": tol}
        if self.split:
            # scikit-learn's MLP keeps scipy's default relative-reduction test
            # (ftol) beside gtol=tol, and parity without an |W| part needs the
            # same. The split problem is bound-constrained and flat along
            # correlated inputs: steps that move weight between them, or between
            # the two halves of a weight, lower the objective by less than ftol
            # long before the projected gradient reaches tol, and scipy reported
            # convergence at a wrong zero pattern. There the projected gradient is
            # the stopping test, as tol says; ftol=0 only stops a run that makes
            # no progress at all.
            options["ftol"] = 0.0
        return options

    def set_params(self, theta):
        """Write the parameters of ``theta`` into the network."""
        n_weights = self._n_weights
        if self.split:
            positive, negative = theta[:n_weights], theta[n_weights : 2 * n_weights]
            np.subtract(positive, negative, out=self._weights)
        else:
            self._weights[...] = theta[:n_weights]
        self._biases[...] = theta[-self._biases.size :]

    def params_at(self, theta):
        """Copies of the flat weights and intercepts of ``theta``."""
        n_weights = self._n_weights
        if self.split:
            flat = theta[:n_weights] - theta[n_weights : 2 * n_weights]
        else:
            flat = theta[:n_weights]
        return (
            flat.astype(self._weights.dtype, copy=True),
            theta[-self._biases.size :].astype(self._biases.dtype, copy=True),
        )

    def loss_and_gradient(self, theta):
        """The objective at ``theta`` and its gradient, as scipy's ``jac=True``."""
        weights = self._weights
        weight_grads, bias_grads = self._grads
        self.set_params(theta)
        P = self.network.forward(self.X)
        loss = self._loss(self.Y, P, self.sample_weight)
        self.network.backward(self.Y, self._row_weights)
        self.penalty.add_smooth_gradient(weights, weight_grads)
        loss += self.penalty.smooth_value(weights)
        if not self.split:
            return loss, np.concatenate([weight_grads, bias_grads])
        slope = self.slope
        loss += slope * float(theta[: 2 * self._n_weights].sum())
        return loss, np.concatenate(
            [weight_grads + slope, slope - weight_grads, bias_grads]
        )


class _LbfgsRun:
    """One scipy run of an ``_LbfgsProblem``: the monitor and an interrupt.

    The last completed iterate (``x``, ``fun``, ``nit``) is kept: mid-run the
    network holds a trial point of the line search, so an interrupted run goes
    back to this one.
    """

    def __init__(self, problem, monitor):
        self.problem = problem
        self.monitor = monitor
        self.x, self.fun, self.nit = problem.theta0, None, 0
        # Whether an iteration has begun and not ended yet: an iteration begins
        # with its first evaluation, so none is reported after the last one.
        self._iterating = False
        self.stopped = False

    def _objective(self, theta):
        if self.monitor is not None and not self._iterating:
            self._iterating = True
            start = self.x
            self.monitor.begin(lambda: self.problem.params_at(start))
        return self.problem.loss_and_gradient(theta)

    def _accept(self, intermediate_result):
        self.x = intermediate_result.x.copy()
        self.fun = float(intermediate_result.fun)
        self.nit += 1
        if self.monitor is not None:
            self._iterating = False
            x = self.x
            if self.monitor.end(self.nit, self.fun, lambda: self.problem.params_at(x)):
                # scipy >= 1.11 ends the run cleanly at this iterate.
                self.stopped = True
                raise StopIteration

    def minimize(self, options):
        """Run scipy's L-BFGS-B; the network ends at the result (see fit_lbfgs)."""
        problem = self.problem
        try:
            result = scipy.optimize.minimize(
                self._objective,
                problem.theta0,
                method="L-BFGS-B",
                jac=True,
                bounds=problem.bounds(),
                callback=self._accept,
                options=options,
            )
        except KeyboardInterrupt as interrupt:
            problem.set_params(self.x)
            return scipy.optimize.OptimizeResult(
                x=self.x, fun=self.fun, nit=self.nit, interrupt=interrupt, stopped=False
            )
        problem.set_params(result.x)
        result.interrupt = None
        result.stopped = self.stopped
        return result


def fit_lbfgs(
    network, penalties, X, Y, sample_weight, *, max_iter, max_fun, tol, monitor=None
):
    """Minimise the full objective with L-BFGS-B, updating the network in place.

    Without an ``|W|`` part the parameters are packed as scikit-learn packs
    them (all weights, then all intercepts: the network's two flat buffers),
    so the run is the same. With one,
    each weight is split as ``W = W_pos - W_neg`` with both parts bounded below
    by 0: the ``|W|`` term becomes the linear ``sum(W_pos + W_neg)``, smooth on
    the feasible set, and a weight is exactly 0 where L-BFGS-B holds both parts
    on their bound.

    ``monitor``, when given, sees each iteration: ``monitor.begin(params)``
    before its first evaluation of the objective and ``monitor.end(nit, fun,
    params)`` once it is accepted, where ``params()`` returns copies of the
    flat weights and intercepts of the iterate; ``end`` returning True stops
    the run there (``result.stopped`` is then True; otherwise False).

    Returns scipy's ``OptimizeResult``, with ``interrupt`` None. On a
    KeyboardInterrupt the network is set to the last completed iterate and the
    result describes it (``nit`` iterations, objective ``fun``, None before the
    first), with the exception as ``interrupt`` for the caller to raise.
    """
    problem = _LbfgsProblem(network, penalties[0], X, Y, sample_weight)
    options = problem.options(max_iter=max_iter, max_fun=max_fun, tol=tol)
    return _LbfgsRun(problem, monitor).minimize(options)
