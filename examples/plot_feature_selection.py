"""
==================================================
Feature selection with the group lasso and with L1
==================================================

``penalty='group'`` penalizes the norm of each unit's outgoing weights (see
the :ref:`user guide <group>`), so a whole row of ``coefs_[0]`` becomes
exactly zero at once: the network stops using that input feature. ``penalty='l1'``
zeroes weights one by one, and a feature is gone once all of its weights are.
On data whose informative features are known, we follow which features survive
as ``alpha`` grows, for both penalties, then select with
:class:`~sklearn.feature_selection.SelectFromModel` and shrink the network with
``pruned()``.
"""

# %%
# Data with known informative features
# ------------------------------------
# With ``shuffle=False``, :func:`~sklearn.datasets.make_classification` puts
# the 8 informative features first; the other 52 are noise.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import train_test_split

from skreg import MLPClassifier, WeightSparsityDisplay

n_informative = 8
X, y = make_classification(
    n_samples=1000,
    n_features=60,
    n_informative=n_informative,
    n_redundant=0,
    shuffle=False,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# Which features survive as ``alpha`` grows
# -----------------------------------------
# The same network, seed and optimizer (Adam) for every fit. The two
# penalties are on different scales (one norm per row against one absolute
# value per weight), so each gets its own grid of ``alpha``. Some fits stop at
# ``max_iter=200`` before the loss settles; the kept features do not change
# after that, so the warning is silenced.
grids = {
    "l1": [1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 40.0],
    "group": [1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0],
}
fits = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for penalty, alphas in grids.items():
        fits[penalty] = [
            MLPClassifier(
                (32,),
                penalty=penalty,
                alpha=alpha,
                learning_rate_init=0.01,
                max_iter=200,
                random_state=0,
            ).fit(X_train, y_train)
            for alpha in alphas
        ]

fig, axes = plt.subplots(1, 2, figsize=(9, 5), sharey=True)
for ax, (penalty, models) in zip(axes, fits.items()):
    # feature_importances_ is exactly 0.0 for a feature the network dropped.
    kept = np.array([model.feature_importances_ > 0 for model in models]).T
    ax.imshow(kept, aspect="auto", cmap="Greys", interpolation="nearest")
    ax.axhline(n_informative - 0.5, color="tab:red", linewidth=1)
    ax.set_xticks(range(len(grids[penalty])), [f"{a:g}" for a in grids[penalty]])
    ax.set_xlabel("alpha")
    ax.set_title(f"penalty='{penalty}'")
axes[0].set_ylabel("input feature (informative above the red line)")
fig.suptitle("Features still used (black) as alpha grows")
fig.tight_layout()

# %%
# Both penalties drop the noise features first and keep the informative ones
# the longest; on this data neither is the clear winner at selecting features
# (L1 at ``alpha=20`` and the group lasso at ``alpha=7`` both keep 8 or 7
# informative features and 1 to 3 noise ones). They differ in the hidden
# layer: L1 empties hidden units on the way (2 of 32 left at ``alpha=20``),
# while the group lasso removes inputs and units as wholes and keeps more
# units for the features it keeps. The numbers behind the picture, with the
# hidden units still in use and the test accuracy:
for penalty, models in fits.items():
    print(f"penalty='{penalty}'")
    for alpha, model in zip(grids[penalty], models):
        kept = np.flatnonzero(model.feature_importances_)
        print(
            f"  alpha={alpha:>4g}: {np.sum(kept < n_informative)} of 8 informative, "
            f"{np.sum(kept >= n_informative):>2} of 52 noise features, "
            f"{model.n_units_kept_[0]:>2} of 32 hidden units, "
            f"test accuracy {model.score(X_test, y_test):.3f}"
        )

# %%
# Selecting the features and shrinking the network
# ------------------------------------------------
# :class:`~sklearn.feature_selection.SelectFromModel` selects on
# ``feature_importances_``. Its default threshold is the mean importance except
# for ``penalty='l1'``, so pass ``threshold=1e-5`` with the group lasso: the
# dropped features have importance exactly 0.0.
group_model = fits["group"][grids["group"].index(5.0)]
selector = SelectFromModel(group_model, prefit=True, threshold=1e-5)
print("selected features:", np.flatnonzero(selector.get_support()))

# %%
# ``pruned()`` returns the same model without its dead hidden units; with
# ``drop_inputs=True`` it also takes only the selected columns. It predicts
# the same probabilities.
smaller = group_model.pruned(drop_inputs=True)
X_kept = selector.transform(X_test)
difference = np.abs(
    smaller.predict_proba(X_kept) - group_model.predict_proba(X_test)
).max()
print(
    f"hidden units {group_model.hidden_layer_sizes} -> {smaller.hidden_layer_sizes}, "
    f"inputs {group_model.n_features_in_} -> {smaller.n_features_in_}, "
    f"largest difference of the probabilities {difference:.1e}"
)

# %%
# The share of zero weights per layer and the importance of every input of
# the group-lasso model: whole rows are zero, so the importances are either
# clearly positive or exactly zero (crossed).
display = WeightSparsityDisplay.from_estimator(group_model)
display.figure_.set_size_inches(9, 9)
plt.show()
