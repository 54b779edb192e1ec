"""Phrases that undo what a test created, when it ends."""

from __future__ import annotations

from ..core.context import Context
from ._catalog import phrase


@phrase('I {method} "{path}" afterwards', example='I DELETE "/orders/${order_id}" afterwards')
def afterwards(ctx: Context, method: str, path: str) -> None:
    """Send this request when the test ends, even when it failed: undo actions run last-in-first-out;
    one that fails is reported after the test's own failure. A 404 or 410 answer counts as done."""
    from ..core.http import cleanup

    cleanup.send_afterwards(ctx, method, path)
