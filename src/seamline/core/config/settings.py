"""The loaded configuration as the rest of Seamline reads it: plain frozen dataclasses,
built by :mod:`.loading` from the file once it has passed the declared schema.

No pydantic here: the front ends import these types at start-up.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..errors import ConfigError

T = TypeVar("T")

__all__ = [
    "CONFIG_NAMES",
    "IDENTITY_FIELDS",
    "AuthProfile",
    "BrokerConfig",
    "Config",
    "DatabaseConfig",
    "ManagedStart",
    "OpenApiConfig",
    "QueueConfig",
    "RetryPolicy",
    "ServiceConfig",
    "StubConfig",
    "UntilSettings",
]

CONFIG_NAMES = ("seamline.yaml", "seamline.yml")
# An auth profile user's fields that name the user rather than prove who they are: these
# stay readable in logs (``GET /profiles/alice``); every other field is a secret.
IDENTITY_FIELDS = frozenset({"username", "user", "login", "email", "name", "client_id"})
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class ManagedStart:
    """How Seamline starts a service itself: once per run, on first use."""

    command: str | list[str]
    health: str = "/health"
    timeout: float = 30.0
    port: int | None = None  # None: pick a free port for ${port}
    cwd: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenApiConfig:
    """The service's OpenAPI document, and whether every response is checked against it."""

    spec: str  # a file (beside the test, then seamline.yaml), a URL, or a path on the service (/openapi.json)
    check_every_response: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """Which failures of a service are transient: re-sent up to ``attempts`` times in all."""

    statuses: frozenset[int] = frozenset()
    connection_errors: bool = False
    attempts: int = 3
    interval: float = 0.5


@dataclass(frozen=True)
class UntilSettings:
    """How ``I GET "..." until ...`` polls a service unless the step names its own time."""

    timeout: float = 10.0
    interval: float = 0.5


@dataclass(frozen=True)
class ServiceConfig:
    name: str
    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    verify_tls: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)
    start: ManagedStart | None = None
    openapi: OpenApiConfig | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    until: UntilSettings = field(default_factory=UntilSettings)
    keep_cookies: bool = False  # its cookies last the run (per worker) instead of one test
    follow_redirects: bool = True  # false: a 3xx is the answer, its Location checkable
    graphql: str = "/graphql"  # the path "I send the GraphQL query:" posts to
    client_cert: str | None = None  # mutual TLS: a PEM file (absolute), and its key unless it holds both
    client_key: str | None = None


DEFAULT_BROKER_URL = "memory://"
DEFAULT_QUEUE_WAIT = 10.0


@dataclass(frozen=True)
class BrokerConfig:
    """A message broker kombu connects to: memory://, filesystem://, amqp://..., redis://..."""

    name: str
    url: str = DEFAULT_BROKER_URL
    connect_timeout: float = 5.0


@dataclass(frozen=True)
class QueueConfig:
    """A queue as tests name it, and where it really lives."""

    name: str
    broker: str
    queue: str  # the queue's name on the broker
    wait: float = DEFAULT_QUEUE_WAIT  # how long "receives a message" waits without "within"


@dataclass(frozen=True)
class StubConfig:
    """A stubbed third-party service: a real HTTP server on loopback, on a fixed or a free port."""

    name: str
    port: int | None = None


@dataclass(frozen=True)
class DatabaseConfig:
    """A database as a SQLAlchemy URL; ``service`` names a managed service to start before
    the first connection (the service creates its own schema)."""

    name: str
    url: str
    service: str | None = None
    connect_timeout: float = 10.0


@dataclass(frozen=True)
class AuthProfile:
    """How to obtain a token and how later requests carry it."""

    name: str
    service: str | None
    path: str
    method: str = "POST"
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str = "$.token"
    header: str = "Authorization"
    prefix: str = "Bearer "
    users: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    default_user: str | None = None
    oauth2: str | None = None  # "client_credentials" or "refresh_token": a grant instead of a request
    scope: str | None = None
    client_auth: str = "basic"  # oauth2: the client's id and secret in a Basic header, or "body"
    lifetime: float | None = None  # seconds, when neither the JWT exp nor expires_in says
    cache: bool = True  # reuse a token for the run (per worker) until it expires or meets a 401


@dataclass
class Config:
    path: Path | None = None
    environment: str | None = None
    services: dict[str, ServiceConfig] = field(default_factory=dict)
    default_service: str | None = None
    databases: dict[str, DatabaseConfig] = field(default_factory=dict)
    default_database: str | None = None
    auth: dict[str, AuthProfile] = field(default_factory=dict)
    default_auth: str | None = None
    variables: dict[str, object] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    brokers: dict[str, BrokerConfig] = field(default_factory=dict)
    default_broker: str | None = None
    queues: dict[str, QueueConfig] = field(default_factory=dict)
    stubs: dict[str, StubConfig] = field(default_factory=dict)

    @functools.cached_property
    def auth_headers(self) -> frozenset[str]:
        """The (lower-case) headers auth profiles carry tokens in: masked in every log."""
        return frozenset(profile.header.lower() for profile in self.auth.values())

    def where(self) -> str:
        return str(self.path) if self.path else f"no seamline.yaml found from {Path.cwd()} upward"

    def service(self, name: str | None = None) -> ServiceConfig:
        return self._named("service", "services", self.services, name or self.default_service)

    def database(self, name: str | None = None) -> DatabaseConfig:
        return self._named("database", "databases", self.databases, name or self.default_database)

    def auth_profile(self, name: str | None = None) -> AuthProfile:
        return self._named("auth profile", "auth", self.auth, name or self.default_auth, known_as="profiles")

    def _named(self, kind: str, section: str, entries: Mapping[str, T], chosen: str | None, known_as: str = "") -> T:
        """The entry ``chosen`` of a section, or one line saying what exists instead."""
        if chosen is None:
            raise ConfigError(f"no {kind} is configured ({self.where()}): add a '{section}' section to seamline.yaml")
        if chosen in entries:
            return entries[chosen]
        raise ConfigError(self._unknown(kind, chosen, entries, known_as or section))

    def _unknown(self, kind: str, chosen: str, entries: Iterable[str], known_as: str) -> str:
        names = list(entries)
        closest = difflib.get_close_matches(chosen, names, n=1)
        hint = f"; did you mean {closest[0]!r}?" if closest else ""
        return f"unknown {kind} {chosen!r} in {self.where()}; known {known_as}: {', '.join(names) or 'none'}{hint}"

    def broker(self, name: str | None = None) -> BrokerConfig:
        """A configured broker; with none configured, kombu's in-memory broker named "memory"."""
        chosen = name or self.default_broker
        if chosen is None or (chosen == "memory" and not self.brokers):
            return BrokerConfig("memory")
        if chosen in self.brokers:
            return self.brokers[chosen]
        raise ConfigError(self._unknown("broker", chosen, self.brokers, "brokers"))

    def queue(self, name: str) -> QueueConfig:
        """A configured queue, or a queue of that name on the default broker."""
        found = self.queues.get(name)
        if found is not None:
            return found
        return QueueConfig(name=name, broker=self.broker().name, queue=name)

    def stub(self, name: str) -> StubConfig:
        """A stub of the ``stubs:`` section; any name when the section is absent (a stub
        needs no settings), but a name the section lacks is a typing mistake."""
        if name in self.stubs:
            return self.stubs[name]
        if self.stubs:
            raise ConfigError(self._unknown("stub", name, self.stubs, "stubs"))
        return StubConfig(name)
