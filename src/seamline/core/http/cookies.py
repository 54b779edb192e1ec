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

from .exchange import origin_of

if TYPE_CHECKING:
    from requests.cookies import RequestsCookieJar

__all__ = ["ORIGIN_POLICY", "OriginCookiePolicy", "new_cookie_jar"]


def _port(request: Any) -> str:
    """The port of a request as the cookie module sees it (urllib's or requests' MockRequest)."""
    return origin_of(request.get_full_url()).rpartition(":")[2]


class OriginCookiePolicy(DefaultCookiePolicy):
    """The standard rules, plus: a cookie goes back only to the port it came from."""

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        if not super().set_ok(cookie, request):
            return False
        port = _port(request)
        if port and not cookie.port_specified:
            cookie.port, cookie.port_specified = port, True
        return True

    def return_ok_port(self, cookie: Cookie, request: Any) -> bool:
        if cookie.port:
            return _port(request) in cookie.port.split(",")
        return True


# One is enough: a policy holds only its settings.
ORIGIN_POLICY = OriginCookiePolicy()


def new_cookie_jar() -> RequestsCookieJar:
    """An empty jar for one test (or, for a service that keeps its cookies, for the run)."""
    from requests.cookies import RequestsCookieJar

    return RequestsCookieJar(policy=ORIGIN_POLICY)
