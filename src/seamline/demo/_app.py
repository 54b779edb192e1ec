"""The demo shop's FastAPI application.

Every endpoint is ``async def`` on purpose: nothing then runs in AnyIO's
worker threads, so a server started by ``running_demo`` leaves no thread
behind. SQLite calls take microseconds, so running them on the event loop is
fine for a demo.

Orders talk to two third parties when they are configured: the payment
service (``POST {payments_url}/charges``), called shortly after an order is
placed, which moves it from pending to confirmed (or failed, when payment
fails); and a message broker, which gets ``order.created`` when an order is
placed and ``order.confirmed`` or ``order.failed`` when it is settled. Without
a payment service, orders stay pending.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

from fastapi import APIRouter, Depends, FastAPI, Request, Response, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException as StarletteHTTPException

from seamline.demo import _graphql, _oauth, _redirects
from seamline.demo import _models as m
from seamline.demo._echo import BodyError, decode_body, group_pairs
from seamline.demo._events import EventPublisher
from seamline.demo._store import (
    ORDER_STATUS_CONFIRMED,
    ORDER_STATUS_FAILED,
    Line,
    Order,
    Store,
    UnknownSkuError,
    money,
)
from seamline.demo._store import Product as ProductRow
from seamline.demo._users import DEFAULT_USERS

__all__ = ["TOKEN_HEADER", "PaymentRetry", "create_app"]

TOKEN_HEADER = "usertoken"
MAX_DELAY_SECONDS = 10.0
ECHO_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# Statuses whose responses must not carry a body (HTTP semantics).
_BODYLESS_STATUSES = frozenset({204, 205, 304})

# Request bodies are parsed by hand (see _read_json), so FastAPI does not
# know their schemas; they are added to /openapi.json explicitly.
_REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    m.Credentials,
    m.NewProduct,
    m.CartIn,
    m.OrderIn,
)

_ModelT = TypeVar("_ModelT", bound=BaseModel)
_log = logging.getLogger("seamline.demo")


@dataclass(frozen=True)
class PaymentRetry:
    """How the shop charges: ``attempts`` in all, ``backoff`` seconds before the first retry
    (doubled before each next one), ``timeout`` seconds for each attempt."""

    attempts: int = 3
    backoff: float = 0.2
    timeout: float = 5.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff < 0 or self.timeout <= 0:
            raise ValueError(f"payment retry needs attempts >= 1, backoff >= 0 and timeout > 0, not {self}")


class ApiError(Exception):
    """Ends a request with ``{"error": message}`` and the given status."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def _error(description: str) -> dict[str, Any]:
    return {"model": m.ErrorBody, "description": description}


_Responses = dict[int | str, dict[str, Any]]
_BAD_REQUEST: _Responses = {400: _error("Malformed JSON or a body of the wrong shape")}
_UNAUTHORIZED: _Responses = {401: _error(f"Missing or invalid `{TOKEN_HEADER}` header")}


def _json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra declaring ``model`` as the JSON request body."""
    ref = f"#/components/schemas/{model.__name__}"
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": ref}}},
        }
    }


# -- request helpers ----------------------------------------------------------


def _describe(errors: Sequence[ErrorDetails]) -> str:
    """One line per pydantic error, e.g. ``items[0].qty: Input should be ...``."""
    parts = []
    for error in errors[:3]:
        if error["type"] == "json_invalid":
            return f"malformed JSON body: {error['msg']}"
        where = ""
        for item in error["loc"]:
            if item == "body":
                continue
            where += f"[{item}]" if isinstance(item, int) else f".{item}"
        parts.append(f"{where.lstrip('.')}: {error['msg']}" if where else error["msg"])
    if len(errors) > 3:
        parts.append(f"... {len(errors) - 3} more")
    return "; ".join(parts)


async def _read_json(request: Request, model: type[_ModelT]) -> _ModelT:
    # Parsed here rather than by FastAPI: malformed JSON must be a 400 with
    # our error shape, whatever the Content-Type header says.
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "a JSON request body is required")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise ApiError(400, _describe(exc.errors())) from None


def _store(request: Request) -> Store:
    return cast(Store, request.app.state.store)


def _users(request: Request) -> Mapping[str, str]:
    return cast(Mapping[str, str], request.app.state.users)


_token_header = APIKeyHeader(
    name=TOKEN_HEADER,
    scheme_name="UserToken",
    description="The token returned by POST /auth/token.",
    auto_error=False,  # we answer 401 with our own error body
)


async def _current_user(
    request: Request, token: Annotated[str | None, Security(_token_header)]
) -> str:
    if not token:
        raise ApiError(401, f"missing {TOKEN_HEADER} header")
    user = _store(request).user_for_token(token)
    # A token outlives a restart; its user may since have been removed.
    if user is None or user not in _users(request):
        raise ApiError(401, f"invalid {TOKEN_HEADER}")
    return user


CurrentUser = Annotated[str, Depends(_current_user)]


def _price(amount: Decimal) -> float:
    # The nearest float to a two-decimal amount prints as those two decimals in JSON.
    return float(amount)


def _product(row: ProductRow) -> m.Product:
    return m.Product(sku=row.sku, name=row.name, price=_price(row.price))


def _items(lines: Sequence[Line]) -> list[m.Item]:
    return [
        m.Item(sku=line.sku, qty=line.qty, name=line.name, price=_price(line.price))
        for line in lines
    ]


def _total(lines: Sequence[Line]) -> float:
    return _price(sum((line.qty * line.price for line in lines), Decimal(0)))


def _order(order: Order) -> m.Order:
    return m.Order.model_validate(
        {
            "id": order.id,
            "status": order.status,
            "items": _items(order.items),
            "total": _price(order.total),
            "created": order.created,
        }
    )


# -- routes -------------------------------------------------------------------

router = APIRouter()


@router.get("/health", tags=["service"])
async def health() -> m.Health:
    """Liveness check; answers as soon as the server accepts requests."""
    return m.Health(status="ok")


@router.post(
    "/auth/token",
    tags=["auth"],
    responses={
        **_BAD_REQUEST,
        401: _error("Unknown user or wrong password"),
    },
    openapi_extra=_json_request_body(m.Credentials),
)
async def create_token(request: Request) -> m.TokenBody:
    """Exchange a user name and password for a token for the `usertoken` header."""
    credentials = await _read_json(request, m.Credentials)
    expected = _users(request).get(credentials.username)
    if expected is None or not hmac.compare_digest(
        expected.encode(), credentials.password.encode()
    ):
        raise ApiError(401, "invalid username or password")
    token = secrets.token_urlsafe(24)
    _store(request).add_token(token, credentials.username)
    return m.TokenBody(token=token, user=credentials.username)


@router.get("/products", tags=["products"])
async def list_products(request: Request) -> list[m.Product]:
    """All products, ordered by sku."""
    return [_product(row) for row in _store(request).list_products()]


@router.get("/products/{sku}", tags=["products"], responses={404: _error("No such product")})
async def get_product(request: Request, sku: str) -> m.Product:
    """One product."""
    row = _store(request).get_product(sku)
    if row is None:
        raise ApiError(404, f"no product with sku {sku!r}")
    return _product(row)


@router.post(
    "/products",
    tags=["products"],
    status_code=201,
    responses={
        **_BAD_REQUEST,
        **_UNAUTHORIZED,
        409: _error("A product with this sku exists"),
    },
    openapi_extra=_json_request_body(m.NewProduct),
)
async def create_product(request: Request, user: CurrentUser) -> m.Product:
    """Add a product (for seeding test data through the API)."""
    body = await _read_json(request, m.NewProduct)
    row = ProductRow(body.sku, body.name, money(str(body.price)))
    if not _store(request).add_product(row):
        raise ApiError(409, f"a product with sku {body.sku!r} exists")
    return _product(row)


@router.get("/cart", tags=["cart"], responses=_UNAUTHORIZED)
async def get_cart(request: Request, user: CurrentUser) -> m.Cart:
    """The signed-in user's cart."""
    lines = _store(request).get_cart(user)
    return m.Cart(user=user, items=_items(lines), total=_total(lines))


@router.put(
    "/cart",
    tags=["cart"],
    responses={
        **_BAD_REQUEST,
        **_UNAUTHORIZED,
        404: _error("An item names an unknown sku"),
    },
    openapi_extra=_json_request_body(m.CartIn),
)
async def replace_cart(request: Request, user: CurrentUser) -> m.Cart:
    """Replace the signed-in user's cart with the given items."""
    body = await _read_json(request, m.CartIn)
    try:
        lines = _store(request).replace_cart(user, [(i.sku, i.qty) for i in body.items])
    except UnknownSkuError as exc:
        raise ApiError(404, str(exc)) from None
    return m.Cart(user=user, items=_items(lines), total=_total(lines))


@router.delete("/cart", tags=["cart"], status_code=204, responses=_UNAUTHORIZED)
async def clear_cart(request: Request, user: CurrentUser) -> Response:
    """Empty the signed-in user's cart."""
    _store(request).clear_cart(user)
    return Response(status_code=204)


@router.post(
    "/orders",
    tags=["orders"],
    status_code=201,
    responses={
        **_BAD_REQUEST,
        **_UNAUTHORIZED,
        404: _error("An item names an unknown sku"),
    },
    openapi_extra=_json_request_body(m.OrderIn),
)
async def create_order(request: Request, user: CurrentUser) -> m.Order:
    """Place an order for the given items at the current prices."""
    body = await _read_json(request, m.OrderIn)
    try:
        order = _store(request).create_order(user, [(i.sku, i.qty) for i in body.items])
    except UnknownSkuError as exc:
        raise ApiError(404, str(exc)) from None
    app = request.app
    _publish(
        app,
        {
            "type": "order.created",
            "order_id": order.id,
            "user": user,
            "status": order.status,
            "total": _price(order.total),
            "items": [{"sku": line.sku, "qty": line.qty} for line in order.items],
        },
    )
    if app.state.payments_url:
        # Settled after the answer, as a real shop hands payment to a worker: the client sees
        # "pending" first. Kept in a set so the task is not garbage-collected, and cancelled at shutdown.
        task = asyncio.create_task(_settle_payment(app, order.id, _price(order.total)))
        app.state.settlements.add(task)
        task.add_done_callback(app.state.settlements.discard)
    return _order(order)


def _publish(app: FastAPI, event: dict[str, Any]) -> None:
    publisher: EventPublisher | None = app.state.events
    if publisher is None:
        return
    try:
        publisher.publish(event)
    except Exception:  # a broker outage must not fail the order; it is logged instead
        _log.exception("cannot publish %s to %s", event.get("type"), publisher.queue)


async def _settle_payment(app: FastAPI, order_id: str, amount: float) -> None:
    """Charge the order at the payment service: confirmed when it takes the charge, else failed."""
    await asyncio.sleep(app.state.settle_delay)
    status = ORDER_STATUS_CONFIRMED if await _charge(app, order_id, amount) else ORDER_STATUS_FAILED
    if app.state.store.set_order_status(order_id, status):
        _publish(app, {"type": f"order.{status}", "order_id": order_id, "status": status})


async def _charge(app: FastAPI, order_id: str, amount: float) -> bool:
    """Whether the payment service took the charge, retrying what may pass later.

    A 5xx or 429 answer, a timeout or a dropped connection is tried again after a back-off that
    doubles each time; any other refusal (402 declined, say) is final. Every attempt carries the
    same Idempotency-Key, one per order: a payment service that took an attempt whose answer was
    lost on the way recognises the retry and does not charge the order twice.
    """
    import httpx

    retry: PaymentRetry = app.state.payment_retry
    url = app.state.payments_url.rstrip("/") + "/charges"
    charge = {"order_id": order_id, "amount": amount, "currency": "EUR"}
    headers = {"Idempotency-Key": f"order-{order_id}"}
    async with httpx.AsyncClient(timeout=retry.timeout, trust_env=False) as client:
        for attempt in range(1, retry.attempts + 1):
            try:
                answer = await client.post(url, json=charge, headers=headers)
            except httpx.TimeoutException:
                outcome = f"no answer within {retry.timeout:g} s"
            except httpx.HTTPError as exc:
                outcome = f"payment service unreachable: {type(exc).__name__}: {exc}"
            else:
                if answer.is_success:
                    return True
                if answer.status_code != 429 and answer.status_code < 500:
                    _log.warning("payment of order %s refused: %s", order_id, answer.status_code)
                    return False
                outcome = f"payment service answered {answer.status_code}"
            _log.warning("charge of order %s, attempt %d of %d: %s", order_id, attempt, retry.attempts, outcome)
            if attempt < retry.attempts:
                await asyncio.sleep(retry.backoff * 2 ** (attempt - 1))
    return False


@router.get("/orders", tags=["orders"], responses=_UNAUTHORIZED)
async def list_orders(request: Request, user: CurrentUser) -> list[m.Order]:
    """The signed-in user's orders, oldest first."""
    return [_order(order) for order in _store(request).list_orders(user)]


@router.get(
    "/orders/{order_id}",
    tags=["orders"],
    responses={**_UNAUTHORIZED, 404: _error("No such order for this user")},
)
async def get_order(request: Request, order_id: str, user: CurrentUser) -> m.Order:
    """One of the signed-in user's orders."""
    order = _store(request).get_order(user, order_id)
    if order is None:
        raise ApiError(404, f"no order {order_id!r}")
    return _order(order)


@router.delete(
    "/orders/{order_id}",
    tags=["orders"],
    status_code=204,
    responses={**_UNAUTHORIZED, 404: _error("No such order for this user")},
)
async def delete_order(request: Request, order_id: str, user: CurrentUser) -> Response:
    """Delete one of the signed-in user's orders."""
    if not _store(request).delete_order(user, order_id):
        raise ApiError(404, f"no order {order_id!r}")
    return Response(status_code=204)


@router.get("/posts", tags=["posts"])
async def list_posts(request: Request) -> list[m.Post]:
    """All blog posts (public)."""
    return [
        m.Post(id=p.id, userId=p.user_id, title=p.title, body=p.body)
        for p in _store(request).list_posts()
    ]


@router.get(
    "/posts/{post_id}",
    tags=["posts"],
    responses={**_BAD_REQUEST, 404: _error("No such post")},
)
async def get_post(request: Request, post_id: int) -> m.Post:
    """One blog post."""
    post = _store(request).get_post(post_id)
    if post is None:
        raise ApiError(404, f"no post {post_id}")
    return m.Post(id=post.id, userId=post.user_id, title=post.title, body=post.body)


@router.get(
    "/posts/{post_id}/comments",
    tags=["posts"],
    responses={**_BAD_REQUEST, 404: _error("No such post")},
)
async def list_comments(request: Request, post_id: int) -> list[m.Comment]:
    """The comments on a post."""
    comments = _store(request).list_comments(post_id)
    if comments is None:
        raise ApiError(404, f"no post {post_id}")
    return [
        m.Comment(id=c.id, postId=c.post_id, name=c.name, email=c.email, body=c.body)
        for c in comments
    ]


async def echo(request: Request) -> m.Echo:
    """Report the request as the server received it."""
    body = await request.body()
    content_type = request.headers.get("content-type")
    try:
        decoded = decode_body(body, content_type)
    except BodyError as exc:
        raise ApiError(400, str(exc)) from None
    headers: dict[str, str] = {}
    for raw_name, raw_value in request.headers.raw:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return m.Echo(
        method=request.method,
        path=request.url.path,
        query=group_pairs(request.query_params.multi_items()),
        headers=headers,
        body=decoded,
        content_type=content_type,
        client_port=request.client.port if request.client else None,
    )


# One route per method: a single multi-method route would give every method
# the same operationId in /openapi.json.
for _method in ECHO_METHODS:
    router.add_api_route(
        "/echo",
        echo,
        methods=[_method],
        name=f"echo_{_method.lower()}",
        tags=["diagnostics"],
        responses={400: _error("The body does not match its Content-Type")},
        openapi_extra={
            "requestBody": {
                "required": False,
                "content": {"*/*": {"schema": {}}},
            }
        }
        if _method not in ("GET", "HEAD", "OPTIONS")
        else None,
    )


@router.get(
    "/status/{code}",
    tags=["diagnostics"],
    response_model=m.StatusBody,
    responses={
        400: _error("Code outside 200-599"),
        "default": {
            "model": m.StatusBody,
            "description": "The requested status; no body for 204, 205 and 304",
        },
    },
)
async def respond_with_status(code: int) -> Response:
    """Answer with the given status code, for status checks."""
    if not 200 <= code <= 599:
        raise ApiError(400, "status code must be between 200 and 599")
    if code in _BODYLESS_STATUSES:
        return Response(status_code=code)
    return JSONResponse({"status": code}, status_code=code)


@router.get(
    "/delay/{seconds}",
    tags=["diagnostics"],
    responses={400: _error(f"Delay outside 0-{MAX_DELAY_SECONDS:g} seconds")},
)
async def delay(request: Request, seconds: float) -> m.Delay:
    """Answer after the given number of seconds (at most 10), for timeout tests."""
    if not 0 <= seconds <= MAX_DELAY_SECONDS:
        raise ApiError(400, f"delay must be between 0 and {MAX_DELAY_SECONDS:g} seconds")
    # Stop waiting when the client gives up (the usual end of a timeout
    # test): otherwise the server could not stop until the delay is over.
    watcher = asyncio.ensure_future(_disconnect(request))
    try:
        await asyncio.wait({watcher}, timeout=seconds)
    finally:
        watcher.cancel()
    return m.Delay(delay=seconds)


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


# -- error handlers -------------------------------------------------------------


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse({"error": exc.message}, status_code=exc.status_code)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own 404 (unknown path) and 405 (wrong method).
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in _BODYLESS_STATUSES:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    # Bad path parameters (/posts/abc); FastAPI would answer 422.
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"error": _describe(list(exc.errors()))}, status_code=400)


async def _on_unexpected_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "internal server error"}, status_code=500)


# -- application ----------------------------------------------------------------


class _DemoShop(FastAPI):
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            _tidy_openapi(super().openapi())
        assert self.openapi_schema is not None
        return self.openapi_schema


def _tidy_openapi(schema: dict[str, Any]) -> None:
    """Make /openapi.json match what the shop really answers."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            # Validation errors are answered with 400 and ErrorBody.
            operation.get("responses", {}).pop("422", None)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    _, definitions = models_json_schema(
        [(model, "validation") for model in _REQUEST_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    components.update(definitions.get("$defs", {}))


def create_app(
    db_path: str | Path,
    users: Mapping[str, str] | None = None,
    *,
    payments_url: str | None = None,
    broker_url: str | None = None,
    queue: str = "orders",
    settle_delay: float = 0.3,
    payment_retry: PaymentRetry | None = None,
) -> FastAPI:
    """Build the demo shop on the SQLite file ``db_path``.

    The file is created and seeded if needed; existing data is kept.
    ``users`` maps user names to passwords (default: alice/wonderland and
    bob/builder). ``payments_url`` is the payment service orders are charged at,
    ``settle_delay`` seconds after they are placed, retried as ``payment_retry`` says
    (default: 3 attempts, 0.2 s back-off); ``broker_url`` (kombu) and
    ``queue`` say where order events go.
    """
    store = Store(db_path)
    events = EventPublisher(broker_url, queue) if broker_url else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            for task in list(app.state.settlements):
                task.cancel()
            await asyncio.gather(*app.state.settlements, return_exceptions=True)
            if events is not None:
                events.close()
            store.close()

    app = _DemoShop(
        title="Seamline demo shop",
        version="1.0",
        description=(
            "A small shop for Seamline's examples and tests. Errors are"
            ' `{"error": "<message>"}`; money is a JSON number with at most two'
            " decimals."
        ),
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.users = dict(DEFAULT_USERS if users is None else users)
    app.state.payments_url = payments_url
    app.state.events = events
    app.state.settle_delay = settle_delay
    app.state.payment_retry = payment_retry or PaymentRetry()
    app.state.settlements = set()
    app.include_router(router)
    app.include_router(_graphql.router)
    app.include_router(_redirects.router)
    app.include_router(_oauth.router)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
    return app
