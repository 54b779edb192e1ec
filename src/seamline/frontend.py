"""What both front ends share about failures: one line that names the step, then details."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from .core.context import Context
from .core.errors import MESSAGE_LIMIT, CheckFailed, SeamlineError, bounded
from .core.http.curl import as_curl
from .core.values.secrets import Secrets
from .core.values.text import VALUE_LIMIT, cut_around

__all__ = ["closest_phrases", "curl_of_last_request", "failure_message", "mismatch_table", "step_label",
           "unknown_step_message"]

_TABLE_HEADINGS = ("path", "expected", "actual")


def mismatch_table(rows: Sequence[tuple[str, str, str]]) -> str:
    """Every mismatch of a failed check as a plain-text table, columns aligned (as many rows
    as fit in a message)."""
    table = [_TABLE_HEADINGS, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(2)]
    return bounded(
        "\n".join(f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}".rstrip() for row in table),
        MESSAGE_LIMIT,
    )


def failure_message(error: BaseException, step: str, where: str | None, secrets: Secrets) -> tuple[str, str]:
    """``(one line, details)`` for a failed step, secrets masked; the details start with
    the table of mismatches when the check found several."""
    if isinstance(error, SeamlineError):
        cause, details = error.message, error.details
    else:
        cause, details = bounded(f"{type(error).__name__}: {error}"), ""
    if isinstance(error, CheckFailed) and error.mismatches:
        details = mismatch_table(error.mismatches) + ("\n\n" + details if details else "")
    line = f"{step_label(step, where)} failed: {cause}"
    return secrets.mask(line), secrets.mask(details)


def step_label(step: str, where: str | None) -> str:
    """``Step '...' (file:line)``, how every failure names its step; a step written with a
    long value in it is cut."""
    location = f" ({where})" if where else ""
    return f"Step '{cut_around(step, 0, VALUE_LIMIT)}'{location}"


def unknown_step_message(written: str, where: str | None) -> str:
    """One line for a step that matches no phrase, with the phrases that read most like it."""
    from .steps._catalog import STEP_KEYWORD

    suggestions = closest_phrases(STEP_KEYWORD.sub("", written))
    hint = "; closest phrases: " + " | ".join(suggestions) if suggestions else ""
    return f"{step_label(written, where)} matches no phrase{hint} (`seamline steps` lists them all)"


def closest_phrases(step: str, limit: int = 3) -> list[str]:
    """Catalog phrases that read most like a step that matched none."""
    from .steps import CATALOG

    examples = {phrase.example.splitlines()[0]: phrase.template for phrase in CATALOG.values()}
    candidates = list(examples) + list(CATALOG)
    found = difflib.get_close_matches(step, candidates, n=limit * 2, cutoff=0.4)
    templates: list[str] = []
    for text in found:
        template = examples.get(text, text)
        if template not in templates:
            templates.append(template)
    return templates[:limit]


def curl_of_last_request(ctx: Context, error: BaseException) -> str:
    """The test's last request as a curl command, credentials masked, when ``error`` is about
    it (a check of its response, no answer); "" for any other failure (a database, a queue)."""
    if ctx.http.last_request is None or not getattr(error, "about_last_request", False):
        return ""
    from .core.http.sending import masked_headers  # here: the front ends load no sending logic at start-up

    answer = ctx.http.last_response
    followed = answer is not None and bool(answer.hops)
    command = as_curl(ctx.http.last_request, ctx.runtime.secrets, masked_headers(ctx.runtime), followed)
    return f"the last request, as a curl command:\n{bounded(command, MESSAGE_LIMIT)}"
