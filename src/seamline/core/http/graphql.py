"""GraphQL over HTTP: a query document posted as JSON (``query``, ``variables``,
``operationName``) to the service's GraphQL path, and checks of the ``errors`` array of the
answer. The ``data`` of the answer is checked with the usual field and document checks.

The document is parsed here before it is sent (graphql-core), so a typo fails the step with
its line and column instead of as an error the server words its own way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..context import Context
from ..errors import CheckFailed, StepArgumentError
from ..values.literals import describe, parse_json, parse_literal
from .exchange import Response, response_details
from .sending import build_request, current_service, send_request

__all__ = ["check_error_contains", "check_no_errors", "send_query", "set_variables", "set_variables_json"]


def set_variables(ctx: Context, table: Sequence[Sequence[str]]) -> None:
    """name | value rows for the next query; a value reads as in a check (2 is a number, "2" a text)."""
    variables: dict[str, object] = {}
    for row in table:
        if len(row) != 2:
            raise StepArgumentError(f"each row of the GraphQL variables needs two cells, name | value; got {list(row)}")
        variables[ctx.variables.expand(row[0])] = parse_literal(ctx.variables.expand(row[1]))
    ctx.http.graphql_variables = variables


def set_variables_json(ctx: Context, text: str) -> None:
    """A JSON object of variables for the next query."""
    variables = parse_json(ctx.variables.expand(text), "GraphQL variables")
    if not isinstance(variables, dict):
        raise StepArgumentError(f"the GraphQL variables are a JSON object, not {describe(variables)[:80]}")
    ctx.http.graphql_variables = variables


def send_query(ctx: Context, document: str, operation: str | None = None) -> Response:
    """POST the document (and the variables set for it) to the service's GraphQL path."""
    query = ctx.variables.expand(document)
    _parse(query, operation)
    payload: dict[str, object] = {"query": query}
    variables, ctx.http.graphql_variables = ctx.http.graphql_variables, None
    if variables:
        payload["variables"] = variables
    if operation is not None:
        payload["operationName"] = ctx.variables.expand(operation)
    request = build_request(ctx, "POST", current_service(ctx).graphql)
    request.headers["Content-Type"] = "application/json"
    request.headers.setdefault("Accept", "application/json")
    request.body = json.dumps(payload).encode("utf-8")
    return send_request(ctx, request)


def _parse(query: str, operation: str | None) -> None:
    from graphql import GraphQLSyntaxError, OperationDefinitionNode, parse  # lazily: only GraphQL tests need it

    try:
        parsed = parse(query)
    except GraphQLSyntaxError as error:
        where = f" at line {error.locations[0].line}, column {error.locations[0].column}" if error.locations else ""
        raise StepArgumentError(f"the GraphQL query does not parse{where}: {error.message}") from None
    names = [d.name.value for d in parsed.definitions if isinstance(d, OperationDefinitionNode) and d.name]
    if operation is not None and operation not in names:
        known = ", ".join(names) or "none has a name"
        raise StepArgumentError(f"the GraphQL document has no operation {operation!r} (its operations: {known})")


def _errors(ctx: Context) -> tuple[Response, list[object]]:
    response = ctx.http.response()
    body = response.json()
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        raise CheckFailed(
            "the response is not a GraphQL answer: no data or errors at its top", details=response_details(response)
        )
    errors = body.get("errors") or []
    return response, errors if isinstance(errors, list) else [errors]


def _message(error: object, limit: int) -> str:
    """An error's message on one line, cut at ``limit`` characters."""
    text = " ".join((str(error.get("message", "")) if isinstance(error, dict) else str(error)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_no_errors(ctx: Context) -> None:
    response, errors = _errors(ctx)
    if errors:
        first = _message(errors[0], 200)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CheckFailed(f"expected no GraphQL errors, got {first!r}{more}", details=response_details(response))


def check_error_contains(ctx: Context, text: str) -> None:
    response, errors = _errors(ctx)
    text = ctx.variables.expand(text)
    if any(text in _message(error, 10_000) for error in errors):
        return
    got = "; ".join(_message(error, 120) for error in errors[:3]) or "no errors"
    raise CheckFailed(f"expected a GraphQL error containing {text!r}, got: {got}", details=response_details(response))
