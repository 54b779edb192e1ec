"""Who sees each exchange beside the log: the reporters (Allure, pytest-html: seamline.attachments).

Apart from :mod:`.sending`, which fires them, so that a front end registers its reporter at
start-up without loading the sending logic a run may never use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .exchange import Request, Response

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["ExchangeHook", "on_exchange", "report_exchange"]

ExchangeHook = Callable[["Context", "Request | None", Response], None]
_EXCHANGE_HOOKS: list[ExchangeHook] = []


def on_exchange(hook: ExchangeHook) -> None:
    """Call ``hook(ctx, request, response)`` for every exchange a test logs, token requests too."""
    if hook not in _EXCHANGE_HOOKS:
        _EXCHANGE_HOOKS.append(hook)


def report_exchange(ctx: Context, request: Request | None, response: Response) -> None:
    for hook in _EXCHANGE_HOOKS:
        hook(ctx, request, response)
