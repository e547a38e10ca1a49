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
    exactly zero. ``penalty='group'`` and ``'sparse_group'`` put norms of the
    rows of each weight matrix in the place of the penalty (see ``penalty``),
    so that whole input features and hidden units become exactly zero.

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
    penalty : {'l2', 'l1', 'elasticnet', 'group', 'sparse_group', None}, \
default='l2'
        The weight-norm penalty. 'l2' is scikit-learn's; 'l1' sets weights to
        exactly zero; 'elasticnet' mixes the two with ``l1_ratio``; None is no
        penalty (the same as ``alpha=0``). 'group' is the group lasso on the
        outgoing weights of every unit (a row of a weight matrix: an input
        feature in ``coefs_[0]``, a hidden unit after), with the penalty
        :math:`\\frac{\\alpha}{S} \\sum_g \\sqrt{p_g} \\lVert W_g
        \\rVert_2` over rows :math:`W_g` of :math:`p_g` weights: whole rows
        become exactly zero, which removes input features
        (``feature_importances_`` is 0.0 for them) and hidden units (see
        ``pruned``). 'sparse_group' puts a share ``l1_ratio`` of ``alpha`` on
        the L1 norm and the rest on the group norms (``l1_ratio=0`` is 'group',
        1 is 'l1'). Both are proximal steps without a squared part, and need
        solver='sgd' or 'adam'.
""",
    "l1_ratio": """\
    l1_ratio : float, default=0.15
        The elastic-net mixing parameter, in [0, 1]: ``l1_ratio=0`` is 'l2'
        and ``l1_ratio=1`` is 'l1'. Only used when ``penalty='elasticnet'``
        or 'sparse_group' (the share of the L1 norm beside the group norms).
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
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        The L2 norm of each input feature's first-layer weights into the
        hidden units that reach the output: exactly 0.0 for a feature the
        network does not use, so that
        :class:`~sklearn.feature_selection.SelectFromModel` can select on it
        (pass ``threshold=1e-5``, its default for L1 models).
    n_features_kept_ : int
        The number of input features with a non-zero importance.
    n_units_kept_ : ndarray of shape (`n_layers_` - 2,)
        The number of units of each hidden layer that reach the output: the
        ``hidden_layer_sizes`` of ``pruned()``.
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


_CV_PARAMS = {
    "alphas": """\
    alphas : int or array-like of float, default=12
        The grid of ``alpha``: an int for that many values spaced
        logarithmically over four decades below ``alpha_max`` (the alpha at
        which the ``|W|`` penalty removes every input of a network without
        hidden layers, computed from the data; ``l1_ratio`` is floored at 0.01,
        so for ``'l2'`` it is divided by 0.01), or the values themselves.
        Each fold fits them in increasing order, each fit starting from the
        previous one.
""",
    "l1_ratio": """\
    l1_ratio : float or list of float, default=0.15
        The elastic-net mixing parameter; with ``penalty='elasticnet'`` a list
        is tried value by value, each with its own path.
""",
    "cv": """\
    cv : int, cross-validation generator or iterable, default=None
        The folds, as in :func:`~sklearn.model_selection.check_cv`; None is
        5-fold (stratified for a classifier).
""",
    "scoring": """\
    scoring : str, callable or None, default=None
        The score of each fold's model on its held-out part; None is the
        estimator's ``score`` (accuracy, R^2).
""",
    "n_jobs": """\
    n_jobs : int, default=None
        Folds (and l1_ratio values) fitted in parallel through joblib; each
        fit's BLAS is limited to its share of the cores. None means 1 unless
        in a :func:`joblib.parallel_backend` context (dask included).
""",
    "warm_max_iter": """\
    warm_max_iter : int, default=None
        The epoch budget of each alpha after the first along a path, which
        starts from its neighbour's solution (the stopping rule may end it
        sooner). None is ``max(1, max_iter // 5)``; ``max_iter`` gives every
        alpha a cold fit's budget, slower for little gain. Only used when
        solver='sgd' or 'adam'.
""",
    "refit": """\
    refit : bool, default=True
        Train the first fold's network at ``alpha_`` on all the data (for
        ``warm_max_iter`` epochs, or lbfgs' own criteria), giving the model
        that predicts; the path on all the data up to ``alpha_`` when that
        fold missed a class. With False only ``alpha_``, ``l1_ratio_`` and the
        scores are set.
""",
}

_CV_ATTRIBUTES = """\
    Attributes
    ----------
    alpha_ : float
        The chosen alpha: the best mean score over the folds (the larger
        alpha among equals).
    l1_ratio_ : float
        The chosen l1_ratio.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid, per l1_ratio when there are several.
    scores_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        The held-out score of each fold's model along its path.
    n_features_kept_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        The inputs with a non-zero outgoing weight in each fold's model.
    coefs_, intercepts_, n_iter_, loss_, loss_curve_, ... :
        The refit model's fitted attributes, as the base estimator's.
{classes}\
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when they are all strings.
"""


def _compose_cv(title, base, names, classes_attribute, example):
    # ``scoring`` is the CV estimators' own (what alpha is chosen on); the
    # base estimator's early-stopping ``scoring`` is not one of their
    # parameters.
    names = [name for i, name in enumerate(names) if name not in names[:i]]
    params = "".join(
        _CV_PARAMS[key] if key in _CV_PARAMS else _PARAMS[key] for key in names
    )
    return (
        f"{title}\n\n"
        f"    {base} with ``alpha`` chosen by cross-validation along warm-started\n"
        "    regularization paths, as :class:`~sklearn.linear_model.ElasticNetCV`\n"
        "    chooses it for linear models. Every parameter but ``alpha`` is the\n"
        "    base estimator's (``warm_start`` is not used: the paths warm-start).\n"
        "\n    Parameters\n    ----------\n"
        + params
        + "\n"
        + _CV_ATTRIBUTES.format(classes=classes_attribute)
        + "\n    See Also\n    --------\n"
        f"    {base} : the estimator fitted along the paths.\n"
        "    mlp_path : the path of one split.\n"
        "\n" + example
    )


_CV_ORDER = [
    "alphas",
    "l1_ratio",
    "cv",
    "scoring",
    "n_jobs",
    "refit",
    "warm_max_iter",
    "solver",
]
_CV_COMMON = ["penalty", "dropout", "input_dropout"]

CLASSIFIER_CV_DOC = _compose_cv(
    "Multi-layer perceptron classifier with alpha tuned by cross-validation.",
    "MLPClassifier",
    [
        "hidden_layer_sizes",
        "activation",
        *_CV_ORDER,
        *_CV_COMMON,
        "label_smoothing",
        "class_weight",
        *_TRAINING_ORDER,
    ],
    _CLASSES_ATTRIBUTE,
    """\
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skreg import MLPClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     MLPClassifierCV((16,), penalty="l1", alphas=6, cv=3, max_iter=50,
    ...                     random_state=0),
    ... ).fit(X, y)
    >>> cv = model[-1]
    >>> bool(cv.alphas_.min() <= cv.alpha_ <= cv.alphas_.max())
    True
    >>> cv.scores_.shape
    (1, 6, 3)
""",
)

REGRESSOR_CV_DOC = _compose_cv(
    "Multi-layer perceptron regressor with alpha tuned by cross-validation.",
    "MLPRegressor",
    [
        "loss",
        "hidden_layer_sizes",
        "activation",
        *_CV_ORDER,
        *_CV_COMMON,
        *_TRAINING_ORDER,
    ],
    "",
    """\
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skreg import MLPRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     MLPRegressorCV(hidden_layer_sizes=(16,), penalty="l1", alphas=6, cv=3,
    ...                    learning_rate_init=0.01, max_iter=100, random_state=0),
    ... ).fit(X, y / 100)
    >>> model[-1].n_features_kept_.shape
    (1, 6, 3)
""",
)
