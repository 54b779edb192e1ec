"""Phrases that send GraphQL queries and check their errors (the HTTP area's GraphQL)."""

from __future__ import annotations

from ..core.context import Context
from ._catalog import phrase


@phrase(
    "I set the GraphQL variables:",
    example='I set the GraphQL variables:\n  | sku | "A1" |\n  | qty | 2 |',
)
def set_variables(ctx: Context, table: list[list[str]]) -> None:
    """Variables (name | value rows) for the next GraphQL query; 2 is a number, "2" a text."""
    from ..core.http import graphql

    graphql.set_variables(ctx, table)


@phrase(
    "I set the GraphQL variables to:",
    example='I set the GraphQL variables to:\n  """\n  {"sku": "A1"}\n  """',
)
def set_variables_json(ctx: Context, docstring: str) -> None:
    """Variables for the next GraphQL query, as a JSON object in the doc string."""
    from ..core.http import graphql

    graphql.set_variables_json(ctx, docstring)


@phrase(
    "I send the GraphQL query:",
    example='I send the GraphQL query:\n  """\n  query { product(sku: "A1") { name price } }\n  """',
)
def send_query(ctx: Context, docstring: str) -> None:
    """POST the doc string as a GraphQL query (with the variables set for it) to the service's
    graphql path (/graphql unless configured); a document that does not parse is not sent."""
    from ..core.http import graphql

    graphql.send_query(ctx, docstring)


@phrase(
    'I send the operation "{operation}" of the GraphQL document:',
    example=(
        'I send the operation "Cheap" of the GraphQL document:\n  """\n'
        '  query Cheap { products { sku } }\n  query One { product(sku: "A1") { name } }\n  """'
    ),
)
def send_operation(ctx: Context, operation: str, docstring: str) -> None:
    """Send a GraphQL document holding several operations, naming the one to run (operationName)."""
    from ..core.http import graphql

    graphql.send_query(ctx, docstring, operation)


@phrase("the GraphQL response has no errors", example="the GraphQL response has no errors")
def no_errors(ctx: Context) -> None:
    """Check that the answer's errors array is absent or empty."""
    from ..core.http import graphql

    graphql.check_no_errors(ctx)


@phrase('the GraphQL errors include "{text}"', example='the GraphQL errors include "Cannot query field"')
def error_contains(ctx: Context, text: str) -> None:
    """Check that one of the answer's errors has a message containing the text."""
    from ..core.http import graphql

    graphql.check_error_contains(ctx, text)
