"""The bridge to scikit-learn's callbacks (``sklearn.callback``, experimental).

Every use of ``sklearn.callback`` is in this module, so that a change of the
experimental API is one edit. A fit is a root task with one sub-task per epoch
(``solver='sgd'`` or ``'adam'``; ``partial_fit`` is one epoch) or per L-BFGS
iteration. A sub-task ends with the model as it stands after that epoch, built
for the callbacks that ask for it (``fitted_estimator``) from copies; a
callback returning True from ``on_fit_task_end`` stops training after that
epoch or iteration.
"""

import copy
import importlib.util
from contextlib import nullcontext

import numpy as np
from sklearn.callback import CallbackSupportMixin, with_callbacks

from skreg._engine import layer_views

__all__ = [
    "CallbackSupportMixin",
    "CVCallbacks",
    "FitCallbacks",
    "SearchProgress",
    "path_task",
    "progress_bar",
    "with_callbacks",
]

# Fitted attributes that do not change during training and that prediction
# needs; copied into each epoch's model so that it outlives the fit.
_PREDICTION_ATTRIBUTES = (
    "n_features_in_",
    "feature_names_in_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
    "classes_",
    "_label_binarizer",
)


class FitCallbacks:
    """The callback tasks of one ``fit`` or ``partial_fit`` call.

    Opens the root task (which also runs the callbacks' ``setup``) and its
    ``on_fit_task_begin``. ``train_on`` names the data the epochs see; then
    ``epoch_hook`` (the stochastic solvers) or ``lbfgs_monitor`` reports each
    epoch or iteration as a sub-task, and ``end`` closes the root task after
    a successful fit.

    Parameters
    ----------
    estimator : _BaseMLP
        The estimator being fitted.
    max_subtasks : int
        The most epochs or iterations the call can run.
    X, y, sample_weight :
        The validated data of the call (``y`` may be a function returning it,
        evaluated only when a callback asks for it) and the sample weights as
        given, or None.
    """

    def __init__(self, estimator, max_subtasks, X, y, sample_weight):
        self.estimator = estimator
        self.root = estimator._init_callback_context(max_subtasks=max_subtasks)
        self.max_subtasks = max_subtasks
        # After the root context: a meta-estimator's propagated callbacks are
        # set on the estimator by then. Without any, the sub-tasks are skipped.
        self.active = bool(getattr(estimator, "_skl_callbacks", None))
        self._data = dict(X=X, y=y, metadata=_metadata(sample_weight))
        self._epoch_data = self._data
        self._task = None
        self._n_subtasks = 0
        self.root.call_on_fit_task_begin(estimator=estimator, **self._data)

    def train_on(self, X, y, sample_weight):
        """The rows the epochs train on and their weights (class weights in)."""
        self._epoch_data = dict(X=X, y=y, metadata=_metadata(sample_weight))

    def begin_subtask(self, attributes, task_name="epoch"):
        # The guard keeps a miscount from failing the fit: the context refuses
        # more children than max_subtasks.
        if not self.active or self._n_subtasks >= self.max_subtasks:
            return
        self._n_subtasks += 1
        self._task = self.root.subcontext(task_name=task_name)
        self._task.call_on_fit_task_begin(
            estimator=self.estimator,
            **self._epoch_data,
            reconstruction_attributes=attributes,
        )

    def end_subtask(self, attributes):
        """End the open sub-task; whether a callback asks to stop."""
        task, self._task = self._task, None
        if task is None:
            return False
        return bool(
            task.call_on_fit_task_end(
                estimator=self.estimator,
                **self._epoch_data,
                reconstruction_attributes=attributes,
            )
        )

    def end(self):
        """End the root task, the fitted estimator as it is."""
        if self._task is not None:
            # An iteration that began but never completed (an L-BFGS line
            # search that failed): it ends with no model to show.
            self._task.call_on_fit_task_end(estimator=self.estimator)
            self._task = None
        self.root.call_on_fit_task_end(
            estimator=self.estimator, **self._data, reconstruction_attributes={}
        )

    def snapshot(self, coefs, intercepts, **attributes):
        """The reconstruction attributes: copies of everything predict reads."""
        estimator = self.estimator
        snapshot = {
            name: copy.deepcopy(getattr(estimator, name))
            for name in _PREDICTION_ATTRIBUTES
            if hasattr(estimator, name)
        }
        snapshot["coefs_"] = [np.array(W) for W in coefs]
        snapshot["intercepts_"] = [np.array(b) for b in intercepts]
        snapshot.update(attributes)
        return snapshot

    def epoch_hook(self):
        """A ``train`` hook reporting each epoch, or None without callbacks."""
        return _EpochHook(self) if self.active else None

    def lbfgs_monitor(self):
        """A ``fit_lbfgs`` monitor reporting each iteration, or None."""
        return _IterationMonitor(self) if self.active else None


class CVCallbacks:
    """The callback tasks of a CV estimator's ``fit``.

    A root task with a sub-task per fold path (ended in whichever process
    joblib runs the path: the framework sends the events back) and one for the
    refit, into whose epochs the auto-propagated callbacks (``ProgressBar``)
    reach, as ``GridSearchCV`` propagates them into its refit. The fits along
    a fold's path are not sub-tasks of their own: ``mlp_path`` clones its
    estimator, and a clone does not carry a parent context.
    """

    def __init__(self, estimator, n_paths, refit, X, y, sample_weight):
        self.estimator = estimator
        self._data = dict(X=X, y=y, metadata=_metadata(sample_weight))
        # The paths may run side by side: their tasks carry their own ids.
        self.root = estimator._init_callback_context(
            max_subtasks=n_paths + int(refit), sequential_subtasks=False
        )
        self._n_paths = n_paths
        self.root.call_on_fit_task_begin(estimator=estimator, **self._data)
        # Made here, before the paths are sent: made inside the parallel loop
        # a context would change the estimator while joblib pickles it
        # (GridSearchCV makes its contexts ahead for the same reason).
        self.path_tasks = [
            self.root.subcontext(task_name="fold path", task_id=i)
            for i in range(n_paths)
        ]

    def refit(self, fit, model=None):
        """Run ``fit()`` as the refit sub-task; ``fit()`` fits ``model``, if
        given, which then reports its epochs to the propagated callbacks."""
        task = self.root.subcontext(task_name="refit", task_id=self._n_paths)
        propagated = model is not None
        with task.propagate_callback_context(model) if propagated else nullcontext():
            task.call_on_fit_task_begin(estimator=self.estimator, **self._data)
            fit()
        task.call_on_fit_task_end(estimator=self.estimator, **self._data)

    def end(self):
        self.root.call_on_fit_task_end(estimator=self.estimator, **self._data)


def path_task(task, caller, X, y, run):
    """``run()`` as the sub-task ``task`` of ``caller``'s fit, on ``X, y``
    (without a task, only ``run()``)."""
    if task is None:
        return run()
    task.call_on_fit_task_begin(estimator=caller, X=X, y=y)
    result = run()
    task.call_on_fit_task_end(estimator=caller, X=X, y=y)
    return result


def _metadata(sample_weight):
    # Only the sample weights: ScoringMonitor passes metadata to its scorer.
    return None if sample_weight is None else {"sample_weight": sample_weight}


class _EpochHook:
    """End-of-epoch hook of ``skreg._training.train``: one sub-task per epoch."""

    def __init__(self, callbacks):
        self.callbacks = callbacks

    def _attributes(self, progress, network):
        def build():
            return self.callbacks.snapshot(
                network.coefs,
                network.intercepts,
                n_iter_=progress.n_iter,
                t_=progress.t,
                loss_=progress.loss,
                loss_curve_=list(progress.loss_curve),
                validation_scores_=_copy_list(progress.validation_scores),
                validation_loss_curve_=_copy_list(progress.validation_losses),
                best_validation_score_=progress.best_validation_score,
            )

        return build

    def on_epoch_begin(self, progress, network):
        self.callbacks.begin_subtask(self._attributes(progress, network))

    def __call__(self, progress, network):
        return self.callbacks.end_subtask(self._attributes(progress, network))


def _copy_list(values):
    return None if values is None else list(values)


class _IterationMonitor:
    """``fit_lbfgs``'s monitor: one sub-task per L-BFGS iteration."""

    def __init__(self, callbacks):
        self.callbacks = callbacks
        self.shapes = (
            [W.shape for W in callbacks.estimator.coefs_],
            [b.shape for b in callbacks.estimator.intercepts_],
        )

    def _attributes(self, params, **attributes):
        def build():
            weights, biases = params()
            return self.callbacks.snapshot(
                layer_views(weights, self.shapes[0]),
                layer_views(biases, self.shapes[1]),
                **attributes,
            )

        return build

    def begin(self, params):
        self.callbacks.begin_subtask(self._attributes(params), "iteration")

    def end(self, nit, fun, params):
        attributes = self._attributes(params, n_iter_=nit, loss_=fun)
        return self.callbacks.end_subtask(attributes)


def progress_bar():
    """scikit-learn's ``ProgressBar`` when rich is installed, else None.

    Looks rich up without importing it, so a missing rich is never imported.
    """
    if importlib.util.find_spec("rich") is None:
        return None
    from sklearn.callback import ProgressBar

    return ProgressBar()


class SearchProgress(CallbackSupportMixin):
    """Callbacks for a loop that is not an estimator: the ``skreg`` job's search.

    ``run(loop)`` opens a root task of ``n_steps`` sub-tasks and calls
    ``loop(self)``, which marks each step with ``begin(i)`` and ``end(i)``
    (steps may overlap, as the candidates of a parallel group do).

    Parameters
    ----------
    callbacks : list of callback instances
    n_steps : int
    """

    def __init__(self, callbacks, n_steps):
        self.set_callbacks(*callbacks)
        self.n_steps = n_steps

    @with_callbacks
    def run(self, loop):
        root = self._init_callback_context(max_subtasks=self.n_steps)
        root.call_on_fit_task_begin(estimator=self)
        self._open = {}
        try:
            result = loop(self)
        finally:
            del self._open
        root.call_on_fit_task_end(estimator=self)
        return result

    def begin(self, step):
        context = self._callback_fit_ctx.subcontext(task_name="candidate")
        context.call_on_fit_task_begin(estimator=self)
        self._open[step] = context

    def end(self, step):
        self._open.pop(step).call_on_fit_task_end(estimator=self)
