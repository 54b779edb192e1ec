"""Waiting for a check to hold: durations in plain words, and retrying until a deadline."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import CheckFailed, StepArgumentError

__all__ = ["DEFAULT_INTERVAL", "parse_duration", "retry_until"]

T = TypeVar("T")
DEFAULT_INTERVAL = 0.2
_UNITS = {
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
}  # fmt: skip
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in ``text``: "10 seconds", "500 ms", "1.5 s", "2 minutes"."""
    match = _DURATION.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise StepArgumentError(
            f"cannot read {text!r} as a duration: write a number and a unit, such as 10 seconds, 500 ms or 2 minutes"
        )
    return float(match.group(1)) * _UNITS[unit]


def retry_until(
    attempt: Callable[[], T],
    timeout: float,
    interval: float = DEFAULT_INTERVAL,
    on_retry: Callable[[int, CheckFailed], None] | None = None,
) -> T:
    """Call ``attempt`` until it does not fail a check, or ``timeout`` seconds have passed.

    Only failed checks are retried: a broken test (a usage error) fails at once. When
    time runs out, the last failure is raised, saying how long and how often it was tried.
    """
    deadline = time.monotonic() + timeout
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except CheckFailed as failure:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CheckFailed(
                    f"still failing after {timeout:g} s ({tries} attempts): {failure.message}",
                    details=failure.details,
                ) from None
            if on_retry is not None:
                on_retry(tries, failure)
            time.sleep(min(interval, remaining))
