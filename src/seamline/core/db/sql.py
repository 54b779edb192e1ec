"""SQL text as Seamline reads it: split into statements, ``${name}`` made bound parameters.

Splitting and binding share one scanner that knows string literals, quoted identifiers,
comments and PostgreSQL dollar-quoted bodies, so a ``;`` or ``${`` inside them is left
alone. Nothing here talks to a database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import StepArgumentError

__all__ = ["BoundStatement", "WrittenSql", "bind_statements", "one_line", "split_statements"]


class WrittenSql(str):
    """SQL as the user wrote it, with values for some of its ``${name}`` references.

    A front end whose runner replaces variables itself (Robot Framework) hands the text
    over before that replacement, naming each value here, so that values are bound and
    never pasted into the SQL."""

    values: Mapping[str, object]

    def __new__(cls, text: str, values: Mapping[str, object]) -> WrittenSql:
        written = super().__new__(cls, text)
        written.values = dict(values)
        return written


@dataclass(frozen=True)
class BoundStatement:
    """One statement for SQLAlchemy's ``text()``: ``:name`` parameters and their values."""

    sql: str
    params: dict[str, object]


_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_REFERENCE = re.compile(r"(\\?)\$\{([^{}]+)\}")
_WHOLE_REFERENCE = re.compile(r"(['\"])\$\{([^{}]+)\}\1")
# The colons SQLAlchemy's text() would take for parameters; escaped so that they stay text.
_TEXT_COLON = re.compile(r"(?<![:\w\\]):(?=\w)")
_BLOCK_WORDS = re.compile(r";|\b(BEGIN|CASE|END)\b(\s+(?:IF|LOOP|WHILE|REPEAT)\b)?", re.IGNORECASE)
_CREATES_BLOCK = re.compile(r"^\s*CREATE\b.*\b(TRIGGER|PROCEDURE|FUNCTION)\b", re.IGNORECASE | re.DOTALL)


def _scan(sql: str, dialect: str) -> list[tuple[str, str]]:
    """``(kind, text)`` pieces: code, string, ident, comment or dollar (a dollar-quoted body)."""
    pieces: list[tuple[str, str]] = []
    mysql = dialect in ("mysql", "mariadb")
    postgres = dialect == "postgresql"
    n, i, code_start = len(sql), 0, 0

    def add(kind: str, start: int, end: int) -> None:
        nonlocal code_start
        if code_start < start:
            pieces.append(("code", sql[code_start:start]))
        pieces.append((kind, sql[start:end]))
        code_start = end

    while i < n:
        c = sql[i]
        if c in "'\"`":
            end = _quote_end(sql, i, backslash=mysql and c != "`")
            # MySQL reads "..." as a string unless ANSI_QUOTES is set.
            add("string" if c == "'" or (c == '"' and mysql) else "ident", i, end)
            i = end
        elif sql.startswith("--", i) or (c == "#" and mysql):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            add("comment", i, end)
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            add("comment", i, end)
            i = end
        elif c == "$" and postgres and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            tag = _DOLLAR_TAG.match(sql, i)
            if tag is None:
                i += 1
                continue
            close = sql.find(tag.group(0), tag.end())
            end = n if close < 0 else close + len(tag.group(0))
            add("dollar", i, end)
            i = end
        else:
            i += 1
    if code_start < n:
        pieces.append(("code", sql[code_start:]))
    return pieces


def _quote_end(sql: str, start: int, backslash: bool) -> int:
    quote, i, n = sql[start], start + 1, len(sql)
    while i < n:
        if backslash and sql[i] == "\\":
            i += 2
        elif sql[i] == quote:
            if i + 1 < n and sql[i + 1] == quote:  # a doubled quote is the quote itself
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return n  # unterminated: the database reports it


def split_statements(sql: str, dialect: str = "sqlite") -> list[str]:
    """The statements of a script, without their ``;``; empty ones (only comments) dropped.

    A ``;`` inside a string, identifier, comment or dollar-quoted body does not split; nor
    does one inside the BEGIN ... END body of a CREATE TRIGGER, PROCEDURE or FUNCTION."""
    statements: list[str] = []
    current: list[tuple[str, str]] = []
    depth = 0
    for kind, text in _scan(sql, dialect):
        if kind != "code":
            current.append((kind, text))
            continue
        position = 0
        for word in _BLOCK_WORDS.finditer(text):
            if word.group(0) == ";":
                if depth > 0:
                    continue
                current.append(("code", text[position : word.start()]))
                statements.append(_joined(current))
                current, position = [], word.end()
                continue
            so_far = _joined([*current, ("code", text[position : word.start()])])
            if not _CREATES_BLOCK.search(so_far):
                continue
            keyword = word.group(1).upper()
            if keyword in ("BEGIN", "CASE"):
                depth += 1
            elif not word.group(2):  # END IF / END LOOP close blocks this count does not open
                depth = max(0, depth - 1)
        current.append(("code", text[position:]))
    statements.append(_joined(current))
    return [s.strip() for s in statements if _has_code(s, dialect)]


def _joined(pieces: list[tuple[str, str]]) -> str:
    return "".join(text for _, text in pieces)


def _has_code(statement: str, dialect: str) -> bool:
    return any(kind != "comment" and text.strip() for kind, text in _scan(statement, dialect))


def bind_statements(
    sql: str,
    lookup: Callable[[str], object],
    dialect: str = "sqlite",
    params: Mapping[str, object] | None = None,
) -> list[BoundStatement]:
    """Split ``sql`` and turn each ``${name}`` into a bound parameter valued by ``lookup``.

    ``'${name}'`` (a quoted reference alone) is a parameter too; a reference inside a longer
    literal is refused, since pasting it in would let a value change the SQL. ``params``
    are explicit ``:name`` parameters (the classic Robot keywords)."""
    written = getattr(sql, "values", {})
    explicit = dict(params or {})
    return [_bind(statement, lookup, written, explicit, dialect) for statement in split_statements(str(sql), dialect)]


def _bind(
    statement: str,
    lookup: Callable[[str], object],
    written: Mapping[str, object],
    explicit: Mapping[str, object],
    dialect: str,
) -> BoundStatement:
    values: dict[str, object] = {}
    names: dict[str, str] = {}

    def parameter(name: str) -> str:
        name = name.strip()
        if name not in names:
            names[name] = f"seamline_{len(names) + 1}"
            values[names[name]] = written[name] if name in written else lookup(name)
        return ":" + names[name]

    def reference(match: re.Match[str]) -> str:
        return "$" + match.group(0)[2:] if match.group(1) else parameter(match.group(2))

    out = []
    for kind, text in _scan(statement, dialect):
        if kind == "code":
            text = _REFERENCE.sub(reference, _escape_colons(text, explicit))
        elif kind == "string" and _WHOLE_REFERENCE.fullmatch(text):
            text = parameter(text[3:-2])
        elif kind == "string":
            unescaped = [m for m in _REFERENCE.finditer(text) if not m.group(1)]
            if unescaped:
                raise StepArgumentError(
                    f"${{{unescaped[0].group(2)}}} is inside the quoted text {one_line(text, 60)} of the SQL: "
                    "write it outside quotes, where it becomes a bound parameter (e.g. '%' || ${name})"
                )
            text = _escape_colons(text, {})
        else:
            text = _escape_colons(text, {})
        out.append(text)
    # Explicit parameters go only to the statements that use them.
    used = {k: v for k, v in explicit.items() if re.search(rf"(?<![:\w]):{re.escape(k)}\b", statement)}
    return BoundStatement("".join(out), {**used, **values})


def _escape_colons(text: str, keep: Mapping[str, object]) -> str:
    def escape(match: re.Match[str]) -> str:
        name = re.match(r"\w+", text[match.end() :])
        return ":" if name and name.group(0) in keep else "\\:"

    return _TEXT_COLON.sub(escape, text)


def one_line(text: str, limit: int = 200) -> str:
    """SQL (or a database's message) on one line, shortened: for one-line failures."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
