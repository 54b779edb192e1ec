"""HTTP exchanges over keep-alive sessions, one per service, and how they read in a log."""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import RetryPolicy
from ..errors import CheckFailed, ServiceError, ServiceUnreachable
from ..values.secrets import MASK, Secrets

if TYPE_CHECKING:
    import requests

__all__ = [
    "BODY_LOG_LIMIT",
    "HttpClient",
    "Request",
    "Response",
    "body_for_log",
    "excerpt",
    "format_exchange",
    "response_details",
    "response_line",
]

BODY_LOG_LIMIT = 4000
# Headers whose values are credentials whatever they hold.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "usertoken"}
)
_NO_BODY = object()


@dataclass
class Request:
    """What a step is about to send; ``url`` is absolute."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | str | None = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str | None]] | None = None
    timeout: float = 30.0
    verify: bool = True
    retry: RetryPolicy | None = None  # the service's transient failures, re-sent by Context.send


@dataclass
class Response:
    method: str
    url: str
    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes
    elapsed_ms: float
    request_headers: Mapping[str, str]
    request_body: bytes | str | None
    # Each Set-Cookie header as received: a mapping of headers folds them into one line.
    set_cookies: tuple[str, ...] = ()
    _json: object = field(default=_NO_BODY, repr=False)

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    @property
    def encoding(self) -> str:
        content_type = self.headers.get("Content-Type", "")
        for part in content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"')
        return "utf-8"

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self) -> object:
        """The body as JSON, parsed once; a body that is not JSON fails the check that needed it."""
        if self._json is _NO_BODY:
            try:
                self._json = json.loads(self.content)
            except ValueError:
                kind = self.content_type or "no content type"
                raise CheckFailed(
                    f"the response of {self.method} {self.url} is not JSON ({kind}, "
                    f"{len(self.content)} bytes)",
                    details=excerpt(self.text),
                ) from None
        return self._json


def excerpt(text: str, limit: int = BODY_LOG_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n... ({len(text) - limit} more characters)"


def body_for_log(body: bytes | str | None, content_type: str, limit: int = BODY_LOG_LIMIT) -> str:
    """A body as a person reads it: JSON pretty-printed, long bodies cut."""
    if body is None or body == b"" or body == "":
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if "json" in content_type:
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    return excerpt(text, limit)


def _headers_text(headers: Mapping[str, str], masked_headers: frozenset[str]) -> str:
    return "\n".join(
        f"{name}: {MASK if name.lower() in masked_headers else value}" for name, value in headers.items()
    )


def format_exchange(response: Response, secrets: Secrets, masked_headers: frozenset[str] = frozenset()) -> str:
    """A request and its response as a log shows them, credentials masked."""
    hidden = SENSITIVE_HEADERS | masked_headers
    request_type = response.request_headers.get("Content-Type", "")
    parts = [f"{response.method} {response.url}", _headers_text(response.request_headers, hidden)]
    request_body = body_for_log(response.request_body, request_type)
    if request_body:
        parts += ["", request_body]
    parts += [
        "",
        f"-> {response.status} {response.reason} ({response.elapsed_ms:.0f} ms)",
        _headers_text(response.headers, hidden),
    ]
    response_body = _response_body_for_log(response)
    if response_body:
        parts += ["", response_body]
    return secrets.mask("\n".join(parts))


# How much of a body a failure shows below its one line.
FAILURE_BODY_LIMIT = 1500


def response_line(response: Response) -> str:
    return f"response: {response.status} {response.reason} from {response.method} {response.url}"


def response_details(response: Response, body: str | None = None) -> str:
    """What a failed check shows below its one line: the response, then its body (pretty,
    cut after FAILURE_BODY_LIMIT characters) unless the check shows a part of its own."""
    if body is None:
        body = body_for_log(response.content, response.content_type, FAILURE_BODY_LIMIT) or "(empty body)"
    return f"{response_line(response)}\n{body}"


def _response_body_for_log(response: Response) -> str:
    # A JSON body is parsed once for the log and the checks that follow (Response.json caches it).
    if "json" in response.content_type and response.content:
        try:
            return excerpt(json.dumps(response.json(), indent=2, ensure_ascii=False))
        except CheckFailed:
            pass  # not JSON after all: shown as text below
    return body_for_log(response.content, response.content_type)


class HttpClient:
    """One keep-alive session per service name, created on first use."""

    def __init__(self) -> None:
        self._sessions: dict[str, requests.Session] = {}

    @classmethod
    def open(cls, runtime: object) -> HttpClient:
        return cls()

    def _session(self, key: str) -> requests.Session:
        session = self._sessions.get(key)
        if session is None:
            import requests  # lazily: importing requests costs more than the rest of the core

            session = requests.Session()
            # The environment's proxy settings would route loopback test traffic elsewhere.
            session.trust_env = False
            self._sessions[key] = session
        return session

    def send(self, request: Request, service: str) -> Response:
        import requests

        session = self._session(service)
        kwargs: dict[str, Any] = {
            "headers": request.headers,
            "params": request.params or None,
            "timeout": request.timeout,
            "verify": request.verify,
            "allow_redirects": True,
        }
        if request.files is not None:
            kwargs["files"] = request.files
            kwargs["data"] = request.form
        elif request.form is not None:
            kwargs["data"] = request.form
        elif request.body is not None:
            kwargs["data"] = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        try:
            if request.verify:
                answer = session.request(request.method, request.url, **kwargs)
            else:
                # The service's config switched verification off on purpose: no warning per request.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    answer = session.request(request.method, request.url, **kwargs)
        except requests.exceptions.Timeout:
            raise ServiceError(
                f"{request.method} {request.url}: no answer within {request.timeout:g} s "
                f"(service {service!r}; raise its timeout in seamline.yaml if that is expected)"
            ) from None
        except requests.exceptions.SSLError as error:
            raise ServiceError(
                f"{request.method} {request.url}: TLS verification failed ({_reason(error)}); "
                f"set verify_tls: false for service {service!r} if the certificate is self-signed"
            ) from None
        except requests.exceptions.ConnectionError as error:
            raise ServiceUnreachable(
                f"cannot reach service {service!r} at {request.url}: {_reason(error)}"
            ) from None
        except requests.exceptions.RequestException as error:
            raise ServiceError(f"{request.method} {request.url}: {_reason(error)}") from None
        sent = answer.request
        return Response(
            method=request.method,
            url=answer.url,
            status=answer.status_code,
            reason=answer.reason or "",
            headers=answer.headers,
            content=answer.content,
            elapsed_ms=answer.elapsed.total_seconds() * 1000,
            request_headers=dict(sent.headers),
            request_body=sent.body,
            set_cookies=tuple(answer.raw.headers.getlist("Set-Cookie")) if answer.raw is not None else (),
        )

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()


def _reason(error: BaseException) -> str:
    """The innermost cause of a requests error, without the nested wrapper text."""
    text = str(error)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200] if text else type(error).__name__
