"""Arguments as the suite writes them, before Robot pastes variables' values into them.

Robot resolves ``${name}`` in a step before the library sees it. In a path, each value must
be percent-encoded the way the core encodes its own; in SQL, a pasted value could change the
statement, so each becomes a bound parameter instead. Both are rebuilt from the step as
written, which Robot still holds while the step runs. When the step
was run through another keyword (``Run Keyword ...``), its name no longer reads as the
keyword's, and Robot's text is kept.
"""

from __future__ import annotations

import re
from typing import Any

from robot.running.context import EXECUTION_CONTEXTS
from robot.utils import unescape
from robot.variables import search_variable

from ..core.sql import WrittenSql
from ..core.variables import encode_path_value
from ..steps import Phrase

__all__ = ["path_as_written", "phrase_sql_as_written", "sql_as_written"]


def path_as_written(pattern: re.Pattern[str], resolved: object) -> object:
    """The ``path`` of a phrase matching ``pattern`` with each Robot variable in it
    percent-encoded, as the core does for its own; ``resolved`` when it has none."""
    context = EXECUTION_CONTEXTS.current
    try:
        written = context.steps[-1][0].name
    except (AttributeError, IndexError):
        return resolved
    if "${" not in written:
        return resolved
    match = pattern.fullmatch(written)
    if match is None or "${" not in match.group("path"):
        return resolved
    text, out = match.group("path"), []
    while found := search_variable(text):
        out += [found.before, encode_path_value(context.variables.replace_scalar(found.match))]
        text = found.after
    return "".join([*out, text])


def phrase_sql_as_written(
    pattern: re.Pattern[str], phrase: Phrase, values: dict[str, Any], docstring: str | None
) -> Any:
    """The SQL arguments of a phrase as the suite writes them: ``values`` and the returned
    doc string carry :class:`WrittenSql`, each Robot variable in them a value bound apart."""
    context = EXECUTION_CONTEXTS.current
    try:
        data = context.steps[-1][0]
        match = pattern.fullmatch(str(data.name))
    except (AttributeError, IndexError):
        return docstring
    if match is None:
        return docstring
    for name in phrase.sql:
        if name in values:
            values[name] = _written(match.group(name), context.variables)
    if "docstring" in phrase.sql and docstring is not None:
        return _written("\n".join(str(arg) for arg in data.args), context.variables)
    return docstring


def sql_as_written(sql: str, keyword: str) -> str:
    """The ``sql`` argument (the first) of the running classic ``keyword`` as the suite
    writes it, as :class:`WrittenSql`; ``sql`` as Robot gives it otherwise."""
    context = EXECUTION_CONTEXTS.current
    try:
        data = context.steps[-1][0]
        written = data.args[0]
        called = re.sub(r"[\s_]", "", str(data.name)).lower()
    except (AttributeError, IndexError, TypeError):
        return sql
    if not called.endswith(re.sub(r"[\s_]", "", keyword).lower()):
        return sql
    if not isinstance(written, str):
        return sql
    # Given by name (sql=...), the text after the name is the SQL as written.
    return _written(written.removeprefix("sql="), context.variables)


def _written(text: str, variables: Any) -> WrittenSql:
    values: dict[str, object] = {}
    out: list[str] = []
    while found := search_variable(text, ignore_errors=True):
        name = f"robot_{len(values) + 1}"
        values[name] = variables.replace_scalar(found.match)
        # Text Robot would unescape; a ${ left in it is literal text for the core as well.
        out += [unescape(found.before).replace("${", "\\${"), f"${{{name}}}"]
        text = found.after
    out.append(unescape(text).replace("${", "\\${"))
    return WrittenSql("".join(out), values)
