"""Failures told in Seamline's words.

Where Robot fails a step before Seamline runs it (an unknown keyword, an unknown
``${variable}``; the library's listener sees such steps end), its message is replaced by
one naming the step, its file and line, and what exists instead; where Seamline fails it,
the message names the step as written and the log shows mismatches as a table.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from robot.libraries.BuiltIn import BuiltIn

from ..core.context import Context
from ..core.errors import bounded
from ..core.values.secrets import Secrets
from ..core.values.text import cut_around
from ..frontend import step_label, unknown_step_message
from ._compat import search_variable

__all__ = ["html_table", "missing_variable", "robot_failure", "unknown_step", "unknown_variable", "where_of"]

_BUILTIN = BuiltIn()
_ABSENT = object()


def where_of(step: Any) -> str | None:
    """``file:line`` of a step (Robot's ``running.Keyword``), when Robot knows them."""
    source = getattr(step, "source", None)
    lineno = getattr(step, "lineno", None)
    return f"{Path(source).name}:{lineno}" if source and lineno else None


def unknown_step(step: Any) -> str:
    """A step no keyword matched, told in Seamline's words: the step, its line, and the
    phrases that read most like it."""
    return unknown_step_message(str(step.name), where_of(step))


def missing_variable(step: Any) -> str | None:
    """The first ``${name}`` written in the step (name or arguments) that names no variable
    in the running scope, or None. Asked of a failed step: such a reference is why it failed,
    since Robot resolves every variable before it runs a keyword."""
    for text in _texts(step):
        while found := search_variable(text, identifiers="$", ignore_errors=True):
            name = f"${{{found.base}}}"
            if found.base and "${" not in found.base and _BUILTIN.get_variable_value(name, _ABSENT) is _ABSENT:
                return name
            text = found.after
    return None


def unknown_variable(step: Any, reference: str, robot_message: str, context: Context) -> str:
    """Robot resolves ${name} before Seamline sees a step, so an unknown name fails with
    Robot's message; it is told the way the core tells it, with the names that exist."""
    known = ", ".join(context.variables.names()) or "none yet"
    # Robot's own suggestions (generators are Robot variables) follow its message's first line.
    suggestions = f"\n{robot_message}" if "\n" in robot_message.strip() else ""
    return (
        f"{step_label(str(step.name), where_of(step))} failed: unknown variable {reference}; "
        f"known variables: {known}{suggestions}"
    )


def robot_failure(step: Any, robot_message: str) -> str:
    """Robot's own failure of a Seamline step (before the step ran), with the step and its line."""
    return f"{step_label(str(step.name), where_of(step))} failed: {bounded(robot_message)}"


def _texts(step: Any) -> Iterable[str]:
    yield str(step.name)
    for arg in getattr(step, "args", ()):
        if isinstance(arg, str):
            yield arg
    for value in (getattr(step, "named_args", None) or {}).values():
        if isinstance(value, str):
            yield value


# Rows of the mismatch table in the log: a check that finds thousands shows the first ones.
_TABLE_ROWS = 50


def html_table(rows: Sequence[tuple[str, str, str]], secrets: Secrets) -> str:
    """Mismatches (path, expected, actual) as an HTML table for the log, secrets masked."""
    cells = "".join(
        "<tr>"
        + "".join(f"<td><code>{html.escape(secrets.mask(cut_around(cell)))}</code></td>" for cell in row)
        + "</tr>"
        for row in rows[:_TABLE_ROWS]
    )
    if len(rows) > _TABLE_ROWS:
        cells += f'<tr><td colspan="3">... and {len(rows) - _TABLE_ROWS} more mismatches</td></tr>'
    return (
        '<table border="1" cellspacing="0" cellpadding="3"><tr><th>path</th><th>expected</th><th>actual</th></tr>'
        f"{cells}</table>"
    )
