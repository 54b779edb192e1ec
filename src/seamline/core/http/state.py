"""What one test remembers of its HTTP exchanges: the service in use, headers and query
parameters for the requests to come, and the last request and response."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from .exchange import Request, Response

__all__ = ["HttpState"]


@dataclass
class HttpState:
    headers: dict[str, str] = field(default_factory=dict)
    service_name: str | None = None  # None: the config's default service
    pending_params: list[tuple[str, str]] = field(default_factory=list)  # for the next request only
    last_request: Request | None = None  # kept for the curl command shown when a test fails
    last_response: Response | None = None

    def response(self) -> Response:
        if self.last_response is None:
            raise UsageError("no response yet: send a request before checking or storing its response")
        return self.last_response
