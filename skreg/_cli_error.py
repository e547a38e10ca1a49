"""The one kind of error the ``skreg`` command reports, in one line."""


class _CLIError(Exception):
    """A problem with the arguments or the input data, reported in one line."""
