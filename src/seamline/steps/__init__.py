"""The phrase catalog. Importing this package registers every built-in phrase."""

from . import auth, checks, http, matching, variables
from ._catalog import CATALOG, Phrase, phrase

__all__ = ["CATALOG", "Phrase", "auth", "checks", "http", "matching", "phrase", "variables"]
