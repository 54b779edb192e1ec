"""`<name>` placeholders of an outline's steps, filled from the row it runs with.

pytest-bdd fills them for an outline's own Examples; for rows from a data file Seamline
does the same on the steps that pytest-bdd hands to `pytest_bdd_before_scenario`, using only
the documented attributes of a step (name, docstring, datatable). Either way Seamline fills
the step names again itself to learn where each cell went: a cell in a URL is encoded for the
part it lands in, as a variable's value is (see ``Phrase.written_arguments``).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from ..core.values.variables import Filled, WrittenText, escape, fill

__all__ = ["OutlineRows", "has_placeholders", "render_placeholders", "render_step"]

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


def render_step(step: _Step, row: Mapping[str, object]) -> tuple[_Step, Filled]:
    """A copy of the step with its text, doc string and table cells filled from the row (a
    copy: the step as parsed stays the same for the next row), and its name as filled, which
    knows where each cell went. A cell that is a plain string is a value (from a data file:
    never expanded); a ``WrittenText`` is text to expand (an Examples cell, as written)."""
    rendered: Any = copy.copy(step)
    filled = fill(rendered.name, _PLACEHOLDER, row)
    rendered.name = filled.text
    if getattr(rendered, "docstring", None) is not None:
        rendered.docstring = fill(rendered.docstring, _PLACEHOLDER, row).text
    if getattr(rendered, "datatable", None) is not None:
        rendered.datatable = copy.deepcopy(rendered.datatable)
        for table_row in rendered.datatable.rows:
            for cell in table_row.cells:
                cell.value = fill(cell.value, _PLACEHOLDER, row).text
    return rendered, filled


def has_placeholders(steps: Iterable[Any]) -> bool:
    """Whether any step has a ``<name>`` in its text, doc string or table: steps without one
    read the same for every row, and are run as pytest-bdd hands them over."""
    for step in steps:
        texts = [step.name, getattr(step, "docstring", None) or ""]
        datatable = getattr(step, "datatable", None)
        if datatable is not None:
            texts += [cell.value for table_row in datatable.rows for cell in table_row.cells]
        if any(_PLACEHOLDER.search(text) for text in texts):
            return True
    return False


# A step as a row fills it: its text, doc string and table cells.
_StepText = tuple[str, str | None, tuple[tuple[str, ...], ...] | None]


class OutlineRows:
    """The rows of an outline's Examples, each found by the steps as it fills them: made once
    per outline, so that finding the row of each of its scenarios is one look-up (searching
    the rows for each scenario made an outline of N rows cost N x N fillings)."""

    def __init__(self, outline: Any) -> None:
        self.by_steps: dict[tuple[_StepText, ...], dict[str, object]] = {}
        for examples in getattr(outline, "examples", []):
            for row in examples.as_contexts():
                cells: dict[str, object] = {name: WrittenText(str(cell), {}) for name, cell in row.items()}
                by_cells = functools.partial(_filled_text, cells=cells)
                filled = tuple(_step_text(step, by_cells) for step in outline.steps)
                self.by_steps.setdefault(filled, cells)  # the first such row, as pytest-bdd's order has it

    def row_of(self, scenario: Any) -> dict[str, object]:
        """The row that pytest-bdd filled ``scenario`` from (the row whose cells fill the
        outline's steps as they read in ``scenario``: text, doc string and table), each cell
        as text to expand, as pytest-bdd's own filling reads it; {} for a scenario without
        Examples."""
        return self.by_steps.get(tuple(_step_text(step, str) for step in scenario.steps), {})


def _step_text(step: Any, filled: Callable[[str], str]) -> _StepText:
    datatable = getattr(step, "datatable", None)
    table = None
    if datatable is not None:
        table = tuple(tuple(filled(cell.value) for cell in row.cells) for row in datatable.rows)
    return filled(step.name), None if step.docstring is None else filled(step.docstring), table


def _filled_text(text: str, cells: Mapping[str, object]) -> str:
    return fill(text, _PLACEHOLDER, cells).text
