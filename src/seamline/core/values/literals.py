"""Step arguments as typed values: ``2`` is a number, ``"2"`` a string."""

from __future__ import annotations

import json

from ..errors import StepArgumentError
from .collector import collector_paused

__all__ = ["describe", "load_json_document", "parse_json", "parse_literal"]

# Above this size a document is parsed with the cyclic garbage collector paused.
_BIG_DOCUMENT = 1_000_000


def parse_literal(text: object) -> object:
    """A step value: text in double quotes is that text, as written (a backslash is just a
    backslash, so a regular expression reads as it would anywhere); anything else is JSON
    when it parses as JSON (2, 2.5, true, null, [1, 2]), otherwise the text itself.

    Values that are not text (a Robot variable holding a number) are taken as they are.
    """
    if not isinstance(text, str):
        return text
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"' and '\\"' not in stripped:
        return stripped[1:-1]
    try:
        return json.loads(stripped)
    except ValueError:
        return stripped


def parse_json(text: str, what: str = "doc string") -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StepArgumentError(
            f"the {what} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None


def load_json_document(data: bytes | str) -> object:
    """A received document (a response body) as JSON; raises ValueError if it is not JSON.

    A big one is parsed with the garbage collector paused: the parse makes a million
    containers and no cycle among them, and each collection it would trigger walks every
    container made so far (a third of the parse's time for a 50 MB body, for nothing)."""
    if len(data) < _BIG_DOCUMENT:
        return json.loads(data)
    with collector_paused():
        return json.loads(data)


def describe(value: object) -> str:
    """A value as a message shows it, with its JSON type visible: 2 and "2" read differently."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
