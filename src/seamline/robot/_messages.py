"""Failures told in Seamline's words.

Where Robot fails a step before Seamline runs it (an unknown keyword, an unknown
``${variable}``), its message is replaced by one naming the step, its file and line, and
what exists instead; where Seamline fails it, the message names the step as written and the
log shows mismatches as a table.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.context import Context
from ..core.values.secrets import Secrets
from ..frontend import unknown_step_message
from ._as_written import running_step

__all__ = ["current_step", "explain_unknown_step", "explain_unknown_variable", "html_table"]

_UNKNOWN_KEYWORD = re.compile(r"No keyword with name '(.+)' found\.")
_UNKNOWN_VARIABLE = re.compile(r"Variable '(\$\{[^}]+\})' not found\.")


def explain_unknown_step(data: Any, result: Any) -> None:
    """Robot's own message for an unknown keyword, told in Seamline's words: the step,
    its line, and the phrases that read most like it."""
    match = _UNKNOWN_KEYWORD.match(result.message or "")
    if not match:
        return
    written = match.group(1)
    line = next((step.lineno for step in data.body if getattr(step, "name", None) == written), None)
    where = f"{Path(data.source).name}:{line}" if data.source and line else None
    result.message = unknown_step_message(written, where)


def explain_unknown_variable(data: Any, result: Any, context: Context) -> None:
    """Robot resolves ${name} before Seamline sees a step, so an unknown name fails with
    Robot's message; it is told the way the core tells it, with the names that exist."""
    match = _UNKNOWN_VARIABLE.match(result.message or "")
    if not match:
        return
    reference = match.group(1)
    step = next((s for s in data.body if reference in " ".join(map(str, [s.name, *s.args]))), None)
    written = str(step.name) if step is not None else reference
    where = f" ({Path(data.source).name}:{step.lineno})" if step is not None and data.source else ""
    known = ", ".join(context.variables.names()) or "none yet"
    result.message = (
        f"Step '{written}'{where} failed: unknown variable {reference}; known variables: {known}"
        + (f"\n{result.message}" if "Did you mean" in result.message else "")
    )


def current_step(name: str) -> tuple[str, str | None]:
    """The running step as written in the suite, and its file and line, when Robot can tell;
    else the keyword's ``name``."""
    step = running_step()
    if step is None:
        return name, None
    where = f"{Path(step.source).name}:{step.lineno}" if step.source else None
    return str(step.name), where


def html_table(rows: Sequence[tuple[str, str, str]], secrets: Secrets) -> str:
    """Mismatches (path, expected, actual) as an HTML table for the log, secrets masked."""
    cells = "".join(
        "<tr>" + "".join(f"<td><code>{html.escape(secrets.mask(cell))}</code></td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        '<table border="1" cellspacing="0" cellpadding="3"><tr><th>path</th><th>expected</th><th>actual</th></tr>'
        f"{cells}</table>"
    )
