"""Phrases that re-send a request until a check on its answer holds."""

from __future__ import annotations

import difflib

from ..core.context import Context
from ..core.errors import StepArgumentError
from ..core.waiting.retry import parse_duration
from ._catalog import CATALOG, Phrase, phrase


def _checks() -> list[Phrase]:
    """The phrases "until" can name: the one-line checks of a response."""
    return [p for p in CATALOG.values() if p.follows_until]


def _run_check(ctx: Context, text: str) -> None:
    for check in _checks():
        arguments = check.match(text)
        if arguments is not None:
            check.run(ctx, arguments)
            return
    closest = difflib.get_close_matches(text, [c.template for c in _checks()], n=2, cutoff=0.3)
    hint = f"; closest: {' | '.join(closest)}" if closest else ""
    raise StepArgumentError(f"after 'until' comes a check such as: the response status is 200; {text!r} is none{hint}")


@phrase(
    'I {method} "{path}" until {check}',
    example='I GET "/orders/${order_id}" until the response field "$.status" is "confirmed"',
)
def send_until(ctx: Context, method: str, path: str, check: str) -> None:
    """Re-send a request until a check on its response holds, for up to the service's until.timeout
    (10 s unless configured). The log shows each attempt in one line and the last in full."""
    from ..core.http import polling

    polling.send_until(ctx, method, path, lambda: _run_check(ctx, check))


@phrase(
    'I {method} "{path}" for up to {duration} until {check}',
    example='I GET "/orders/${order_id}" for up to 30 seconds until the response field "$.status" is "confirmed"',
)
def send_until_within(ctx: Context, method: str, path: str, duration: str, check: str) -> None:
    """Re-send a request until a check on its response holds, for up to the given time."""
    from ..core.http import polling

    polling.send_until(ctx, method, path, lambda: _run_check(ctx, check), parse_duration(duration))


@phrase(
    'I {method} "{path}" up to {attempts} {times}, {duration} apart, until {check}',
    example='I GET "/posts" up to 3 times, 1 second apart, until the response status is 200',
)
def send_until_attempts(
    ctx: Context, method: str, path: str, attempts: str, times: str, duration: str, check: str
) -> None:
    """Re-send a request until a check on its response holds, at most so many times with the given
    time between them. Each attempt is sent once: the service's retry policy does not multiply them."""
    from ..core.http import polling

    polling.send_until(
        ctx, method, path, lambda: _run_check(ctx, check), attempts=int(attempts), interval=parse_duration(duration)
    )
