"""
======================================================
The regularization path of a network: a lasso path
======================================================

The lasso path of a linear model shows its coefficients leaving one by one as
the L1 penalty grows. A network with ``penalty='l1'`` has the same kind of
path: as ``alpha`` grows, whole rows of the first layer's weights become exact
zeros, and each zero row is an input feature the network no longer reads.
:class:`~skreg.MLPClassifierCV` fits this path on every cross-validation fold,
each ``alpha`` warm-started from the previous one, and picks the ``alpha``
with the best mean score; :func:`~skreg.mlp_path` gives the path of one fit,
with its weights. On the breast cancer data set the best ``alpha`` already
drops about a quarter of the 30 inputs, and the inputs that stay longest are the
size and shape measurements, not their standard errors.
"""

# %%
# Cross-validated path
# --------------------
# 569 tumours described by 30 measurements, scaled inside the pipeline. With
# ``alphas=16`` the grid has 16 values over the four decades below
# ``alpha_max``, the ``alpha`` at which an L1-penalized logistic regression on
# these data keeps no input (see the :ref:`user guide <tuning_alpha>`).
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import (
    MLPClassifier,
    MLPClassifierCV,
    RegularizationPathDisplay,
    mlp_path,
)

data = load_breast_cancer()
X, y = data.data, data.target

params = dict(
    hidden_layer_sizes=(16,),
    penalty="l1",
    learning_rate_init=0.01,
    max_iter=100,
    random_state=0,
)
model = make_pipeline(
    StandardScaler(),
    MLPClassifierCV(
        alphas=16, cv=StratifiedKFold(5, shuffle=True, random_state=0), **params
    ),
)
with warnings.catch_warnings():
    # Each alpha after the first gets max_iter // 5 = 20 epochs from its
    # neighbour's weights; most stop at that budget, which is its purpose.
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X, y)
search = model[-1]

alphas = search.alphas_
scores = search.scores_[0]  # (n_alphas, n_folds): the first (only) l1_ratio
kept = search.n_features_kept_[0]
best = int(np.flatnonzero(alphas == search.alpha_)[0])
for alpha, fold_scores, fold_kept in zip(alphas, scores, kept):
    print(
        f"alpha={alpha:8.3g}  accuracy {fold_scores.mean():.3f} "
        f"± {fold_scores.std():.3f}  inputs kept {fold_kept.mean():4.1f}"
    )
refit_kept = np.count_nonzero(np.any(search.coefs_[0] != 0, axis=1))
print(f"alpha_ = {search.alpha_:.3g}; the refit network reads {refit_kept} inputs")

# %%
# Which inputs survive
# --------------------
# :func:`~skreg.mlp_path` runs the same path once on all the (scaled) data,
# from the smallest ``alpha`` to the largest, and with ``return_models=True``
# keeps the weights at every ``alpha``. An input is kept while its row of the
# first weight matrix ``coefs[0]`` has a non-zero entry. Up to ``alpha_`` this
# is the path that :class:`~skreg.MLPClassifierCV` refits, so the column at
# ``alpha_`` is the network that predicts.
X_scaled = model[0].transform(X)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    path = mlp_path(
        X_scaled,
        y,
        alphas=alphas,
        estimator=MLPClassifier(**params),
        return_models=True,
    )
used = np.array([np.any(coefs[0] != 0, axis=1) for coefs in path.coefs]).T
# Order the inputs by the largest alpha at which they are still used.
last = np.array([alphas[row].max() if row.any() else 0.0 for row in used])
order = np.lexsort((-used.sum(axis=1), -last))

# %%
# The figure
# ----------
# Left: :class:`~skreg.RegularizationPathDisplay` draws the mean
# cross-validated accuracy (± one standard deviation over the five folds) and
# the number of inputs the folds' networks keep, against ``alpha``. The
# accuracy stays flat while the penalty removes the first inputs and collapses
# to the majority class (0.63) once it removes the last ones; ``alpha_``
# (dotted) is the largest ``alpha`` with the best mean score.
# Right: the inputs used at each ``alpha`` of the path on all the data. Most of
# the standard errors of the measurements (``... error``), the symmetries and
# the fractal dimensions leave first; the radius, perimeter, area and concavity
# of the cell nuclei stay until nearly every input is gone. Unlike the lasso's,
# this path need not be monotone: the objective is not convex, and an input
# can come back a few alphas later, when inputs that stood in for it leave.
fig, (ax_score, ax_used) = plt.subplots(
    1, 2, figsize=(12, 6), gridspec_kw=dict(width_ratios=[1, 1.1])
)
display = RegularizationPathDisplay.from_estimator(model, ax=ax_score)
ax_score.set(ylim=(0.55, 1.02), title="5-fold cross-validated path")
display.kept_ax_.set_ylim(-1, 31)
display.kept_ax_.get_legend().set_loc("lower left")

ax_used.imshow(used[order], aspect="auto", cmap="Greys", interpolation="nearest")
ax_used.axvline(best, color="tab:red", ls="--", lw=1.5)
ax_used.set_xticks(range(0, len(alphas), 3), [f"{a:.3g}" for a in alphas[::3]])
ax_used.set_yticks(range(len(order)), data.feature_names[order], fontsize=7)
ax_used.set(xlabel="alpha", title="Inputs used along the path (black)")
fig.tight_layout()
plt.show()
