"""The demo shop's GraphQL endpoint: products and posts, read-only, at ``POST /graphql``.

Small on purpose: it shows GraphQL steps (a query, variables, an operation name, errors)
against the same data as the REST routes. graphql-core runs the queries.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from seamline.demo._store import Store

__all__ = ["router"]

_SDL = """
type Product { sku: String!  name: String!  price: Float! }
type Post { id: Int!  userId: Int!  title: String!  body: String! }
type Query {
  "One product, or null when no product has this sku."
  product(sku: String!): Product
  "All products, ordered by sku; at most maxPrice when given."
  products(maxPrice: Float): [Product!]!
  "One blog post, or null."
  post(id: Int!): Post
}
"""

router = APIRouter()


@cache
def _schema() -> GraphQLSchema:
    from graphql import build_schema

    return build_schema(_SDL)


def _product(row: Any) -> dict[str, Any]:
    return {"sku": row.sku, "name": row.name, "price": float(row.price)}


class _Root:
    """The Query type's fields, resolved against the shop's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def product(self, info: object, sku: str) -> dict[str, Any] | None:
        row = self.store.get_product(sku)
        return None if row is None else _product(row)

    def products(self, info: object, maxPrice: float | None = None) -> list[dict[str, Any]]:
        rows = self.store.list_products()
        return [_product(row) for row in rows if maxPrice is None or float(row.price) <= maxPrice]

    def post(self, info: object, id: int) -> dict[str, Any] | None:
        post = self.store.get_post(id)
        return None if post is None else {"id": post.id, "userId": post.user_id, "title": post.title, "body": post.body}


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=400)


@router.post("/graphql", tags=["graphql"])
async def graphql_endpoint(request: Request) -> JSONResponse:
    """Run a GraphQL query: a JSON body with query, and optionally variables and operationName.
    Errors of the query itself come back with 200 in the errors array, as GraphQL over HTTP does."""
    from graphql import graphql

    try:
        payload = json.loads(await request.body())
    except ValueError:
        return _bad_request('the body is not JSON: send {"query": "..."}')
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return _bad_request('the body needs "query", a text')
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return _bad_request('"variables" is an object')
    result = await graphql(
        _schema(),
        payload["query"],
        root_value=_Root(cast("Store", request.app.state.store)),
        variable_values=variables,
        operation_name=payload.get("operationName"),
    )
    return JSONResponse(result.formatted)
