"""Robot Framework front end: ``Library    Seamline``."""

from ._library import Seamline

__all__ = ["Seamline"]
