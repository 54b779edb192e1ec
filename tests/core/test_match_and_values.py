from __future__ import annotations

import pytest

from seamline.core.errors import ExpressionError, StepArgumentError
from seamline.core.matching.matcher import compare, equals
from seamline.core.values.literals import parse_literal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", 2),
        ('"2"', "2"),
        ("2.50", 2.5),
        ("true", True),
        ("null", None),
        ('["a"]', ["a"]),
        ("A1", "A1"),
        ('"^A\\d$"', "^A\\d$"),  # quoted text is as written: a regex keeps its backslash
        ('"C:\\new"', "C:\\new"),
        ('"say \\"hi\\""', 'say "hi"'),  # an escaped quote inside is read as JSON
    ],
)
def test_unquoted_values_are_json_and_other_words_text(text: str, value: object) -> None:
    assert parse_literal(text) == value
    assert type(parse_literal(text)) is type(value)


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (2, 2.0, True),
        (2, "2", False),
        (True, 1, False),
        (None, None, True),
        ({"a": [1, {"b": True}]}, {"a": [1, {"b": True}]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], [2, 1], False),
    ],
)
def test_json_equality_is_typed(expected: object, actual: object, same: bool) -> None:
    assert equals(expected, actual) is same


@pytest.mark.parametrize(
    ("actual", "operator", "expected", "holds"),
    [
        (3, "is greater than", 2, True),
        (2, "is greater than", 2, False),
        (1, "is less than", 2, True),
        (2, "is at least", 2, True),
        (3, "is at most", 2, False),
        ("Widget", "contains", "idg", True),
        (["a", "b"], "contains", "c", False),
        ({"a": 1, "b": 2}, "contains", {"a": 1}, True),
        ("Widget", "does not contain", "x", True),
        ("A-17", "matches", r"^A-\d+$", True),
        ("A-17", "does not match", r"^A-\d+$", False),
        ("2", "is greater than", 1, False),
        (2, "is not", "2", True),
    ],
)
def test_operators(actual: object, operator: str, expected: object, holds: bool) -> None:
    assert compare(operator, actual, expected) is holds


def test_ordering_needs_a_number() -> None:
    with pytest.raises(StepArgumentError, match="a number is needed"):
        compare("is greater than", 2, "two")


def test_invalid_regex_is_a_usage_error() -> None:
    with pytest.raises(ExpressionError, match=r"invalid regular expression '\('"):
        compare("matches", "x", "(")
