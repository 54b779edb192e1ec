"""Generated test data: ``${unique}``, ``${uuid}``, ``${now}``, ``${today}``, ``${unique_email}``.

Each test (scenario) gets its own values, drawn when the test first reads one: within a
test ``${unique_email}`` reads the same wherever it is used, so a value sent in one step
can be checked in the next; the next test gets new ones. (Values that changed on every
read could not work in Robot Framework, which copies a variable's value when it is
assigned or passed on.) ``${unique}`` is unique across runs and across the workers of one
parallel run: it carries a random run id, the worker's name (pytest-xdist's
``PYTEST_XDIST_WORKER``, pabot's pool id, or ``SEAMLINE_WORKER``) and a counter.
"""

from __future__ import annotations

import datetime
import itertools
import os
import re
import uuid
from collections.abc import Callable

__all__ = ["GENERATORS", "Generators"]

# What each generator gives, for error messages and `seamline steps`.
GENERATORS = {
    "unique": "a text no other test, worker or run gets, e.g. 3f9c1a7b-gw1-12",
    "unique_email": "a unique e-mail address at example.com",
    "uuid": "a random UUID",
    "now": "the UTC time the test first read it, ISO 8601 (2030-01-31T12:00:00Z)",
    "today": "today's UTC date, ISO 8601 (2030-01-31)",
}


def _worker_from_environment() -> str:
    return os.environ.get("SEAMLINE_WORKER") or os.environ.get("PYTEST_XDIST_WORKER") or ""


class Generators:
    """The generators of one run."""

    def __init__(self, worker: str | None = None) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.worker = _worker_from_environment() if worker is None else worker
        self._counter = itertools.count(1)
        self._functions: dict[str, Callable[[], str]] = {
            "unique": self.unique,
            "unique_email": lambda: f"test-{self.unique()}@example.com",
            "uuid": lambda: str(uuid.uuid4()),
            "now": lambda: _utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "today": lambda: _utc_now().strftime("%Y-%m-%d"),
        }

    def unique(self) -> str:
        # Only characters that are safe in paths, names, SKUs and e-mail addresses.
        worker = re.sub(r"[^A-Za-z0-9]", "", self.worker)
        parts = [self.run_id, worker, str(next(self._counter))]
        return "-".join(part for part in parts if part)

    def __contains__(self, name: str) -> bool:
        return name in self._functions

    def generate(self, name: str) -> str:
        return self._functions[name]()

    def names(self) -> list[str]:
        return list(self._functions)

    def values(self) -> dict[str, str]:
        """A new value of every generator: what one test reads."""
        return {name: generate() for name, generate in self._functions.items()}


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
