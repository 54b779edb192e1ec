"""The keywords Robot sees, one :class:`Binding` each: how Robot calls it, and where it goes.

A catalog phrase becomes an embedded-argument keyword: its placeholders are in the name and
a doc string or data table is given as the arguments after it. A classic keyword is a method
of a component of :mod:`._classic`, its ordinary arguments those of the method.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.context import Context
from ..steps import Phrase
from ._as_written import path_as_written, phrase_sql_as_written
from ._classic import CLASSIC_COMPONENTS

if TYPE_CHECKING:
    from ._library import Seamline

__all__ = ["Binding", "classic_bindings", "parse_rows", "phrase_binding"]

_PREFIX = r"(?:(?:given|when|then|and|but)\s+)?"


@dataclass(frozen=True)
class Binding:
    """One keyword: how Robot calls it and where it goes."""

    name: str
    arguments: list[str]
    doc: str
    run: Callable[..., Any]
    tags: list[str]


def phrase_binding(phrase: Phrase, context: Callable[[], Context], tags: Sequence[str] = ()) -> Binding:
    """The keyword of a phrase, run in the context ``context()`` returns, tagged with its area,
    "phrase" and ``tags``."""
    arguments = list(phrase.placeholders)
    if phrase.block == "docstring":
        arguments.append("*docstring")
    elif phrase.block == "table":
        arguments += ["*rows", "**cells"]

    encode_path = "path" in phrase.placeholders
    pattern = re.compile(_PREFIX + phrase.regex(), re.IGNORECASE)

    def run(*args: Any, **cells: Any) -> Any:
        values = dict(zip(phrase.placeholders, args, strict=False))
        if encode_path:
            values["path"] = path_as_written(pattern, values["path"])
        rest = args[len(phrase.placeholders):]
        docstring = "\n".join(str(line) for line in rest) if phrase.block == "docstring" and rest else None
        if phrase.sql:
            docstring = phrase_sql_as_written(pattern, phrase, values, docstring)
        table = parse_rows(rest, cells, phrase.table_kind) if phrase.block == "table" else None
        return phrase.run(context(), values, docstring=docstring, table=table)

    example = "\n".join("| " + line for line in phrase.example.splitlines())
    doc = f"{phrase.description}\n\nExample:\n{example}"
    return Binding(phrase.robot_name(), arguments, doc, run, [f"area: {phrase.area}", "phrase", *tags])


def classic_bindings(library: Seamline) -> Iterator[Binding]:
    """The classic keywords, of components that share ``library``'s context."""
    for component_class in CLASSIC_COMPONENTS:
        component = component_class(library)
        for _, method in inspect.getmembers(component, inspect.ismethod):
            if hasattr(method, "robot_name"):
                yield _classic_binding(method)


def _classic_binding(method: Callable[..., Any]) -> Binding:
    arguments = []
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            arguments.append(f"*{parameter.name}")
        elif parameter.kind is parameter.VAR_KEYWORD:
            arguments.append(f"**{parameter.name}")
        elif parameter.default is parameter.empty:
            arguments.append(parameter.name)
        else:
            arguments.append(f"{parameter.name}={parameter.default}")
    return Binding(method.robot_name, arguments, inspect.getdoc(method) or "", method, ["classic"])  # type: ignore[attr-defined]


def parse_rows(rows: Sequence[object], cells: dict[str, object], kind: str) -> list[list[str]]:
    """A Robot data table: ``| a | b |`` strings, one row each, or ``name=value`` arguments."""
    table: list[list[str]] = []
    for row in rows:
        text = str(row).strip()
        if text.startswith("|"):
            table.append([cell.strip() for cell in text.strip("|").split("|")])
        else:
            table.append([text])
    if cells:
        if kind == "pairs":
            table += [[name, str(value)] for name, value in cells.items()]
        else:
            table += [list(cells), [str(value) for value in cells.values()]]
    return table
