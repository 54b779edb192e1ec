"""Auth profiles: obtain a token as a configured user, keep it for the run, and carry it on
later requests.

A token is kept per worker process (a run resource) under its profile, user, token endpoint
and the credentials sent, and reused by later tests until it expires (the JWT ``exp`` claim,
the answer's ``expires_in`` or the profile's ``lifetime``) or a request carrying it answers
401; then it is obtained again once and that request sent again once.

The OAuth2 grants (client credentials, refresh token) are one form POST each (RFC 6749
4.4 and 6), sent with plain requests through the run's :class:`HttpClient` rather than with
requests-oauthlib: that way they share the keep-alive sessions, the credential guard on
redirects, the masking of the log and the service's TLS settings with every other request,
and their errors read like Seamline's, without another dependency.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

from ..config import AuthProfile, ServiceConfig
from ..config.settings import IDENTITY_FIELDS
from ..context import Context, Runtime
from ..errors import AuthError, ConfigError, UsageError
from ..matching.jsonpath import find_all
from ..values.text import excerpt
from ..values.variables import WrittenText, to_text
from .client import HttpClient
from .exchange import Request, Response, format_exchange, origin_of
from .sending import bind_header, build_request, current_service, report_exchange, resend_after
from .state import HeldToken

__all__ = ["Tokens", "obtain_token", "store_token"]

# A kept token is obtained again this long before it expires, so that it does not expire in flight.
EXPIRY_MARGIN = 5.0


@dataclass
class _Kept:
    token: str
    expires: float | None  # seconds since the epoch; None: until a request answers 401


class Tokens:
    """The tokens obtained in this run, one per profile, user, token endpoint and credentials,
    and the refresh tokens the token endpoints handed back in place of the configured ones."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, ...], _Kept] = {}
        # Kept apart from the tokens, and kept with the cache off: a rotated refresh token
        # replaces one the endpoint will not take again.
        self.refresh_tokens: dict[tuple[str, ...], str] = {}

    @classmethod
    def open(cls, runtime: Runtime) -> Tokens:
        return cls()

    def get(self, key: tuple[str, ...]) -> _Kept | None:
        return self._kept.get(key)

    def keep(self, key: tuple[str, ...], kept: _Kept) -> None:
        self._kept[key] = kept

    def forget(self, key: tuple[str, ...]) -> None:
        self._kept.pop(key, None)

    def close(self) -> None:
        self._kept.clear()
        self.refresh_tokens.clear()


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
    credentials.setdefault("client_id" if profile.oauth2 else "username", chosen)
    return chosen, credentials


def _oauth2_form(
    ctx: Context, profile: AuthProfile, user: str, credentials: dict[str, object]
) -> tuple[dict[str, str], str | None]:
    """The grant's form fields (RFC 6749 4.4.2, 6) and the client's Basic pair: it
    authenticates with a Basic header (2.3.1) unless the profile says ``client_auth: body``
    or it has no secret."""

    def field(name: str) -> str | None:
        value = credentials.get(name)
        return None if value is None else to_text(value)

    form = {"grant_type": str(profile.oauth2)}
    if profile.oauth2 == "refresh_token":
        refresh = field("refresh_token")
        if not refresh:
            raise ConfigError(f"auth profile {profile.name!r}: user {user!r} has no refresh_token")
        form["refresh_token"] = refresh
    client_id, secret = field("client_id") or user, field("client_secret")
    if secret is None and profile.oauth2 == "client_credentials":
        raise ConfigError(f"auth profile {profile.name!r}: user {user!r} has no client_secret")
    if profile.scope:
        form["scope"] = ctx.variables.expand(profile.scope)
    if secret is not None and profile.client_auth == "basic":
        pair = base64.b64encode(f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()).decode("ascii")
        ctx.runtime.secrets.add(pair)
        return form, pair
    form["client_id"] = client_id
    if secret is not None:
        form["client_secret"] = secret
    return form, None


def _token_request(
    ctx: Context, profile: AuthProfile, user: str, credentials: dict[str, object], service: ServiceConfig
) -> tuple[Request, tuple[str, ...]]:
    """The token request and the key its token is kept under."""
    request = build_request(ctx, profile.method, profile.path, service)
    request.headers.pop(profile.header, None)  # an older token must not ride along
    own: dict[str, str] = {}  # the headers the profile adds: credentials for the token endpoint only
    rotated: str | None = None
    if profile.oauth2:
        form, basic = _oauth2_form(ctx, profile, user, credentials)
        if basic is not None:
            own["Authorization"] = "Basic " + basic
        request.headers["Accept"] = "application/json"
        request.headers["Content-Type"] = "application/x-www-form-urlencoded"
        request.body = urlencode(form).encode("ascii")
        if "refresh_token" in form:  # the key names the configured one; the endpoint may have replaced it
            rotated = form["refresh_token"]
    else:
        for name, value in profile.headers.items():
            own[name] = to_text(_fill(value, credentials, ctx))
        body = _fill(profile.body, credentials, ctx)
        if isinstance(body, str):
            request.body = body.encode("utf-8")
        elif body is not None:
            request.body = json.dumps(body).encode("utf-8")
            request.headers.setdefault("Content-Type", "application/json")
    for name, value in own.items():
        request.headers[name] = value
        # The user's credentials go to the token endpoint only, not along a redirect elsewhere.
        request.credentials[name.lower()] = frozenset({origin_of(request.url)})
    # Another user, password, tenant or endpoint is another token; the digest keeps no secret readable.
    text = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body
    sent = json.dumps([sorted(own.items()), text])
    key = (profile.name, user, request.method, request.url, hashlib.sha256(sent.encode()).hexdigest())
    replaced = ctx.runtime.resource(Tokens).refresh_tokens.get(key)
    if rotated is not None and replaced is not None:
        request.body = urlencode({**form, "refresh_token": replaced}).encode("ascii")
    return request, key


def obtain_token(ctx: Context, user: str | None = None, profile_name: str | None = None) -> str:
    """The profile's token for ``user``: the one kept from earlier in the run while it lasts,
    else a new one; later requests of this test carry it."""
    profile = ctx.runtime.config.auth_profile(profile_name)
    user, credentials = _credentials(profile, user)
    # ${unique_email} in a user's fields: the test's own value, as its steps read it.
    credentials = {key: ctx.variables.fill_generated(value) for key, value in credentials.items()}
    for field_name, value in credentials.items():
        if field_name.lower() not in IDENTITY_FIELDS:
            ctx.runtime.secrets.add(to_text(value))
    service = ctx.runtime.config.service(profile.service) if profile.service else current_service(ctx)
    request, key = _token_request(ctx, profile, user, credentials, service)
    who = f"token of auth profile {profile.name!r} for user {user!r}"

    tokens = ctx.runtime.resource(Tokens)
    kept = tokens.get(key) if profile.cache else None
    now = time.time()
    if kept is not None and (kept.expires is None or kept.expires - EXPIRY_MARGIN > now):
        ctx.log(f"{who}: reused (obtained by an earlier test; kept {_lasting(kept.expires)})")
        return _carry(ctx, profile, user, key, kept.token, reused=True)
    if kept is not None:
        ctx.log(f"{who} expired at {_clock(kept.expires)}: obtaining a new one")

    response = ctx.runtime.resource(HttpClient).send(request, service.name)
    for line in response.withheld:
        ctx.log(line)
    try:
        token, answer = _token_in(ctx, profile, user, response)
    except AuthError:
        report_exchange(ctx, request, response)  # a refusal is reported too; a token is reported once secret
        raise
    ctx.runtime.secrets.add(token)  # before the exchange is logged: the token is in its body
    rotated = answer.get("refresh_token") if profile.oauth2 == "refresh_token" else None
    if isinstance(rotated, str) and rotated:
        ctx.runtime.secrets.add(rotated)
        tokens.refresh_tokens[key] = rotated
    ctx.log(format_exchange(response, ctx.runtime.secrets))
    report_exchange(ctx, request, response)
    expires = _expiry(token, answer, profile, now)
    if profile.cache:
        tokens.keep(key, _Kept(token, expires))
        ctx.log(f"{who}: obtained (kept for later tests {_lasting(expires)})")
    else:
        ctx.log(f"{who}: obtained (not kept: cache is false for this profile)")
    return _carry(ctx, profile, user, key, token, reused=False)


def _opaque_strings(value: object) -> Iterator[str]:
    """The strings of a JSON answer that read like a credential (16 characters or more, no
    space: a token, a JWT, a session id), to mask when the token was not where it was said to be."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _opaque_strings(item)
    elif isinstance(value, str) and len(value) >= 16 and not any(c.isspace() for c in value):
        yield value


def _token_in(ctx: Context, profile: AuthProfile, user: str, response: Response) -> tuple[str, dict[str, object]]:
    """The token in the answer and the answer itself; a refusal or an answer without a token
    is one line naming the profile, the user and why."""
    where = f"token request of auth profile {profile.name!r} for user {user!r}"
    answer: object
    try:
        answer = response.json()
    except Exception:
        answer = None
    if response.status >= 400:
        ctx.log(format_exchange(response, ctx.runtime.secrets), "WARN")
        error = answer.get("error") if isinstance(answer, dict) else None  # OAuth2's error answer (5.2)
        said = ""
        if isinstance(error, str) and isinstance(answer, dict):
            description = answer.get("error_description")
            said = f" ({error}: {description})" if description else f" ({error})"
        if profile.oauth2 == "refresh_token" and error == "invalid_grant":
            raise AuthError(
                f"{where} failed: the token endpoint refused the refresh token, expired or revoked "
                f"({response.status} {error}); give the user a new refresh_token"
            )
        raise AuthError(
            f"{where} failed: {response.status} {response.reason}{said}",
            details=excerpt(ctx.runtime.secrets.mask(response.text), 500),  # masked whole, then cut
        )
    try:
        found = find_all(answer, profile.token) if answer is not None else []
    except Exception:
        found = []
    if not found or not isinstance(found[0], (str, int)) or found[0] == "":
        for value in _opaque_strings(answer):  # the token is likely there, under another name
            ctx.runtime.secrets.add(value)
        ctx.log(format_exchange(response, ctx.runtime.secrets), "WARN")
        shown = excerpt(ctx.runtime.secrets.mask(response.text), 120) or "an empty body"
        raise AuthError(f"{where}: no token at {profile.token} in its answer ({response.status}: {shown})")
    return str(found[0]), answer if isinstance(answer, dict) else {}


def _carry(ctx: Context, profile: AuthProfile, user: str, key: tuple[str, ...], token: str, reused: bool) -> str:
    value = profile.prefix + token
    ctx.http.headers[profile.header] = value
    # The token belongs to the service the test uses now, whichever service issued it.
    bind_header(ctx, profile.header, credential=True)
    ctx.http.token = HeldToken(profile.name, user, key, profile.header, value, token, reused)
    ctx.store("token", token, secret=True)
    return token


def _jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (read, not verified: the server verifies), or None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


def _expiry(token: str, answer: dict[str, object], profile: AuthProfile, now: float) -> float | None:
    """When the token stops being good: the earliest of what the token, the answer and the profile say."""
    ends = [_jwt_expiry(token)]
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool):
        ends.append(now + expires_in)
    if profile.lifetime is not None:
        ends.append(now + profile.lifetime)
    known = [end for end in ends if end is not None]
    return min(known) if known else None


def _clock(moment: float | None) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(moment)) if moment is not None else "?"


def _lasting(expires: float | None) -> str:
    return f"until {_clock(expires)}" if expires is not None else "until a request answers 401"


def _renew_after_401(ctx: Context, request: Request, response: Response) -> Request | None:
    """A 401 to a request carrying a token kept from an earlier test: the token is dropped,
    obtained again once, and the request sent again once with it. A token obtained in this
    test that meets a 401 is the answer the test gets (re-sending would hide it)."""
    held = ctx.http.token
    if response.status != 401 or held is None or request.headers.get(held.header) != held.value:
        return None
    ctx.runtime.resource(Tokens).forget(held.key)
    if not held.reused:
        return None
    ctx.log(
        f"{request.method} {request.url} -> 401 with the token of auth profile {held.profile!r} for user "
        f"{held.user!r} kept from earlier in the run: obtaining a new one and sending the request again"
    )
    obtain_token(ctx, held.user, held.profile)
    renewed = ctx.http.headers[held.header]
    return dataclasses.replace(request, headers={**request.headers, held.header: renewed})


resend_after(_renew_after_401)


def store_token(ctx: Context, name: str) -> None:
    """Store the token this test obtained last (without its prefix) as a secret variable."""
    held = ctx.http.token
    if held is None:
        raise UsageError(f'no token to store as "{name}": obtain one first (I obtain a token)')
    ctx.store(ctx.variables.expand(name), held.token, secret=True)
