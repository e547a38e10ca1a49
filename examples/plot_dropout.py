"""
===========================
Dropout against overfitting
===========================

On a small, noisy data set a wide two-layer network without regularization
drives its training loss to zero and its validation loss up: it memorizes the
flipped labels. Inverted dropout (see the :ref:`user guide <dropout>`) trains a
random thinned network on every mini-batch, which keeps the validation loss low
for much longer. We train both networks one epoch at a time with
:meth:`~skreg.MLPClassifier.partial_fit` and measure both losses on the full
network after every epoch.
"""

# %%
# Data
# ----
# 400 samples, 20 features of which 5 are informative, 15% of the labels
# flipped; half for training, half for validation.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, TrainingCurveDisplay

X, y = make_classification(
    n_samples=400,
    n_features=20,
    n_informative=5,
    n_redundant=0,
    flip_y=0.15,
    random_state=1,
)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.5, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

# %%
# Training loop
# -------------
# ``partial_fit`` runs one epoch of mini-batches; dropout draws a fresh mask for
# each mini-batch from the estimator's random state. The losses below are
# computed with ``predict_proba``, which uses the whole network (no mask), so
# the two models are compared on the same footing. ``alpha=0`` isolates the
# effect of dropout.
#
# ``random_state`` is a :class:`~numpy.random.RandomState` instance, not an
# int: each ``partial_fit`` call, like a ``fit`` call, starts again from its
# ``random_state``, so with an int every epoch would visit the samples in the
# same order (as in scikit-learn). An instance advances from call to call, and
# a new instance with the same seed reproduces the whole run.
n_epochs = 100


def loss_curves(**params):
    clf = MLPClassifier(
        hidden_layer_sizes=(128, 128),
        alpha=0.0,
        batch_size=32,
        random_state=np.random.RandomState(0),
        **params,
    )
    train, val = [], []
    for _ in range(n_epochs):
        clf.partial_fit(X_train, y_train, classes=np.unique(y))
        train.append(log_loss(y_train, clf.predict_proba(X_train)))
        val.append(log_loss(y_val, clf.predict_proba(X_val)))
    return np.array(train), np.array(val)


curves = {
    "no dropout": loss_curves(),
    "dropout=0.5, input_dropout=0.2": loss_curves(dropout=0.5, input_dropout=0.2),
}
for name, (train, val) in curves.items():
    print(
        f"{name:32s} final train loss {train[-1]:.3f}, "
        f"final validation loss {val[-1]:.3f}, best {val.min():.3f} "
        f"at epoch {val.argmin() + 1}"
    )

# %%
# Loss curves
# -----------
# Without dropout the validation loss reaches its minimum after a few epochs
# and then climbs while the training loss goes to zero. With dropout the
# training loss falls more slowly and the validation loss stays close to its
# minimum. The curves are measured here, outside of ``fit`` (the estimator's
# own ``loss_curve_`` is the loss of the thinned networks), so we give them to
# :class:`~skreg.TrainingCurveDisplay` directly and mark the epoch of the least
# validation loss, the one early stopping would keep.
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, (train, val)), color in zip(curves.items(), ["tab:red", "tab:green"]):
    TrainingCurveDisplay(
        loss_curve=train,
        validation_loss_curve=val,
        best_epoch=int(val.argmin()) + 1,
        name=name,
    ).plot(
        ax=ax,
        color=color,
        linestyle="--",
        validation_loss_kw={"color": color, "linestyle": "-"},
        best_epoch_kw={"color": color},
    )
ax.set(ylabel="log-loss (full network)", ylim=(0, 1.5))
ax.set_title("Training and validation loss with and without dropout")
fig.tight_layout()
plt.show()
