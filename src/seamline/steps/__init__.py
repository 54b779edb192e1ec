"""The phrase catalog. Importing this package registers every built-in phrase.

Each module holds the phrases of one area, named as the core area it calls (``db`` calls
``core/db``, ``messaging`` calls ``core/messaging``); ``checks`` and ``matching`` both check
the last response (one field, header or status; whole documents), ``auth`` and ``cleanup``
are the HTTP area's auth profiles and cleanup requests.

A phrase's module imports its core area inside the step function, not at the top: the front
ends need every phrase's text at start-up and the logic only of the phrases a run uses.
"""

from . import auth, checks, cleanup, contract, db, graphql, http, matching, messaging, stubs, values, waiting
from ._catalog import CATALOG, Phrase, phrase

__all__ = [
    "CATALOG",
    "Phrase",
    "auth",
    "checks",
    "cleanup",
    "contract",
    "db",
    "graphql",
    "http",
    "matching",
    "messaging",
    "phrase",
    "stubs",
    "values",
    "waiting",
]
