"""The keywords Robot sees, one :class:`Binding` each: how Robot calls it, and where it goes.

A catalog phrase becomes an embedded-argument keyword: its placeholders are in the name and
a doc string or data table is given as the arguments after it. A classic keyword is a method
of a component of :mod:`._classic`, its ordinary arguments those of the method.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.context import Context
from ..core.errors import StepArgumentError
from ..steps import Phrase
from ..steps._user import UserPhrase
from ._as_written import (
    classic_name,
    literal,
    literal_argument,
    literal_text,
    phrase_sql_as_written,
    revealed,
    secrets_as_written,
    url_as_written,
)
from ._classic import CLASSIC_COMPONENTS, RunningLibrary
from ._compat import SECRET_TYPE

__all__ = ["Binding", "classic_bindings", "parse_rows", "phrase_binding"]

_PREFIX = r"(?:(?:given|when|then|and|but)\s+)?"


@dataclass(frozen=True)
class Binding:
    """One keyword: how Robot calls it and where it goes."""

    name: str
    doc: str
    run: Callable[..., Any]
    tags: list[str]
    types: dict[str, Any]
    # The step names that call it, as Robot matches them: compiled when first asked for, since
    # a run uses few of the hundred-odd keywords and compiling them all is most of its start-up.
    pattern: Callable[[], re.Pattern[str]]
    signature: inspect.Signature  # the arguments Robot passes (after the embedded ones, the block)
    origin: Callable[..., Any]  # the function behind it: libdoc's source and line
    phrase: Phrase | None = None  # the catalog or phrasebook phrase it runs (None: a classic keyword)

    def matches(self, step_name: str) -> bool:
        return self.pattern().fullmatch(step_name) is not None


@functools.cache
def _step_pattern(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


def phrase_binding(
    phrase: Phrase, context: Callable[[], Context], running_step: Callable[[], Any], tags: Sequence[str] = ()
) -> Binding:
    """The keyword of a phrase, run in the context ``context()`` returns, tagged with its area,
    "phrase" and ``tags``; ``running_step()`` is the step Robot runs, as written."""
    parameter = inspect.Parameter
    arguments = [parameter(name, parameter.POSITIONAL_OR_KEYWORD) for name in phrase.placeholders]
    if phrase.block == "docstring":
        arguments.append(parameter("docstring", parameter.VAR_POSITIONAL))
    elif phrase.block == "table":
        arguments += [parameter("rows", parameter.VAR_POSITIONAL), parameter("cells", parameter.VAR_KEYWORD)]

    # A path next to a method is a URL: its values are encoded for the part each lands in. A user
    # phrase's arguments may land in a URL of its steps: each is handed over as written too.
    url = "path" in phrase.placeholders and not {"method", "any_method"}.isdisjoint(phrase.placeholders)
    written = [name for name in phrase.placeholders if isinstance(phrase, UserPhrase) or (url and name == "path")]
    pattern = functools.partial(_step_pattern, _PREFIX + phrase.regex())

    def run(*args: Any, **cells: Any) -> Any:
        ctx = context()
        args, cells = revealed(args, ctx.runtime.secrets), revealed(cells, ctx.runtime.secrets)
        shown = secrets_as_written(running_step(), pattern(), phrase.placeholders, args, cells, ctx.runtime.secrets)
        args, cells = tuple(shown[0]), shown[1]
        # Robot has replaced every variable already: what it hands over is never expanded
        # again (a "value" keeps its type: 2 is a number, not "2").
        values = {
            name: arg if name == "value" and not isinstance(arg, str) else literal_text(arg)
            for name, arg in zip(phrase.placeholders, args, strict=False)
        }
        for name, arg in zip(phrase.placeholders, args, strict=False):
            if name in written and isinstance(values[name], str):
                values[name] = url_as_written(running_step(), pattern(), name, arg, ctx.runtime.secrets)
        rest = [literal_text(line) for line in args[len(phrase.placeholders):]]
        docstring = "\n".join(rest) if phrase.block == "docstring" and rest else None
        if phrase.sql:
            docstring = phrase_sql_as_written(running_step(), pattern(), phrase, values, docstring, ctx.runtime.secrets)
        table = None
        if phrase.block == "table":
            table = parse_rows(rest, {name: literal(value) for name, value in cells.items()}, phrase.table_kind)
        return phrase.run(ctx, values, docstring=docstring, table=table)

    example = "\n".join("| " + line for line in phrase.example.splitlines())
    doc = f"{phrase.description}\n\nExample:\n{example}"
    # No types for the placeholders: Robot would convert a variable's value (True -> "True"),
    # where Seamline writes it as JSON ("true"); and libdoc does not list embedded arguments.
    types: dict[str, Any] = {}
    return Binding(
        phrase.robot_name(),
        doc,
        run,
        [f"area: {phrase.area}", "phrase", *tags],
        types,
        pattern,
        inspect.Signature(arguments),
        phrase.func,
        phrase,
    )


def classic_bindings(library: RunningLibrary) -> Iterator[Binding]:
    """The classic keywords, of components that share ``library``'s context."""
    for component_class in CLASSIC_COMPONENTS:
        component = component_class(library)
        for _, method in inspect.getmembers(component, inspect.ismethod):
            if hasattr(method, "robot_name"):
                yield _classic_binding(method)


def _classic_binding(method: Callable[..., Any]) -> Binding:
    types = {name: _or_secret(hint) for name, hint in typing.get_type_hints(method).items() if name != "return"}
    name: str = method.robot_name  # type: ignore[attr-defined]
    doc = inspect.getdoc(method) or ""

    library: RunningLibrary = method.__self__.library  # type: ignore[attr-defined]
    pattern = functools.partial(classic_name, name)

    @functools.wraps(method)
    def run(*args: Any, **named: Any) -> Any:
        secrets = library.context().runtime.secrets
        args, named = revealed(args, secrets), revealed(named, secrets)
        shown = secrets_as_written(library.running_step(), pattern(), (), args, named, secrets)
        args, named = tuple(shown[0]), shown[1]
        # Robot has replaced every variable already: no text it hands over is expanded again.
        return method(*map(literal_argument, args), **{key: literal_argument(v) for key, v in named.items()})

    signature = inspect.signature(method)
    return Binding(name, doc, run, ["classic"], types, pattern, signature, method)


def _or_secret(hint: Any) -> Any:
    """A text argument also takes Robot's ``Secret`` (Robot converts no Secret to text)."""
    return hint | SECRET_TYPE if SECRET_TYPE is not None and hint is str else hint


def parse_rows(rows: Sequence[object], cells: dict[str, object], kind: str) -> list[list[str]]:
    """A Robot data table: ``| a | b |`` strings, one row each, or ``name=value`` arguments."""
    table: list[list[str]] = []
    for row in rows:
        text = str(row).strip()
        if text == "|" or text.startswith("|") != text.endswith("|"):
            raise StepArgumentError(
                f"the table row {text!r} is a piece of a row: Robot ends a cell at two or more spaces "
                "(or a tab), so a row aligned with extra spaces is cut apart; write each row with single "
                "spaces around the pipes (| user | alice |), or give name=value arguments"
            )
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
