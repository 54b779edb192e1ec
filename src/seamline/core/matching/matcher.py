"""Comparing actual values with expected ones; the one matcher every check goes through.

An expected value is JSON in which a text starting with ``#`` is a *marker*: a rule
instead of a value (``"#uuid"``, ``"#[2] #string"``, ``"#? >= 1"``). :func:`match`
compares a whole document and returns every mismatch with its path; :func:`equals`
and :func:`compare` answer yes or no for one value and honour markers too, so field,
header and database checks all read expected values the same way.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..errors import ExpressionError, StepArgumentError
from ..values.literals import describe, parse_literal
from ..values.text import cut_around, first_difference

__all__ = [
    "ABSENT",
    "MARKERS",
    "OPERATORS",
    "Marker",
    "Mismatch",
    "accepts_absence",
    "compare",
    "equals",
    "is_number",
    "match",
    "matches_document",
    "parse_marker",
    "render_path",
    "show",
]


def is_number(value: object) -> bool:
    # bool is an int subclass in Python, but true is not 1 in JSON.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ExpressionError(f"invalid regular expression {pattern!r}: {error}") from None


# -- markers --------------------------------------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339: a date, "T" (or a space), a time with optional fraction, and a zone that must be there.
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_ARRAY = re.compile(r"\[(\d*)\]\s*(.*)", re.DOTALL)
_SYMBOLS = {">=": "is at least", "<=": "is at most", ">": "is greater than", "<": "is less than",
            "==": "is", "!=": "is not"}  # fmt: skip


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_date_time(text: str) -> bool:
    found = _DATE_TIME.fullmatch(text)
    if not found:
        return False
    try:
        datetime.datetime.fromisoformat(f"{found.group(1)}T{found.group(2)}")
    except ValueError:
        return False
    return True


_TYPES: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": is_number,
    "integer": lambda v: is_number(v) and float(v).is_integer(),  # type: ignore[arg-type]
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
    "notnull": lambda v: v is not None,
    "present": lambda v: True,
    "ignore": lambda v: True,
    "uuid": lambda v: isinstance(v, str) and _UUID.fullmatch(v) is not None,
    "date-time": lambda v: isinstance(v, str) and _is_date_time(v),
    "date": lambda v: isinstance(v, str) and _DATE.fullmatch(v) is not None and _is_date(v),
    "email": lambda v: isinstance(v, str) and _EMAIL.fullmatch(v) is not None,
}

# What each marker accepts, for the docs (cookbook/matching.md) and the unknown-marker message.
MARKERS: dict[str, str] = {
    "#string": "a text",
    "#number": "a number",
    "#integer": "a whole number (2 or 2.0)",
    "#boolean": "true or false",
    "#array": "an array",
    "#object": "an object",
    "#null": "null (the field is there)",
    "#notnull": "anything but null (the field is there)",
    "#present": "the field is there, whatever its value, null too",
    "#absent": "the field is not there",
    "#ignore": "anything, or no field at all",
    "#uuid": "a text in UUID form (8-4-4-4-12 hex digits)",
    "#date-time": "an RFC 3339 date and time with zone, such as 2024-05-01T12:00:00Z",
    "#date": "a date such as 2024-05-01",
    "#email": "a text shaped like an e-mail address",
    "#regex <pattern>": "a text the whole of which matches the regular expression",
    "#[n]": "an array of n items; #[] any array; #[n] #marker: each item must match the marker too",
    "#? <op> <value>": "a comparison: > >= < <= == != or any field comparison word "
    "(contains, matches ...); join several with and",
    "##<marker>": "optional: no field or null, or else what the marker says",
}


@dataclass(frozen=True)
class Marker:
    """A parsed marker: what it accepts, whether a missing field is fine, and for arrays
    the length and the marker each item must match."""

    text: str
    test: Callable[[object], bool]
    absent_ok: bool = False
    absent_only: bool = False
    length: int | None = None
    each: Marker | None = None
    array: bool = False


def _predicate(text: str) -> Callable[[object], bool]:
    clauses = re.split(r"\s+and\s+(?=[<>=!]|is\b|contains\b|does\b|matches\b)", text.strip())
    words = sorted([*_SYMBOLS, *OPERATORS], key=len, reverse=True)
    tests: list[tuple[str, object]] = []
    for clause in clauses:
        operator = next((w for w in words if clause.startswith(w)), None)
        rest = clause[len(operator) :] if operator else ""
        if operator is None or (operator[0].isalpha() and rest[:1] not in (" ", "")) or not rest.strip():
            raise ExpressionError(
                f"cannot read the predicate {clause!r}: write #? followed by > >= < <= == != or a comparison "
                'word and a value, such as "#? > 0" or "#? >= 1 and <= 10"'
            )
        expected = parse_literal(rest.strip())
        operator = _SYMBOLS.get(operator, operator)
        if operator in ("matches", "does not match"):
            compile_regex(str(expected))  # an invalid pattern fails now, not on the first match
        tests.append((operator, expected))
    return lambda actual: all(compare(op, actual, expected) for op, expected in tests)


def _marker(text: str) -> Marker:
    if text.startswith("##"):
        inner = _marker(text[1:])
        return Marker(text, lambda v: v is None or inner.test(v), absent_ok=True,
                      length=inner.length, each=inner.each, array=inner.array)  # fmt: skip
    body = text[1:].strip()
    name = body.lower()
    if name in _TYPES:
        return Marker(text, _TYPES[name], absent_ok=name == "ignore")
    if name == "absent":
        return Marker(text, lambda v: False, absent_ok=True, absent_only=True)
    if name.startswith("regex ") or name == "regex":
        pattern = compile_regex(body[5:].strip())
        return Marker(text, lambda v: isinstance(v, str) and pattern.fullmatch(v) is not None)
    if body.startswith("?"):
        return Marker(text, _predicate(body[1:]))
    array = _ARRAY.fullmatch(body)
    if array:
        each = parse_marker(array.group(2).strip()) if array.group(2).strip() else None
        length = int(array.group(1)) if array.group(1) else None
        return Marker(text, lambda v: isinstance(v, list), length=length, each=each, array=True)
    known = " ".join(m.split()[0] for m in MARKERS)
    raise ExpressionError(
        f"unknown marker {text!r}; markers: {known}; write \\{text} for the text itself"
    )


@functools.lru_cache(maxsize=512)
def parse_marker(text: str) -> Marker:
    """The marker a ``#...`` text stands for; an unknown one is a usage error."""
    if not text.startswith("#"):
        raise ExpressionError(f"{text!r} is not a marker: markers start with #")
    return _marker(text)


def _as_marker(expected: object) -> Marker | None:
    if isinstance(expected, str) and expected.startswith("#"):
        return parse_marker(expected)
    return None


def _literal(expected: object) -> object:
    # "\#1" is the text "#1": the backslash only says "not a marker".
    if isinstance(expected, str) and expected.startswith("\\#"):
        return expected[1:]
    return expected


# -- whole documents ------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One place where the actual document differs: its path and both sides as shown."""

    path: str
    expected: str
    actual: str
    # The keys from the document's top to here, to show the part of a long body around it.
    keys: tuple[str | int, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, actual {self.actual}"


ABSENT = "(no such field)"
_SHOW_LIMIT = 60
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Keys = tuple[str | int, ...]


def show(value: object, near: object = None, limit: int = _SHOW_LIMIT) -> str:
    """A value as a mismatch shows it: JSON, long texts cut around where they differ from ``near``."""
    text = describe(value)
    around = first_difference(text, describe(near)) if isinstance(value, str) and isinstance(near, str) else 0
    return cut_around(text, around, limit)


def _child(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    return f"{path}.{text}" if _IDENTIFIER.fullmatch(text) else f"{path}[{describe(text)}]"


def render_path(root: str, keys: Keys) -> str:
    """``$.items[0].sku`` from the root path and the keys below it."""
    for key in keys:
        root = _child(root, key)
    return root


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"




def _shown_expected(expected: object) -> str:
    marker = _as_marker(expected)
    return marker.text if marker else show(_literal(expected))


def _validate(expected: object, path: str) -> None:
    """Parse every marker of a document first, so that a typo fails even where nothing is compared."""
    if isinstance(expected, str):
        try:
            _as_marker(expected)
        except ExpressionError as error:
            raise ExpressionError(f"{error.message} (at {path} of the expected value)") from None
    elif isinstance(expected, dict):
        for key, value in expected.items():
            _validate(value, _child(path, key))
    elif isinstance(expected, list):
        for index, value in enumerate(expected):
            _validate(value, _child(path, index))


class _Matcher:
    def __init__(self, exact: bool, any_order: bool, root: str) -> None:
        self.exact = exact
        self.any_order = any_order
        self.root = root

    def mismatch(self, keys: Keys, expected: str, actual: str) -> Mismatch:
        return Mismatch(render_path(self.root, keys), expected, actual, keys)

    def walk(self, expected: object, actual: object, keys: Keys) -> Iterator[Mismatch]:
        marker = _as_marker(expected)
        if marker is not None:
            yield from self.marker(marker, actual, keys)
        elif isinstance(expected, dict):
            yield from self.mapping(expected, actual, keys)
        elif isinstance(expected, list):
            yield from self.array(expected, actual, keys)
        elif not _scalar_equals(_literal(expected), actual):
            literal = _literal(expected)
            yield self.mismatch(keys, show(literal, near=actual), show(actual, near=literal))

    def marker(self, marker: Marker, actual: object, keys: Keys) -> Iterator[Mismatch]:
        if marker.absent_only or not marker.test(actual):
            yield self.mismatch(keys, marker.text, show(actual))
            return
        if not marker.array or not isinstance(actual, list):
            return
        if marker.length is not None and len(actual) != marker.length:
            yield self.mismatch(keys, marker.text, _items(len(actual)))
        if marker.each is not None:
            for index, item in enumerate(actual):
                yield from self.marker(marker.each, item, (*keys, index))

    def mapping(self, expected: dict[str, object], actual: object, keys: Keys) -> Iterator[Mismatch]:
        if not isinstance(actual, dict):
            yield self.mismatch(keys, "an object", show(actual))
            return
        for key, value in expected.items():
            if key in actual:
                yield from self.walk(value, actual[key], (*keys, key))
                continue
            marker = _as_marker(value)
            if marker is None or not marker.absent_ok:
                yield self.mismatch((*keys, key), _shown_expected(value), ABSENT)
        if self.exact:
            for key in actual:
                if key not in expected:
                    yield self.mismatch((*keys, key), ABSENT, show(actual[key]))

    def array(self, expected: list[object], actual: object, keys: Keys) -> Iterator[Mismatch]:
        if not isinstance(actual, list):
            yield self.mismatch(keys, f"an array of {_items(len(expected))}", show(actual))
            return
        if self.any_order:
            yield from self.unordered(expected, actual, keys)
            return
        if len(expected) != len(actual):
            yield self.mismatch(keys, _items(len(expected)), _items(len(actual)))
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            yield from self.walk(want, got, (*keys, index))

    def unordered(self, expected: list[object], actual: list[object], keys: Keys) -> Iterator[Mismatch]:
        """Pair each expected item with a different actual item (a bipartite matching, so an
        early loose item such as "#ignore" does not take the one a later strict item needs)."""
        fits = [[j for j, got in enumerate(actual) if not any(self.walk(want, got, keys))] for want in expected]
        owner: dict[int, int] = {}

        def assign(i: int, seen: set[int]) -> bool:
            for j in fits[i]:
                if j not in seen:
                    seen.add(j)
                    if j not in owner or assign(owner[j], seen):
                        owner[j] = i
                        return True
            return False

        paired = {i for i in range(len(expected)) if assign(i, set())}
        for i, want in enumerate(expected):
            if i not in paired:
                yield self.mismatch(keys, f"an item like {_shown_expected(want)}", "none left that matches")
        if self.exact:
            for j, got in enumerate(actual):
                if j not in owner:
                    yield self.mismatch((*keys, j), "no such item", show(got))


def _scalar_equals(expected: object, actual: object) -> bool:
    if is_number(expected) and is_number(actual):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def match(expected: object, actual: object, *, exact: bool = False, any_order: bool = False,
          path: str = "$") -> list[Mismatch]:  # fmt: skip
    """Every mismatch between an expected document (with markers) and the actual one.

    Not ``exact``: an object may have fields the expected one does not name, at every
    level. Arrays have the same length and order, unless ``any_order``: then each expected
    item needs an actual item of its own (and, when ``exact``, no actual item is left over).
    """
    _validate(expected, path)
    return list(_Matcher(exact, any_order, path).walk(expected, actual, ()))


def accepts_absence(expected: object) -> bool:
    """Whether an expected value holds where there is no value at all (#absent, #ignore, ##...)."""
    marker = _as_marker(expected)
    return marker is not None and marker.absent_ok


def equals(expected: object, actual: object) -> bool:
    """JSON equality, markers honoured: numbers by value (2 == 2.0), everything else by type and value."""
    return not match(expected, actual, exact=True)


# -- comparison words -----------------------------------------------------------------


def _contains(actual: object, expected: object) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and str(_literal(expected)) in actual
    if isinstance(actual, list):
        if isinstance(expected, dict):
            return any(not match(expected, item) for item in actual)  # an item with these fields
        return any(equals(expected, item) for item in actual)
    if isinstance(actual, dict):
        if isinstance(expected, dict):
            return not match(expected, actual)
        return isinstance(expected, str) and expected in actual
    return False


def _matches(actual: object, expected: object) -> bool:
    if not isinstance(expected, str):
        raise StepArgumentError(f"matches needs a regular expression in quotes, not {describe(expected)}")
    if expected.startswith("#"):
        return equals(expected, actual)  # `matches "#uuid"` reads as naturally as `is "#uuid"`
    return isinstance(actual, str) and compile_regex(expected).search(actual) is not None


def _ordered(test: Callable[[float, float], bool]) -> Callable[[object, object], bool]:
    def check(actual: object, expected: object) -> bool:
        if not is_number(expected):
            raise StepArgumentError(f"a number is needed to compare with, not {describe(expected)}")
        return is_number(actual) and test(actual, expected)  # type: ignore[arg-type]

    return check


# Longer words first: a phrase pattern built from these keys tries "is not" before "is".
OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "is greater than": _ordered(lambda a, e: a > e),
    "is less than": _ordered(lambda a, e: a < e),
    "is at least": _ordered(lambda a, e: a >= e),
    "is at most": _ordered(lambda a, e: a <= e),
    "is not": lambda a, e: not equals(e, a),
    "is": lambda a, e: equals(e, a),
    "does not contain": lambda a, e: not _contains(a, e),
    "contains": _contains,
    "does not match": lambda a, e: not _matches(a, e),
    "matches": _matches,
}


def compare(operator: str, actual: object, expected: object) -> bool:
    try:
        check = OPERATORS[operator]
    except KeyError:
        raise StepArgumentError(
            f"unknown comparison {operator!r}; use one of: {', '.join(OPERATORS)}"
        ) from None
    return check(actual, expected)


def matches_document(expected: object, actual: object) -> bool:
    """Whether a received document (a message, a request body) matches an expected one:
    markers honoured, and objects may have fields the expected one does not name."""
    return not match(expected, actual)
