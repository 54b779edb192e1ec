"""Cookie jars that keep each cookie to the origin that set it.

A browser's cookie rules ignore the port: a cookie set by ``127.0.0.1:8000`` would also go
to ``127.0.0.1:9000``, another service. Here a cookie is stamped with the port of the
request that received it and goes only to that port (and, as the cookie rules say, to its
host and, when ``Secure``, over https only). Imported by the client, lazily: the standard
library's cookie module costs as much to import as requests does.
"""

from __future__ import annotations

from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from requests.cookies import RequestsCookieJar

__all__ = ["ORIGIN_POLICY", "OriginCookiePolicy", "new_cookie_jar"]


# How the standard cookie rules read a request's host and port (http.cookiejar's helpers for
# this are not part of its documented API): a host without a dot gets ".local", and a URL
# without a port counts as port 80, for https too.
def _request_host(request: Any) -> str:
    host = urlsplit(request.get_full_url()).hostname or ""
    return host if "." in host else host + ".local"


def _request_port(request: Any) -> str:
    port = urlsplit(request.get_full_url()).port
    return str(port) if port is not None else "80"


class OriginCookiePolicy(DefaultCookiePolicy):
    """The standard rules, plus: a cookie goes back only to the host and port it came from.

    The port is stamped as the standard rules read a request's port (so that requests, which
    builds each Cookie header with the standard policy, reads it the same way), and a
    ``Domain=`` attribute is dropped: a cookie of ``api.example.com`` does not go to
    ``files.example.com``."""

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        if not super().set_ok(cookie, request):
            return False
        if cookie.domain_specified:
            cookie.domain = _request_host(request)
            cookie.domain_specified = cookie.domain_initial_dot = False
        if not cookie.port_specified:
            cookie.port, cookie.port_specified = _request_port(request), True
        return True


# One is enough: a policy holds only its settings.
ORIGIN_POLICY = OriginCookiePolicy()


def new_cookie_jar() -> RequestsCookieJar:
    """An empty jar for one test (or, for a service that keeps its cookies, for the run)."""
    from requests.cookies import RequestsCookieJar

    return RequestsCookieJar(policy=ORIGIN_POLICY)
