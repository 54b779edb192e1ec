"""Arguments as the suite writes them, before Robot pastes variables' values into them.

Robot resolves ``${name}`` in a step before the library sees it, so every ``${`` left in
what it hands over is text: a value (from a server, a file, a variable) or one the suite
escaped. :func:`literal` escapes them all, so that the core does not expand them a second
time. In a URL, each value must be encoded for the part it lands in; in SQL, a pasted value
could change the statement, so each becomes a bound parameter instead. Both are rebuilt from
the step as written, which the library's listener is handed when the keyword starts
(``step`` below: Robot's ``running.Keyword``, its name and arguments as written). When the
step was run through another keyword (``Run Keyword ...``), its name no longer reads as the
keyword's, and Robot's text is kept (escaped).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from robot.libraries.BuiltIn import BuiltIn

from ..core.values.secrets import Secrets
from ..core.values.variables import WrittenText, escape, to_text
from ..steps import Phrase
from ._compat import SECRET_TYPE, search_variable, split_from_equals, unescape

__all__ = [
    "classic_name",
    "classic_url_as_written",
    "literal",
    "literal_argument",
    "literal_text",
    "phrase_sql_as_written",
    "revealed",
    "secrets_as_written",
    "sql_as_written",
    "url_as_written",
]

_BUILTIN = BuiltIn()


T = TypeVar("T")

# What revealed() looks into (a Secret, or a container that may hold one).
_MAY_HOLD_SECRET: tuple[type, ...] = (dict, list, tuple, *((SECRET_TYPE,) if SECRET_TYPE is not None else ()))


def revealed(value: T, secrets: Secrets) -> T:
    """Robot's ``Secret`` values (``${token: Secret}``, Robot Framework 7.4+) as the text they
    hold, each added to the secrets Seamline masks: they are sent like any value and shown
    nowhere. Inside tuples, lists and dictionaries too."""
    if SECRET_TYPE is not None and isinstance(value, SECRET_TYPE):
        text = value.value  # type: ignore[attr-defined]
        secrets.add(str(text))
        return cast(T, text)
    if isinstance(value, dict):
        if not any(isinstance(item, _MAY_HOLD_SECRET) for item in value.values()):
            return value  # most steps: texts only, nothing to copy
        return cast(T, {key: revealed(item, secrets) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        if not any(isinstance(item, _MAY_HOLD_SECRET) for item in value):
            return value
        return cast(T, type(value)(revealed(item, secrets) for item in value))
    return value


def _value(variable: str, secrets: Secrets) -> object:
    """The value of one variable expression (``${name}``, ``${name}[0]`` ...), as Robot gives
    it, a ``Secret`` revealed."""
    return revealed(_BUILTIN.replace_variables(variable), secrets)


def literal(value: object) -> object:
    """A value Robot hands over, such that the core does not expand it again: text escaped;
    a dictionary or list as its JSON, escaped; a number, true/false or None as it is."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, (dict, list, tuple)):
        return escape(to_text(value))
    return value


def literal_argument(value: object) -> object:
    """An ordinary argument Robot hands a classic keyword, its shape kept (a dictionary of
    headers stays one), each text in it escaped as :func:`literal` does."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: literal_argument(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(literal_argument(item) for item in value)
    return value


def literal_text(value: object) -> str:
    """Like :func:`literal`, as text (a number or true/false as JSON writes it)."""
    return escape(to_text(value))


def url_as_written(step: Any, pattern: re.Pattern[str], name: str, resolved: object, secrets: Secrets) -> object:
    """The URL argument ``name`` of a phrase matching ``pattern`` as the suite writes it: a
    :class:`WrittenText` whose values the core encodes for the part of the URL each lands in
    (or uses as written when it begins the URL); ``resolved``, escaped, when the step cannot
    be found or has no variable in it."""
    # A name with no { has no variable in it: no need to match it (most steps).
    found = _written_step(step, pattern) if step is not None and "{" in str(step.name) else None
    if found is None or not _has_variable(found[1].group(name)):
        return literal(resolved)
    return WrittenText(*_rebuilt(found[1].group(name), secrets))


def classic_url_as_written(step: Any, path: str, keyword: str, secrets: Secrets) -> str:
    """The ``path`` argument of the running classic ``keyword`` (given by name, ``path=...``,
    or else second, after the method) as the suite writes it: a :class:`WrittenText` whose
    values the core encodes for the part of the URL each lands in; ``path`` as Robot gives it
    when the step cannot be found."""
    written = _classic_argument(step, keyword, "path", 1)
    return path if written is None or not _has_variable(written) else WrittenText(*_rebuilt(written, secrets))


def secrets_as_written(
    step: Any, pattern: re.Pattern[str], placeholders: Sequence[str], args: Sequence[Any], cells: dict[str, Any],
    secrets: Secrets,
) -> tuple[list[Any], dict[str, Any]]:
    """A phrase's arguments, each text in which Robot put a ``Secret`` (``Bearer ${TOKEN}``, a
    doc string line ``{"k": "${TOKEN}"}``, a table cell) rebuilt from the step as written with
    the secret's real text, added to the secrets Seamline masks. Robot writes ``<secret>``
    there. Everything else as Robot gives it."""
    args = list(args)
    if SECRET_TYPE is None or not any(_SECRET_SHOWN in str(v) for v in (*args, *cells.values())):
        return args, cells  # the common case, told without matching the step's name
    found = _written_step(step, pattern)
    if found is None:
        return args, cells
    written_step, match = found
    positional: list[str] = []
    named: dict[str, str] = {}
    for arg in map(str, written_step.args):
        name, value = split_from_equals(arg)  # (the text, None) without a name
        if value is None:
            positional.append(arg)
        else:
            named[name] = value
    written_args = [match.group(name) for name in placeholders]
    if len(positional) == len(args) - len(placeholders):  # no @{list} spread the arguments out
        written_args += positional
    for index, written in enumerate(written_args[: len(args)]):
        if _SECRET_SHOWN in str(args[index]):
            args[index] = _revealed_text(written, args[index], secrets)
    cells = {
        name: _revealed_text(named[name], value, secrets) if name in named and _SECRET_SHOWN in str(value) else value
        for name, value in cells.items()
    }
    return args, cells


# What Robot writes where a Secret is put into text.
_SECRET_SHOWN = "<secret>"


def _revealed_text(written: str, resolved: object, secrets: Secrets) -> object:
    """``written`` as Robot resolves it, but each ``Secret`` in it as its real text; ``resolved``
    (Robot's own result) when it holds none."""
    out: list[str] = []
    text, holds_secret = written, False
    while found := search_variable(text, ignore_errors=True):
        value = _BUILTIN.replace_variables(found.match)
        if isinstance(value, SECRET_TYPE):  # type: ignore[arg-type]
            holds_secret, value = True, revealed(value, secrets)
        out += [unescape(found.before), value if isinstance(value, str) else str(value)]
        text = found.after
    out.append(unescape(text))
    return "".join(out) if holds_secret else resolved


def phrase_sql_as_written(
    step: Any,
    pattern: re.Pattern[str],
    phrase: Phrase,
    values: dict[str, Any],
    docstring: str | None,
    secrets: Secrets,
) -> Any:
    """The SQL arguments of a phrase as the suite writes them: ``values`` and the returned
    doc string carry :class:`WrittenSql`, each Robot variable in them a value bound apart."""
    found = _written_step(step, pattern)
    if found is None:
        return docstring
    from ..core.db.sql import WrittenSql  # here: a run without SQL steps loads no SQL logic

    step, match = found
    for name in phrase.sql:
        if name in values:
            values[name] = WrittenSql(*_rebuilt(match.group(name), secrets))
    if "docstring" in phrase.sql and docstring is not None:
        return WrittenSql(*_rebuilt("\n".join(str(arg) for arg in step.args), secrets))
    return docstring


def sql_as_written(step: Any, sql: str, keyword: str, secrets: Secrets) -> str:
    """The ``sql`` argument of the running classic ``keyword`` as the suite writes it (given
    by name, ``sql=...``, or else first), as :class:`WrittenSql`; ``sql`` as Robot gives it
    when the step cannot be found."""
    from ..core.db.sql import WrittenSql

    written = _classic_argument(step, keyword, "sql", 0)
    return sql if written is None else WrittenSql(*_rebuilt(written, secrets))


def _classic_argument(step: Any, keyword: str, name: str, position: int) -> str | None:
    """The argument ``name`` of the running classic ``keyword`` as the suite writes it: given
    by name (``name=...``), or else the positional one at ``position``; None when the step
    cannot be found or its arguments come from a list or dictionary variable (``@{args}``)."""
    found = _written_step(step, classic_name(keyword))
    arguments = [str(arg) for arg in found[0].args] if found is not None else []
    if any(arg.startswith(("@{", "&{")) for arg in arguments):
        return None
    named = next((arg.removeprefix(f"{name}=") for arg in arguments if arg.startswith(f"{name}=")), None)
    positional = [arg for arg in arguments if not re.match(r"^\w+=", arg)]
    return named if named is not None else positional[position] if len(positional) > position else None


def _written_step(step: Any, pattern: re.Pattern[str]) -> tuple[Any, re.Match[str]] | None:
    """The running ``step``, and its name as written matched by ``pattern``; None when that
    name does not match (the step was run through another keyword)."""
    if step is None:
        return None
    match = pattern.fullmatch(str(step.name))
    return None if match is None else (step, match)


@functools.cache
def classic_name(keyword: str) -> re.Pattern[str]:
    """Step names that call a classic keyword: as Robot matches them, case, spaces and
    underscores aside, after a library name or Given/When/Then if any."""
    letters = re.sub(r"[\s_]", "", keyword)
    return re.compile(".*" + "".join(re.escape(letter) + r"[\s_]*" for letter in letters), re.IGNORECASE | re.DOTALL)


def _has_variable(text: str) -> bool:
    """Whether Robot puts a value into ``text``: a ``${name}``, and an ``%{ENV}`` as well."""
    return bool(search_variable(text, ignore_errors=True))


def _rebuilt(text: str, secrets: Secrets) -> tuple[str, dict[str, object]]:
    """``text`` as written, each Robot variable in it a ``${robot_N}`` reference, and the
    values of those references (a ``Secret`` revealed)."""
    values: dict[str, object] = {}
    out: list[str] = []
    while found := search_variable(text, ignore_errors=True):
        name = f"robot_{len(values) + 1}"
        values[name] = _value(found.match, secrets)
        # Text Robot would unescape; a ${ left in it is literal text for the core as well.
        out += [escape(unescape(found.before)), f"${{{name}}}"]
        text = found.after
    out.append(escape(unescape(text)))
    return "".join(out), values
