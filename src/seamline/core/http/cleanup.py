"""Undo actions a test registers as it goes, run last-in-first-out when it ends.

:meth:`Context.add_cleanup` keeps them and :meth:`Context.finish` runs them, also after a
failure; this module has the actions steps register.
"""

from __future__ import annotations

from ..context import Context
from ..errors import CheckFailed
from .sending import build_request, send_request

__all__ = ["send_afterwards"]

# A resource that is already gone needs no undoing: the test itself may have deleted it.
_ALREADY_GONE = frozenset({404, 410})


def send_afterwards(ctx: Context, method: str, path: str) -> None:
    """Send a request when the test ends, e.g. DELETE of what the test created.

    Variables and headers (a token) are taken now, as they are when the step runs; the
    request fails the cleanup when it is answered with an error other than 404 or 410."""
    # Query parameters set for "the next request" belong to the next one sent now, not to this.
    pending, ctx.http.pending_params = ctx.http.pending_params, []
    try:
        request = build_request(ctx, method, path)
    finally:
        ctx.http.pending_params = pending
    description = f"{request.method} {request.url}"

    def undo() -> None:
        response = send_request(ctx, request)
        if response.status >= 400 and response.status not in _ALREADY_GONE:
            raise CheckFailed(f"{description} answered {response.status} {response.reason}")

    ctx.add_cleanup(description, undo)
    ctx.log(f"at the end of the test: {description}")
