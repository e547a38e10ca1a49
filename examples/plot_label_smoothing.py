"""
===========================================
Label smoothing, confidence and calibration
===========================================

A network trained to zero loss on noisy labels predicts probabilities close to
0 and 1 even where it is often wrong. ``label_smoothing`` trains towards
``(1 - eps) * y + eps / K`` instead of one-hot targets (see the
:ref:`user guide <label_smoothing>`), which caps the confidence the loss asks
for. A reliability diagram compares the predicted confidence with the observed
accuracy, and the expected calibration error (ECE) summarizes the gap.
"""

# %%
# Data and models
# ---------------
# A 4-class problem with 10% of the labels flipped, and a network large enough
# to memorize them.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier

X, y = make_classification(
    n_samples=2000,
    n_features=20,
    n_informative=8,
    n_redundant=0,
    n_classes=4,
    flip_y=0.1,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

smoothing = [0.0, 0.1, 0.3]
models = {}
with warnings.catch_warnings():
    # 200 epochs do not reach the (memorizing) optimum; that is the point.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for eps in smoothing:
        models[eps] = MLPClassifier(
            hidden_layer_sizes=(128,),
            alpha=0.0,
            label_smoothing=eps,
            max_iter=200,
            random_state=0,
        ).fit(X_train, y_train)

# %%
# Top-label calibration
# ---------------------
# For each test sample, the confidence is the largest predicted probability and
# the prediction is correct or not. Binning the confidences, a calibrated model
# has an accuracy equal to the mean confidence in every bin; the ECE is the
# sample-weighted mean of the absolute gaps.
n_bins = 10
edges = np.linspace(0, 1, n_bins + 1)


def reliability(proba, y_true, classes):
    confidence = proba.max(axis=1)
    correct = classes[proba.argmax(axis=1)] == y_true
    bins = np.clip(np.digitize(confidence, edges) - 1, 0, n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    mean_conf = np.bincount(bins, confidence, n_bins) / np.maximum(count, 1)
    accuracy = np.bincount(bins, correct, n_bins) / np.maximum(count, 1)
    ece = np.sum(count * np.abs(accuracy - mean_conf)) / len(y_true)
    return confidence, mean_conf, accuracy, count, ece


results = {}
for eps, clf in models.items():
    proba = clf.predict_proba(X_test)
    results[eps] = reliability(proba, y_test, clf.classes_)
    confidence, *_, ece = results[eps]
    print(
        f"label_smoothing={eps:.1f}: accuracy {clf.score(X_test, y_test):.3f}, "
        f"mean confidence {confidence.mean():.3f}, ECE {ece:.3f}"
    )

# %%
# Reliability diagram and confidence histogram
# --------------------------------------------
# Without smoothing most predictions have a confidence near 1 while the
# accuracy is lower: the points sit under the diagonal (overconfidence).
# ``label_smoothing=0.1`` moves the confidences down towards the accuracy and
# halves the ECE at about the same accuracy. ``label_smoothing=0.3`` overshoots
# into underconfidence (points above the diagonal), so ``label_smoothing`` is
# worth tuning like any regularizer.
fig, (ax_rel, ax_hist) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_rel.plot([0, 1], [0, 1], "k:", label="perfect calibration")
for eps, (confidence, mean_conf, accuracy, count, ece) in results.items():
    used = count > 0
    ax_rel.plot(
        mean_conf[used],
        accuracy[used],
        "o-",
        label=f"label_smoothing={eps:.1f} (ECE {ece:.3f})",
    )
    ax_hist.hist(confidence, bins=edges, histtype="step", lw=2, label=f"eps={eps:.1f}")
ax_rel.set(
    xlabel="mean confidence in bin",
    ylabel="accuracy in bin",
    title="Reliability diagram (test set)",
    xlim=(0.2, 1),
    ylim=(0.2, 1),
)
ax_rel.legend(loc="upper left", fontsize=9)
ax_hist.set(
    xlabel="confidence (largest predicted probability)",
    ylabel="test samples",
    title="Confidence histogram",
)
ax_hist.legend(loc="upper left")
fig.tight_layout()
plt.show()
