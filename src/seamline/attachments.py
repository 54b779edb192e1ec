"""What a report attaches to a step, for both front ends alike: each exchange (its request,
its response and the request as a curl command) and a failed check's table of mismatches,
secrets masked.

Two kinds of report take them: Allure, through ``allure.attach`` while its reporter runs
(allure-pytest-bdd's ``--alluredir``, allure-robotframework's listener), and a sink that keeps
attachments (the pytest plugin's, for pytest-html's extras). With neither, nothing is made:
Allure is never imported unless its reporter already is.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Protocol

from .core.context import Context, MemorySink
from .core.errors import CheckFailed
from .core.http.curl import as_curl
from .core.http.exchange import Request, Response, request_text, response_text
from .core.http.hooks import on_exchange
from .core.values.secrets import Secrets
from .core.values.text import VALUE_LIMIT, cut_around
from .frontend import mismatch_table

__all__ = [
    "AttachingSink",
    "AttachmentSink",
    "allure_results_folders",
    "attach",
    "attach_exchange",
    "attach_mismatches",
    "mask_allure_results",
]


class AttachingSink(MemorySink):
    """A test's log that also keeps its attachments (each exchange, a mismatch table) for
    pytest-html, which shows them as the test's extras."""

    def __init__(self) -> None:
        super().__init__()
        self.attachments: list[tuple[str, str]] = []

    def attach(self, name: str, text: str) -> None:
        self.attachments.append((name, text))


class AttachmentSink(Protocol):
    """A test's log sink that also keeps attachments (name, text), for a report to show."""

    def attach(self, name: str, text: str) -> None: ...


def _allure() -> Any | None:
    """The ``allure`` module while an Allure reporter listens, else None (never imported here)."""
    commons = sys.modules.get("allure_commons")
    if commons is None or not commons.plugin_manager.get_plugins():
        return None
    import allure

    return allure


def _sink(ctx: Context) -> AttachmentSink | None:
    return ctx.sink if callable(getattr(ctx.sink, "attach", None)) else None  # type: ignore[return-value]


def _wanted(ctx: Context) -> bool:
    """Whether any report takes attachments in this test (else nothing need be made)."""
    return _sink(ctx) is not None or _allure() is not None


def attach(ctx: Context, name: str, text: str) -> None:
    """Attach ``text`` (secrets masked) to the running step of every report that takes it."""
    secrets = ctx.runtime.secrets
    name, text = secrets.mask(cut_around(name, 0, VALUE_LIMIT)), secrets.mask(text)
    allure = _allure()
    if allure is not None:
        allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)
    sink = _sink(ctx)
    if sink is not None:
        sink.attach(name, text)


def attach_exchange(ctx: Context, request: Request | None, response: Response) -> None:
    """The request, the response and (when the request is known) its curl command."""
    if not _wanted(ctx):
        return
    from .core.http.sending import masked_headers  # here: the front ends load no sending logic at start-up

    hidden = masked_headers(ctx.runtime)
    attach(ctx, f"request: {response.method} {response.url}", request_text(response, hidden))
    attach(ctx, f"response: {response.status} {response.reason}", response_text(response, hidden))
    if request is not None:
        attach(ctx, "curl command", as_curl(request, ctx.runtime.secrets, hidden))


def attach_mismatches(ctx: Context, error: BaseException) -> None:
    """A failed check's mismatches as a table (path, expected, actual)."""
    if isinstance(error, CheckFailed) and error.mismatches and _wanted(ctx):
        attach(ctx, "mismatches", mismatch_table(error.mismatches))


def allure_results_folders() -> list[Path]:
    """The folders Allure's reporters are writing results to now (each file logger's folder:
    allure-python keeps it as ``_report_dir``; no public way to ask)."""
    commons = sys.modules.get("allure_commons")
    if commons is None:
        return []
    folders = (getattr(plugin, "_report_dir", None) for plugin in commons.plugin_manager.get_plugins())
    return [folder for folder in folders if isinstance(folder, Path)]


def mask_allure_results(secrets: Secrets, folders: list[Path]) -> None:
    """Mask again, at the end of the run, what Allure wrote before a value was known to be
    secret (a token shown by a failing check, then used as an API key by a later test)."""
    for folder in folders:
        for path in folder.glob("*"):
            if path.is_file() and path.suffix != ".tmp":  # a .tmp is a result being written
                secrets.mask_file(path)


on_exchange(attach_exchange)
