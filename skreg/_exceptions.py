"""Warnings and errors specific to skreg."""


class InconsistentVersionWarning(UserWarning):
    """A pickled estimator is loaded by another skreg version than saved it.

    Like scikit-learn's warning of the same name: the model may load but behave
    differently, or fail later. Refit or re-save with the running version. The
    versions are kept as attributes, so a caller can decide what to do::

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InconsistentVersionWarning)
            model = pickle.load(file)
        for w in caught:
            if issubclass(w.category, InconsistentVersionWarning):
                print(w.message.original_skreg_version)

    Parameters
    ----------
    estimator_name : str, default=''
        The class name of the unpickled estimator.
    current_skreg_version : str, default=''
        The running skreg version.
    original_skreg_version : str, default=''
        The skreg version that pickled the estimator ('pre-0.1' when the
        pickle records none).
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
