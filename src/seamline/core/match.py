"""Comparing actual values with expected ones; the one matcher every check goes through."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from .errors import ExpressionError, StepArgumentError
from .values import describe

__all__ = ["OPERATORS", "compare", "equals", "is_number", "matches_document"]


def is_number(value: object) -> bool:
    # bool is an int subclass in Python, but true is not 1 in JSON.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def equals(expected: object, actual: object) -> bool:
    """JSON equality: numbers by value (2 == 2.0), everything else by type and value."""
    if is_number(expected) and is_number(actual):
        return expected == actual
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        return expected.keys() == actual.keys() and all(equals(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        assert isinstance(actual, list)
        return len(expected) == len(actual) and all(map(equals, expected, actual))
    return expected == actual


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ExpressionError(f"invalid regular expression {pattern!r}: {error}") from None


def _contains(actual: object, expected: object) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual
    if isinstance(actual, list):
        return any(equals(expected, item) for item in actual)
    if isinstance(actual, dict):
        if isinstance(expected, dict):
            return all(k in actual and equals(v, actual[k]) for k, v in expected.items())
        return isinstance(expected, str) and expected in actual
    return False


def _matches(actual: object, expected: object) -> bool:
    if not isinstance(expected, str):
        raise StepArgumentError(f"matches needs a regular expression in quotes, not {describe(expected)}")
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
    """Whether a received document (a message, a request body) matches an expected one: an
    expected object names the fields that matter, the document may have more; anything
    else must be equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and _contains(actual, expected)
    return equals(expected, actual)
