"""The demo shop's OAuth2 token endpoint (client credentials): the shop's users are also its
clients, a client's id and secret being the user's name and password."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Mapping
from typing import cast
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

__all__ = ["LIFETIME", "router"]

LIFETIME = 3600  # seconds, as expires_in says; the shop itself does not expire tokens
router = APIRouter()


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    """An error in RFC 6749's shape (section 5.2), which OAuth2 clients read."""
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _client(request: Request, form: Mapping[str, list[str]]) -> tuple[str, str] | None:
    """The client's id and secret: from a Basic Authorization header, or else from the form."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return client_id, secret
    if "client_id" in form and "client_secret" in form:
        return form["client_id"][0], form["client_secret"][0]
    return None


@router.post(
    "/oauth/token",
    tags=["auth"],
    responses={
        200: {"description": "access_token (for the usertoken header), token_type, expires_in"},
        400: {"description": "unsupported_grant_type or invalid_request (RFC 6749)"},
        401: {"description": "invalid_client: unknown client id or wrong secret"},
    },
)
async def oauth_token(request: Request) -> JSONResponse:
    """OAuth2 client-credentials grant (form-encoded); the client authenticates with HTTP Basic
    or with client_id and client_secret in the form. The token goes in the `usertoken` header."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    grant = form.get("grant_type", [""])[0]
    if grant != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r}: only client_credentials")
    client = _client(request, form)
    if client is None:
        return _oauth_error(400, "invalid_request", "no client credentials (Basic header or client_id/client_secret)")
    users = cast(Mapping[str, str], request.app.state.users)
    expected = users.get(client[0])
    if expected is None or not hmac.compare_digest(expected.encode(), client[1].encode()):
        return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
    token = secrets.token_urlsafe(24)
    request.app.state.store.add_token(token, client[0])
    return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": LIFETIME})
