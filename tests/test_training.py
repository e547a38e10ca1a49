"""The training loop on arrays: hooks, stopping, continuation, interrupts."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skreg._engine import Network
from skreg._optimizers import AdamOptimizer
from skreg._penalties import make_penalties
from skreg._solvers import DivergenceError, EpochRunner
from skreg._training import LossStallRule, TrainingProgress, train


def _runner(seed=0, n=60, hidden=(6,), l1_ratio=0.5):
    X, y = make_classification(n, 5, n_informative=3, random_state=seed)
    Y = y.reshape(-1, 1).astype(np.uint8)
    rng = np.random.RandomState(seed)
    units = [5, *hidden, 1]
    coefs = [rng.uniform(-0.5, 0.5, (a, b)) for a, b in zip(units, units[1:])]
    intercepts = [rng.uniform(-0.5, 0.5, b) for b in units[1:]]
    network = Network(coefs, intercepts, "relu", "logistic", 16)
    params, _ = network.param_groups
    optimizer = AdamOptimizer(params, 0.01)
    penalties = make_penalties("elasticnet", 1.0, l1_ratio, n)
    return EpochRunner(network, optimizer, penalties, X, Y, None, 16)


def _weights(runner):
    return [p.copy() for p in runner.network.param_groups[0]]


class Recorder:
    """A hook that records each epoch and asks to stop at ``stop_at``."""

    def __init__(self, stop_at=None):
        self.epochs, self.losses, self.stop_at = [], [], stop_at
        self.ended = False

    def __call__(self, progress, network):
        self.epochs.append(progress.n_iter)
        self.losses.append(progress.loss)
        return progress.n_iter == self.stop_at

    def on_train_end(self, progress, network):
        self.ended = True


def test_a_hook_sees_every_epoch_and_can_stop_training():
    runner = _runner()
    recorder = Recorder(stop_at=4)
    progress = TrainingProgress()
    result = train(
        runner,
        progress,
        max_epochs=10,
        hooks=[recorder],
        random_state=np.random.RandomState(0),
    )
    assert recorder.epochs == [1, 2, 3, 4]
    assert recorder.losses == progress.loss_curve
    assert (result.n_epochs, result.stop_reason) == (4, "hook")
    assert result.stopped_by is recorder and recorder.ended
    assert progress.t == 4 * 60


def test_the_budget_ends_training_without_a_stopping_hook():
    progress = TrainingProgress()
    result = train(
        _runner(), progress, max_epochs=3, random_state=np.random.RandomState(0)
    )
    assert (result.n_epochs, result.stop_reason) == (3, "max_epochs")
    assert len(progress.loss_curve) == 3


def test_training_continues_from_given_weights_and_optimizer_state():
    # 3 epochs, then 4 more from the same weights, optimizer and progress, are
    # the same run as 7 at once: a warm start or a path point continues this
    # way. (Unshuffled: each call starts its shuffled order afresh, as
    # scikit-learn's fit does.)
    once, twice = _runner(), _runner()
    train(once, TrainingProgress(), max_epochs=7, shuffle=False)
    progress = TrainingProgress()
    train(twice, progress, max_epochs=3, shuffle=False)
    train(twice, progress, max_epochs=4, shuffle=False)
    for a, b in zip(_weights(once), _weights(twice)):
        np.testing.assert_array_equal(a, b)
    assert twice.optimizer.t == once.optimizer.t
    assert len(progress.loss_curve) == 7 and progress.t == 7 * 60


def test_the_stall_rule_stops_when_the_loss_stops_improving():
    runner = _runner()
    rule = LossStallRule(runner.optimizer, tol=10.0, n_iter_no_change=2)
    result = train(
        runner,
        TrainingProgress(),
        max_epochs=50,
        hooks=[rule],
        random_state=np.random.RandomState(0),
    )
    # tol=10: only the first epoch improves (on an infinite best loss); more
    # than n_iter_no_change=2 epochs without improvement stop it after the 4th.
    assert (result.n_epochs, result.stop_reason) == (4, "hook")
    assert result.stopped_by is rule


def test_an_interrupt_returns_to_the_last_completed_epoch():
    def interrupt_at_third(progress, network):
        if progress.n_iter == 3:
            raise KeyboardInterrupt
        return False

    reference, interrupted = _runner(), _runner()
    train(
        reference,
        TrainingProgress(),
        max_epochs=2,
        random_state=np.random.RandomState(0),
    )
    progress = TrainingProgress()
    result = train(
        interrupted,
        progress,
        max_epochs=10,
        hooks=[interrupt_at_third],
        random_state=np.random.RandomState(0),
    )
    assert result.stop_reason == "interrupted"
    assert isinstance(result.interrupt, KeyboardInterrupt)
    assert result.n_epochs == 2 and len(progress.loss_curve) == 2
    for a, b in zip(_weights(reference), _weights(interrupted)):
        np.testing.assert_array_equal(a, b)
    assert interrupted.optimizer.t == reference.optimizer.t


def test_divergence_undoes_the_epoch_and_names_it(monkeypatch):
    runner = _runner()
    progress = TrainingProgress()
    train(runner, progress, max_epochs=2, random_state=np.random.RandomState(0))
    before = _weights(runner)
    original = EpochRunner.run

    def diverging(self, *args):
        original(self, *args)
        self.network.param_groups[0][0][0] = np.nan
        return 1.0

    monkeypatch.setattr(EpochRunner, "run", diverging)
    with pytest.raises(DivergenceError) as error:
        train(runner, progress, max_epochs=5, random_state=np.random.RandomState(0))
    assert error.value.args == ("parameters", 1)
    for a, b in zip(before, _weights(runner)):
        np.testing.assert_array_equal(a, b)
    assert len(progress.loss_curve) == 2
