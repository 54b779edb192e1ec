"""Building and sending requests: bodies, forms, files, headers, query parameters."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..config import ServiceConfig
from ..context import Context, Runtime
from ..errors import CheckFailed, ConfigError, ServiceError, ServiceUnreachable, StepArgumentError, UsageError
from ..services.managed import ServiceManager
from ..values.literals import parse_json
from ..waiting.retry import GaveUp, NotYet, Patience, keep_trying
from .client import HttpClient
from .exchange import SENSITIVE_HEADERS, Request, Response, format_exchange, origin_of
from .hooks import ExchangeHook, ResponseHook, on_exchange, on_response, report_exchange, report_response

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

__all__ = [
    "ExchangeHook",
    "ResendHook",
    "ResponseHook",
    "add_query_parameter",
    "allow_credentials_to",
    "bind_header",
    "build_request",
    "current_service",
    "follow_redirects",
    "log_exchange",
    "masked_headers",
    "on_exchange",
    "on_response",
    "report_exchange",
    "resend_after",
    "resend_last_request",
    "send",
    "send_form",
    "send_multipart",
    "send_request",
    "send_with_body",
    "set_header",
    "url_for",
    "use_api_key",
    "use_basic_auth",
    "use_bearer_token",
    "use_service",
    "with_timeout",
]


ResendHook = Callable[[Context, Request, Response], "Request | None"]
_RESEND_HOOKS: list[ResendHook] = []


def resend_after(hook: ResendHook) -> None:
    """Let ``hook(ctx, request, response)`` answer a request to send once more instead (the
    auth area renews a token reused from an earlier test when it meets a 401)."""
    if hook not in _RESEND_HOOKS:
        _RESEND_HOOKS.append(hook)


# -- the service and the request --------------------------------------------------------


def current_service(ctx: Context) -> ServiceConfig:
    return ctx.runtime.config.service(ctx.http.service_name)


def use_service(ctx: Context, name: str) -> None:
    ctx.runtime.config.service(name)  # fails now, with the known names, if it does not exist
    ctx.http.service_name = name


def url_for(ctx: Context, path: str, service: ServiceConfig | None = None) -> tuple[str, ServiceConfig | None]:
    """An absolute URL is used as it is; a path is joined to the service's base URL."""
    if path.startswith(("http://", "https://")):
        return path, None
    service = service or current_service(ctx)
    base = str(ctx.variables.fill_generated(ctx.runtime.resource(ServiceManager).base_url(service)))
    # Joined as text: urljoin parses both URLs on every request for the same result.
    return f"{base.rstrip('/')}/{path.lstrip('/')}" if path else base, service


def build_request(ctx: Context, method: str, path: str, service: ServiceConfig | None = None) -> Request:
    # Each value encoded for the part of the URL it lands in; a leading one used as written.
    url, service = url_for(ctx, ctx.variables.expand_url(path), service)
    configured = service.headers if service else {}
    headers = {name: str(ctx.variables.fill_generated(value)) for name, value in configured.items()}
    headers.update(ctx.http.headers)
    cookies: CookieJar
    if service is not None and service.keep_cookies:
        cookies = ctx.runtime.resource(HttpClient).kept_cookies(service.name)
    else:
        if ctx.http.cookies is None:
            from .cookies import new_cookie_jar  # lazily: the cookie module is costly to import

            ctx.http.cookies = new_cookie_jar()
        cookies = ctx.http.cookies
    return Request(
        method=method.upper(),
        url=url,
        headers=headers,
        params=[(k, ctx.variables.expand(v)) for k, v in ctx.http.pending_params],
        timeout=service.timeout if service else 30.0,
        verify=service.verify_tls if service else True,
        follow_redirects=_follows_redirects(ctx, service),
        retry=service.retry if service else None,
        credentials=_credentials(ctx, headers, url),
        cookies=cookies,
        cert=_client_cert(service) if service else None,
        service=service.name if service else None,
        written=path,
    )


def _follows_redirects(ctx: Context, service: ServiceConfig | None) -> bool:
    if ctx.http.follow_redirects is not None:
        return ctx.http.follow_redirects
    return service.follow_redirects if service else True


def follow_redirects(ctx: Context, follow: bool) -> None:
    """Follow redirects (or answer with the 3xx itself) for the rest of the test."""
    ctx.http.follow_redirects = follow
    ctx.log("redirects are followed from here on" if follow else "redirects are not followed from here on")


def with_timeout(request: Request, seconds: float) -> Request:
    """The request with a timeout of its own, set by the step."""
    if seconds <= 0:
        raise StepArgumentError(f"a timeout of {seconds:g} s cannot be met: give a positive duration, such as 1 second")
    request.timeout = seconds
    request.timeout_from = "this step gave the request"
    return request


def _client_cert(service: ServiceConfig) -> str | tuple[str, str] | None:
    """The service's client certificate files for mutual TLS; a missing one is named here,
    not as a TLS error deep in the handshake."""
    files = [name for name in (service.client_cert, service.client_key) if name is not None]
    for name in files:
        if not Path(name).is_file():
            raise ConfigError(f"service {service.name!r}: client certificate file {name} does not exist")
    if service.client_key is not None and service.client_cert is None:
        raise ConfigError(f"service {service.name!r}: client_key {service.client_key} is given without client_cert")
    return (files[0], files[1]) if len(files) == 2 else (files[0] if files else None)


# -- where credentials may go -----------------------------------------------------------


def bind_header(ctx: Context, name: str, credential: bool = False) -> None:
    """A header the test sets belongs to the service it uses now (or, with none configured,
    to the origin of the first request that carries it); a ``credential`` one goes nowhere
    else."""
    key = name.lower()
    home = _service_origin(ctx)
    if home is None:
        ctx.http.header_origins.pop(key, None)
    else:
        ctx.http.header_origins[key] = home
    if credential:
        ctx.http.credential_headers.add(key)


def _credentials(ctx: Context, headers: dict[str, str], url: str) -> dict[str, frozenset[str]]:
    """The credential headers of a request and the origins each may go to: a header named as
    one (Authorization, Cookie, an API-key or auth-profile header, one set by a credential
    phrase) or holding a secret; it goes to the origin of its service and where a step let it."""
    named = SENSITIVE_HEADERS | masked_headers(ctx.runtime) | ctx.http.credential_headers
    secrets = ctx.runtime.secrets
    own = {name.lower() for name in ctx.http.headers}
    credentials: dict[str, frozenset[str]] = {}
    for name, value in headers.items():
        key = name.lower()
        if key not in named and not (secrets and secrets.mask(value) != value):
            continue
        if key in own:
            home = ctx.http.header_origins.get(key)
            if home is None:
                home = ctx.http.header_origins[key] = _service_origin(ctx) or origin_of(url)
        else:  # a header of the service's own settings: the request goes to that service
            home = origin_of(url)
        credentials[key] = frozenset({home, *ctx.http.credentials_also_to})
    return credentials


def _service_origin(ctx: Context) -> str | None:
    """The origin of the service the test uses now; None when no service is configured, or
    while the config cannot say (the request will tell why)."""
    try:
        config = ctx.runtime.config
        if ctx.http.service_name is None and config.default_service is None:
            return None
        return origin_of(ctx.runtime.resource(ServiceManager).base_url(current_service(ctx)))
    except ConfigError:
        return None


def allow_credentials_to(ctx: Context, url: str) -> None:
    """Let the test's credentials also go to the origin of ``url``, for the rest of the test."""
    text = ctx.variables.expand(url)
    origin = origin_of(text)
    if not origin:
        raise StepArgumentError(f"{text!r} is not an origin: write it as http://host:port or https://host")
    ctx.http.credentials_also_to.add(origin)
    ctx.log(f"the credentials of this test may also go to {origin}")


def send_request(
    ctx: Context, request: Request, service_name: str | None = None, *, log: bool = True, once: bool = False
) -> Response:
    """Send ``request``, re-sending it after the failures its service's retry policy names.

    ``log=False`` leaves the exchange out of the log, for a caller that logs it its own way.
    ``once=True`` sends it once, the policy left to a caller that re-sends it itself (polling):
    a connection error the policy tolerates is then a failed check, for the caller to retry."""
    ctx.http.pending_params = []
    ctx.http.last_request = request
    name = service_name or ctx.http.service_name or ctx.runtime.config.default_service or "(url)"
    response = _send(ctx, request, name, once)
    for resend in _RESEND_HOOKS:
        again = resend(ctx, request, response)
        if again is not None:  # once: the answer to the request sent again is the answer
            if log:
                log_exchange(ctx, response, request)
            request = ctx.http.last_request = again
            response = _send(ctx, again, name, once)
            break
    ctx.http.last_response = response
    if log:
        log_exchange(ctx, response, request)
    report_response(ctx, response)
    return response


def _send(ctx: Context, request: Request, name: str, once: bool) -> Response:
    """One send: with the service's retry policy, or once (the caller re-sends it itself)."""
    if not once:
        return _send_with_retry_policy(ctx, request, name)
    try:
        return ctx.runtime.resource(HttpClient).send(request, name)
    except ServiceUnreachable as error:
        if request.retry is not None and request.retry.connection_errors:
            raise CheckFailed(error.message, about_last_request=True) from None
        raise


def _send_with_retry_policy(ctx: Context, request: Request, service: str) -> Response:
    """Re-send after what the service's retry policy calls transient: a listed status, or
    no connection at all; the last attempt's outcome is the answer."""
    policy = request.retry
    client = ctx.runtime.resource(HttpClient)

    def attempt() -> Response:
        try:
            response = client.send(request, service)
        except ServiceUnreachable as error:
            if policy is not None and policy.connection_errors:
                raise NotYet(error) from None
            raise
        if policy is not None and response.status in policy.statuses:
            raise NotYet(f"{response.status} {response.reason}", response)
        return response

    def on_retry(number: int, not_yet: NotYet[Response]) -> None:
        transient = not_yet.cause.message if isinstance(not_yet.cause, ServiceError) else str(not_yet.cause)
        ctx.log(
            f"{request.method} {request.url} -> {transient or 'no connection'}; "
            f"the retry policy of service {service!r} is re-sending it ({number + 1} of {attempts})"
        )

    attempts = policy.attempts if policy else 1
    try:
        return keep_trying(attempt, Patience(attempts=attempts, interval=policy.interval if policy else 0), on_retry)
    except ServiceError as error:
        ctx.log(f"{request.method} {request.url}\n-> {error.message}", "WARN")
        error.about_last_request = True  # the request just sent: shown as a curl command
        raise
    except GaveUp as gave_up:
        last: NotYet[Response] = gave_up.last
        if last.value is not None:
            return last.value  # the last transient answer is the answer
        unreachable = cast(ServiceError, last.cause)
        ctx.log(f"{request.method} {request.url}\n-> {unreachable.message}", "WARN")
        unreachable.about_last_request = True
        raise unreachable from None


def log_exchange(ctx: Context, response: Response, request: Request | None = None) -> None:
    if not ctx.logs_exchanges:  # a load test's hot path: nobody reads the log
        return
    report_exchange(ctx, request, response)
    for hop in response.hops:
        ctx.log("redirected: " + ctx.runtime.secrets.mask(hop))
    for line in response.withheld:
        ctx.log(line)
    # Made only if shown: pytest shows a scenario's log only when it fails. Not bound to ctx:
    # the context keeps the line, and a cycle would keep the response (its parsed body) alive
    # after the test, until a garbage collection walks all of it.
    runtime = ctx.runtime
    ctx.log_later(lambda: format_exchange(response, runtime.secrets, masked_headers(runtime)))


def masked_headers(runtime: Runtime) -> frozenset[str]:
    """Headers whose values are credentials here: those the auth profiles send tokens in."""
    config = runtime.loaded_config
    return config.auth_headers if config is not None else frozenset()


# -- what steps send --------------------------------------------------------------------


def send(ctx: Context, method: str, path: str, timeout: float | None = None) -> Response:
    """A request without a body; ``timeout`` (seconds) replaces the service's for this one."""
    request = build_request(ctx, method, path)
    return send_request(ctx, request if timeout is None else with_timeout(request, timeout))


def _content_type(ctx: Context) -> str | None:
    for name, value in ctx.http.headers.items():
        if name.lower() == "content-type":
            return value
    return None


def send_with_body(ctx: Context, method: str, path: str, body: str, timeout: float | None = None) -> Response:
    """A doc-string body: JSON when it is JSON, text otherwise, or exactly as given when the
    test has set its own Content-Type (which is how a test sends malformed JSON on purpose)."""
    request = build_request(ctx, method, path)
    text = ctx.variables.expand(body)
    if _content_type(ctx) is None:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            parse_json(text, "request body")  # fails with the position of the mistake
            request.headers["Content-Type"] = "application/json"
        else:
            request.headers["Content-Type"] = "text/plain; charset=utf-8"
    request.body = text.encode("utf-8")
    return send_request(ctx, request if timeout is None else with_timeout(request, timeout))


def _pairs(ctx: Context, table: Sequence[Sequence[str]], what: str, expand: bool = True) -> list[tuple[str, str]]:
    """Name | value rows; ``expand=False`` leaves the values for the request to expand."""
    pairs = []
    for row in table:
        if len(row) != 2:
            raise StepArgumentError(f"each row of the {what} table needs two cells, name | value; got {list(row)}")
        pairs.append((ctx.variables.expand(row[0]), ctx.variables.expand(row[1]) if expand else row[1]))
    return pairs


def send_form(ctx: Context, method: str, path: str, table: Sequence[Sequence[str]]) -> Response:
    request = build_request(ctx, method, path)
    request.form = dict(_pairs(ctx, table, "form"))
    return send_request(ctx, request)


def send_multipart(ctx: Context, method: str, path: str, table: Sequence[Sequence[str]]) -> Response:
    """Like curl -F: a value starting with @ is a file to upload, found beside the test file,
    then beside seamline.yaml (``Context.locate_file``)."""
    request = build_request(ctx, method, path)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str | None]] = {}
    for name, value in _pairs(ctx, table, "multipart form"):
        if value.startswith("@"):
            file = ctx.locate_file(value[1:])
            if file is None:
                raise StepArgumentError(ctx.file_not_found("file", value[1:], f" for field {name!r}"))
            try:
                content = file.read_bytes()
            except OSError as error:
                raise StepArgumentError(
                    f"cannot read the file {str(file)!r} for field {name!r}: {error.strerror}"
                ) from None
            files[name] = (file.name, content, mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        else:
            fields[name] = value
    if not files:
        # requests only writes multipart/form-data when there is a file; force it for plain fields.
        files = {name: (None, value.encode("utf-8"), None) for name, value in fields.items()}  # type: ignore[misc]
        fields = {}
    request.form = fields
    request.files = files
    return send_request(ctx, request)


# Sending one of these again changes nothing on the server, so a check may re-send it.
_REPEATABLE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def resend_last_request(ctx: Context) -> Response:
    """Send the test's last request again (for ``within ...`` in front of a response check)."""
    request = ctx.http.last_request
    if request is None:
        raise UsageError("no request to send again: send one before 'within ... the response ...'")
    if request.method not in _REPEATABLE:
        raise StepArgumentError(
            f"'within ...' in front of a response check sends the last request again, and a {request.method} "
            "is not sent twice; check with a GET: I GET \"...\" until <check>"
        )
    return send_request(ctx, request, once=True)


def set_header(ctx: Context, name: str, value: str) -> None:
    name = ctx.variables.expand(name)
    ctx.http.headers[name] = ctx.variables.expand(value)
    bind_header(ctx, name)


def set_headers(ctx: Context, table: Sequence[Sequence[str]]) -> None:
    for name, value in _pairs(ctx, table, "headers"):
        ctx.http.headers[name] = value
        bind_header(ctx, name)


def add_query_parameter(ctx: Context, name: str, value: str) -> None:
    ctx.http.pending_params.append((ctx.variables.expand(name), value))


def add_query_parameters(ctx: Context, table: Sequence[Sequence[str]]) -> None:
    # Values are expanded when the request is built, as for a single parameter.
    ctx.http.pending_params += _pairs(ctx, table, "query parameters", expand=False)


def _secret_header(ctx: Context, name: str, value: str) -> None:
    ctx.runtime.secrets.add(value)
    ctx.http.headers[name] = value
    bind_header(ctx, name, credential=True)


def use_bearer_token(ctx: Context, token: str) -> None:
    token = ctx.variables.expand(token)
    ctx.runtime.secrets.add(token)
    _secret_header(ctx, "Authorization", f"Bearer {token}")


def use_basic_auth(ctx: Context, user: str, password: str) -> None:
    password = ctx.variables.expand(password)
    ctx.runtime.secrets.add(password)
    pair = base64.b64encode(f"{ctx.variables.expand(user)}:{password}".encode()).decode("ascii")
    ctx.runtime.secrets.add(pair)  # the pair alone, as a log or a server may show it
    _secret_header(ctx, "Authorization", "Basic " + pair)


def use_api_key(ctx: Context, key: str, header: str) -> None:
    key = ctx.variables.expand(key)
    _secret_header(ctx, ctx.variables.expand(header), key)
