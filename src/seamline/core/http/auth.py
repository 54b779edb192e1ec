"""Auth profiles: obtain a token as a configured user and carry it on later requests."""

from __future__ import annotations

import json

from ..config import AuthProfile
from ..config.settings import IDENTITY_FIELDS
from ..context import Context
from ..errors import AuthError, ConfigError
from ..matching.jsonpath import find_all
from ..values.text import excerpt
from ..values.variables import WrittenText, to_text
from .client import HttpClient
from .exchange import format_exchange, origin_of
from .sending import bind_header, build_request, current_service

__all__ = ["obtain_token"]



def _fill(template: object, credentials: dict[str, object], ctx: Context) -> object:
    """Put the user's credentials (then the test's variables) into the token request body."""
    if isinstance(template, str):
        stripped = template.strip()
        if stripped.startswith("${") and stripped.endswith("}") and stripped[2:-1] in credentials:
            return credentials[stripped[2:-1]]
        # One pass: a password that holds "${...}" is sent as it is, never expanded again.
        return ctx.variables.expand(WrittenText(template, credentials))
    if isinstance(template, dict):
        return {k: _fill(v, credentials, ctx) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, credentials, ctx) for v in template]
    return template


def _credentials(profile: AuthProfile, user: str | None) -> tuple[str, dict[str, object]]:
    chosen = user or profile.default_user
    if chosen is None:
        raise ConfigError(f"auth profile {profile.name!r} has no users")
    try:
        credentials = dict(profile.users[chosen])
    except KeyError:
        known = ", ".join(profile.users) or "none"
        raise ConfigError(f"auth profile {profile.name!r} has no user {chosen!r}; known users: {known}") from None
    credentials.setdefault("username", chosen)
    return chosen, credentials


def obtain_token(ctx: Context, user: str | None = None, profile_name: str | None = None) -> str:
    profile = ctx.runtime.config.auth_profile(profile_name)
    user, credentials = _credentials(profile, user)
    # ${unique_email} in a user's fields: the test's own value, as its steps read it.
    credentials = {key: ctx.variables.fill_generated(value) for key, value in credentials.items()}
    for key, value in credentials.items():
        if key.lower() not in IDENTITY_FIELDS:
            ctx.runtime.secrets.add(to_text(value))

    service = ctx.runtime.config.service(profile.service) if profile.service else current_service(ctx)
    request = build_request(ctx, profile.method, profile.path, service)
    request.headers.pop(profile.header, None)  # an older token must not ride along
    for name, value in profile.headers.items():
        request.headers[name] = to_text(_fill(value, credentials, ctx))
        # The user's credentials go to the token endpoint only, not along a redirect elsewhere.
        request.credentials[name.lower()] = frozenset({origin_of(request.url)})
    body = _fill(profile.body, credentials, ctx)
    if body is not None:
        if isinstance(body, str):
            request.body = body.encode("utf-8")
        else:
            request.body = json.dumps(body).encode("utf-8")
            request.headers.setdefault("Content-Type", "application/json")

    response = ctx.runtime.resource(HttpClient).send(request, service.name)
    for line in response.withheld:
        ctx.log(line)
    where = f"token request of auth profile {profile.name!r} for user {user!r}"
    if response.status >= 400:
        ctx.log(format_exchange(response, ctx.runtime.secrets), "WARN")
        raise AuthError(
            f"{where} failed: {response.status} {response.reason}",
            details=ctx.runtime.secrets.mask(excerpt(response.text, 500)),
        )
    try:
        found = find_all(response.json(), profile.token)
    except AuthError:
        raise
    except Exception:
        found = []
    if not found or not isinstance(found[0], (str, int)) or found[0] == "":
        ctx.log(format_exchange(response, ctx.runtime.secrets), "WARN")
        raise AuthError(f"{where}: no token at {profile.token} in its answer")
    token = str(found[0])
    ctx.runtime.secrets.add(token)  # before the exchange is logged: the token is in its body
    ctx.log(format_exchange(response, ctx.runtime.secrets))
    ctx.http.headers[profile.header] = profile.prefix + token
    # The token belongs to the service the test uses now, whichever service issued it.
    bind_header(ctx, profile.header, credential=True)
    ctx.store("token", token, secret=True)
    return token
