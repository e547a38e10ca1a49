"""
=====================================================
L2, L1 and elastic net: exact zeros and kept features
=====================================================

The ``|W|`` part of skreg's penalty is applied as a proximal step
(soft-thresholding, see the :ref:`user guide <proximal>`), so ``penalty='l1'``
and ``penalty='elasticnet'`` set many weights to exactly ``0.0``. A row of
``coefs_[0]`` that is all zero is an input feature the network no longer uses.
On data whose informative features are known, L1 keeps those and drops most of
the noise features; L2 shrinks every weight but zeroes none.
"""

# %%
# Data with known informative features
# ------------------------------------
# With ``shuffle=False``, :func:`~sklearn.datasets.make_classification` puts
# the 5 informative features first; the other 25 are noise.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier

n_informative = 5
X, y = make_classification(
    n_samples=600,
    n_features=30,
    n_informative=n_informative,
    n_redundant=0,
    n_repeated=0,
    shuffle=False,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Three penalties, the same ``alpha``
# -----------------------------------
# Everything else is equal: the same network, seed and optimizer (Adam).
# ``alpha=20`` is strong enough for the L1 part to remove noise features; the
# L2 penalty of the same strength only shrinks them.
penalties = {
    "l2": {"penalty": "l2"},
    "l1": {"penalty": "l1"},
    "elasticnet (l1_ratio=0.5)": {"penalty": "elasticnet", "l1_ratio": 0.5},
}
models = {}
for name, params in penalties.items():
    models[name] = MLPClassifier(
        hidden_layer_sizes=(32,),
        alpha=20.0,
        max_iter=600,
        random_state=0,
        **params,
    ).fit(X_train, y_train)

for name, clf in models.items():
    weights = np.concatenate([W.ravel() for W in clf.coefs_])
    kept = np.flatnonzero(np.any(clf.coefs_[0] != 0, axis=1))
    print(
        f"{name:26s} test accuracy {clf.score(X_test, y_test):.3f}, "
        f"exact zeros {np.mean(weights == 0):6.1%}, "
        f"features kept {kept.tolist()}"
    )

# %%
# Weights, zeros and kept features
# --------------------------------
# Left: the first layer's weights, as a histogram of their magnitudes on a log
# scale, with the exact zeros (which a log scale cannot place) as a red bar of
# their own; the count axis is logarithmic too. Right: for each input feature,
# the L2 norm of its row of ``coefs_[0]``; informative features are left of
# the dashed line, and a missing bar is a feature whose weights are all exactly
# zero.
fig, axes = plt.subplots(
    len(models),
    2,
    figsize=(10, 7),
    sharex="col",
    gridspec_kw={"width_ratios": [1, 1.4]},
)
bins = np.logspace(-8, 1, 37)
zero_position = 10**-9.5
for (name, clf), (ax_hist, ax_rows) in zip(models.items(), axes):
    W0 = clf.coefs_[0]
    n_zeros = np.count_nonzero(W0 == 0)
    ax_hist.hist(np.abs(W0[W0 != 0]), bins=bins, color="tab:blue")
    ax_hist.bar(zero_position, n_zeros, width=zero_position * 2, color="tab:red")
    ax_hist.set(xscale="log", yscale="log", ylim=(0.8, W0.size), ylabel="count")
    ax_hist.set_title(f"{name}: {n_zeros / W0.size:.0%} exactly 0", fontsize=10)
    row_norms = np.linalg.norm(W0, axis=1)
    is_informative = np.arange(len(row_norms)) < n_informative
    colors = np.where(is_informative, "tab:green", "tab:gray")
    ax_rows.bar(np.arange(len(row_norms)), row_norms, color=colors)
    ax_rows.axvline(n_informative - 0.5, color="k", ls="--", lw=1)
    n_kept = np.count_nonzero(row_norms)
    ax_rows.set_title(f"{n_kept} of {len(row_norms)} features kept", fontsize=10)
    ax_rows.set_ylabel("row norm")
axes[-1, 0].set_xticks(
    [zero_position, 1e-6, 1e-3, 1], ["0", "$10^{-6}$", "$10^{-3}$", "1"]
)
axes[-1, 0].set_xlabel("|weight| of the first layer (red: exactly 0)")
axes[-1, 1].set_xlabel("input feature (green: informative)")
fig.tight_layout()
plt.show()
