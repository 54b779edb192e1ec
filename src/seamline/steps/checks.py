"""Phrases that check the last response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.context import Context
from ._catalog import response_check


def until_check(template: str, *, example: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A one-line response check, which may also end ``I GET "..." until <check>``."""
    return response_check(template, example=example, follows_until=True)


@until_check("the response status is {status}", example="the response status is 200")
def status_is(ctx: Context, status: str) -> None:
    """Check the status code exactly (201) or by class (2xx, 4xx)."""
    from ..core.http import field_checks

    field_checks.check_status(ctx, status)


@until_check('the response field "{path}" {operator} {value}', example='the response field "$.items[0].qty" is 2')
def field_compares(ctx: Context, path: str, operator: str, value: object) -> None:
    """Compare a field: is, is not, contains, does not contain, matches, does not match,
    is greater than, is less than, is at least, is at most. ``2`` is a number, ``"2"`` a text."""
    from ..core.http import field_checks

    field_checks.check_field(ctx, path, operator, value)


@until_check('the response field "{path}" exists', example='the response field "$.id" exists')
def field_exists(ctx: Context, path: str) -> None:
    """Check that the JSONPath selects something in the response body (null counts)."""
    from ..core.http import field_checks

    field_checks.check_field_exists(ctx, path, True)


@until_check('the response field "{path}" does not exist', example='the response field "$.password" does not exist')
def field_does_not_exist(ctx: Context, path: str) -> None:
    """Check that the JSONPath selects nothing in the response body."""
    from ..core.http import field_checks

    field_checks.check_field_exists(ctx, path, False)


@until_check('the response field "{path}" has {count} items', example='the response field "$.items" has 2 items')
def field_has_items(ctx: Context, path: str, count: int) -> None:
    """Check the length of an array (or the number of keys of an object)."""
    from ..core.http import field_checks

    field_checks.check_field_count(ctx, path, count)


@until_check(
    'the response header "{name}" {operator} {value}', example='the response header "Content-Type" contains "json"'
)
def header_compares(ctx: Context, name: str, operator: str, value: object) -> None:
    """Compare a response header (names are case-insensitive) with the same words as fields."""
    from ..core.http import field_checks

    field_checks.check_header(ctx, name, operator, value)


@until_check('the response header "{name}" exists', example='the response header "Location" exists')
def header_exists(ctx: Context, name: str) -> None:
    """Check that the response has the header."""
    from ..core.http import field_checks

    field_checks.check_header_exists(ctx, name, True)


@until_check('the response header "{name}" does not exist', example='the response header "Server" does not exist')
def header_does_not_exist(ctx: Context, name: str) -> None:
    """Check that the response does not have the header."""
    from ..core.http import field_checks

    field_checks.check_header_exists(ctx, name, False)


@until_check("the response body {operator} {value}", example='the response body contains "Widget"')
def body_compares(ctx: Context, operator: str, value: object) -> None:
    """Compare the whole response body as text, e.g. contains "Widget" or matches "^\\\\["."""
    from ..core.http import field_checks

    field_checks.check_body(ctx, operator, value)
