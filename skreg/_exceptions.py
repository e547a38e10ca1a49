"""Warnings and errors specific to skreg."""


class InconsistentVersionWarning(UserWarning):
    """A pickled estimator is loaded by another skreg version than saved it.

    Like scikit-learn's warning of the same name: the model may load but behave
    differently, or fail later. Refit or re-save with the running version.
    """
