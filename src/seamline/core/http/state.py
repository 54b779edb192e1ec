"""What one test remembers of its HTTP exchanges: the service in use, headers, query
parameters and cookies for the requests to come, where its credentials may go, and the last
request and response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import UsageError
from .exchange import Request, Response

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

__all__ = ["HeldToken", "HttpState"]


@dataclass(frozen=True)
class HeldToken:
    """The auth-profile token this test's requests carry: whose it is, the key it is kept
    under for the run, and whether an earlier test obtained it (a 401 then renews it once)."""

    profile: str
    user: str
    key: tuple[str, ...]
    header: str
    value: str  # the header's value, prefix included
    token: str
    reused: bool


@dataclass
class HttpState:
    headers: dict[str, str] = field(default_factory=dict)
    service_name: str | None = None  # None: the config's default service
    pending_params: list[tuple[str, str]] = field(default_factory=list)  # for the next request only
    last_request: Request | None = None  # kept for the curl command shown when a test fails
    last_response: Response | None = None
    cookies: CookieJar | None = None  # the test's own, made on its first request
    # The origin each header the test set belongs to (lower-case name -> origin of the service
    # in use when it was set): a credential among them goes nowhere else.
    header_origins: dict[str, str] = field(default_factory=dict)
    credential_headers: set[str] = field(default_factory=set)  # set by the credential phrases
    credentials_also_to: set[str] = field(default_factory=set)  # origins a step let them go to
    graphql_variables: dict[str, object] | None = None  # for the next GraphQL query only
    follow_redirects: bool | None = None  # None: as the service's follow_redirects says
    token: HeldToken | None = None  # the last token obtained through an auth profile

    def response(self) -> Response:
        if self.last_response is None:
            raise UsageError("no response yet: send a request before checking or storing its response")
        return self.last_response
