"""The phrase catalog. Importing this package registers every built-in phrase."""

from . import auth, checks, database, http, matching, variables
from ._catalog import CATALOG, Phrase, phrase

__all__ = ["CATALOG", "Phrase", "auth", "checks", "database", "http", "matching", "phrase", "variables"]
