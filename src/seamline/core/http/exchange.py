"""An HTTP exchange as data (the request a step sends, the response it gets) and how it reads
in a log and in a failure. No network here: :mod:`.client` sends."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..config import RetryPolicy
from ..errors import MESSAGE_LIMIT, CheckFailed
from ..values.literals import load_json_document
from ..values.secrets import MASK, Secrets
from ..values.text import BODY_LOG_LIMIT, VALUE_LIMIT, cut_around, describe_bytes, excerpt, is_binary

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

__all__ = [
    "FAILURE_BODY_LIMIT",
    "SENSITIVE_HEADERS",
    "Request",
    "Response",
    "body_for_log",
    "format_exchange",
    "origin_of",
    "request_text",
    "response_details",
    "response_line",
    "response_text",
]

# Headers whose values are credentials whatever they hold.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "usertoken"}
)
_NO_BODY = object()
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """The origin of a URL as ``scheme://host:port`` (the port always written), or ``""`` for
    what is not an absolute http(s) URL. Credentials and cookies go only to their origin."""
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        return ""
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port or _DEFAULT_PORTS[scheme]}"


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
    # Who set the timeout, for the message when it runs out: None for the service's config.
    timeout_from: str | None = None
    verify: bool = True
    follow_redirects: bool = True
    retry: RetryPolicy | None = None  # the service's transient failures, re-sent by Context.send
    # Credential headers (lower-case names) and the origins each may go to; the client drops
    # one from the request, and from each redirect hop, whose origin is not among them.
    credentials: dict[str, frozenset[str]] = field(default_factory=dict)
    # The cookies sent and received: the test's jar, or the run's for a service keeping them.
    cookies: CookieJar | None = None
    cert: str | tuple[str, str] | None = None  # mutual TLS: the client certificate (and key) files
    # The service whose base URL the path was joined to; None for a full URL written in the step
    # (its failures name the URL's host, not the service whose session happens to send it).
    service: str | None = None
    # The path as the step wrote it (``/products/${sku}``): a stable name for load statistics.
    written: str = ""


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
    # One line for each origin on the way (the request's or a redirect hop's) that was not
    # given the credentials of the request.
    withheld: tuple[str, ...] = ()
    # One line for each redirect followed on the way to this response (its status and Location).
    hops: tuple[str, ...] = ()
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
                self._json = load_json_document(self.content)
            except ValueError:
                kind = self.content_type or "no content type"
                raise CheckFailed(
                    f"the response of {self.method} {self.url} is not JSON ({kind}, "
                    f"{len(self.content)} bytes)",
                    details=body_for_log(self.content, self.content_type),
                    about_last_request=True,
                ) from None
        return self._json


def body_for_log(body: bytes | str | None, content_type: str, limit: int = BODY_LOG_LIMIT) -> str:
    """A body as a person reads it: JSON pretty-printed, long bodies cut."""
    if body is None or body == b"" or body == "":
        return ""
    if isinstance(body, bytes) and is_binary(body, content_type):
        return describe_bytes(body, content_type)  # an image or random bytes: told, not dumped
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if "json" in content_type:
        with contextlib.suppress(ValueError):
            return _pretty_json_excerpt(load_json_document(text), len(body), limit)
    return excerpt(text, limit)


def _headers_text(headers: Mapping[str, str], masked_headers: frozenset[str]) -> str:
    return "\n".join(
        f"{name}: {MASK if name.lower() in masked_headers else value}" for name, value in headers.items()
    )


def format_exchange(response: Response, secrets: Secrets, masked_headers: frozenset[str] = frozenset()) -> str:
    """A request and its response as a log shows them, credentials masked."""
    return secrets.mask(f"{request_text(response, masked_headers)}\n\n{response_text(response, masked_headers)}")


def request_text(response: Response, masked_headers: frozenset[str] = frozenset()) -> str:
    """The request half of :func:`format_exchange` (credential headers masked, not yet secrets)."""
    hidden = SENSITIVE_HEADERS | masked_headers
    request_type = response.request_headers.get("Content-Type", "")
    url = cut_around(response.url, 0, MESSAGE_LIMIT)  # a 100,000-character path is not logged whole
    parts = [f"{response.method} {url}", _headers_text(response.request_headers, hidden)]
    request_body = body_for_log(response.request_body, request_type)
    if request_body:
        parts += ["", request_body]
    return "\n".join(parts)


def response_text(response: Response, masked_headers: frozenset[str] = frozenset()) -> str:
    """The response half of :func:`format_exchange` (credential headers masked, not yet secrets)."""
    parts = [
        f"-> {response.status} {response.reason} ({response.elapsed_ms:.0f} ms)",
        _headers_text(response.headers, SENSITIVE_HEADERS | masked_headers),
    ]
    response_body = _response_body_for_log(response)
    if response_body:
        parts += ["", response_body]
    return "\n".join(parts)


# How much of a body a failure shows below its one line.
FAILURE_BODY_LIMIT = 1500


def response_line(response: Response) -> str:
    url = cut_around(response.url, 0, VALUE_LIMIT)
    return f"response: {response.status} {response.reason} from {response.method} {url}"


def response_details(response: Response, body: str | None = None) -> str:
    """What a failed check shows below its one line: the response, then its body (pretty,
    cut after FAILURE_BODY_LIMIT characters) unless the check shows a part of its own."""
    if body is None:
        body = _response_body_for_log(response, FAILURE_BODY_LIMIT) or "(empty body)"
    return f"{response_line(response)}\n{body}"


def _response_body_for_log(response: Response, limit: int = BODY_LOG_LIMIT) -> str:
    # A JSON body is parsed once for the log and the checks that follow (Response.json caches it).
    if "json" in response.content_type and response.content:
        try:
            return _pretty_json_excerpt(response.json(), len(response.content), limit)
        except CheckFailed:
            pass  # not JSON after all: shown as text below
    return body_for_log(response.content, response.content_type, limit)


def _pretty_json_excerpt(value: object, size: int, limit: int = BODY_LOG_LIMIT) -> str:
    """``value`` pretty-printed, cut as :func:`excerpt` cuts. The encoder stops once it has
    written past the cut, so a big body (50 MB) is never pretty-printed whole: that took
    seconds and several times the body's size in memory for a log that shows 4,000 characters.
    The cut says how big the body was, since the length of its pretty form is not known."""
    chunks: list[str] = []
    written = 0
    for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(value):
        chunks.append(chunk)
        written += len(chunk)
        if written > limit:
            return f"{''.join(chunks)[:limit]}\n... (the rest of a {size}-byte body)"
    return "".join(chunks)
