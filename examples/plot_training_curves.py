"""
===================================================
Training curves, early stopping and the inputs kept
===================================================

Two displays show what a fitted network did during and after training.
:class:`~skreg.TrainingCurveDisplay` draws the training loss of each epoch and,
with ``early_stopping=True``, the score on the held-out validation set, marking
the epoch whose weights the estimator kept. :class:`~skreg.WeightSparsityDisplay`
draws the share of weights that are exactly ``0.0`` in each layer and, for each
input feature, the norm of its first-layer weights: with ``penalty='l1'`` a
feature whose weights are all zero is one the network no longer uses.
"""

# %%
# Data: 30 correlated measurements of breast tumours
# --------------------------------------------------
# Each sample of :func:`~sklearn.datasets.load_breast_cancer` describes the
# cell nuclei of a tumour by ten measurements, each given three times: the
# mean over the nuclei, its standard error and the worst value. They overlap,
# so a network can do without many of them. The scaler returns a
# DataFrame, so the network records the feature names (``feature_names_in_``)
# and the displays use them.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, TrainingCurveDisplay, WeightSparsityDisplay

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# L1 and L2 of the same strength, with early stopping
# ---------------------------------------------------
# ``early_stopping=True`` holds out 10% of the training set and keeps the
# weights of the epoch with the best validation accuracy; training goes on for
# ``n_iter_no_change`` epochs without improvement before it stops.
models = {}
for penalty in ["l1", "l2"]:
    models[penalty] = make_pipeline(
        StandardScaler().set_output(transform="pandas"),
        MLPClassifier(
            hidden_layer_sizes=(16,),
            penalty=penalty,
            alpha=8.0,
            learning_rate_init=3e-3,
            early_stopping=True,
            n_iter_no_change=50,
            max_iter=1000,
            random_state=0,
        ),
    ).fit(X_train, y_train)

for penalty, model in models.items():
    clf = model[-1]
    print(
        f"penalty={penalty!r}: {clf.n_iter_} epochs, best epoch "
        f"{np.argmax(clf.validation_scores_) + 1}, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )

# %%
# Training curves
# ---------------
# The loss (left axis) includes the penalty term, which is why L1's is higher;
# the validation accuracy is on the right axis. Each display draws on an axes
# of our own figure (``ax=``); the dotted line is the epoch whose weights the
# estimator returned.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for (penalty, model), ax in zip(models.items(), axes):
    TrainingCurveDisplay.from_estimator(model[-1], ax=ax)
    ax.set_title(f"penalty={penalty!r}")

# %%
# Exact zeros and the inputs kept
# -------------------------------
# With the L1 penalty most first-layer weights are exactly zero, and 12 of the
# 30 features have no non-zero weight left (the crosses): the network ignores
# them, and predicts the test set as well as with L2. Most of them are standard
# errors ("... error") of the measurements, whose means and worst values the
# network keeps.
display = WeightSparsityDisplay.from_estimator(models["l1"][-1])
kept = display.kept_features
print(f"L1 keeps {kept.sum()} of {kept.size} features")
print("removed:", ", ".join(np.asarray(display.feature_names)[~kept]))

# %%
# The same penalty strength with L2 shrinks the weights but leaves none at
# exactly zero, so every feature stays in use. The two displays can share one
# figure: ``ax`` takes the pair of axes for the layers and the features.
fig, axes = plt.subplots(
    1, 2, figsize=(10, 7), gridspec_kw={"width_ratios": [1, 1.5]}, layout="constrained"
)
WeightSparsityDisplay.from_estimator(models["l2"][-1], ax=axes)
fig.suptitle("penalty='l2'")
plt.show()
