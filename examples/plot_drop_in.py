"""
============================================
A drop-in replacement for scikit-learn's MLP
============================================

skreg's estimators take every parameter of
:class:`sklearn.neural_network.MLPClassifier` with the same defaults. Where the
two objectives agree (``solver='lbfgs'``, full batches, or ``alpha=0``) they run
the same training on the same seed; with mini-batches, skreg's ``alpha`` is
scaled by the training set's size instead of the batch's (see
:ref:`migrating`). The regularizers scikit-learn lacks then do better on data
that invite overfitting, each library tuned by the same cross-validation.
"""

# %%
# The same training where the objectives agree
# --------------------------------------------
# We fit both implementations with the same parameters and compare the number
# of iterations, the final loss, the weights and the predicted probabilities.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import sklearn.neural_network
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

import skreg
from skreg import TrainingCurveDisplay

X, y = make_classification(
    n_samples=400,
    n_features=100,
    n_informative=5,
    n_redundant=0,
    flip_y=0.05,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=200, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

settings = {
    "lbfgs, alpha=1": {"solver": "lbfgs", "alpha": 1.0, "max_iter": 200},
    "adam, alpha=0": {"solver": "adam", "alpha": 0.0, "max_iter": 100},
}
fitted = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, params in settings.items():
        common = {"hidden_layer_sizes": (32,), "random_state": 0, **params}
        theirs = sklearn.neural_network.MLPClassifier(**common).fit(X_train, y_train)
        ours = skreg.MLPClassifier(**common).fit(X_train, y_train)
        fitted[name] = theirs, ours
        coef_diff = max(
            np.max(np.abs(a - b)) for a, b in zip(theirs.coefs_, ours.coefs_)
        )
        proba_diff = np.max(
            np.abs(theirs.predict_proba(X_test) - ours.predict_proba(X_test))
        )
        print(
            f"{name}: {theirs.n_iter_} vs {ours.n_iter_} iterations, "
            f"loss_ {theirs.loss_:.6f} vs {ours.loss_:.6f}, "
            f"max |coefs_ difference| = {coef_diff:.1e}, "
            f"max |predict_proba difference| = {proba_diff:.1e}"
        )

# %%
# Mini-batches: the same run with ``alpha`` rescaled
# --------------------------------------------------
# With 200 training samples and ``batch_size=50``, scikit-learn's ``alpha=a`` is
# skreg's ``alpha=a * 200 / 50``.
common = {"hidden_layer_sizes": (32,), "batch_size": 50, "random_state": 0}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    theirs = sklearn.neural_network.MLPClassifier(alpha=0.1, **common)
    ours = skreg.MLPClassifier(alpha=0.1 * 200 / 50, **common)
    theirs.fit(X_train, y_train)
    ours.fit(X_train, y_train)
loss_diff = np.max(np.abs(np.subtract(theirs.loss_curve_, ours.loss_curve_)))
print(f"batch_size=50: max |loss_curve_ difference| = {loss_diff:.2e}")

# %%
# Better with regularization
# --------------------------
# 200 training samples, 100 features, 5 of them informative: an MLP overfits
# the 95 noise features. We tune each library's regularizers with the same
# 3-fold cross-validation on the training set and score on the held-out test
# set: scikit-learn's L2 ``alpha``, and skreg's ``penalty``, ``alpha`` and
# ``dropout``. The L1 part of skreg's penalties removes most noise features.
searches = {
    "sklearn, L2 alpha tuned": GridSearchCV(
        sklearn.neural_network.MLPClassifier(random_state=0),
        {"alpha": [0.3, 1, 3, 10, 30]},
        cv=3,
        n_jobs=2,
    ),
    "skreg, penalty, alpha, dropout tuned": GridSearchCV(
        skreg.MLPClassifier(l1_ratio=0.5, random_state=0),
        {
            "penalty": ["l1", "elasticnet"],
            "alpha": [1, 3, 10],
            "dropout": [0.0, 0.3],
        },
        cv=3,
        n_jobs=2,
    ),
}
accuracy = {
    "sklearn, default": sklearn.neural_network.MLPClassifier(random_state=0)
    .fit(X_train, y_train)
    .score(X_test, y_test)
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, search in searches.items():
        search.fit(X_train, y_train)
        accuracy[name] = search.score(X_test, y_test)
        print(f"{name}: best {search.best_params_}")
for name, score in accuracy.items():
    print(f"{name:38s} test accuracy {score:.3f}")

# %%
# Figure
# ------
# Left: the loss curves of both implementations with Adam and ``alpha=0``,
# drawn by :class:`~skreg.TrainingCurveDisplay`, lie on top of each other.
# Right: test accuracy of scikit-learn's MLP, default and tuned, and of skreg's
# tuned regularizers.
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
theirs, ours = fitted["adam, alpha=0"]
# TrainingCurveDisplay takes scikit-learn's MLP as well as skreg's. Each marks
# the epoch of its least training loss: the same epoch for both.
TrainingCurveDisplay.from_estimator(
    theirs, ax=ax_loss, name="sklearn", linewidth=4, alpha=0.4
)
TrainingCurveDisplay.from_estimator(
    ours,
    ax=ax_loss,
    name="skreg",
    color="black",
    linestyle="--",
    linewidth=1.5,
    best_epoch_kw={"color": "tab:red"},
)
ax_loss.set(ylabel="training loss", title="adam, alpha=0: identical runs")
names = list(accuracy)
ax_acc.barh(names, [accuracy[n] for n in names], color="tab:blue")
for i, name in enumerate(names):
    ax_acc.text(accuracy[name] + 0.005, i, f"{accuracy[name]:.3f}", va="center")
ax_acc.invert_yaxis()
ax_acc.set(xlim=(0.5, 1), xlabel="test accuracy", title="100 features, 5 informative")
fig.tight_layout()
plt.show()
