"""What every virtual user of a load test shares, and the checks made before any starts;
without Locust, so that ``seamline load`` checks its input before Locust is imported."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Literal

from ..core.config import Config
from ..core.errors import UsageError
from ..core.http.auth import Tokens, _Kept
from ._scenarios import LoadScenario

__all__ = ["Plan", "TokenReuse"]

TokenReuse = Literal["user", "run"]

# How long a virtual user waits for the token another is obtaining before it obtains its own
# (the other's request may have failed, which the tokens are not told).
TOKEN_WAIT = 10.0


class SharedTokens(Tokens):
    """Tokens kept once for the process and shared by its virtual users: while one obtains a
    token, the others that ask for it wait for it instead of each obtaining their own.
    (Under Locust, threading is gevent's: the wait lets the other users run.)"""

    def __init__(self) -> None:
        super().__init__()
        self._obtaining: dict[tuple[str, ...], threading.Event] = {}

    def get(self, key: tuple[str, ...]) -> _Kept | None:
        kept = super().get(key)
        if kept is not None:
            return kept
        obtaining = self._obtaining.get(key)
        if obtaining is None:
            self._obtaining[key] = threading.Event()
            return None  # the caller obtains it, and keep() wakes the others
        if not obtaining.wait(TOKEN_WAIT):
            self._obtaining.pop(key, None)
        return super().get(key)

    def keep(self, key: tuple[str, ...], kept: _Kept) -> None:
        super().keep(key, kept)
        obtaining = self._obtaining.pop(key, None)
        if obtaining is not None:
            obtaining.set()


@dataclasses.dataclass
class Plan:
    """What every virtual user of a class shares: the configuration, the scenarios, the tokens."""

    config: Config
    scenarios: Sequence[LoadScenario]
    tokens: TokenReuse
    shared_tokens: Tokens = dataclasses.field(default_factory=SharedTokens)
    _by_host: dict[str | None, Config] = dataclasses.field(default_factory=dict)

    def config_for(self, host: str | None) -> Config:
        """The configuration with ``host`` (Locust's --host) as the default service's base URL;
        a service that Seamline would start itself is an error: a load test runs against a
        system that is already running."""
        if host not in self._by_host:
            config = self.config
            services = dict(config.services)
            if host and config.default_service is not None:
                chosen = services[config.default_service]
                services[chosen.name] = dataclasses.replace(chosen, base_url=host.rstrip("/"), start=None)
            for service in services.values():
                if service.start is not None:
                    hint = (
                        "give its address with --host" if service.name == config.default_service
                        else "give its address in an environment of seamline.yaml (SEAMLINE_ENV)"
                    )
                    raise UsageError(
                        f"service {service.name!r} is started by Seamline (start: in {config.where}); a load test "
                        f"runs against a running system: {hint}"
                    )
            self._by_host[host] = dataclasses.replace(config, services=services)
        return self._by_host[host]
