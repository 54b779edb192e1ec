"""Who sees what :mod:`.sending` sends and receives: the reporters of each exchange (Allure,
pytest-html: seamline.attachments) and the areas that react to every response (the contract check).

Apart from :mod:`.sending`, which fires them, so that they register at start-up without loading
the sending logic a run may never use; this module imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .exchange import Request, Response

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["ExchangeHook", "ResponseHook", "on_exchange", "on_response", "report_exchange", "report_response"]

ExchangeHook = Callable[["Context", "Request | None", Response], None]
_EXCHANGE_HOOKS: list[ExchangeHook] = []


def on_exchange(hook: ExchangeHook) -> None:
    """Call ``hook(ctx, request, response)`` for every exchange a test logs, token requests too."""
    if hook not in _EXCHANGE_HOOKS:
        _EXCHANGE_HOOKS.append(hook)


def report_exchange(ctx: Context, request: Request | None, response: Response) -> None:
    for hook in _EXCHANGE_HOOKS:
        hook(ctx, request, response)


ResponseHook = Callable[["Context", Response], None]
_RESPONSE_HOOKS: list[ResponseHook] = []


def on_response(hook: ResponseHook) -> None:
    """Call ``hook(ctx, response)`` for every response a step receives (after it is logged)."""
    if hook not in _RESPONSE_HOOKS:
        _RESPONSE_HOOKS.append(hook)


def report_response(ctx: Context, response: Response) -> None:
    for hook in _RESPONSE_HOOKS:
        hook(ctx, response)
