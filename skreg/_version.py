"""The skreg version, read by the build backend and by the pickles."""

__version__ = "0.1.0.dev0"
