"""The demo shop's OAuth2 token endpoint. Client credentials: the shop's users are also its
clients, a client's id and secret being the user's name and password. Refresh tokens: each
user starts with ``rt-<name>`` (a throwaway, as the users' passwords are); using one answers
a new one as well, the rotation an OAuth2 client must follow. The one used stays valid, so
that a shop started by hand serves more than one run."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Mapping
from typing import cast
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

__all__ = ["LIFETIME", "router", "seeded_refresh_token"]

LIFETIME = 3600  # seconds, as expires_in says; the shop itself does not expire tokens
router = APIRouter()


def seeded_refresh_token(user: str) -> str:
    return f"rt-{user}"


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
        return unquote_plus(client_id), unquote_plus(secret)  # form-encoded first (RFC 6749 2.3.1)
    if "client_id" in form and "client_secret" in form:
        return form["client_id"][0], form["client_secret"][0]
    return None


@router.post(
    "/oauth/token",
    tags=["auth"],
    responses={
        200: {"description": "access_token (for the usertoken header), token_type, expires_in"},
        400: {"description": "unsupported_grant_type, invalid_request or invalid_grant (RFC 6749)"},
        401: {"description": "invalid_client: unknown client id or wrong secret"},
    },
)
async def oauth_token(request: Request) -> JSONResponse:
    """OAuth2 grants (form-encoded): client_credentials, the client authenticating with HTTP
    Basic or client_id and client_secret in the form; refresh_token, which answers a new
    refresh token too. The access token goes in the `usertoken` header."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    grant = form.get("grant_type", [""])[0]
    if grant == "refresh_token":
        return _refresh(request, form.get("refresh_token", [""])[0])
    if grant != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", f"grant_type {grant!r}: client_credentials or refresh_token"
        )
    client = _client(request, form)
    if client is None:
        return _oauth_error(400, "invalid_request", "no client credentials (Basic header or client_id/client_secret)")
    users = cast(Mapping[str, str], request.app.state.users)
    expected = users.get(client[0])
    if expected is None or not hmac.compare_digest(expected.encode(), client[1].encode()):
        return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
    return JSONResponse(_access(request, client[0]))


def _access(request: Request, user: str) -> dict[str, object]:
    token = secrets.token_urlsafe(24)
    request.app.state.store.add_token(token, user)
    return {"access_token": token, "token_type": "bearer", "expires_in": LIFETIME}


def _refresh(request: Request, refresh_token: str) -> JSONResponse:
    """A public client (no secret) trades a refresh token for an access token and a new refresh token."""
    state = request.app.state
    if getattr(state, "refresh_tokens", None) is None:
        state.refresh_tokens = {}  # the rotated ones, in memory: a restarted shop forgets them
    issued = cast(dict[str, str], state.refresh_tokens)
    users = cast(Mapping[str, str], request.app.state.users)
    user = issued.get(refresh_token) or next((u for u in users if seeded_refresh_token(u) == refresh_token), None)
    if user is None or user not in users:
        return _oauth_error(400, "invalid_grant", "unknown, expired or revoked refresh token")
    rotated = secrets.token_urlsafe(24)
    issued[rotated] = user
    return JSONResponse({**_access(request, user), "refresh_token": rotated})
