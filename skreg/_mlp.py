"""The estimators: MLPClassifier and MLPRegressor.

This layer knows scikit-learn (validation, labels, fitted attributes, stopping
rules); the arithmetic lives in ``skreg._engine``, ``skreg._solvers`` and the
modules they use. The structure of ``_fit`` follows scikit-learn's
``BaseMultilayerPerceptron`` (``_fit -> _initialize -> _fit_stochastic |
_fit_lbfgs``), so that on the objectives the two share, a fit here is the same
run as a fit there.
"""

import copy
import warnings
from abc import ABC, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    is_classifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer, label_binarize
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from skreg._callbacks import CallbackSupportMixin, FitCallbacks, with_callbacks
from skreg._docstrings import CLASSIFIER_DOC, DOCS_URL, REGRESSOR_DOC
from skreg._dropout import layer_rates
from skreg._engine import Network, predict_output
from skreg._exceptions import InconsistentVersionWarning
from skreg._losses import LOSSES, smooth_targets
from skreg._optimizers import OPTIMIZERS
from skreg._penalties import GROUP_PENALTIES, make_penalties
from skreg._selection import SelectionMixin
from skreg._solvers import DivergenceError, EpochRunner, fit_lbfgs
from skreg._training import (
    LossStallRule,
    TrainingProgress,
    ValidationLossRule,
    ValidationRule,
    VerboseHook,
    final_loss_is_finite,
    train,
)
from skreg._validation import (
    Interval,
    Options,
    StrOptions,
    check_optimize_result,
    check_partial_fit_first_call,
    check_sample_weight,
    fit_context,
)
from skreg._version import __version__

_STOCHASTIC_SOLVERS = ("sgd", "adam")

# Every attribute fitting sets, by name. A failed or interrupted call restores
# exactly these and touches nothing else: metadata requests, callbacks set by
# set_callbacks and a meta-estimator's markers are not the estimator's to undo.
_FITTED_ATTRIBUTES = (
    "coefs_",
    "intercepts_",
    "n_iter_",
    "t_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "validation_loss_curve_",
    "best_validation_score_",
    "n_features_in_",
    "feature_names_in_",
    "classes_",
    "_label_binarizer",
    "_optimizer",
    "_dropout_rng",
    "_no_improvement_count",
    "_best_coefs",
    "_best_intercepts",
    "_fitted_objective",
    "_validation_scoring",
)

# Below this many held-out samples a validation score is mostly noise (one
# sample moves accuracy by 10% or more), so early stopping would stop on chance;
# scikit-learn raises below 2, skreg trains on all samples and warns below 10.
_MIN_VALIDATION_SAMPLES = 10

_DIVERGED = "Training diverged: the {what} became non-finite at {when}. Try {advice}."
_SCALING_ADVICE = "scaling the inputs (for example with StandardScaler)"


def _balanced_weights(encoded, base, n_classes):
    """'balanced' class weights ``S / (K * S_c)`` from the weighted totals.

    ``encoded`` are class indices, ``base`` the sample weights; ``K`` counts
    the classes present, and a class with no weight gets 0.
    """
    totals = np.bincount(encoded, weights=base, minlength=n_classes)
    present = totals > 0
    weights = np.zeros(n_classes)
    weights[present] = totals.sum() / (present.sum() * totals[present])
    return weights


class _BaseMLP(SelectionMixin, CallbackSupportMixin, BaseEstimator, ABC):
    """Shared fitting logic of the classifier and the regressor."""

    # What fitting sets, by name (a subclass that sets more extends it).
    _fitted_attributes = _FITTED_ATTRIBUTES

    # The "?" link of the HTML repr: scikit-learn's BaseEstimator fills the
    # template for classes of _doc_link_module (estimator_module is the public
    # path, skreg).
    _doc_link_module = "skreg"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [
            StrOptions({"l2", "l1", "elasticnet", "group", "sparse_group"}),
            None,
        ],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "input_dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "scoring": [StrOptions({"loss"}), None],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        *,
        solver,
        alpha,
        penalty,
        l1_ratio,
        dropout,
        input_dropout,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        scoring,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.dropout = dropout
        self.input_dropout = input_dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.scoring = scoring

    # ------------------------------------------------------------------
    # Parameters that involve more than one argument
    # ------------------------------------------------------------------

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if any(
            not isinstance(size, Integral | np.integer) or size <= 0 for size in sizes
        ):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {sizes}."
            )
        return sizes

    def _dropout_rates(self, n_hidden):
        """Dropout rate of each layer's input; checks the two dropout parameters."""
        dropout = self.dropout
        if np.ndim(dropout) != 0:
            try:
                rates = np.asarray(dropout, dtype=float)
            except (TypeError, ValueError):
                rates = None
            if rates is None or rates.ndim != 1 or rates.shape[0] != n_hidden:
                raise ValueError(
                    "dropout must be a float or a sequence of one float per hidden "
                    f"layer ({n_hidden}), got {dropout!r}."
                )
            if not np.all((rates >= 0) & (rates < 1)):
                raise ValueError(f"dropout rates must be in [0, 1), got {list(rates)}.")
        rates = layer_rates(self.input_dropout, dropout, n_hidden)
        if self.solver == "lbfgs" and any(rate > 0 for rate in rates):
            raise ValueError(
                "solver='lbfgs' does not support dropout (got "
                f"dropout={dropout!r}, input_dropout={self.input_dropout!r}): "
                "L-BFGS needs a deterministic objective. Use solver='adam' or "
                "'sgd', or set dropout=0 and input_dropout=0."
            )
        return rates

    def _check_group_penalty(self):
        if self.solver == "lbfgs" and self.penalty in GROUP_PENALTIES:
            raise ValueError(
                f"solver='lbfgs' does not support penalty={self.penalty!r}: the "
                "row norms have no smooth bound-constrained form for L-BFGS-B. "
                "Use solver='adam' or 'sgd', or penalty='l1' or 'elasticnet'."
            )

    # ------------------------------------------------------------------
    # Fitting
    # ------------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        # A failed call must leave the estimator as it was, fitted or not: keep
        # a copy of the fitted state and put it back on any error, whatever
        # step raised (parameter checks and partial_fit's classes included).
        # A KeyboardInterrupt in the epochs of fit or a warm start keeps the
        # epochs completed so far (lbfgs: its completed iterations): the
        # solver returns it, and it is raised once the model is consistent.
        saved = self._fitted_state()
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                interrupt = self._fit_checked(X, y, sample_weight, incremental, classes)
        except BaseException:
            self._restore_fitted_state(saved)
            raise
        if interrupt is not None:
            raise interrupt
        return self

    def _fit_checked(self, X, y, sample_weight, incremental, classes):
        hidden_sizes = self._hidden_sizes()
        rates = self._dropout_rates(len(hidden_sizes))
        self._check_group_penalty()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y = self._validate_input(X, y, incremental, first_pass, classes)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        given_weight = sample_weight
        sample_weight = self._class_weighted(Y, sample_weight, incremental)
        if Y.ndim == 1:
            Y = Y.reshape((-1, 1))
        callbacks = FitCallbacks(
            self,
            1 if incremental else self.max_iter,
            X,
            lambda: self._labels_of(Y),
            given_weight,
        )
        layer_units = [X.shape[1], *hidden_sizes, Y.shape[1]]

        # A fresh generator at every call, and the initial weights drawn from
        # it before anything whose size depends on n_samples (split, shuffling,
        # masks), so weighted and repeated data start from the same weights.
        random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(Y, layer_units, X.dtype, random_state)
        elif [W.shape[1] for W in self.coefs_] != layer_units[1:]:
            raise ValueError(
                "hidden_layer_sizes or the number of outputs changed since the "
                f"model was fitted: layers {[W.shape[1] for W in self.coefs_]}, "
                f"now {layer_units[1:]}. Refit with warm_start=False."
            )

        if self.solver in _STOCHASTIC_SOLVERS:
            interrupt = self._fit_stochastic(
                X, Y, sample_weight, random_state, rates, incremental, callbacks
            )
        else:
            interrupt = self._fit_lbfgs(X, Y, sample_weight, callbacks)
        self._fitted_objective = self._objective()
        if interrupt is not None:
            return interrupt
        if not all(np.isfinite(p).all() for p in self.coefs_ + self.intercepts_):
            raise self._diverged(
                "parameters", f"iteration {getattr(self, 'n_iter_', 0)}"
            )
        callbacks.end()
        return None

    def _initialize(self, Y, layer_units, dtype, random_state):
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        # Glorot and Bengio (2010) uniform initialisation, scikit-learn's
        # choice and draw order, so that seeds give the same starting weights.
        factor = 2.0 if self.activation == "logistic" else 6.0
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            bound = np.sqrt(factor / (fan_in + fan_out))
            W = random_state.uniform(-bound, bound, (fan_in, fan_out))
            b = random_state.uniform(-bound, bound, fan_out)
            self.coefs_.append(W.astype(dtype, copy=False))
            self.intercepts_.append(b.astype(dtype, copy=False))
        self._restart_progress()

    def _restart_progress(self):
        """The training record of a network that has not been trained yet.

        ``_initialize`` calls it after drawing the weights; the CV estimators
        call it on weights from elsewhere (a fold's network), which then train
        as a fresh fit that starts from them.
        """
        self.n_iter_ = 0
        self.t_ = 0
        if self.early_stopping:
            # What early stopping returns if no validation score is finite.
            self._best_coefs = [W.copy() for W in self.coefs_]
            self._best_intercepts = [b.copy() for b in self.intercepts_]
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.validation_loss_curve_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.validation_loss_curve_ = None
                self.best_validation_score_ = None

    def _penalties(self, weight_sum):
        return make_penalties(
            self.penalty,
            self.alpha,
            self.l1_ratio,
            weight_sum,
            shapes=[W.shape for W in self.coefs_],
        )

    def _fit_lbfgs(self, X, Y, sample_weight, callbacks):
        weight_sum = X.shape[0] if sample_weight is None else sample_weight.sum()
        penalties = self._penalties(weight_sum)
        network = Network(
            self.coefs_,
            self.intercepts_,
            self.activation,
            self.out_activation_,
            X.shape[0],
        )
        result = fit_lbfgs(
            network,
            penalties,
            X,
            self._training_targets(Y, X.dtype),
            sample_weight,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            monitor=callbacks.lbfgs_monitor(),
        )
        if result.interrupt is not None:
            # Keep the completed iterations, as the stochastic solvers keep
            # their completed epochs; with none, the call is undone.
            if result.nit == 0:
                raise result.interrupt
            self.n_iter_, self.loss_ = result.nit, result.fun
            return result.interrupt
        if not np.isfinite(result.fun):
            raise self._diverged("loss", f"iteration {result.nit + 1}")
        if result.stopped:
            # A callback asked to stop: not a convergence failure.
            self.n_iter_ = result.nit
        else:
            self.n_iter_ = check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)
        return None

    def _validation_split(self, X, Y, sample_weight, random_state):
        """Training and validation parts for early stopping, or None.

        Splits as scikit-learn does (same generator, stratified for a single
        output), but falls back to training on all samples, with a warning,
        when the validation part would have fewer than 10 samples or cannot be
        stratified, instead of failing or stopping on noise.
        """
        n_samples = X.shape[0]
        n_validation = int(np.ceil(self.validation_fraction * n_samples))
        stratify = Y if is_classifier(self) and Y.shape[1] == 1 else None
        reason = None
        if n_validation < _MIN_VALIDATION_SAMPLES or n_samples - n_validation < 1:
            reason = (
                f"the validation set would have {n_validation} sample(s) "
                f"(validation_fraction={self.validation_fraction}, "
                f"n_samples={n_samples})"
            )
        else:
            arrays = [X, Y] + ([] if sample_weight is None else [sample_weight])
            try:
                parts = train_test_split(
                    *arrays,
                    random_state=random_state,
                    test_size=self.validation_fraction,
                    stratify=stratify,
                )
            except ValueError as error:
                reason = f"the validation split failed ({error})"
            else:
                if sample_weight is not None and not all(
                    part.sum() > 0 for part in parts[-2:]
                ):
                    reason = (
                        "the training or the validation part would have a zero "
                        "sample-weight sum"
                    )
        if reason is not None:
            warnings.warn(
                f"early_stopping=True, but {reason}; training on all samples "
                "without early stopping.",
                UserWarning,
            )
            return None
        if sample_weight is None:
            parts += [None, None]
        X_train, X_val, Y_train, Y_val, sw_train, sw_val = parts
        return X_train, Y_train, sw_train, (X_val, Y_val, sw_val)

    def _fit_stochastic(
        self, X, Y, sample_weight, random_state, rates, incremental, callbacks
    ):
        # partial_fit sees one chunk of a stream: there is nothing to hold out
        # (it is not available with early_stopping=True).
        validation = None
        if self.early_stopping and not incremental:
            split = self._validation_split(X, Y, sample_weight, random_state)
            if split is not None:
                X, Y, sample_weight, validation = split
        progress = self._training_progress(validation)
        callbacks.train_on(X, lambda: self._labels_of(Y), sample_weight)

        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        weight_sum = n_samples if sample_weight is None else sample_weight.sum()
        network = Network(
            self.coefs_,
            self.intercepts_,
            self.activation,
            self.out_activation_,
            batch_size,
            rates,
        )
        params, _ = network.param_groups
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer(params)
        runner = EpochRunner(
            network,
            self._optimizer,
            self._penalties(weight_sum),
            X,
            Y,
            sample_weight,
            batch_size,
            smoothing=self._target_smoothing(),
        )
        self._dropout_rng = self._dropout_generator(rates, random_state, incremental)
        try:
            result = train(
                runner,
                progress,
                max_epochs=1 if incremental else self.max_iter,
                hooks=self._epoch_hooks(validation, callbacks),
                random_state=random_state,
                shuffle=self.shuffle,
                dropout_rng=self._dropout_rng,
            )
        except DivergenceError as error:
            what, epoch = error.args
            raise self._diverged(what, f"epoch {epoch}") from None
        self._set_progress(progress)
        if result.stop_reason == "interrupted":
            # fit keeps the epochs completed so far; partial_fit has a single
            # epoch, so the call is undone.
            if incremental:
                raise result.interrupt
            return result.interrupt
        if result.stop_reason == "max_epochs" and not incremental:
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations "
                f"({self.max_iter}) reached and the optimization hasn't "
                "converged yet.",
                ConvergenceWarning,
            )
        self._check_end_loss(X, Y, validation, batch_size if incremental else None)
        return None

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _dropout_generator(self, rates, random_state, incremental):
        """The generator of the dropout masks, or None without dropout."""
        if not any(rate > 0 for rate in rates):
            return None
        # Masks come from a Generator (fast, fills buffers in place) seeded from
        # the fit's random state; drawn only with dropout so runs without it
        # consume the random state exactly as scikit-learn does. partial_fit
        # continues the stream: re-seeding at every call would repeat the same
        # masks on every chunk.
        if incremental and getattr(self, "_dropout_rng", None) is not None:
            return self._dropout_rng
        return np.random.default_rng(random_state.randint(2**31 - 1))

    def _epoch_hooks(self, validation, callbacks=None):
        """The end-of-epoch hooks: verbose output, the stopping rule, callbacks."""
        hooks = [VerboseHook()] if self.verbose else []
        counts = (self.tol, self.n_iter_no_change)
        if validation is None:
            hooks.append(LossStallRule(self._optimizer, *counts, verbose=self.verbose))
        else:
            rule = ValidationLossRule if self.scoring == "loss" else ValidationRule
            hooks.append(
                rule(
                    self._optimizer,
                    *counts,
                    validation=validation,
                    evaluate=self._evaluate,
                    verbose=self.verbose,
                )
            )
        # Last: the callbacks see the epoch's validation score and loss.
        hook = None if callbacks is None else callbacks.epoch_hook()
        if hook is not None:
            hooks.append(hook)
        return hooks

    def _evaluate(self, X, Y, sample_weight):
        """Held-out score (None when stopping on the loss) and data loss.

        One forward pass for both. The loss is the training loss's, without
        the penalty: the weighted mean over the rows, with label smoothing.
        """
        P = self._forward(X, check_input=False)
        loss = LOSSES[self.out_activation_](
            self._training_targets(Y, P.dtype), P, sample_weight
        )
        if self.scoring == "loss":
            return None, float(loss)
        return self._score_output(P, self._labels_of(Y), sample_weight), float(loss)

    def _check_end_loss(self, X, Y, validation, rows):
        """Raise if the loss at the final weights is not finite.

        Each batch's loss is taken before its step, so the last step of a call
        is unchecked: check what the next batches would. partial_fit checks
        ``rows`` (one batch), cheap next to the epoch it ran; fit all the rows,
        the held-out ones included.
        """
        checked = slice(rows)
        parts = [(X[checked], Y[checked])]
        if validation is not None:
            parts.append(validation[:2])
        network = (self.coefs_, self.intercepts_, self.activation, self.out_activation_)
        # A classifier's targets are in [0, 1] and its log-loss is clipped.
        if not final_loss_is_finite(
            network, parts, self._training_targets, bounded_targets=is_classifier(self)
        ):
            raise self._diverged("loss", f"the end of epoch {self.n_iter_}")

    def _training_progress(self, validation):
        """The progress the training loop continues, from the fitted attributes.

        After ``_initialize`` they match this call's stopping rule; a warm
        start or partial_fit may continue a model fitted by lbfgs (which keeps
        no loss curve) or with the other ``early_stopping`` setting, or one
        whose split fell back: the bookkeeping of the rule in use starts anew.
        """
        progress = TrainingProgress(
            n_iter=self.n_iter_,
            t=self.t_,
            loss=getattr(self, "loss_", None),
            loss_curve=getattr(self, "loss_curve_", []),
            best_loss=getattr(self, "best_loss_", None),
            validation_scores=getattr(self, "validation_scores_", None),
            validation_losses=getattr(self, "validation_loss_curve_", None),
            best_validation_score=getattr(self, "best_validation_score_", None),
            no_improvement_count=getattr(self, "_no_improvement_count", 0),
            best_coefs=getattr(self, "_best_coefs", None),
            best_intercepts=getattr(self, "_best_intercepts", None),
        )
        # Unlike scikit-learn, a warm start or partial_fit with another
        # objective (a new alpha, say) starts the stopping rule afresh: the
        # best loss or score of the old objective says nothing about the new
        # one, and comparing them stopped a path over alpha after one epoch.
        new_objective = getattr(self, "_fitted_objective", None) != self._objective()
        if validation is None and (progress.best_loss is None or new_objective):
            # Stopping on the training loss.
            progress.best_loss = np.inf
            progress.no_improvement_count = 0
            progress.validation_scores = progress.best_validation_score = None
            progress.validation_losses = None
        elif validation is not None:
            # Stopping on the validation score or loss: the history starts anew
            # when the metric changed, the best score when the objective did.
            new_metric = (
                progress.validation_scores is None
                or progress.validation_losses is None
                or getattr(self, "_validation_scoring", None) != self.scoring
            )
            if new_metric:
                progress.validation_scores = []
                progress.validation_losses = []
            if new_metric or new_objective:
                progress.best_validation_score = -np.inf
                progress.no_improvement_count = 0
                progress.best_loss = None
                progress.best_coefs = [W.copy() for W in self.coefs_]
                progress.best_intercepts = [b.copy() for b in self.intercepts_]
        return progress

    def _objective(self):
        """The parameters that define the training objective (not the run)."""
        return tuple(
            (name, getattr(self, name))
            for name in ("penalty", "alpha", "l1_ratio", *self._objective_parameters)
        )

    def _set_progress(self, progress):
        """The fitted attributes of the training loop's progress."""
        self.n_iter_ = progress.n_iter
        self.t_ = progress.t
        self.loss_ = progress.loss
        self.loss_curve_ = progress.loss_curve
        self.best_loss_ = progress.best_loss
        self.validation_scores_ = progress.validation_scores
        self.validation_loss_curve_ = progress.validation_losses
        self._validation_scoring = self.scoring
        self.best_validation_score_ = progress.best_validation_score
        self._no_improvement_count = progress.no_improvement_count
        if progress.best_coefs is not None:
            self._best_coefs = progress.best_coefs
            self._best_intercepts = progress.best_intercepts

    def _diverged(self, what, when):
        """The ValueError for non-finite loss or parameters, with what to try."""
        advice = _SCALING_ADVICE
        if not is_classifier(self):
            advice += " and the targets"
        if self.solver in _STOCHASTIC_SOLVERS:
            advice = (
                f"a smaller learning_rate_init, {advice}, or a stronger penalty "
                "(larger alpha)"
            )
        return ValueError(_DIVERGED.format(what=what, when=when, advice=advice))

    def _make_optimizer(self, params):
        if self.solver == "sgd":
            return OPTIMIZERS["sgd"](
                params,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return OPTIMIZERS["adam"](
            params, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
        )

    # ------------------------------------------------------------------
    # Transactional state
    # ------------------------------------------------------------------

    def _fitted_state(self):
        """A deep copy of the fitted attributes that are set."""
        return copy.deepcopy(
            {
                name: self.__dict__[name]
                for name in self._fitted_attributes
                if name in self.__dict__
            }
        )

    def _restore_fitted_state(self, state):
        """Put back the fitted attributes of ``state``; drop those it lacks."""
        # Assigned in place, so the attributes keep their order (a pickle of
        # the restored estimator is the same bytes as before the call).
        for name in self._fitted_attributes:
            if name not in state:
                self.__dict__.pop(name, None)
        self.__dict__.update(state)

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _forward(self, X, check_input=True):
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        return predict_output(
            X, self.coefs_, self.intercepts_, self.activation, self.out_activation_
        )

    def _score(self, X, y, sample_weight=None):
        """Score on already validated data, NaN for non-finite predictions."""
        return self._score_output(self._forward(X, check_input=False), y, sample_weight)

    def _score_output(self, P, y, sample_weight=None):
        """``_score`` from the network's output ``P``."""
        y_pred = self._prediction(P)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred, sample_weight=sample_weight)

    def _partial_fit_refusal(self):
        """Why ``partial_fit`` is not available with these parameters, or None."""
        if self.solver not in _STOCHASTIC_SOLVERS:
            return (
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        if self.early_stopping:
            # scikit-learn's MLP refuses it too: a chunk of a stream has
            # nothing to hold out.
            return "partial_fit is not available with early_stopping=True."
        return None

    def _check_partial_fit(self):
        # available_if: with a refusal, hasattr(est, "partial_fit") is False,
        # so incremental-learning tools and the estimator checks see it.
        refusal = self._partial_fit_refusal()
        if refusal is not None:
            raise AttributeError(refusal)
        return True

    # with_callbacks tears the callbacks down, as scikit-learn 1.9's private
    # fit_context also does: the public decorator keeps that from depending
    # on a private helper (the second teardown finds nothing left to do).
    @fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, non-negative. The penalty is divided by their sum.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    # ------------------------------------------------------------------
    # Pickling
    # ------------------------------------------------------------------

    def __getstate__(self):
        state = super().__getstate__()
        return {**state, "_skreg_version": __version__}

    def __setstate__(self, state):
        version = state.pop("_skreg_version", "pre-0.1")
        if version != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_skreg_version=__version__,
                    original_skreg_version=version,
                )
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        penalty="l2",
        l1_ratio=0.15,
        dropout=0.0,
        input_dropout=0.0,
        label_smoothing=0.0,
        class_weight=None,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        scoring=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            penalty=penalty,
            l1_ratio=l1_ratio,
            dropout=dropout,
            input_dropout=input_dropout,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            scoring=scoring,
        )
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight

    _score_function = staticmethod(accuracy_score)
    _objective_parameters = ("label_smoothing", "class_weight")

    def _partial_fit_refusal(self):
        refusal = super()._partial_fit_refusal()
        if refusal is None and self.class_weight == "balanced":
            # As SGDClassifier: one call's class frequencies are not the
            # stream's, and recomputing them per call would change the weights
            # from call to call.
            return (
                "partial_fit is not available with class_weight='balanced': "
                "the class frequencies of one call are not those of the stream. "
                "Compute the weights once, for example with sklearn.utils."
                "class_weight.compute_class_weight('balanced', classes=classes, "
                "y=y) on a large enough sample of the targets, and pass them as "
                "a dict."
            )
        return refusal

    def _output_activation(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _validate_input(self, X, y, incremental, reset, classes=None):
        if incremental and check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        # Which label encoding to use, as in scikit-learn's MLPClassifier:
        # define it on a first fit, check it on warm starts and partial fits.
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously "
                        f"got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        # Encoded 0/1 targets in one byte each: the solvers cast them to X's
        # dtype (and smooth them) a batch at a time, so no float copy of the
        # whole target matrix is kept.
        # Encoded through the sparse form: LabelBinarizer.transform builds an
        # int64 matrix first, the largest allocation of a fit on wide targets.
        encoded = label_binarize(y, classes=self.classes_, sparse_output=True)
        encoded = encoded.tocoo()
        Y = np.zeros(encoded.shape, dtype=np.uint8)
        Y[encoded.row, encoded.col] = encoded.data != 0
        return X, Y

    def _class_weighted(self, Y, sample_weight, incremental):
        """Sample weights times class weights, as LogisticRegression combines them.

        'balanced' gives class ``c`` the weight ``S / (K * S_c)`` from the
        weighted class totals ``S_c`` of the data at hand (for partial_fit, the
        batch); a class with no weight there gets 0.
        """
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return self._multilabel_class_weighted(Y, sample_weight)
        n_classes = len(self.classes_)
        encoded = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(np.intp)
        base = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
        if isinstance(self.class_weight, str):
            weights = _balanced_weights(encoded, base, n_classes)
        else:
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(unknown, key=str)} that are "
                    f"not classes of y ({self.classes_.tolist()})."
                )
            try:
                weights = np.array(
                    [self.class_weight.get(c, 1.0) for c in self.classes_.tolist()],
                    dtype=float,
                )
            except (TypeError, ValueError):
                weights = np.array([np.nan])
            if not np.all(np.isfinite(weights) & (weights >= 0)):
                raise ValueError(
                    "class_weight values must be finite non-negative numbers, "
                    f"got {self.class_weight!r}."
                )
        weighted = base * weights[encoded].astype(base.dtype)
        if not weighted.sum() > 0:
            raise ValueError(
                "The sample weights times class_weight sum to zero "
                f"(class_weight={self.class_weight!r}): there is nothing to fit."
            )
        return weighted

    def _multilabel_class_weighted(self, Y, sample_weight):
        """'balanced' for multilabel targets: the product over the labels.

        Each label is its own binary problem, so a row gets, for each label,
        the balanced weight of its value there (from the weighted totals, as
        for one output), multiplied together: scikit-learn's
        ``compute_sample_weight`` rule for multi-output targets. A dict names
        classes, which multilabel targets do not have per row.
        """
        if self.class_weight != "balanced":
            raise ValueError(
                "class_weight must be 'balanced' or None for multilabel targets "
                "(each label is its own binary problem, so a class is not a "
                f"property of a row); got {self.class_weight!r}. Use "
                "sample_weight instead."
            )
        base = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
        weighted = base.copy()
        for column in Y.T:
            weighted *= _balanced_weights(column, base, 2)[column]
        if not weighted.sum() > 0:
            raise ValueError(
                "The sample weights times class_weight sum to zero: there is "
                "nothing to fit."
            )
        return weighted.astype(base.dtype, copy=False)

    def _target_smoothing(self):
        """Label smoothing ``eps`` and the number of choices it spreads over."""
        n_choices = self.n_outputs_ if self.out_activation_ == "softmax" else 2
        return self.label_smoothing, n_choices

    def _training_targets(self, Y, dtype):
        eps, n_choices = self._target_smoothing()
        return smooth_targets(Y.astype(dtype), eps, n_choices)

    def _labels_of(self, Y):
        return self._label_binarizer.inverse_transform(
            Y.ravel() if Y.shape[1] == 1 else Y
        )

    def _predict(self, X, check_input=True):
        return self._prediction(self._forward(X, check_input=check_input))

    def _prediction(self, y_pred):
        """The labels of the network's output."""
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def predict(self, X):
        """Predict using the multi-layer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        return self._predict(X)

    @available_if(lambda est: est._check_partial_fit())
    @fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, non-negative. The penalty is divided by their sum.
        classes : array of shape (n_classes,), default=None
            Classes across all calls to partial_fit. Required for the first
            call, except for multilabel targets; can be omitted afterwards.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(
            X, y, sample_weight=sample_weight, incremental=True, classes=classes
        )

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The predicted probability of each class, in the order of
            ``classes_``. Logistic outputs (binary and multilabel) are kept
            within ``[eps, 1 - eps]`` of their dtype, as the training loss sees
            them, so they never saturate to exactly 0 or 1.
        """
        check_is_fitted(self)
        y_pred = self._forward(X)
        if self.out_activation_ == "logistic":
            eps = np.finfo(y_pred.dtype).eps
            np.clip(y_pred, eps, 1 - eps, out=y_pred)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
            if len(self.classes_) == 1:
                # Trained on one class: it is certain, in one column as classes_
                # (scikit-learn returns two columns here).
                return np.ones((y_pred.shape[0], 1), dtype=y_pred.dtype)
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        """Return the log of probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        penalty="l2",
        l1_ratio=0.15,
        dropout=0.0,
        input_dropout=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        scoring=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            penalty=penalty,
            l1_ratio=l1_ratio,
            dropout=dropout,
            input_dropout=input_dropout,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            scoring=scoring,
        )
        self.loss = loss

    _score_function = staticmethod(r2_score)
    _objective_parameters = ("loss",)

    def _output_activation(self):
        return "exp" if self.loss == "poisson" else "identity"

    def _validate_input(self, X, y, incremental, reset, classes=None):
        # ``classes`` is the classifier's; a regressor's partial_fit has none.
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "loss='poisson'."
            )
        return X, y.astype(X.dtype, copy=False)

    def _class_weighted(self, Y, sample_weight, incremental):
        return sample_weight

    def _target_smoothing(self):
        return 0.0, 1

    def _training_targets(self, Y, dtype):
        return Y

    def _labels_of(self, Y):
        return Y.ravel() if Y.shape[1] == 1 else Y

    def _predict(self, X, check_input=True):
        return self._prediction(self._forward(X, check_input=check_input))

    def _prediction(self, y_pred):
        """The predictions of the network's output."""
        if y_pred.shape[1] == 1:
            return y_pred.ravel()
        return y_pred

    def predict(self, X):
        """Predict using the multi-layer perceptron model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        check_is_fitted(self)
        return self._predict(X)

    @available_if(lambda est: est._check_partial_fit())
    @fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, non-negative. The penalty is divided by their sum.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)


MLPClassifier.__doc__ = CLASSIFIER_DOC
MLPRegressor.__doc__ = REGRESSOR_DOC
