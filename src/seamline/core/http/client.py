"""Sending HTTP requests over keep-alive sessions, one per service (requests underneath)."""

from __future__ import annotations

import functools
import re
import threading
import warnings
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ServiceError, ServiceUnreachable
from .exchange import Request, Response, origin_of

if TYPE_CHECKING:
    import requests
    from requests.cookies import RequestsCookieJar

__all__ = ["HttpClient", "withheld_line"]


def withheld_line(origin: str, names: list[str], homes: set[str]) -> str:
    """The log's one line for credentials not sent to ``origin``."""
    return (
        f"credentials withheld from {origin} (they belong to {', '.join(sorted(homes))}): {', '.join(names)}; "
        f'to send them there too: the credentials may also go to "{origin}"'
    )


class _Guard:
    """The credential headers of the request being sent, for each redirect hop to decide on."""

    def __init__(self, request: Request) -> None:
        self.credentials = {
            name.lower(): (name, value, request.credentials[name.lower()])
            for name, value in request.headers.items()
            if name.lower() in request.credentials
        }
        self.withheld: list[str] = []

    def split(self, url: str) -> tuple[set[str], list[str]]:
        """The credential headers that may go to ``url`` (lower-case), and those that may not
        (as named); a refusal is noted for the log with the origins they belong to."""
        origin = origin_of(url)
        allowed: set[str] = set()
        refused: list[str] = []
        homes: set[str] = set()
        for key, (name, _, origins) in self.credentials.items():
            if origin in origins:
                allowed.add(key)
            else:
                refused.append(name)
                homes.update(origins)
        if refused:
            self.withheld.append(withheld_line(origin or url, refused, homes))
        return allowed, refused


@functools.cache
def _session_class() -> type[requests.Session]:
    import requests

    from .cookies import ORIGIN_POLICY

    class GuardedSession(requests.Session):
        """A session whose redirects give each hop only the credentials of its origin.

        requests drops Authorization on a redirect to another origin but keeps every other
        header: an API key, an auth profile's token header. Here each hop gets the credential
        headers whose origins include its own, and none of the others."""

        guard: _Guard | None = None

        def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
            prepared = super().prepare_request(request)
            # The cookies of a redirect chain are collected in this jar: keep them to their port too.
            prepared._cookies.set_policy(ORIGIN_POLICY)  # type: ignore[attr-defined]
            return prepared

        def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
            super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
            guard = self.guard
            if guard is None or prepared_request.url is None:
                return
            allowed, refused = guard.split(prepared_request.url)
            for key in allowed:
                name, value, _ = guard.credentials[key]
                prepared_request.headers[name] = value  # back on a hop home (requests may have dropped it)
            for name in refused:
                prepared_request.headers.pop(name, None)

    return GuardedSession


class HttpClient:
    """One keep-alive session per service name, created on first use. The cookies of each
    request are those of its jar (the test's), swapped in while it is sent; the connections
    stay for the run."""

    def __init__(self) -> None:
        self._sessions: dict[str, requests.Session] = {}
        self._kept_cookies: dict[str, RequestsCookieJar] = {}
        self._lock = threading.Lock()  # a session sends one request at a time: its jar is swapped

    @classmethod
    def open(cls, runtime: object) -> HttpClient:
        return cls()

    def _session(self, key: str) -> requests.Session:
        session = self._sessions.get(key)
        if session is None:
            # lazily: importing requests costs more than the rest of the core
            session = _session_class()()
            # The environment's proxy settings would route loopback test traffic elsewhere.
            session.trust_env = False
            self._sessions[key] = session
        return session

    def kept_cookies(self, service: str) -> RequestsCookieJar:
        """The jar of a service that keeps its cookies for the run (``keep_cookies: true``)."""
        jar = self._kept_cookies.get(service)
        if jar is None:
            from .cookies import new_cookie_jar

            jar = self._kept_cookies[service] = new_cookie_jar()
        return jar

    def send(self, request: Request, service: str) -> Response:
        with self._lock:
            return self._send(request, service)

    def _send(self, request: Request, service: str) -> Response:
        import requests

        from .cookies import new_cookie_jar

        session = self._session(service)
        guard = _Guard(request)
        _, refused = guard.split(request.url)
        refused_keys = {name.lower() for name in refused}
        session.guard = guard  # type: ignore[attr-defined]
        # A request built without a jar gets an empty one: it neither sends nor keeps cookies.
        session.cookies = request.cookies if request.cookies is not None else new_cookie_jar()  # type: ignore[assignment]
        kwargs: dict[str, Any] = {
            "headers": {name: value for name, value in request.headers.items() if name.lower() not in refused_keys},
            "params": request.params or None,
            "timeout": request.timeout,
            "verify": request.verify,
            "allow_redirects": request.follow_redirects,
        }
        if request.cert is not None:
            kwargs["cert"] = request.cert
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
            hint = f"the timeout {request.timeout_from}" if request.timeout_from else _timeout_hint(request)
            raise ServiceError(
                f"{request.method} {request.url}: no answer within {request.timeout:g} s ({hint})"
            ) from None
        except requests.exceptions.TooManyRedirects as error:
            last = error.response.url if error.response is not None else request.url
            raise ServiceError(
                f"{request.method} {request.url}: more than {session.max_redirects} redirects, a loop? "
                f"(the last to {last}); to check one hop: I do not follow redirects"
            ) from None
        except requests.exceptions.SSLError as error:
            if "CERTIFICATE_VERIFY_FAILED" not in str(error):  # the server refused us, not we it
                hint = "" if request.cert else f"; if it asks for a client certificate, {_client_cert_hint(request)}"
                raise ServiceError(
                    f"{request.method} {request.url}: the TLS handshake failed ({_tls_reason(error)}){hint}"
                ) from None
            raise ServiceError(
                f"{request.method} {request.url}: TLS verification failed ({_reason(error)}); "
                f"{_tls_hint(request)}"
            ) from None
        except requests.exceptions.ConnectionError as error:
            if _hung_up(error):  # reached, but it dropped the connection: not "cannot reach"
                raise ServiceUnreachable(
                    f"{request.method} {request.url}: the server closed the connection without an answer"
                ) from None
            raise ServiceUnreachable(f"cannot reach {_target(request)}: {_reason(error)}") from None
        except requests.exceptions.RequestException as error:
            raise ServiceError(f"{request.method} {request.url}: {_reason(error)}") from None
        finally:
            session.guard = None  # type: ignore[attr-defined]
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
            withheld=tuple(guard.withheld),
            hops=tuple(_hop_line(hop) for hop in answer.history),
        )

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
        self._kept_cookies.clear()


def _hop_line(hop: requests.Response) -> str:
    """A redirect followed, in one line of the log."""
    return (
        f"{hop.request.method} {hop.url} -> {hop.status_code} {hop.reason or ''} "
        f"({hop.elapsed.total_seconds() * 1000:.0f} ms), Location: {hop.headers.get('Location', '(none)')}"
    )


# A request to a full URL written in a step is sent by the session of the service in use, but
# that service's settings (timeout, verify_tls) do not apply to it: its failures name the URL.


def _target(request: Request) -> str:
    if request.service is not None:
        return f"service {request.service!r} at {request.url}"
    host = urlsplit(request.url).netloc or request.url
    return f"{host} ({request.method} {request.url})"


def _timeout_hint(request: Request) -> str:
    if request.service is not None:
        return f"service {request.service!r}; raise its timeout in seamline.yaml if that is expected"
    return "a full URL: no service's timeout applies; declare a service for it to set one"


def _client_cert_hint(request: Request) -> str:
    if request.service is not None:
        return f"give {request.service!r} a client_cert"
    host = urlsplit(request.url).hostname or request.url
    return f"{host} is no service's URL: declare a service for it with a client_cert"


def _tls_hint(request: Request) -> str:
    if request.service is not None:
        return f"set verify_tls: false for service {request.service!r} if the certificate is self-signed"
    host = urlsplit(request.url).hostname or request.url
    return (
        f"{host} is no service's URL: declare a service for it with verify_tls: false "
        "if its certificate is self-signed"
    )


def _reason(error: BaseException) -> str:
    """The innermost cause of a requests error, without the nested wrapper text."""
    text = str(error)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _hung_up(error: BaseException) -> bool:
    """Whether the server took the request and closed the connection without a status line."""
    text = str(error)
    return "Remote end closed connection without response" in text or "Connection reset by peer" in text


def _tls_reason(error: BaseException) -> str:
    """What OpenSSL said, without urllib3's wrappers around it: ``EOF occurred in violation of
    protocol``, ``[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required``."""
    found = re.search(r"\(\d+, '(.+?)(?: \(_ssl\.c:\d+\))?'\)", str(error))
    return found.group(1) if found else _reason(error)
