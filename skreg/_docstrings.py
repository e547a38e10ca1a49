"""The estimators' class docstrings, assembled from one set of parameter texts.

The classifier and the regressor share all but a few parameters; writing each
description once keeps the two docstrings from drifting apart.
"""

# The published documentation; the estimators' HTML repr links its "?" here.
DOCS_URL = "https://skreg.readthedocs.io/en/stable/"

_OBJECTIVE = """\
    The model minimises, over the weights ``W`` of every layer (never the
    intercepts),

    .. math::

        \\frac{{1}}{{S}} \\sum_i s_i \\, \\ell(y_i, f(x_i))
        + \\frac{{\\alpha}}{{S}} \\Big( \\rho \\, \\lVert W \\rVert_1
        + \\frac{{1 - \\rho}}{{2}} \\lVert W \\rVert_2^2 \\Big)

    where :math:`s_i` are the sample weights, :math:`S = \\sum_i s_i` their sum
    over the training set (``n_samples`` without weights), :math:`\\rho` is
    ``l1_ratio`` (0 for ``penalty='l2'``, 1 for ``'l1'``) and :math:`\\ell` is
    {loss}. A mini-batch step uses the batch's weighted mean loss with the same
    :math:`\\alpha / S` penalty, so ``alpha`` means the same for every
    ``batch_size`` and solver. The squared part of the penalty goes through the
    optimizer; the :math:`\\lVert W \\rVert_1` part is a proximal step
    (soft-thresholding with the optimizer's own step size), so weights become
    exactly zero.

    This equals scikit-learn's objective for ``solver='lbfgs'``, full batches
    or ``alpha=0``: there, with the same ``random_state``, the two estimators
    run the same training. scikit-learn's stochastic solvers divide the
    penalty by the *batch's* weight sum instead, so for batches of size ``b``,
    ``alpha=a * S / b`` here equals ``alpha=a`` there.
"""

_PARAMS = {
    "loss": """\
    loss : {'squared_error', 'poisson'}, default='squared_error'
        The loss function: half the squared error (identity output), or half
        the Poisson deviance with a log link (exponential output), which
        requires ``y >= 0``.
""",
    "hidden_layer_sizes": """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.
""",
    "activation": """\
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation function of the hidden layers.
""",
    "solver": """\
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The solver for weight optimization: 'lbfgs' (quasi-Newton, full
        batch), 'sgd' (stochastic gradient descent) or 'adam'.
""",
    "alpha": """\
    alpha : float, default=0.0001
        Strength of the penalty, divided by the training set's sample-weight
        sum (see the objective above). Unbounded: not a 0-to-1 mixing knob
        (that is ``l1_ratio``). It is on another scale than
        ``SGDClassifier(alpha=...)``, which does not divide by the weight sum,
        and than PyTorch's ``weight_decay``.
""",
    "penalty": """\
    penalty : {'l2', 'l1', 'elasticnet', None}, default='l2'
        The weight-norm penalty. 'l2' is scikit-learn's; 'l1' sets weights to
        exactly zero; 'elasticnet' mixes the two with ``l1_ratio``; None is no
        penalty (the same as ``alpha=0``).
""",
    "l1_ratio": """\
    l1_ratio : float, default=0.15
        The elastic-net mixing parameter, in [0, 1]: ``l1_ratio=0`` is 'l2'
        and ``l1_ratio=1`` is 'l1'. Only used when ``penalty='elasticnet'``.
""",
    "dropout": """\
    dropout : float or sequence of float, default=0.0
        Share of hidden units dropped at each training step, for all hidden
        layers or one rate per hidden layer, each in [0, 1). Inverted dropout:
        kept units are scaled by ``1 / (1 - rate)``, and prediction uses the
        whole network with no randomness. Only used when solver='sgd' or
        'adam'.
""",
    "input_dropout": """\
    input_dropout : float, default=0.0
        Share of input features dropped at each training step, in [0, 1).
        Only used when solver='sgd' or 'adam'.
""",
    "label_smoothing": """\
    label_smoothing : float, default=0.0
        Smoothing of the training targets, in [0, 1): ``(1 - eps) * Y + eps /
        K`` for softmax outputs (multiclass, ``K`` classes) and ``y * (1 - eps)
        + eps / 2`` for logistic outputs (binary and multilabel); ``eps=0.2``
        gives the classic 0.1 / 0.9 targets. It changes the training targets
        and the reported loss, never ``classes_`` or the predicted labels.
""",
    "class_weight": """\
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``. 'balanced'
        gives class ``c`` the weight ``S / (K * S_c)``, with ``S_c`` the total
        sample weight of class ``c``. ``partial_fit`` is not available with
        'balanced' (one call's frequencies are not the stream's): compute the
        weights once with
        :func:`~sklearn.utils.class_weight.compute_class_weight` and pass a
        dict. For multilabel targets, where every label is its own binary
        problem, 'balanced' multiplies each label's balanced weight of the
        row's value, as
        :func:`~sklearn.utils.class_weight.compute_sample_weight` does for
        multi-output targets; a dict raises ``ValueError`` there.
""",
    "batch_size": """\
    batch_size : int, default='auto'
        Size of the mini-batches of the stochastic solvers; 'auto' is
        ``min(200, n_samples)``. Not used by 'lbfgs'.
""",
    "learning_rate": """\
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning rate schedule of solver='sgd': 'constant' keeps
        ``learning_rate_init``; 'invscaling' uses ``learning_rate_init /
        pow(t, power_t)``; 'adaptive' divides the rate by 5 each time the loss
        stalls for ``n_iter_no_change`` epochs. Only used when solver='sgd'.
""",
    "learning_rate_init": """\
    learning_rate_init : float, default=0.001
        The initial learning rate. Only used when solver='sgd' or 'adam'.
""",
    "power_t": """\
    power_t : float, default=0.5
        The exponent of the 'invscaling' schedule. Only used when
        solver='sgd'.
""",
    "max_iter": """\
    max_iter : int, default=200
        Maximum number of iterations: epochs for 'sgd' and 'adam', iterations
        for 'lbfgs'.
""",
    "shuffle": """\
    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch. Only used when
        solver='sgd' or 'adam'.
""",
    "random_state": """\
    random_state : int, RandomState instance, default=None
        Seed of the weight initialisation, the shuffling, the dropout masks and
        the early-stopping split. Pass an int for reproducible fits.
""",
    "tol": """\
    tol : float, default=1e-4
        Tolerance of the optimization: training stops when the loss (or the
        validation score) does not improve by ``tol`` for ``n_iter_no_change``
        epochs.
""",
    "verbose": """\
    verbose : bool, default=False
        Whether to print progress messages.
""",
    "warm_start": """\
    warm_start : bool, default=False
        Reuse the solution of the previous call to fit as initialization.
""",
    "momentum": """\
    momentum : float, default=0.9
        Momentum of the gradient descent update, in [0, 1]. Only used when
        solver='sgd'.
""",
    "nesterovs_momentum": """\
    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum. Only used when solver='sgd' and
        momentum > 0.
""",
    "early_stopping": """\
    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data and
        stop when the validation score stalls, keeping the best weights. When
        the held-out part would have fewer than 10 samples (or cannot be
        stratified), training uses all samples without early stopping and
        warns. ``partial_fit`` is not available with it. Only used
        when solver='sgd' or 'adam'.
""",
    "validation_fraction": """\
    validation_fraction : float, default=0.1
        The share of training data held out for early stopping, in [0, 1).
""",
    "beta_1": """\
    beta_1 : float, default=0.9
        Decay rate of the first moment estimates of adam, in [0, 1).
""",
    "beta_2": """\
    beta_2 : float, default=0.999
        Decay rate of the second moment estimates of adam, in [0, 1).
""",
    "epsilon": """\
    epsilon : float, default=1e-8
        Numerical stability constant of adam.
""",
    "n_iter_no_change": """\
    n_iter_no_change : int, default=10
        Number of epochs without an improvement of ``tol`` before stopping.
        Only used when solver='sgd' or 'adam'.
""",
    "max_fun": """\
    max_fun : int, default=15000
        Maximum number of loss function calls. Only used when solver='lbfgs'.
""",
    "scoring": """\
    scoring : {'loss', None}, default=None
        What early stopping watches on the held-out data. None: the
        estimator's score (accuracy or :math:`R^2`), as scikit-learn does.
        'loss': the data loss without the penalty (``validation_loss_curve_``);
        ``validation_scores_`` then holds the negated loss, as
        HistGradientBoosting's ``scoring='loss'`` does. Only used when
        ``early_stopping=True``.
""",
}

_COMMON_ORDER = [
    "hidden_layer_sizes",
    "activation",
    "solver",
    "alpha",
    "penalty",
    "l1_ratio",
    "dropout",
    "input_dropout",
]
_TRAINING_ORDER = [
    "batch_size",
    "learning_rate",
    "learning_rate_init",
    "power_t",
    "max_iter",
    "shuffle",
    "random_state",
    "tol",
    "verbose",
    "warm_start",
    "momentum",
    "nesterovs_momentum",
    "early_stopping",
    "validation_fraction",
    "beta_1",
    "beta_2",
    "epsilon",
    "n_iter_no_change",
    "max_fun",
    "scoring",
]

_ATTRIBUTES = """\
    Attributes
    ----------
{classes}\
    loss_ : float
        The objective (data loss plus penalty) at the end of training.
    best_loss_ : float or None
        The lowest training loss reached; None with early stopping. Only for
        solver='sgd' or 'adam'.
    loss_curve_ : list of float
        The loss at the end of each epoch. Only for solver='sgd' or 'adam'.
    validation_scores_ : list of float or None
        The validation score of each epoch with early stopping (the negated
        validation loss with ``scoring='loss'``), else None.
    validation_loss_curve_ : list of float or None
        The data loss (without the penalty) on the held-out rows at each
        epoch with early stopping, else None. Only for solver='sgd' or 'adam'.
    best_validation_score_ : float or None
        The best validation score with early stopping, else None.
    t_ : int
        The number of training samples seen by the solver.
    coefs_ : list of ndarray
        The ith element is the weight matrix between layer i and layer i + 1.
    intercepts_ : list of ndarray
        The ith element is the bias vector of layer i + 1.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    n_iter_ : int
        The number of iterations (epochs for the stochastic solvers) run by
        the last call.
    n_layers_ : int
        Number of layers.
    n_outputs_ : int
        Number of outputs.
    out_activation_ : str
        Name of the output activation.
"""

_CLASSES_ATTRIBUTE = """\
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels.
"""

_SEE_ALSO = """\
    See Also
    --------
    sklearn.neural_network.{name} : scikit-learn's estimator, of which this
        one is a drop-in superset.
"""

_CLASSIFIER_EXAMPLE = """\
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skreg import MLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     MLPClassifier((32,), penalty="l1", alpha=5.0, max_iter=300,
    ...                   random_state=0),
    ... ).fit(X_train, y_train)
    >>> bool(model.score(X_test, y_test) > 0.9)
    True
    >>> mlp = model[-1]
    >>> kept = (mlp.coefs_[0] != 0).any(axis=1)
    >>> bool(kept.sum() < X.shape[1])  # L1 removed whole input features
    True
"""

_REGRESSOR_EXAMPLE = """\
    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.model_selection import train_test_split
    >>> from skreg import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=20, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
    >>> regr = MLPRegressor(random_state=1, max_iter=2000, tol=0.1, dropout=0.1)
    >>> regr.fit(X_train, y_train)
    MLPRegressor(dropout=0.1, max_iter=2000, random_state=1, tol=0.1)
    >>> bool(regr.score(X_test, y_test) > 0.8)
    True
"""


def _compose(title, summary, loss, names, example, classes_attribute, name):
    params = "".join(_PARAMS[key] for key in names)
    return (
        f"{title}\n\n{summary}\n"
        + _OBJECTIVE.format(loss=loss)
        + "\n    Parameters\n    ----------\n"
        + params
        + "\n"
        + _ATTRIBUTES.format(classes=classes_attribute)
        + "\n"
        + _SEE_ALSO.format(name=name)
        + "\n"
        + example
    )


CLASSIFIER_DOC = _compose(
    "Multi-layer perceptron classifier with weight penalties, dropout and "
    "label smoothing.",
    "    A drop-in superset of :class:`sklearn.neural_network.MLPClassifier`:\n"
    "    the same parameters, defaults and fitted attributes, plus ``penalty``,\n"
    "    ``l1_ratio``, ``dropout``, ``input_dropout``, ``label_smoothing``,\n"
    "    ``class_weight`` and ``scoring``, ``validation_loss_curve_`` and\n"
    "    scikit-learn's callbacks (``set_callbacks``).\n",
    "the cross-entropy of the softmax (multiclass) or logistic (binary,\n"
    "    multilabel) outputs against the (possibly smoothed) targets",
    [*_COMMON_ORDER, "label_smoothing", "class_weight", *_TRAINING_ORDER],
    _CLASSIFIER_EXAMPLE,
    _CLASSES_ATTRIBUTE,
    "MLPClassifier",
)

REGRESSOR_DOC = _compose(
    "Multi-layer perceptron regressor with weight penalties and dropout.",
    "    A drop-in superset of :class:`sklearn.neural_network.MLPRegressor`:\n"
    "    the same parameters, defaults and fitted attributes, plus ``penalty``,\n"
    "    ``l1_ratio``, ``dropout``, ``input_dropout`` and ``scoring``,\n"
    "    ``validation_loss_curve_`` and scikit-learn's callbacks\n"
    "    (``set_callbacks``).\n",
    "half the squared error (or half the Poisson deviance)",
    ["loss", *_COMMON_ORDER, *_TRAINING_ORDER],
    _REGRESSOR_EXAMPLE,
    "",
    "MLPRegressor",
)
