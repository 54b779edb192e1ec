"""Re-sending a request until a check on its response holds.

For what a service finishes a little later (an order confirmed once its payment went
through). Each attempt is one line in the log; the last exchange is logged in full.
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context
from ..errors import CheckFailed, ServiceUnreachable
from ..waiting.retry import retry_until
from .exchange import Response
from .sending import build_request, current_service, log_exchange, send_request

__all__ = ["send_until"]


def send_until(
    ctx: Context,
    method: str,
    path: str,
    check: Callable[[], None],
    timeout: float | None = None,
) -> Response:
    """Send the request, run ``check`` on the answer, and repeat until it holds.

    ``timeout`` and the interval default to the service's ``until`` settings. A service
    whose retry policy allows connection errors may be unreachable for a while too.
    """
    absolute = ctx.variables.expand(path).startswith(("http://", "https://"))
    settings = None if absolute else current_service(ctx).until
    timeout = timeout if timeout is not None else (settings.timeout if settings else 10.0)
    interval = settings.interval if settings else 0.5
    # Built once: query parameters set for "the next request" belong to every attempt.
    request = build_request(ctx, method, path)
    tolerate_unreachable = bool(request.retry and request.retry.connection_errors)
    latest: list[Response] = []  # the response of the latest attempt, if it got one

    def attempt() -> Response:
        latest.clear()
        try:
            response = send_request(ctx, request, log=False)
        except ServiceUnreachable as error:
            if tolerate_unreachable:
                raise CheckFailed(error.message, about_last_request=True) from None
            raise
        latest.append(response)
        check()
        return response

    def on_retry(number: int, failure: CheckFailed) -> None:
        got = f"{latest[0].status} {latest[0].reason} ({latest[0].elapsed_ms:.0f} ms)" if latest else "no answer"
        ctx.log(f"attempt {number}: {request.method} {request.url} -> {got}: {failure.message}")

    try:
        return retry_until(attempt, timeout, interval, on_retry=on_retry)
    finally:
        # The last attempt in full, whatever its outcome: it is the one that tells what happened.
        if latest:
            log_exchange(ctx, latest[0])
