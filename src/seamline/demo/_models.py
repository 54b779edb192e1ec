"""Request and response bodies of the demo shop.

These models are what /openapi.json publishes, so they describe the wire
format exactly: camelCase where the JSON is camelCase, money as numbers.
Request models are strict (no "2" for 2, no true for 1) and reject unknown
fields, so a typo in a test body fails loudly with 400.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

MAX_QTY = 10_000
MAX_ITEMS = 100
SKU_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"


class _Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorBody(BaseModel):
    """Every error response: 400, 401, 404, 405, 409, 500."""

    error: str = Field(description="What went wrong, for a human.")


class Health(BaseModel):
    status: Literal["ok"]


class Credentials(_Request):
    username: str
    password: str


class TokenBody(BaseModel):
    token: str = Field(description="Send it back in the `usertoken` header.")
    user: str


class Product(BaseModel):
    sku: str
    name: str
    price: float = Field(description="Unit price, two decimals at most.")


class NewProduct(_Request):
    sku: str = Field(pattern=SKU_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0, le=1_000_000, description="Two decimals at most.")

    @field_validator("price")
    @classmethod
    def _whole_cents(cls, value: float) -> float:
        exponent = Decimal(str(value)).as_tuple().exponent
        if not isinstance(exponent, int) or exponent < -2:
            raise PydanticCustomError("cents", "price must have at most two decimals")
        return value


class ItemIn(_Request):
    sku: str = Field(min_length=1, max_length=32)
    qty: int = Field(gt=0, le=MAX_QTY, description="A positive integer.")


class _ItemsIn(_Request):
    items: list[ItemIn] = Field(max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _unique_skus(self) -> _ItemsIn:
        seen: set[str] = set()
        for item in self.items:
            if item.sku in seen:
                raise PydanticCustomError(
                    "duplicate_sku", "sku {sku} is listed twice", {"sku": item.sku}
                )
            seen.add(item.sku)
        return self


class CartIn(_ItemsIn):
    """Replaces the whole cart; an empty list empties it."""


class OrderIn(_ItemsIn):
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS)


class Item(BaseModel):
    sku: str
    qty: int
    name: str
    price: float = Field(description="Unit price.")


class Cart(BaseModel):
    user: str
    items: list[Item]
    total: float = Field(description="Sum of qty x price, exact to the cent.")


class Order(BaseModel):
    id: UUID
    status: Literal["pending", "confirmed", "failed"] = Field(
        description="pending until the payment service answers; then confirmed, or failed if it refused or failed."
    )
    items: list[Item]
    total: float
    created: datetime = Field(description="UTC, ISO 8601.")


class Post(BaseModel):
    id: int
    userId: int
    title: str
    body: str


class Comment(BaseModel):
    id: int
    postId: int
    name: str
    email: str
    body: str


class Echo(BaseModel):
    method: str
    path: str
    query: dict[str, str | list[str]] = Field(description="A repeated parameter becomes a list.")
    headers: dict[str, str] = Field(description="Lower-case names; repeats joined by ', '.")
    body: Any = Field(
        description=(
            "JSON bodies parsed; form bodies as a dict of fields; multipart as"
            " {fields, files: {name: {filename, content_type, size}}}; other"
            " bodies as text; null when there is no body."
        )
    )
    content_type: str | None
    client_port: int | None = Field(
        description="The TCP port of the client's end of the connection: the same port for two"
        " requests means they came over one kept-alive connection."
    )


class StatusBody(BaseModel):
    status: int


class Delay(BaseModel):
    delay: float = Field(description="Seconds waited.")
