"""Waiting in tests for what a process, a keeper or a server does a moment after it answered."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_while(condition: Callable[[], object], within: float) -> None:
    """Return as soon as ``condition()`` is false, or after ``within`` seconds; the test then
    asserts what it waited for, so a timeout fails there with its own message."""
    deadline = time.monotonic() + within
    while condition() and time.monotonic() < deadline:
        time.sleep(0.05)
