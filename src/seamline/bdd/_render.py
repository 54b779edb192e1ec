"""`<name>` placeholders of a `@data:` scenario, filled from the row it runs with.

pytest-bdd fills them for an outline's own Examples; for rows from a data file Seamline
does the same on the steps that pytest-bdd hands to `pytest_bdd_before_scenario`, using only
the documented attributes of a step (name, docstring, datatable).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from ..core.values.variables import escape

# As pytest-bdd's own outlines: `<name>`, left as written when the row has no such column.
_PLACEHOLDER = re.compile(r"<(.+?)>")

_Step = TypeVar("_Step")


def render_placeholders(text: str, row: Mapping[str, str]) -> str:
    """``text`` with each ``<name>`` of the row's columns replaced by its cell; a ``${...}`` in
    a cell is text from a file and is not expanded again (escaped as the core reads it)."""

    def cell(match: re.Match[str]) -> str:
        name = match.group(1)
        return escape(row[name]) if name in row else match.group(0)

    return _PLACEHOLDER.sub(cell, text)


def render_step(step: _Step, row: Mapping[str, str]) -> _Step:
    """A copy of the step with its text, doc string and table cells filled from the row
    (a copy: the step as parsed stays the same for the next row)."""
    rendered: Any = copy.copy(step)
    rendered.name = render_placeholders(rendered.name, row)
    if getattr(rendered, "docstring", None) is not None:
        rendered.docstring = render_placeholders(rendered.docstring, row)
    if getattr(rendered, "datatable", None) is not None:
        rendered.datatable = copy.deepcopy(rendered.datatable)
        for table_row in rendered.datatable.rows:
            for cell in table_row.cells:
                cell.value = render_placeholders(cell.value, row)
    return rendered  # type: ignore[no-any-return]
