"""scikit-learn's estimator checks over both estimators and their configurations."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV

_SAMPLE_WEIGHT_CHECKS = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)


def _configurations(Estimator):
    yield Estimator()
    yield Estimator(penalty="l1", alpha=1e-3)
    yield Estimator(penalty="elasticnet", l1_ratio=0.5, alpha=1e-3)
    yield Estimator(penalty="group", alpha=1e-3)
    yield Estimator(dropout=0.2)
    yield Estimator(input_dropout=0.1)
    yield Estimator(solver="sgd")
    yield Estimator(solver="lbfgs")
    yield Estimator(solver="lbfgs", penalty="l1", alpha=1e-3)
    yield Estimator(early_stopping=True)
    yield Estimator(early_stopping=True, scoring="loss")
    if Estimator is MLPClassifier:
        yield Estimator(label_smoothing=0.1)
        yield Estimator(class_weight="balanced")


def _expected_failed_checks(estimator):
    # early_stopping=True needs no entry: on the checks' 15 samples the
    # validation part would be too small, so it trains on all samples.
    if estimator.dropout or estimator.input_dropout:
        reason = (
            "dropout masks are drawn per row, so repeated rows get other masks "
            "than one weighted row"
        )
    elif (
        isinstance(estimator, MLPRegressor)
        and estimator.solver == "lbfgs"
        and estimator.penalty == "l1"
    ):
        # Not one of the configurations; kept to watch it. 15 samples
        # and thousands of weights have many interpolating minima, and the
        # bounded split of L-BFGS-B lets rounding differences between weighted
        # and repeated sums change the active set and so the minimum reached.
        reason = "L-BFGS-B with bounds reaches another of many minima"
    else:
        return {}
    return dict.fromkeys(_SAMPLE_WEIGHT_CHECKS, reason)


def _cv_configurations():
    # A small grid and two folds keep the checks' many fits fast.
    for Estimator in (MLPClassifierCV, MLPRegressorCV):
        yield Estimator(alphas=2, cv=2, max_iter=50)
        yield Estimator(alphas=2, cv=2, max_iter=50, penalty="l1")


@pytest.mark.filterwarnings("ignore:early_stopping=True, but:UserWarning")
@parametrize_with_checks(
    [est for E in (MLPClassifier, MLPRegressor) for est in _configurations(E)]
    + list(_cv_configurations()),
    expected_failed_checks=_expected_failed_checks,
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
