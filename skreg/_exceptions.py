"""Warnings and errors specific to skreg."""


class InconsistentVersionWarning(UserWarning):
    """A pickled estimator is loaded by another skreg version than saved it.

    Like scikit-learn's warning of the same name: the model may load but behave
    differently, or fail later. Refit or re-save with the running version. The
    versions are kept as attributes, so a caller can decide what to do.

    Parameters
    ----------
    estimator_name : str, default=''
        The class name of the unpickled estimator.
    current_skreg_version : str, default=''
        The running skreg version.
    original_skreg_version : str, default=''
        The skreg version that pickled the estimator ('pre-0.1' when the
        pickle records none).

    Examples
    --------
    >>> import warnings
    >>> from skreg import InconsistentVersionWarning, MLPRegressor
    >>> model = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5)
    >>> model = model.fit([[0.0], [1.0]], [0.0, 1.0])
    >>> state = model.__getstate__()
    >>> state["_skreg_version"] = "0.0.1"  # as if pickled by skreg 0.0.1
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", InconsistentVersionWarning)
    ...     MLPRegressor().__setstate__(state)
    >>> caught[0].message.original_skreg_version
    '0.0.1'
    """

    def __init__(
        self, estimator_name="", current_skreg_version="", original_skreg_version=""
    ):
        super().__init__(estimator_name, current_skreg_version, original_skreg_version)
        self.estimator_name = estimator_name
        self.current_skreg_version = current_skreg_version
        self.original_skreg_version = original_skreg_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from skreg "
            f"version {self.original_skreg_version} when using version "
            f"{self.current_skreg_version}. This might lead to breaking code or "
            "invalid results. Use at your own risk."
        )
