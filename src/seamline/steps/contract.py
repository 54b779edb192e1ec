"""Phrases that check responses against contracts: a JSON Schema, or the service's OpenAPI
document."""

from __future__ import annotations

from ..core.context import Context
from ..core.http.exchange import Response
from ..core.http.hooks import on_response
from ._catalog import phrase


def _check_response_automatically(ctx: Context, response: Response) -> None:
    from ..core.contract import conformance

    conformance.check_response_automatically(ctx, response)


# Every response a step receives passes the contract area, which the sending side does not import;
# registered with the catalog, which both front ends load at start-up, the area with the first response.
on_response(_check_response_automatically)


@phrase('the response matches the schema "{file}"', example='the response matches the schema "schemas/order.json"')
def matches_schema_file(ctx: Context, file: str) -> None:
    """Validate the body against a JSON Schema file or URL (JSON or YAML; drafts 2020-12, 2019-09, 7)."""
    from ..core.contract import conformance

    conformance.check_schema(ctx, location=file)


@phrase(
    "the response matches the schema:",
    example='the response matches the schema:\n  """\n  {"type": "object", "required": ["id"]}\n  """',
)
def matches_schema(ctx: Context, docstring: str) -> None:
    """Validate the body against the JSON Schema in the doc string."""
    from ..core.contract import conformance

    conformance.check_schema(ctx, schema_text=docstring)


@phrase('the API spec is "{spec}"', example='the API spec is "openapi.yaml"')
def api_spec_is(ctx: Context, spec: str) -> None:
    """Use this OpenAPI document (file or URL) for the current service for the rest of the test."""
    from ..core.contract import conformance

    conformance.use_spec(ctx, spec)


@phrase("the response conforms to the API spec", example="the response conforms to the API spec")
def conforms_to_spec(ctx: Context) -> None:
    """Check status, content type, headers and body against the operation of the service's
    OpenAPI document that the request's method and path find."""
    from ..core.contract import conformance

    conformance.check_openapi(ctx)


@phrase("every response must conform to the API spec", example="every response must conform to the API spec")
def every_response_conforms(ctx: Context) -> None:
    """From now on in this test, check each response against the API spec as it arrives."""
    from ..core.contract import conformance

    conformance.check_every_response(ctx)


@phrase(
    "every response must conform to the API spec by the end of the test",
    example="every response must conform to the API spec by the end of the test",
)
def every_response_conforms_by_the_end(ctx: Context) -> None:
    """Check each later response against the API spec, and let the test go on: when it ends,
    it fails once, with every response that did not conform (a whole flow in one test)."""
    from ..core.contract import conformance

    conformance.check_every_response(ctx, at_end=True)
