"""Checks on the last response and the values they look at; also used to store those values."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from ..context import Context
from ..errors import CheckFailed, StepArgumentError
from ..matching.jsonpath import find_all
from ..matching.matcher import accepts_absence, compare, is_number, show
from ..values.text import VALUE_LIMIT, cut_around
from .exchange import Response, response_details

__all__ = [
    "check_body",
    "check_field",
    "check_field_count",
    "check_field_exists",
    "check_header",
    "check_header_exists",
    "check_named_presence",
    "check_status",
    "compare_named",
    "field_value",
    "field_values",
    "header_value",
]

_STATUS = re.compile(r"([1-5])(\d\d|xx)", re.IGNORECASE)
# JSONPath that can select several values: wildcards, recursion, filters, slices, unions.
_MANY = re.compile(r"\*|\.\.|\?|\[[^\]]*[:,][^\]]*\]")


def _failure(response: Response, message: str) -> CheckFailed:
    return CheckFailed(message, details=response_details(response), about_last_request=True)


def check_status(ctx: Context, expected: str) -> None:
    response = ctx.http.response()
    match = _STATUS.fullmatch(expected.strip())
    if not match:
        raise StepArgumentError(f"a status is a number such as 200 or a class such as 2xx, not {expected!r}")
    if match.group(2).lower() == "xx":
        holds = response.status // 100 == int(match.group(1))
    else:
        holds = response.status == int(expected)
    if not holds:
        raise _failure(
            response,
            f"expected status {expected.lower()}, got {response.status} {response.reason} "
            f"from {response.method} {cut_around(response.url, 0, VALUE_LIMIT)}",
        )


def field_values(ctx: Context, path: str) -> tuple[list[object], bool]:
    """The values at ``path`` in the response body, and whether the path can select several."""
    path = ctx.variables.expand(path)
    return find_all(ctx.http.response().json(), path), bool(_MANY.search(path))


def field_value(ctx: Context, path: str) -> object:
    """The one value at ``path`` (a list of them for a wildcard path); nothing there fails."""
    values, many = field_values(ctx, path)
    if many:
        return values
    if not values:
        raise _failure(ctx.http.response(), f"the response has no field at {path}")
    return values[0]


def check_field(ctx: Context, path: str, operator: str, expected: object) -> None:
    if operator == "is" and accepts_absence(expected):
        values, many = field_values(ctx, path)
        if not values and not many:
            return  # "#absent", "#ignore" and "##..." hold where there is no field at all
    actual = field_value(ctx, path)
    if not compare(operator, actual, expected):
        shown, shown_expected = _shown_pair(actual, expected)
        raise _failure(
            ctx.http.response(),
            f"response field {path}: expected a value that {operator} {shown_expected}, actual {shown}"
            if operator != "is"
            else f"response field {path}: expected {shown_expected}, actual {shown}",
        )


def _shown_pair(actual: object, expected: object) -> tuple[str, str]:
    """Both sides of a comparison as a one-line message quotes them, a long one cut around
    where the two differ."""
    return show(actual, near=expected, limit=VALUE_LIMIT), show(expected, near=actual, limit=VALUE_LIMIT)


def check_field_exists(ctx: Context, path: str, exists: bool) -> None:
    values, _ = field_values(ctx, path)
    if exists and not values:
        raise _failure(ctx.http.response(), f"the response has no field at {path}")
    if not exists and values:
        shown = values[0] if len(values) == 1 else values
        shown_text = show(shown, limit=VALUE_LIMIT)
        raise _failure(ctx.http.response(), f"the response has a field at {path} ({shown_text}), expected none")


def check_field_count(ctx: Context, path: str, count: int) -> None:
    actual = field_value(ctx, path)
    if not isinstance(actual, (list, dict)):
        raise _failure(ctx.http.response(), f"response field {path} is {show(actual, limit=VALUE_LIMIT)}, not an array")
    if len(actual) != count:
        raise _failure(ctx.http.response(), f"response field {path}: expected {count} items, actual {len(actual)}")


def header_value(ctx: Context, name: str) -> str | None:
    return ctx.http.response().headers.get(ctx.variables.expand(name))


def compare_named(
    kind: str, verb: str, name: str, actual: object | None, operator: str, expected: object,
    fail: Callable[[str], CheckFailed],
) -> None:
    """Compare a named part of the response (a header, a cookie) that may be missing."""
    if actual is None:
        raise fail(f"the response {verb} no {kind} {name!r}")
    if not compare(operator, actual, expected):
        shown, shown_expected = _shown_pair(actual, expected)
        raise fail(f"response {kind} {name}: expected a value that {operator} {shown_expected}, actual {shown}")


def check_named_presence(
    kind: str, verb: str, name: str, actual: object | None, exists: bool, fail: Callable[[str], CheckFailed]
) -> None:
    if exists and actual is None:
        raise fail(f"the response {verb} no {kind} {name!r}")
    if not exists and actual is not None:
        raise fail(f"the response {verb} the {kind} {name!r} ({actual!r}), expected none")


def check_header(ctx: Context, name: str, operator: str, expected: object) -> None:
    text = header_value(ctx, name)
    # Header values are always text; compared with a number (Content-Length is 42), a numeric one is a number.
    actual = _number(text) if text is not None and is_number(expected) else text
    compare_named("header", "has", name, actual, operator, expected, partial(_failure, ctx.http.response()))


def _number(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def check_header_exists(ctx: Context, name: str, exists: bool) -> None:
    check_named_presence("header", "has", name, header_value(ctx, name), exists, partial(_failure, ctx.http.response()))


def check_body(ctx: Context, operator: str, expected: object) -> None:
    text = ctx.http.response().text
    if not compare(operator, text, expected):
        raise _failure(
            ctx.http.response(),
            f"response body: expected a body that {operator} {show(expected, limit=VALUE_LIMIT)}",
        )
