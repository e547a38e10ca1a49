"""
==================================================
Tuning ``penalty`` and ``alpha`` with GridSearchCV
==================================================

skreg's parameters are ordinary scikit-learn parameters, so
:class:`~sklearn.model_selection.GridSearchCV` tunes them inside a
:class:`~sklearn.pipeline.Pipeline`. The heat map of cross-validated accuracy
over ``penalty`` x ``alpha`` shows each penalty's useful range of ``alpha``. The
same ``alpha`` is much stronger with ``'l1'`` than with ``'l2'``: for the small
weights of a network, :math:`|w|` is far larger than :math:`w^2 / 2`. So
``alpha`` must be tuned together with the penalty, not carried over from one to
the other.

The grid runs to ``alpha=1000`` because skreg's ``alpha`` divides the penalty by
the training set's size, where scikit-learn's stochastic solvers divide by the
batch size: for the same number skreg's penalty is about ``n_samples / 200``
times weaker (2 here, about 400 rows per fold; 5 to 50 for a few thousand
rows), and scikit-learn's usual grid ``np.logspace(-5, 1)`` stops far short of
where the penalties start to matter.
"""

# %%
# Search
# ------
# A subset of the digits data set (8x8 images, 10 classes), scaled inside the
# pipeline so that each cross-validation fold is scaled on its own training
# part.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier

X, y = load_digits(return_X_y=True)
X, y = X[:600], y[:600]

pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), max_iter=150, random_state=0),
)
penalties = ["l2", "l1", "elasticnet"]
alphas = np.logspace(-1, 3, 5)
search = GridSearchCV(
    pipe,
    {"mlpclassifier__penalty": penalties, "mlpclassifier__alpha": alphas},
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
    n_jobs=2,
)
with warnings.catch_warnings():
    # 150 epochs keep the example fast; most fits would improve a little more.
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X, y)
print("best:", search.best_params_, f"CV accuracy {search.best_score_:.3f}")

# %%
# Heat map
# --------
# Rows are penalties, columns values of ``alpha``; the best cell is framed.
# Up to ``alpha=1`` the three penalties score alike. ``'l1'`` already removes
# most of the network at ``alpha=10``, where ``'l2'`` is still at its best, and
# every penalty ends at chance level (about 0.1 for ten classes) once ``alpha``
# is large enough: ``alpha`` is unbounded, and only the data say where its
# useful range ends.
results = search.cv_results_
scores = np.empty((len(penalties), len(alphas)))
for penalty, alpha, score in zip(
    results["param_mlpclassifier__penalty"],
    results["param_mlpclassifier__alpha"],
    results["mean_test_score"],
):
    scores[penalties.index(penalty), np.flatnonzero(alphas == alpha)[0]] = score

fig, ax = plt.subplots(figsize=(7, 3.5))
image = ax.imshow(scores, cmap="viridis", vmin=scores.min(), vmax=scores.max())
for i in range(len(penalties)):
    for j in range(len(alphas)):
        light = scores[i, j] < scores.min() + 0.6 * np.ptp(scores)
        ax.text(
            j,
            i,
            f"{scores[i, j]:.3f}",
            ha="center",
            va="center",
            color="w" if light else "k",
        )
best_i, best_j = np.unravel_index(np.argmax(scores), scores.shape)
ax.add_patch(
    plt.Rectangle((best_j - 0.5, best_i - 0.5), 1, 1, fill=False, ec="r", lw=3)
)
ax.set_xticks(range(len(alphas)), [f"{a:g}" for a in alphas])
ax.set_yticks(range(len(penalties)), penalties)
ax.set(xlabel="alpha", ylabel="penalty", title="3-fold CV accuracy")
fig.colorbar(image, ax=ax)
fig.tight_layout()
plt.show()
