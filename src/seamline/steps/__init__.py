"""The phrase catalog. Importing this package registers every built-in phrase."""

from . import auth, checks, cleanup, database, http, matching, queues, stubs, variables, waiting
from ._catalog import CATALOG, Phrase, phrase

__all__ = [
    "CATALOG",
    "Phrase",
    "auth",
    "checks",
    "cleanup",
    "database",
    "http",
    "matching",
    "phrase",
    "queues",
    "stubs",
    "variables",
    "waiting",
]
