"""Phrases that check whole documents (with markers), cookies, the content type and the
response time."""

from __future__ import annotations

from ..core.context import Context
from ._catalog import phrase, response_check

_DOC = '\n  """\n  {"id": "#uuid", "status": "pending", "items": "#[1]"}\n  """'
_ITEM = '\n  """\n  {"sku": "#string", "qty": "#? > 0"}\n  """'


@response_check("the response matches:", example="the response matches:" + _DOC)
def response_matches(ctx: Context, docstring: str) -> None:
    """Match the body against a JSON document with markers (#uuid, #string, #[2] ...); fields
    it does not name may be there too. Every mismatch is listed with its path."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring)


@response_check("the response is:", example='the response is:\n  """\n  {"status": "ok"}\n  """')
def response_is(ctx: Context, docstring: str) -> None:
    """Match the body exactly: markers allowed, but no field the document does not name."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring, exact=True)


@response_check(
    "the response matches in any order:", example='the response matches in any order:\n  """\n  ["B2", "A1"]\n  """'
)
def response_matches_any_order(ctx: Context, docstring: str) -> None:
    """Like `the response matches:`, but the items of every array may come in any order."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring, any_order=True)


@response_check('the response field "{path}" matches:', example='the response field "$.items[0]" matches:' + _ITEM)
def field_matches(ctx: Context, path: str, docstring: str) -> None:
    """Match the value at a JSONPath against a JSON document with markers; other fields may be there."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring, path)


@response_check(
    'the response field "{path}" is:',
    example='the response field "$.items[0]" is:\n  """\n  {"sku": "A1", "qty": 2}\n  """',
)
def field_is(ctx: Context, path: str, docstring: str) -> None:
    """Match the value at a JSONPath exactly (markers allowed)."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring, path, exact=True)


@response_check(
    'the response field "{path}" has these items in any order:',
    example='the response field "$[*].sku" has these items in any order:\n  """\n  ["B2", "A1"]\n  """',
)
def field_has_items_any_order(ctx: Context, path: str, docstring: str) -> None:
    """Each item of the document's array matches a different item of the field's array, in
    any order; the field may have more items."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring, path, any_order=True)


@response_check(
    'the response field "{path}" has exactly these items in any order:',
    example='the response field "$[*].sku" has exactly these items in any order:\n  """\n  ["B2", "A1", "C3"]\n  """',
)
def field_has_exactly_items_any_order(ctx: Context, path: str, docstring: str) -> None:
    """The field's array holds the document's items and no others, in any order."""
    from ..core.http import document_checks

    document_checks.check_document(ctx, docstring, path, exact=True, any_order=True)


@response_check(
    'each item of the response field "{path}" matches:',
    example='each item of the response field "$.items" matches:' + _ITEM,
)
def each_item_matches(ctx: Context, path: str, docstring: str) -> None:
    """Match every item of an array against one document with markers (an empty array passes)."""
    from ..core.http import document_checks

    document_checks.check_each_item(ctx, path, docstring)


@phrase('the response content type is "{text}"', example='the response content type is "application/json"')
def content_type_is(ctx: Context, text: str) -> None:
    """Check the media type (case-insensitive); the charset counts only if you write it."""
    from ..core.http import document_checks

    document_checks.check_content_type(ctx, text)


@phrase(
    'the response cookie "{name}" {operator} {value}', example='the response cookie "session" matches "^[0-9a-f]+$"'
)
def cookie_compares(ctx: Context, name: str, operator: str, value: object) -> None:
    """Compare a cookie the response sets (Set-Cookie) with the same words as fields."""
    from ..core.http import document_checks

    document_checks.check_cookie(ctx, name, operator, value)


@phrase('the response cookie "{name}" exists', example='the response cookie "session" exists')
def cookie_exists(ctx: Context, name: str) -> None:
    """Check that the response sets the cookie."""
    from ..core.http import document_checks

    document_checks.check_cookie_exists(ctx, name, True)


@phrase('the response cookie "{name}" does not exist', example='the response cookie "tracking" does not exist')
def cookie_does_not_exist(ctx: Context, name: str) -> None:
    """Check that the response does not set the cookie."""
    from ..core.http import document_checks

    document_checks.check_cookie_exists(ctx, name, False)


@phrase("the response time is under {duration}", example="the response time is under 500 ms")
def response_time_under(ctx: Context, duration: str) -> None:
    """Check how long the last response took (until its headers arrived): 500 ms, 2 seconds."""
    from ..core.http import document_checks

    document_checks.check_response_time(ctx, duration)
