"""The one training loop of the stochastic solvers, on arrays.

``train`` runs epochs of an ``EpochRunner`` (``skreg._solvers``) until one of
the end-of-epoch hooks asks to stop or ``max_epochs`` have run. Everything it
knows about the run so far is a ``TrainingProgress``, which it continues: a
warm start, a ``partial_fit`` or the next alpha of a path passes the progress
(and the optimizer) of the previous call. The stopping rules, ``verbose`` and
any other observer are hooks: objects called at the end of each epoch with the
progress, any of which may ask to stop. The estimators, a regularization path
or a test drive it the same way; none of it knows about estimators.

The bookkeeping follows scikit-learn's ``BaseMultilayerPerceptron``
(``_fit_stochastic``, ``_update_no_improvement_count``): the same counts,
comparisons and order, so that the runs are the same.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from skreg._engine import preactivation_bound, predict_output
from skreg._losses import LOSSES
from skreg._solvers import DivergenceError, ShuffledOrder

# Rows per chunk of the end-of-call loss check, when it runs (a few MB of
# activations at most).
_CHECK_ROWS = 1024


@dataclass
class TrainingProgress:
    """What a run has done so far; ``train`` updates it at every epoch.

    ``n_iter`` counts the epochs of the current call, ``t`` the samples seen
    by every call. ``best_coefs`` / ``best_intercepts`` are copies of the
    parameters at the best validation score, for early stopping.
    """

    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list = field(default_factory=list)
    best_loss: float | None = np.inf
    validation_scores: list | None = None
    validation_losses: list | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    best_coefs: list | None = None
    best_intercepts: list | None = None

    def copy(self):
        """A copy that the next epoch cannot change (the lists copied)."""
        clone = copy.copy(self)
        clone.loss_curve = list(self.loss_curve)
        if self.validation_scores is not None:
            clone.validation_scores = list(self.validation_scores)
        if self.validation_losses is not None:
            clone.validation_losses = list(self.validation_losses)
        return clone


@dataclass
class TrainingResult:
    """How ``train`` ended.

    ``stop_reason`` is ``'hook'`` (a hook asked to stop: the stopping rule, or
    a callback), ``'max_epochs'`` (the budget ran out), or ``'interrupted'`` (a
    KeyboardInterrupt: the model is as after the last completed epoch, and the
    caller re-raises ``interrupt``). ``stopped_by`` is the hook that asked.
    """

    n_epochs: int
    stop_reason: str
    stopped_by: object = None
    interrupt: KeyboardInterrupt | None = None


class VerboseHook:
    """Prints each epoch's loss, as scikit-learn's ``verbose=True`` does."""

    def __call__(self, progress, network):
        print(f"Iteration {progress.n_iter}, loss = {progress.loss:.8f}")
        return False


class LossStallRule:
    """Stop when the training loss has not improved by ``tol`` for a while.

    scikit-learn's rule: an epoch counts as no improvement when its loss is
    above the best loss minus ``tol``; after more than ``n_iter_no_change`` of
    them in a row the optimizer decides (sgd's 'adaptive' schedule lowers the
    learning rate and goes on instead).
    """

    def __init__(self, optimizer, tol, n_iter_no_change, verbose=False):
        self.optimizer = optimizer
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose

    def _count(self, progress, network):
        loss = progress.loss_curve[-1]
        if loss > progress.best_loss - self.tol:
            progress.no_improvement_count += 1
        else:
            progress.no_improvement_count = 0
        if loss < progress.best_loss:
            progress.best_loss = loss

    def _message(self):
        return (
            f"Training loss did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )

    def __call__(self, progress, network):
        self._count(progress, network)
        if progress.no_improvement_count > self.n_iter_no_change:
            if self.optimizer.trigger_stopping(self._message(), self.verbose):
                return True
            progress.no_improvement_count = 0
        return False

    def on_train_end(self, progress, network):
        pass


class ValidationRule(LossStallRule):
    """Early stopping: the same rule on a held-out score, keeping the best weights.

    ``evaluate(X, Y, sample_weight)`` measures the network's current
    parameters on the held-out part: ``(score, loss)``, a score (higher is
    better) and the data loss, which is recorded too.
    """

    def __init__(self, optimizer, tol, n_iter_no_change, validation, evaluate, verbose):
        super().__init__(optimizer, tol, n_iter_no_change, verbose)
        self.validation = validation
        self.evaluate = evaluate

    def _monitored(self, score, loss):
        return score

    def _report(self, score, loss):
        print(f"Validation score: {score:f}")

    def _count(self, progress, network):
        score, loss = self.evaluate(*self.validation)
        progress.validation_losses.append(loss)
        score = self._monitored(score, loss)
        progress.validation_scores.append(score)
        if self.verbose:
            self._report(score, loss)
        if score < progress.best_validation_score + self.tol:
            progress.no_improvement_count += 1
        else:
            progress.no_improvement_count = 0
        if score > progress.best_validation_score:
            progress.best_validation_score = score
            progress.best_coefs = [W.copy() for W in network.coefs]
            progress.best_intercepts = [b.copy() for b in network.intercepts]

    def _message(self):
        return (
            f"Validation score did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )

    def on_train_end(self, progress, network):
        """Put the best weights back (in place: the optimizer holds the arrays)."""
        if progress.validation_scores:
            for W, best in zip(network.coefs, progress.best_coefs):
                W[...] = best
            for b, best in zip(network.intercepts, progress.best_intercepts):
                b[...] = best


class ValidationLossRule(ValidationRule):
    """Early stopping on the held-out data loss instead of the score.

    The loss, negated, takes the score's place (HistGradientBoosting's
    ``scoring='loss'`` does the same), so the bookkeeping, the comparison with
    ``tol`` and the kept weights are the validation rule's: an epoch improves
    when its loss is below the best loss minus ``tol``.
    """

    def _monitored(self, score, loss):
        return -loss

    def _report(self, score, loss):
        print(f"Validation loss: {loss:f}")

    def _message(self):
        return (
            f"Validation loss did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )


class _EpochStart:
    """The state an epoch changes in place, to return to if it does not end.

    An epoch either completes or leaves no trace: an interrupted or diverged
    epoch goes back to this.
    """

    def __init__(self, network, optimizer, dropout_rng, progress):
        params, _ = network.param_groups
        self.params = [p.copy() for p in params]
        self.optimizer = copy.deepcopy(optimizer)
        self.rng_state = (
            None if dropout_rng is None else dropout_rng.bit_generator.state
        )
        self.progress = progress.copy()

    def restore(self, network, optimizer, dropout_rng, progress):
        params, _ = network.param_groups
        for param, saved in zip(params, self.params):
            param[...] = saved
        optimizer.__setstate__(self.optimizer.__getstate__())
        if dropout_rng is not None:
            dropout_rng.bit_generator.state = self.rng_state
        progress.__dict__.update(self.progress.__dict__)


def train(
    runner,
    progress,
    *,
    max_epochs,
    hooks=(),
    random_state=None,
    shuffle=True,
    dropout_rng=None,
):
    """Run epochs of ``runner`` until a hook asks to stop or ``max_epochs`` ran.

    Parameters
    ----------
    runner : skreg._solvers.EpochRunner
        The network, optimizer, penalties, data and batch size.
    progress : TrainingProgress
        Updated in place: the run continues from it.
    max_epochs : int
    hooks : sequence of callables ``hook(progress, network) -> bool``
        Called in order at the end of each epoch, after its loss is recorded;
        training stops after the epoch when any returns True. A hook with an
        ``on_epoch_begin(progress, network)`` method has it called before each
        epoch, and one with ``on_train_end(progress, network)`` when training
        ends, also after an interrupt.
    random_state : numpy.random.RandomState
        Shuffles the samples at each epoch when ``shuffle``.
    dropout_rng : numpy.random.Generator or None
        Draws the dropout masks.

    Returns
    -------
    TrainingResult

    Raises DivergenceError, with the epoch number as its second argument,
    when the loss or the parameters become non-finite; the epoch is undone.
    """
    order = ShuffledOrder(runner.X.shape[0]) if shuffle else None
    progress.n_iter = 0
    result = TrainingResult(0, "max_epochs")
    epoch_begins = [
        hook.on_epoch_begin for hook in hooks if hasattr(hook, "on_epoch_begin")
    ]
    for _ in range(max_epochs):
        try:
            stopped_by = _run_epoch(
                runner, progress, hooks, epoch_begins, order, random_state, dropout_rng
            )
        except KeyboardInterrupt as interrupt:
            result.stop_reason, result.interrupt = "interrupted", interrupt
            break
        if stopped_by is not None:
            result.stop_reason, result.stopped_by = "hook", stopped_by
            break
    result.n_epochs = progress.n_iter
    for hook in hooks:
        on_train_end = getattr(hook, "on_train_end", None)
        if on_train_end is not None:
            on_train_end(progress, runner.network)
    return result


def _run_epoch(runner, progress, hooks, epoch_begins, order, random_state, dropout_rng):
    """One epoch, all or nothing; return the first hook that asks to stop, or None.

    A DivergenceError or a KeyboardInterrupt leaves the network, the optimizer,
    the dropout generator and ``progress`` as they were before the epoch, and
    propagates (the DivergenceError as ``train`` documents it).
    """
    network, optimizer = runner.network, runner.optimizer
    params, _ = network.param_groups
    n_samples = runner.X.shape[0]
    epoch_start = None
    try:
        epoch_start = _EpochStart(network, optimizer, dropout_rng, progress)
        for on_epoch_begin in epoch_begins:
            on_epoch_begin(progress, network)
        if order is not None:
            order.shuffle(random_state)
        accumulated = runner.run(order, dropout_rng)
        if not all(np.isfinite(p).all() for p in params):
            raise DivergenceError("parameters")
        return _end_epoch(progress, accumulated / n_samples, n_samples, runner, hooks)
    except DivergenceError as error:
        epoch_start.restore(network, optimizer, dropout_rng, progress)
        what = "parameters" if error.args == ("parameters",) else "loss"
        raise DivergenceError(what, progress.n_iter + 1) from None
    except KeyboardInterrupt:
        # Interrupted while taking the snapshot: nothing changed.
        if epoch_start is not None:
            epoch_start.restore(network, optimizer, dropout_rng, progress)
        raise


def _end_epoch(progress, loss, n_samples, runner, hooks):
    """Record the epoch, then ask the hooks; return the first that stops."""
    progress.n_iter += 1
    progress.loss = loss
    progress.t += n_samples
    progress.loss_curve.append(loss)
    runner.optimizer.iteration_ends(progress.t)
    stopped_by = None
    for hook in hooks:
        # Every hook sees every epoch, even after one has asked to stop.
        if hook(progress, runner.network) and stopped_by is None:
            stopped_by = hook
    return stopped_by


def _abs_max(X):
    """``max |x|`` over a dense or sparse array, 0 when it is empty."""
    values = X.data if hasattr(X, "tocsr") else X
    if values.size == 0:
        return 0.0
    # Two reductions, no |X| temporary the size of the data.
    return max(float(values.max()), -float(values.min()))


def final_loss_is_finite(network, parts, targets, *, bounded_targets):
    """Whether the loss at the final weights is finite on every ``(X, Y)`` part.

    ``network`` is ``(coefs, intercepts, activation, out_activation)``;
    ``targets(Y, dtype)`` gives the training targets of ``Y`` (smoothed);
    ``bounded_targets``: targets in [0, 1] with a clipped loss, as a
    classifier's. Most fits end with weights far from overflow: a bound from
    the parameters alone then proves the loss finite, in one pass over the
    parameters instead of a forward pass over the rows. When it cannot tell,
    the loss is computed, ``_CHECK_ROWS`` rows at a time.
    """
    if _loss_is_surely_finite(network, parts, bounded_targets):
        return True
    return all(
        _finite_loss(
            network,
            X_part[start : start + _CHECK_ROWS],
            Y_part[start : start + _CHECK_ROWS],
            targets,
        )
        for X_part, Y_part in parts
        for start in range(0, X_part.shape[0], _CHECK_ROWS)
    )


def _loss_is_surely_finite(network, parts, bounded_targets):
    coefs, intercepts, activation, out_activation = network
    finfo = np.finfo(coefs[0].dtype)
    # Squares of values below this limit, and exp of the Poisson limit, are
    # finite with room to spare.
    limit = float(finfo.max) ** 0.25
    input_bound = max(_abs_max(X_part) for X_part, _ in parts)
    z_bound = preactivation_bound(coefs, intercepts, activation, input_bound)
    z_limit = np.log(float(finfo.max)) / 2 if out_activation == "exp" else limit
    if not z_bound <= z_limit:
        return False
    return bounded_targets or max(_abs_max(Y_part) for _, Y_part in parts) <= limit


def _finite_loss(network, X, Y, targets):
    """Whether the loss on ``X, Y`` is finite; an overflow inside counts as not.

    An overflow inside the network counts even where the output saturates
    to a finite value.
    """
    coefs, intercepts, activation, out_activation = network
    try:
        with np.errstate(over="raise", invalid="raise"):
            P = predict_output(X, coefs, intercepts, activation, out_activation)
    except FloatingPointError:
        return False
    loss = LOSSES[out_activation](targets(Y, X.dtype), P)
    return bool(np.isfinite(P).all() and np.isfinite(loss))
