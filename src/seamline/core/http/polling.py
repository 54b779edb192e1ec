"""Re-sending a request until a check on its response holds.

For what a service finishes a little later (an order confirmed once its payment went
through). Each attempt is one line in the log; the last exchange is logged in full.
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context
from ..errors import CheckFailed, StepArgumentError
from ..waiting.retry import Patience, retry_until
from .exchange import Request, Response
from .sending import build_request, current_service, log_exchange, send_request

__all__ = ["send_until"]


def send_until(
    ctx: Context,
    method: str,
    path: str,
    check: Callable[[], None],
    timeout: float | None = None,
    attempts: int | None = None,
    interval: float | None = None,
) -> Response:
    """Send the request, run ``check`` on the answer, and repeat until it holds.

    The step names a time, a number of attempts 'apart' an interval, or neither: what it
    leaves out comes from the service's ``until`` settings (a count alone has no deadline).
    Each attempt is sent once: the polling re-sends, so the service's retry policy does not
    multiply the attempts it counts; a connection error that policy tolerates is a failed
    attempt.
    """
    absolute = ctx.variables.expand(path).startswith(("http://", "https://"))
    settings = None if absolute else current_service(ctx).until
    if attempts is None and timeout is None:
        timeout = settings.timeout if settings else 10.0
    if interval is None:
        interval = settings.interval if settings else 0.5
    patience = _patience(timeout, attempts, interval)
    # Built once: query parameters set for "the next request" belong to every attempt.
    request = build_request(ctx, method, path)
    _tell_policy(ctx, request)
    latest: list[Response] = []  # the response of the latest attempt, if it got one
    of = f" of {attempts}" if attempts is not None else ""
    sent = 0

    def attempt() -> Response:
        nonlocal sent
        sent += 1
        latest.clear()
        response = send_request(ctx, request, log=False, once=True)
        latest.append(response)
        check()
        return response

    def on_retry(number: int, failure: CheckFailed) -> None:
        got = f"{latest[0].status} {latest[0].reason} ({latest[0].elapsed_ms:.0f} ms)" if latest else "no answer"
        ctx.log(f"attempt {number}{of}: {request.method} {request.url} -> {got}: {failure.message}")

    try:
        response = retry_until(attempt, patience, on_retry=on_retry)
        ctx.log(f"polling {request.method} {request.url}: the check held at attempt {sent}{of}")
        return response
    finally:
        # The last attempt in full, whatever its outcome: it is the one that tells what happened.
        if latest:
            log_exchange(ctx, latest[0], request)


def _patience(timeout: float | None, attempts: int | None, interval: float) -> Patience:
    if attempts is not None and attempts < 1:
        raise StepArgumentError(f"{attempts} attempts cannot succeed: give 1 or more")
    if timeout is not None and timeout <= 0:
        raise StepArgumentError(f"a wait of {timeout:g} s cannot succeed: give a positive duration")
    if timeout is not None and interval > timeout:
        raise StepArgumentError(
            f"attempts {interval:g} s apart within {timeout:g} s make one attempt: "
            "give a shorter interval or a longer time"
        )
    return Patience(timeout=timeout, attempts=attempts, interval=interval)


def _tell_policy(ctx: Context, request: Request) -> None:
    """One line saying who re-sends what, when the service has a retry policy of its own."""
    policy = request.retry
    if policy is None or not (policy.statuses or policy.connection_errors):
        return
    transient = [str(status) for status in sorted(policy.statuses)]
    if policy.connection_errors:
        transient.append("no connection")
    ctx.log(
        f"polling {request.method} {request.url}: each attempt is sent once; the polling re-sends it, "
        f"also after what the service's retry policy would re-send ({', '.join(transient)})"
    )
