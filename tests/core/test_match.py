"""The one matcher: each marker and each comparison word holds where it should and
fails where it should, and a failed match lists every mismatch with its path."""

from __future__ import annotations

import pytest

from seamline.core.errors import ExpressionError, StepArgumentError
from seamline.core.matching.matcher import MARKERS, compare, equals, match

UUID = "3b26f67f-8d0c-4e26-bf13-7549a54c2ea7"

# marker, a value it accepts, a value it refuses
MARKER_CASES = [
    ("#string", "A1", 1),
    ("#number", 2.5, "2.5"),
    ("#number", 2, True),
    ("#integer", 2, 2.5),
    ("#integer", 2.0, "2"),
    ("#boolean", False, 0),
    ("#array", [], {}),
    ("#object", {}, []),
    ("#null", None, 0),
    ("#notnull", 0, None),
    ("#present", None, "(absent)"),
    ("#absent", "(absent)", None),
    ("#ignore", "(absent)", "(nothing fails #ignore)"),
    ("#uuid", UUID, "3b26f67f-8d0c-4e26-bf13"),
    ("#uuid", UUID.upper(), 42),
    ("#date-time", "2024-05-01T12:30:00Z", "2024-05-01T12:30:00"),
    ("#date-time", "2024-05-01T12:30:00.123+02:00", "2024-13-01T12:30:00Z"),
    ("#date", "2024-02-29", "2023-02-29"),
    ("#date", "2024-05-01", "2024-05-01T12:30:00Z"),
    ("#email", "ada@example.com", "ada@example"),
    ("#regex [A-Z]\\d", "A1", "A12"),
    ("#[2]", ["a", "b"], ["a"]),
    ("#[]", [], "[]"),
    ("#[2] #string", ["a", "b"], ["a", 2]),
    ("#[] #? > 0", [1, 2], [1, 0]),
    ("#? > 0", 1, 0),
    ("#? >= 1 and <= 10", 10, 11),
    ("#? < 3", 2.5, 3),
    ("#? <= 3", 3, 3.5),
    ("#? == 2", 2.0, 3),
    ("#? != 2", 3, 2),
    ("#? is at least 1", 1, 0),
    ("#? contains \"idge\"", "Widget", "Gadget"),
    ("#? matches \"^W\"", "Widget", "Gadget"),
    ("#? does not contain \"x\"", "Widget", "Wax"),
    ("##string", None, 1),
    ("##string", "(absent)", 1),
    ("##string", "A1", ""),
]
_ABSENT = "(absent)"


def _holds(marker: str, value: object) -> bool:
    """The marker as a field's expected value; "(absent)" stands for no field at all."""
    actual = {} if value == _ABSENT else {"field": value}
    return not match({"field": marker}, actual)


@pytest.mark.parametrize(
    ("marker", "good", "bad"), MARKER_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(MARKER_CASES)]
)
def test_each_marker_accepts_and_refuses(marker: str, good: object, bad: object) -> None:
    assert _holds(marker, good), f"{marker} should accept {good!r}"
    if marker == "#ignore":
        assert _holds(marker, bad)  # #ignore refuses nothing: that is its point
        return
    if marker == "##string" and bad == "":
        assert _holds(marker, bad)  # an empty text is a text
        return
    assert not _holds(marker, bad), f"{marker} should refuse {bad!r}"


def _documented_form(marker: str) -> str:
    first = marker.split()[0]
    if first.startswith("#["):
        return "#[n]"
    return "##<marker>" if first.startswith("##") else first


def test_every_documented_marker_has_a_case() -> None:
    documented = {m.split()[0] for m in MARKERS}
    assert documented == {_documented_form(c[0]) for c in MARKER_CASES}


# operator, actual, expected that holds, expected that does not
OPERATOR_CASES = [
    ("is", 2, 2.0, "2"),
    ("is", {"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, {"a": [1, {"b": None, "c": 1}]}),
    ("is", UUID, "#uuid", "#number"),
    ("is not", 2, "2", 2),
    ("is not", None, "#notnull", "#null"),
    ("contains", "Widget", "idge", "x"),
    ("contains", ["a", "b"], "b", "c"),
    ("contains", [UUID], "#uuid", "#number"),
    ("contains", {"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 2}}, {"b": {"c": 3}}),
    ("does not contain", ["a"], "b", "a"),
    ("matches", "Widget", "^W.+t$", "^G"),
    ("matches", UUID, "#uuid", "#date"),
    ("does not match", "Widget", "^\\d+$", "^W"),
    ("is greater than", 3, 2, 3),
    ("is less than", 2, 3, 2),
    ("is at least", 2, 2, 3),
    ("is at most", 2, 2, 1),
]


@pytest.mark.parametrize(("operator", "actual", "good", "bad"), OPERATOR_CASES)
def test_each_operator_holds_and_fails(operator: str, actual: object, good: object, bad: object) -> None:
    assert compare(operator, actual, good)
    assert not compare(operator, actual, bad)


def test_equals_honours_markers_and_json_types() -> None:
    assert equals({"id": "#uuid", "n": 2}, {"id": UUID, "n": 2.0})
    assert not equals(True, 1)
    assert not equals({"a": 1}, {"a": 1, "b": 2})  # equals is exact
    assert equals("\\#1 seller", "#1 seller")  # a backslash makes a text that starts with #


ORDER = {
    "id": UUID,
    "status": "paid",
    "items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 0}],
    "created": "yesterday",
    "note": None,
}


def test_subset_match_lists_every_mismatch_with_its_path() -> None:
    expected = {
        "id": "#uuid",
        "status": "pending",
        "items": "#[1]",
        "created": "#date-time",
        "coupon": "#string",
        "note": "#null",
        "secret": "#absent",
    }
    found = [(m.path, m.expected, m.actual) for m in match(expected, ORDER)]
    assert found == [
        ("$.status", '"pending"', '"paid"'),
        ("$.items", "#[1]", "2 items"),
        ("$.created", "#date-time", '"yesterday"'),
        ("$.coupon", "#string", "(no such field)"),
    ]


def test_exact_match_reports_fields_the_document_does_not_name() -> None:
    expected = {"id": "#uuid", "status": "#string", "items": "#array", "created": "#string"}
    assert match(expected, ORDER) == []
    found = [(m.path, m.actual) for m in match(expected, ORDER, exact=True)]
    assert found == [("$.note", "null")]


def test_nested_paths_and_odd_keys() -> None:
    found = match({"items": [{"qty": "#? > 0"}, {"qty": "#? > 0"}], "a b": 1}, {**ORDER, "a b": 2})
    assert [m.path for m in found] == ["$.items[1].qty", '$["a b"]']


def test_arrays_keep_their_order_unless_asked() -> None:
    assert [str(m) for m in match([1, 2], [2, 1])] == ["$[0]: expected 1, actual 2", "$[1]: expected 2, actual 1"]
    assert match([1, 2], [2, 1], any_order=True) == []
    assert [str(m) for m in match([1, 2], [1, 2, 3])] == ["$: expected 2 items, actual 3 items"]


def test_any_order_pairs_each_item_with_its_own_match() -> None:
    # "#ignore" first must not take the one item that "b" needs.
    assert match(["#ignore", "b"], ["b", "a"], any_order=True) == []
    missing = match([{"sku": "C3"}, {"sku": "A1"}], ORDER["items"], any_order=True)
    assert [str(m) for m in missing] == ['$: expected an item like {"sku": "C3"}, actual none left that matches']
    assert match(["a"], ["a", "b"], any_order=True) == []  # subset: other items may be there
    extra = match(["a"], ["a", "b"], any_order=True, exact=True)
    assert [str(m) for m in extra] == ['$[1]: expected no such item, actual "b"']


def test_long_texts_are_cut_around_the_difference() -> None:
    expected = "x" * 200 + "needle" + "y" * 200
    actual = "x" * 200 + "thread" + "y" * 200
    (mismatch,) = match(expected, actual)
    assert "thread" in mismatch.actual and "needle" in mismatch.expected
    # Both cut around the difference, saying how long they are.
    assert mismatch.actual.endswith("... (408 characters)") and len(mismatch.actual) < 100


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ({"id": "#uuidd"}, "unknown marker '#uuidd'"),
        ({"id": "#regex ["}, "invalid regular expression '['"),
        ({"id": "#? ~ 2"}, "cannot read the predicate '~ 2'"),
        ({"items": [{"sku": "#strin"}]}, "(at $.items[0].sku of the expected value)"),
    ],
)
def test_bad_markers_are_usage_errors(expected: object, message: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        match(expected, {})  # checked even where the actual document has nothing to compare
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_comparison_with_a_non_number_is_a_usage_error() -> None:
    with pytest.raises(StepArgumentError, match="a number is needed"):
        compare("is greater than", 2, "two")
