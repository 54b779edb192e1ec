"""Phrases that store values for later steps."""

from __future__ import annotations

from ..core.context import Context
from ..core.values.variables import Scope
from ._catalog import phrase


@phrase(
    'I store the response field "{path}" as "{name}"', example='I store the response field "$.items[0].sku" as "sku"'
)
def store_field(ctx: Context, path: str, name: str) -> None:
    """Store the value at a JSONPath of the response body (a list for a wildcard path)."""
    from ..core.http import field_checks

    ctx.store(name, field_checks.field_value(ctx, path))


@phrase(
    'I store the response header "{header}" as "{name}"',
    example='I store the response header "Location" as "order_url"',
)
def store_header(ctx: Context, header: str, name: str) -> None:
    """Store the value of a response header."""
    from ..core.http import field_checks

    value = field_checks.header_value(ctx, header)
    if value is None:
        field_checks.check_header_exists(ctx, header, True)
    ctx.store(name, value)


@phrase('I store the response status as "{name}"', example='I store the response status as "status"')
def store_status(ctx: Context, name: str) -> None:
    """Store the status code of the last response, as a number."""
    ctx.store(name, ctx.http.response().status)


@phrase('I store "{text}" as "{name}"', example='I store "A1" as "sku"')
def store_text(ctx: Context, text: str, name: str) -> None:
    """Store a text, after expanding the variables in it."""
    ctx.store(name, ctx.variables.expand(text))


@phrase('I keep "{name}" for the {scope}', example='I keep "token" for the suite')
def keep_variable(ctx: Context, name: str, scope: Scope) -> None:
    """Make a stored variable last for the whole suite (feature) or the whole run (global)."""
    ctx.variables.promote(name, scope)
