"""
=========================================
``alpha`` and the bias-variance trade-off
=========================================

``alpha`` weighs the weight penalty against the summed training loss (see the
:ref:`user guide <objective>`). Too small, and a network with far more weights
than samples bends itself through the noise: the training score is high and the
cross-validated score is poor (high variance, overfitting). Too large, and the
penalty flattens the network: both scores fall together (high bias,
underfitting). :func:`~sklearn.model_selection.validation_curve` shows both
regions and the useful range between them.
"""

# %%
# Data and model
# --------------
# 60 noisy samples of a sine wave, and a network with 100 ``tanh`` units (about
# 300 weights). ``solver='lbfgs'`` trains the full-batch objective to
# convergence, which makes the curves smooth; ``alpha`` means the same for the
# stochastic solvers.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, validation_curve

from skreg import MLPRegressor

rng = np.random.RandomState(0)
X = rng.uniform(-3, 3, size=(60, 1))
y = np.sin(2 * X[:, 0]) + 0.4 * rng.normal(size=60)


def make_model(alpha):
    return MLPRegressor(
        hidden_layer_sizes=(100,),
        activation="tanh",
        solver="lbfgs",
        alpha=alpha,
        max_iter=1000,
        random_state=0,
    )


# %%
# Training and cross-validated R² across ``alpha``
# ------------------------------------------------
# ``alpha`` has no upper bound, so the grid is logarithmic and wide. With
# ``solver='lbfgs'`` skreg's ``alpha`` is scikit-learn's; with mini-batches it is
# about ``n_samples / batch_size`` times weaker than scikit-learn's for the same
# number, and useful values reach about 100 for a few thousand samples.
alphas = np.logspace(-4, 2, 13)
with warnings.catch_warnings():
    # The least penalized fits stop at max_iter while still chasing the noise.
    warnings.simplefilter("ignore", ConvergenceWarning)
    train_scores, cv_scores = validation_curve(
        make_model(0.0),
        X,
        y,
        param_name="alpha",
        param_range=alphas,
        cv=KFold(5, shuffle=True, random_state=0),
        n_jobs=2,
    )
train_mean, cv_mean = train_scores.mean(axis=1), cv_scores.mean(axis=1)
best = np.argmax(cv_mean)
for alpha, train, cv in zip(alphas, train_mean, cv_mean):
    print(f"alpha={alpha:9.2g}  train R2={train:6.3f}  CV R2={cv:6.3f}")
print(f"best alpha: {alphas[best]:.2g}")

# %%
# The two regions, and what the fits look like
# --------------------------------------------
# Left of the best ``alpha`` the gap between the training and cross-validated
# scores is the variance; right of it both scores drop to about zero (a constant
# prediction) as the penalty removes the weights. On the right, one network
# from each region, trained on all 60 samples.
fig, (ax_curve, ax_fit) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_curve.semilogx(alphas, train_mean, "o-", label="training")
ax_curve.semilogx(alphas, cv_mean, "o-", label="5-fold cross-validation")
ax_curve.axvspan(alphas[0], alphas[best], color="tab:red", alpha=0.07)
ax_curve.axvspan(alphas[best], alphas[-1], color="tab:blue", alpha=0.07)
ax_curve.axvline(alphas[best], color="k", ls="--", lw=1)
ax_curve.text(alphas[0] * 1.5, -0.2, "overfitting\n(high variance)", color="tab:red")
ax_curve.text(alphas[-4], 0.85, "underfitting\n(high bias)", color="tab:blue")
ax_curve.set(
    xlabel="alpha (log scale)",
    ylabel="R²",
    title=f"Validation curve, best alpha = {alphas[best]:.2g}",
    ylim=(-0.5, 1.05),
)
ax_curve.legend(loc="lower center")

grid = np.linspace(-3, 3, 300).reshape(-1, 1)
ax_fit.scatter(X[:, 0], y, color="0.6", s=15, label="training data")
ax_fit.plot(grid[:, 0], np.sin(2 * grid[:, 0]), "k:", label="sin(2x)")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for alpha, color in zip(
        [alphas[0], alphas[best], 10.0], ["tab:red", "tab:green", "tab:blue"]
    ):
        model = make_model(alpha).fit(X, y)
        ax_fit.plot(grid[:, 0], model.predict(grid), color=color, label=f"{alpha=:.2g}")
ax_fit.set(xlabel="x", ylabel="y", title="Fits on all samples", ylim=(-2, 2))
ax_fit.legend(loc="lower left", fontsize=9)
fig.tight_layout()
plt.show()
