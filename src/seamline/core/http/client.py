"""Sending HTTP requests over keep-alive sessions, one per service (requests underneath)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ..errors import ServiceError, ServiceUnreachable
from .exchange import Request, Response

if TYPE_CHECKING:
    import requests

__all__ = ["HttpClient"]


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
