"""Waiting for a check to hold: durations in plain words, and retrying until a deadline."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from ..errors import CheckFailed, StepArgumentError

__all__ = [
    "DEFAULT_INTERVAL",
    "GaveUp",
    "NotYet",
    "Patience",
    "keep_trying",
    "parse_duration",
    "parse_timeout",
    "retry_until",
]

T = TypeVar("T")
DEFAULT_INTERVAL = 0.2
_UNITS = {
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
}  # fmt: skip
_DURATION = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in ``text``: "10 seconds", "500 ms", "1.5 s", "2 minutes"."""
    seconds = _seconds(text)
    if seconds < 0:
        raise StepArgumentError(f"{text.strip()!r} is a negative duration: give 0 or more, such as 1 second")
    return seconds


def parse_timeout(text: str) -> float:
    """Seconds a request may take: unlike a wait, a timeout of 0 (or less) cannot be met."""
    seconds = _seconds(text)
    if seconds <= 0:
        raise StepArgumentError(
            f"a timeout of {text.strip()!r} cannot be met: give a positive duration, such as 1 second"
        )
    return seconds


def _seconds(text: str) -> float:
    match = _DURATION.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise StepArgumentError(
            f"cannot read {text!r} as a duration: write a number and a unit, such as 10 seconds, 500 ms or 2 minutes"
        )
    return float(match.group(1)) * _UNITS[unit]


@dataclass(frozen=True)
class Patience:
    """How long to keep trying: until a deadline, for a number of attempts, or both (whichever
    comes first), waiting ``interval`` seconds between attempts."""

    timeout: float | None = None
    attempts: int | None = None
    interval: float = DEFAULT_INTERVAL

    def __post_init__(self) -> None:
        if self.timeout is None and self.attempts is None:
            raise ValueError("patience needs a timeout, a number of attempts or both: it would wait forever")


class GaveUp(Exception, Generic[T]):
    """Raised by :func:`keep_trying` when patience runs out; ``last`` is the last attempt's
    failure, for the caller to tell in its own words."""

    def __init__(self, last: NotYet[T], tries: int) -> None:
        super().__init__(str(last))
        self.last = last
        self.tries = tries


class NotYet(Exception, Generic[T]):
    """An attempt that did not succeed yet but may later: ``value`` is what it got (a response
    with a transient status, say), ``cause`` why it is not good enough."""

    def __init__(self, cause: BaseException | str, value: T | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.value = value


def keep_trying(
    attempt: Callable[[], T],
    patience: Patience,
    on_retry: Callable[[int, NotYet[T]], None] | None = None,
) -> T:
    """Call ``attempt`` until it returns without raising :class:`NotYet`, or patience runs out.

    The one waiting loop of Seamline: checks repeated "within" a time, requests re-sent until
    a check holds, a service's retry policy and a managed service's health wait all run
    through it, each with its own log line (``on_retry``) and message (from :class:`GaveUp`).
    Any other exception ends the wait at once."""
    deadline = None if patience.timeout is None else time.monotonic() + patience.timeout
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except NotYet as not_yet:
            remaining = None if deadline is None else deadline - time.monotonic()
            out_of_time = remaining is not None and remaining <= 0
            if out_of_time or (patience.attempts is not None and tries >= patience.attempts):
                raise GaveUp(not_yet, tries) from None
            if on_retry is not None:
                on_retry(tries, not_yet)
            time.sleep(patience.interval if remaining is None else min(patience.interval, remaining))


def retry_until(
    attempt: Callable[[], T],
    timeout: float | Patience,
    interval: float = DEFAULT_INTERVAL,
    on_retry: Callable[[int, CheckFailed], None] | None = None,
) -> T:
    """Call ``attempt`` until it does not fail a check, or patience runs out: ``timeout``
    seconds (``interval`` apart), or a :class:`Patience` of a number of attempts too.

    Only failed checks are retried: a broken test (a usage error) fails at once. When
    patience runs out, the last failure is raised, saying how long and how often it was tried.
    """
    patience = timeout if isinstance(timeout, Patience) else Patience(timeout=timeout, interval=interval)

    def checked() -> T:
        try:
            return attempt()
        except CheckFailed as failure:
            raise NotYet(failure) from None

    def retried(tries: int, not_yet: NotYet[T]) -> None:
        if on_retry is not None:
            on_retry(tries, cast(CheckFailed, not_yet.cause))

    try:
        return keep_trying(checked, patience, retried)
    except GaveUp as gave_up:
        failure = cast(CheckFailed, gave_up.last.cause)
        raise CheckFailed(
            f"still failing after {_tried(patience, gave_up.tries)}: {failure.message}",
            details=failure.details,
            about_last_request=failure.about_last_request,
        ) from None


def _tried(patience: Patience, tries: int) -> str:
    """How long and how often something was tried, as the patience was given."""
    if patience.attempts is None:
        return f"{patience.timeout:g} s ({tries} attempts)"
    apart = f"{patience.interval:g} s apart"
    if tries < patience.attempts:  # the deadline came first
        return f"{patience.timeout:g} s ({tries} of {patience.attempts} attempts, {apart})"
    return f"{tries} attempts, {apart}" if tries > 1 else "1 attempt"
