"""The run and the test: what lives how long.

A :class:`Runtime` lasts the whole run and owns what is costly to build: the
configuration, keep-alive HTTP sessions, managed services, stub servers, broker
connections, global variables and the secrets to mask. A :class:`Context` lasts one
test (Robot) or scenario (pytest): its variables, headers, last response, messages
received and cleanup actions.
"""

from __future__ import annotations

import atexit
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .config import Config, ServiceConfig, load_config
from .errors import ConfigError, SeamlineError, ServiceError, ServiceUnreachable, UsageError
from .http.client import HttpClient, Request, Response, format_exchange
from .http.managed import ServiceManager
from .values.generators import Generators
from .values.secrets import Secrets
from .values.variables import Scope, ScopeListener, Variables

if TYPE_CHECKING:
    from .db.databases import Databases
    from .messaging.queues import Brokers
    from .stubs.servers import StubServers

__all__ = ["Cleanup", "Context", "LogSink", "Runtime"]

# What a managed service's start command may name besides ${port} and ${python}.
_RUN_REFERENCE = re.compile(r"\$\{(stub|broker):([^{}]+)\}")


class LogSink(Protocol):
    """Where a front end wants Seamline's log lines: Robot's log, or a pytest report section."""

    def write(self, message: str, level: str) -> None: ...


class MemorySink:
    """Keeps the lines of one test, for front ends that show them only on failure."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, message: str, level: str) -> None:
        self.lines.append(message)


class Runtime:
    """Everything that lives for the whole run."""

    def __init__(self, config_path: str | Path | None = None, environment: str | None = None) -> None:
        self.config_path = config_path
        self.environment = environment
        self.secrets = Secrets()
        self.globals: dict[str, object] = {}
        self.http = HttpClient()
        self.generators = Generators()
        self._config: Config | None = None
        self._services: ServiceManager | None = None
        self._databases: Databases | None = None
        # Per-area caches that last the run (documents read once), keyed by the area's own names.
        self.extras: dict[str, object] = {}
        self._stubs: StubServers | None = None
        self._brokers: Brokers | None = None
        # A run that dies without its front end's end-of-run hook must not leave services running.
        atexit.register(self.close)

    @property
    def config(self) -> Config:
        """Loaded on first use, so that a config error fails the step that needed it, not the import."""
        if self._config is None:
            config = load_config(self.config_path, self.environment)
            for value in config.secrets:
                self.secrets.add(value)
            self._config = config
        return self._config

    @property
    def services(self) -> ServiceManager:
        if self._services is None:
            path = self.config.path
            self._services = ServiceManager(path.parent if path else None, self._run_reference)
        return self._services

    @property
    def stubs(self) -> StubServers:
        if self._stubs is None:
            from .stubs.servers import StubServers  # werkzeug is loaded only by runs that stub something

            self._stubs = StubServers(self.config.stub)
        return self._stubs

    @property
    def brokers(self) -> Brokers:
        if self._brokers is None:
            from .messaging.queues import Brokers  # kombu is loaded only by runs that use a queue

            self._brokers = Brokers(self.config.broker)
        return self._brokers

    def _run_reference(self, text: str) -> str:
        """``${stub:payments}`` and ``${broker:events}`` in a start command: the URL of that stub
        (started now, so that the service can be told where it is) or broker."""

        def replace(match: re.Match[str]) -> str:
            kind, name = match.group(1), match.group(2).strip()
            if kind == "stub":
                return self.stubs.get(name).url
            if not self.config.brokers.get(name) and name != "memory":
                raise ConfigError(f"${{broker:{name}}}: unknown broker {name!r} in {self.config.where()}")
            return self.brokers.get(name).url

        return _RUN_REFERENCE.sub(replace, text)

    @property
    def databases(self) -> Databases:
        """The run's database engines, each created on first use and pooled."""
        if self._databases is None:
            from .db.databases import Databases  # SQLAlchemy loads only for runs that use a database

            self._databases = Databases(self)
        return self._databases

    def close(self) -> None:
        """Stop everything the run started; safe to call more than once."""
        self.http.close()
        if self._databases is not None:
            self._databases.close()
        # Services first: they may still be talking to the stubs and brokers.
        if self._services is not None:
            self._services.stop_all()
        if self._stubs is not None:
            self._stubs.stop_all()
        if self._brokers is not None:
            self._brokers.close()


@dataclass
class Cleanup:
    description: str
    action: Callable[[], None]


@dataclass
class Context:
    """One test or scenario."""

    runtime: Runtime
    suite: dict[str, object] = field(default_factory=dict)
    sink: LogSink = field(default_factory=MemorySink)
    listener: ScopeListener | None = None
    headers: dict[str, str] = field(default_factory=dict)
    service_name: str | None = None
    pending_params: list[tuple[str, str]] = field(default_factory=list)
    last_response: Response | None = None
    database_name: str | None = None
    last_query: tuple[str, str | None] | None = None  # (SQL, database) of "I run the query:"
    last_request: Request | None = None  # kept for the curl command shown when a test fails
    cleanups: list[Cleanup] = field(default_factory=list)
    # Per-area state that lasts the test (the API spec chosen, switches), keyed by the area's own names.
    extras: dict[str, object] = field(default_factory=dict)
    # Messages taken off each queue (by the name the test uses) and not yet matched by a check.
    received_messages: dict[str, list[Any]] = field(default_factory=dict)
    last_message: object | None = None
    stubbed: set[str] = field(default_factory=set)  # stubs this test has taken over

    def __post_init__(self) -> None:
        self.variables = Variables(
            self.suite,
            self.runtime.globals,
            self.runtime.secrets,
            self.listener,
            defaults=lambda: self.runtime.config.variables,
            generators=self.runtime.generators,
        )

    # -- logging --------------------------------------------------------------------

    def log(self, message: str, level: str = "INFO") -> None:
        self.sink.write(self.runtime.secrets.mask(message), level)

    # -- services and requests --------------------------------------------------------

    def service(self) -> ServiceConfig:
        return self.runtime.config.service(self.service_name)

    def use_service(self, name: str) -> None:
        self.runtime.config.service(name)  # fails now, with the known names, if it does not exist
        self.service_name = name

    def url_for(self, path: str, service: ServiceConfig | None = None) -> tuple[str, ServiceConfig | None]:
        """An absolute URL is used as it is; a path is joined to the service's base URL."""
        if path.startswith(("http://", "https://")):
            return path, None
        service = service or self.service()
        base = self.runtime.services.base_url(service)
        # Joined as text: urljoin parses both URLs on every request for the same result.
        return f"{base.rstrip('/')}/{path.lstrip('/')}" if path else base, service

    def build_request(self, method: str, path: str, service: ServiceConfig | None = None) -> Request:
        url, service = self.url_for(self.variables.expand(path, in_path=True), service)
        headers = dict(service.headers) if service else {}
        headers.update(self.headers)
        return Request(
            method=method.upper(),
            url=url,
            headers=headers,
            params=[(k, self.variables.expand(v)) for k, v in self.pending_params],
            timeout=service.timeout if service else 30.0,
            verify=service.verify_tls if service else True,
            retry=service.retry if service else None,
        )

    def send(self, request: Request, service_name: str | None = None, *, log: bool = True) -> Response:
        """Send ``request``, re-sending it after the failures its service's retry policy names.

        ``log=False`` leaves the exchange out of the log, for a caller that logs it its own way."""
        self.pending_params = []
        self.last_request = request
        name = service_name or self.service_name or self.runtime.config.default_service or "(url)"
        response = self._send_with_retry_policy(request, name)
        self.last_response = response
        if log:
            self.log_exchange(response)
        from .contract.conformance import check_response_automatically  # lazily: openapi-core only when a spec is used

        check_response_automatically(self, response)
        return response

    def _send_with_retry_policy(self, request: Request, service: str) -> Response:
        """Re-send after what the service's retry policy calls transient: a listed status, or
        no connection at all; the last attempt's outcome is the answer."""
        policy = request.retry
        attempts = policy.attempts if policy else 1
        for attempt in range(1, attempts + 1):
            transient = ""
            try:
                response = self.runtime.http.send(request, service)
                if policy and response.status in policy.statuses:
                    transient = f"{response.status} {response.reason}"
            except ServiceError as error:
                retried = policy is not None and policy.connection_errors and isinstance(error, ServiceUnreachable)
                if not retried or attempt == attempts:
                    self.log(f"{request.method} {request.url}\n-> {error.message}", "WARN")
                    raise
                transient = error.message or "no connection"
            if not transient or attempt == attempts:
                return response
            assert policy is not None
            self.log(f"{request.method} {request.url} -> {transient}; re-sending ({attempt}/{attempts})")
            time.sleep(policy.interval)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def log_exchange(self, response: Response) -> None:
        self.log(format_exchange(response, self.runtime.secrets, self.masked_headers()))

    def masked_headers(self) -> frozenset[str]:
        """Headers whose values are credentials here: those the auth profiles send tokens in."""
        config = self.runtime._config
        return config.auth_headers if config is not None else frozenset()

    def response(self) -> Response:
        if self.last_response is None:
            raise UsageError("no response yet: send a request before checking or storing its response")
        return self.last_response

    # -- variables ------------------------------------------------------------------

    def store(self, name: str, value: object, scope: Scope = Scope.TEST, secret: bool = False) -> None:
        self.variables.set(name, value, scope, secret)
        shown = "***" if secret else value
        self.log(f"${{{name}}} = {shown!r}" if not isinstance(shown, str) else f"${{{name}}} = {shown}")

    # -- cleanup --------------------------------------------------------------------

    def add_cleanup(self, description: str, action: Callable[[], None]) -> None:
        self.cleanups.append(Cleanup(description, action))

    def finish(self) -> list[str]:
        """Run the cleanup actions last-in-first-out; return the failures, one line each."""
        failures = []
        while self.cleanups:
            cleanup = self.cleanups.pop()
            try:
                cleanup.action()
            except SeamlineError as error:
                failures.append(f"cleanup '{cleanup.description}' failed: {error.message}")
            except Exception as error:
                failures.append(f"cleanup '{cleanup.description}' failed: {type(error).__name__}: {error}")
        for failure in failures:
            self.log(failure, "WARN")
        return failures
