"""``seamline.yaml``: services, databases, auth profiles, brokers, queues, stubs, variables and
named environments.

Secrets never live in the file: ``${env:NAME}`` (or ``${env:NAME:-default}``) reads an
environment variable when the file is loaded, and every value read that way outside a
service's address and start command is treated as a secret.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError

__all__ = [
    "CONFIG_NAMES",
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
    "find_config",
    "load_config",
]

CONFIG_NAMES = ("seamline.yaml", "seamline.yml")
DEFAULT_TIMEOUT = 30.0
_ENV_REFERENCE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


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

    spec: str  # a file (relative to seamline.yaml), a URL, or a path on the service such as /openapi.json
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
        chosen = name or self.default_service
        if chosen is None:
            raise ConfigError(
                f"no service is configured ({self.where()}): add a 'services' section to seamline.yaml"
            )
        try:
            return self.services[chosen]
        except KeyError:
            known = ", ".join(self.services) or "none"
            raise ConfigError(
                f"unknown service {chosen!r} in {self.where()}; known services: {known}"
            ) from None

    def database(self, name: str | None = None) -> DatabaseConfig:
        chosen = name or self.default_database
        if chosen is None:
            raise ConfigError(
                f"no database is configured ({self.where()}): add a 'databases' section to seamline.yaml"
            )
        try:
            return self.databases[chosen]
        except KeyError:
            known = ", ".join(self.databases) or "none"
            raise ConfigError(
                f"unknown database {chosen!r} in {self.where()}; known databases: {known}"
            ) from None

    def auth_profile(self, name: str | None = None) -> AuthProfile:
        chosen = name or self.default_auth
        if chosen is None:
            raise ConfigError(f"no auth profile is configured: add an 'auth' section ({self.where()})")
        try:
            return self.auth[chosen]
        except KeyError:
            known = ", ".join(self.auth) or "none"
            raise ConfigError(
                f"unknown auth profile {chosen!r} in {self.where()}; known profiles: {known}"
            ) from None


    def broker(self, name: str | None = None) -> BrokerConfig:
        """A configured broker; with none configured, kombu's in-memory broker named "memory"."""
        chosen = name or self.default_broker
        if chosen is None or (chosen == "memory" and not self.brokers):
            return BrokerConfig("memory")
        try:
            return self.brokers[chosen]
        except KeyError:
            known = ", ".join(self.brokers) or "none"
            raise ConfigError(f"unknown broker {chosen!r} in {self.where()}; known brokers: {known}") from None

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
            raise ConfigError(f"unknown stub {name!r} in {self.where()}; known stubs: {', '.join(self.stubs)}")
        return StubConfig(name)


def find_config(start: Path | None = None) -> Path | None:
    """The nearest seamline.yaml from ``start`` (the working directory) upward."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def load_config(path: str | Path | None = None, environment: str | None = None) -> Config:
    """Load the named file, or the nearest one; no file at all gives an empty config."""
    environment = environment or os.environ.get("SEAMLINE_ENV") or None
    named = path or os.environ.get("SEAMLINE_CONFIG") or None
    if named:
        file = Path(named).expanduser()
        if not file.is_file():
            raise ConfigError(f"config file {str(file)!r} does not exist (working directory {Path.cwd()})")
    else:
        found = find_config()
        if found is None:
            if environment:
                raise ConfigError(f"environment {environment!r} asked for, but no seamline.yaml found")
            return Config()
        file = found
    raw = _read_yaml(file)
    return _build(raw, file.resolve(), environment)


def _read_yaml(file: Path) -> dict[str, Any]:
    import yaml  # lazily: only runs that have a config file pay for it

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark, context = error.problem_mark, error.context_mark
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        started = f" ({error.context} on line {context.line + 1})" if context and error.context else ""
        raise ConfigError(f"{where}: invalid YAML: {error.problem}{started}") from None
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{file}: cannot read: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the top level must be a mapping of sections")
    return data


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _expand_env(value: object, secrets: set[str], secret: bool, where: str) -> Any:
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            found = os.environ.get(name, default)
            if found is None:
                raise ConfigError(
                    f"{where}: environment variable {name} is not set "
                    f"(write ${{env:{name}:-default}} to give a default)"
                )
            if secret and found:
                secrets.add(found)
            return found

        return _ENV_REFERENCE.sub(replace, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, secrets, secret, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, secrets, secret, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _section(raw: Mapping[str, Any], key: str, file: Path) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: '{key}' must be a mapping")
    return value


# "phrases" is read by core.phrasebook, when the front ends load (their keywords and steps depend on it).
_TOP_LEVEL = {
    "services", "default_service", "databases", "default_database", "auth", "default_auth", "variables",
    "environments", "brokers", "default_broker", "queues", "stubs", "phrases",
}  # fmt: skip


def _build(raw: dict[str, Any], file: Path, environment: str | None) -> Config:
    unknown = set(raw) - _TOP_LEVEL
    if unknown:
        raise ConfigError(
            f"{file}: unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_TOP_LEVEL))}"
        )
    environments = _section(raw, "environments", file)
    if environment:
        if environment not in environments:
            known = ", ".join(environments) or "none"
            raise ConfigError(f"{file}: unknown environment {environment!r}; known environments: {known}")
        raw = _merge(raw, environments[environment] or {})
    config = Config(path=file, environment=environment)

    for name, spec in _section(raw, "services", file).items():
        config.services[name] = _service(name, spec, file, config.secrets)
    config.default_service = raw.get("default_service") or next(iter(config.services), None)
    if config.default_service and config.default_service not in config.services:
        raise ConfigError(f"{file}: default_service {config.default_service!r} is not among the services")

    for name, spec in _section(raw, "databases", file).items():
        config.databases[name] = _database(name, spec, file, config)
    config.default_database = raw.get("default_database") or next(iter(config.databases), None)
    if config.default_database and config.default_database not in config.databases:
        raise ConfigError(f"{file}: default_database {config.default_database!r} is not among the databases")

    for name, spec in _section(raw, "auth", file).items():
        config.auth[name] = _auth_profile(name, spec, file, config)
    config.default_auth = raw.get("default_auth") or next(iter(config.auth), None)

    for name, spec in _section(raw, "variables", file).items():
        where = f"{file}: variables.{name}"
        if isinstance(spec, dict) and "value" in spec:
            secret = bool(spec.get("secret", False))
            value = _expand_env(spec["value"], config.secrets, secret, where)
            if secret:
                config.secrets.add(str(value))
        else:
            value = _expand_env(spec, config.secrets, True, where)
        config.variables[name] = value

    for name, spec in _section(raw, "brokers", file).items():
        config.brokers[name] = _broker(name, spec, file, config.secrets)
    config.default_broker = raw.get("default_broker") or next(iter(config.brokers), None)
    if config.default_broker and config.default_broker not in config.brokers:
        raise ConfigError(f"{file}: default_broker {config.default_broker!r} is not among the brokers")
    for name, spec in _section(raw, "queues", file).items():
        config.queues[name] = _queue(name, spec, file, config)
    for name, spec in _section(raw, "stubs", file).items():
        config.stubs[name] = _stub(name, spec, file)
    return config


def _number(spec: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = spec.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{where}.{key} must be a positive number of seconds, not {value!r}")
    return float(value)


def _service(name: str, spec: Any, file: Path, secrets: set[str]) -> ServiceConfig:
    where = f"{file}: services.{name}"
    if isinstance(spec, str):
        spec = {"base_url": spec}
    if not isinstance(spec, dict) or not spec.get("base_url"):
        raise ConfigError(f"{where} needs a base_url")
    spec = _expand_env(spec, secrets, False, where)
    headers = _expand_env(spec.get("headers") or {}, secrets, True, where)
    start = None
    if spec.get("start"):
        raw_start = spec["start"]
        if isinstance(raw_start, (str, list)):
            raw_start = {"command": raw_start}
        if not isinstance(raw_start, dict) or not raw_start.get("command"):
            raise ConfigError(f"{where}.start needs a command")
        port = raw_start.get("port", "auto")
        start = ManagedStart(
            command=raw_start["command"],
            health=str(raw_start.get("health", "/health")),
            timeout=_number(raw_start, "timeout", 30.0, f"{where}.start"),
            port=None if port in (None, "auto") else int(port),
            cwd=raw_start.get("cwd"),
            env={str(k): str(v) for k, v in (raw_start.get("env") or {}).items()},
        )
    return ServiceConfig(
        name=name,
        base_url=str(spec["base_url"]).rstrip("/"),
        timeout=_number(spec, "timeout", DEFAULT_TIMEOUT, where),
        verify_tls=bool(spec.get("verify_tls", True)),
        headers={str(k): str(v) for k, v in headers.items()},
        start=start,
        openapi=_openapi(spec.get("openapi"), where),
        retry=_retry(spec.get("retry"), f"{where}.retry"),
        until=_until(spec.get("until"), f"{where}.until"),
    )


def _database(name: str, spec: Any, file: Path, config: Config) -> DatabaseConfig:
    where = f"{file}: databases.{name}"
    if isinstance(spec, str):
        spec = {"url": spec}
    if not isinstance(spec, dict) or not spec.get("url"):
        raise ConfigError(f"{where} needs a url, such as sqlite:///shop.db or postgresql+psycopg://user@host/db")
    # Whatever comes from the environment in a URL (a password, or the whole URL) is masked.
    url = str(_expand_env(spec["url"], config.secrets, True, where))
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        config.secrets.add(password)
    service = spec.get("service")
    if service is not None and service not in config.services:
        raise ConfigError(f"{where}.service {service!r} is not among the services")
    return DatabaseConfig(
        name=name,
        url=url,
        service=service,
        connect_timeout=_number(spec, "connect_timeout", 10.0, where),
    )


def _openapi(raw: Any, where: str) -> OpenApiConfig | None:
    """``openapi: file-or-url``, or a mapping with ``spec`` and ``check_every_response``."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"spec": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("spec"), str) or not raw["spec"].strip():
        raise ConfigError(f"{where}.openapi needs a spec: a file, a URL or a path on the service such as /openapi.json")
    unknown = set(raw) - {"spec", "check_every_response"}
    if unknown:
        raise ConfigError(
            f"{where}.openapi: unknown key(s) {', '.join(sorted(unknown))}; known: spec, check_every_response"
        )
    every = raw.get("check_every_response", False)
    if not isinstance(every, bool):
        raise ConfigError(f"{where}.openapi.check_every_response must be true or false, not {every!r}")
    return OpenApiConfig(spec=raw["spec"].strip(), check_every_response=every)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a mapping")
    return value


def _known_keys(spec: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = set(spec) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")


def _retry(value: Any, where: str) -> RetryPolicy:
    spec = _mapping(value, where)
    _known_keys(spec, {"statuses", "connection_errors", "attempts", "interval"}, where)
    statuses = spec.get("statuses") or []
    if not isinstance(statuses, list) or not all(isinstance(s, int) and 100 <= s <= 599 for s in statuses):
        raise ConfigError(f"{where}.statuses must be a list of status codes such as [502, 503]")
    attempts = spec.get("attempts", 3)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        raise ConfigError(f"{where}.attempts must be a whole number of at least 1, not {attempts!r}")
    return RetryPolicy(
        statuses=frozenset(statuses),
        connection_errors=bool(spec.get("connection_errors", False)),
        attempts=attempts,
        interval=_number(spec, "interval", 0.5, where),
    )


def _until(value: Any, where: str) -> UntilSettings:
    spec = _mapping(value, where)
    _known_keys(spec, {"timeout", "interval"}, where)
    return UntilSettings(timeout=_number(spec, "timeout", 10.0, where), interval=_number(spec, "interval", 0.5, where))


def _broker(name: str, spec: Any, file: Path, secrets: set[str]) -> BrokerConfig:
    where = f"{file}: brokers.{name}"
    if isinstance(spec, str):
        spec = {"url": spec}
    spec = _mapping(spec, where)
    _known_keys(spec, {"url", "connect_timeout"}, where)
    # Like a service's address, not a secret as a whole; its password is hidden wherever it is shown.
    url = str(_expand_env(spec.get("url") or DEFAULT_BROKER_URL, secrets, False, where))
    if "://" not in url:
        raise ConfigError(f"{where}.url {url!r} is not a URL such as memory://, amqp://host// or redis://host:6379/0")
    return BrokerConfig(name=name, url=url, connect_timeout=_number(spec, "connect_timeout", 5.0, where))


def _queue(name: str, spec: Any, file: Path, config: Config) -> QueueConfig:
    where = f"{file}: queues.{name}"
    spec = _mapping(spec, where)
    _known_keys(spec, {"broker", "name", "wait"}, where)
    broker = spec.get("broker") or config.default_broker or "memory"
    if config.brokers and broker not in config.brokers:
        raise ConfigError(f"{where}.broker {broker!r} is not among the brokers ({', '.join(config.brokers)})")
    queue = str(_expand_env(spec.get("name") or name, config.secrets, False, where))
    return QueueConfig(name=name, broker=broker, queue=queue, wait=_number(spec, "wait", DEFAULT_QUEUE_WAIT, where))


def _stub(name: str, spec: Any, file: Path) -> StubConfig:
    where = f"{file}: stubs.{name}"
    spec = _mapping(spec, where)
    _known_keys(spec, {"port"}, where)
    port = spec.get("port", "auto")
    if port in (None, "auto"):
        return StubConfig(name)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(f"{where}.port must be a port number or auto, not {port!r}")
    return StubConfig(name, port)


def _auth_profile(name: str, spec: Any, file: Path, config: Config) -> AuthProfile:
    where = f"{file}: auth.{name}"
    if not isinstance(spec, dict):
        raise ConfigError(f"{where} must be a mapping")
    request = spec.get("request") or {}
    if not isinstance(request, dict) or not request.get("path"):
        raise ConfigError(f"{where}.request needs a path (the token endpoint)")
    service = spec.get("service")
    if service is not None and service not in config.services:
        raise ConfigError(f"{where}.service {service!r} is not among the services")
    users = _expand_env(spec.get("users") or {}, config.secrets, True, f"{where}.users")
    if not isinstance(users, dict) or not all(isinstance(u, dict) for u in users.values()):
        raise ConfigError(f"{where}.users must map each user name to its credentials")
    default_user = spec.get("default_user") or next(iter(users), None)
    return AuthProfile(
        name=name,
        service=service,
        method=str(request.get("method", "POST")).upper(),
        path=str(request["path"]),
        body=_expand_env(request.get("body"), config.secrets, True, f"{where}.request.body"),
        headers=_expand_env(request.get("headers") or {}, config.secrets, True, f"{where}.request"),
        token=str(spec.get("token", "$.token")),
        header=str(spec.get("header", "Authorization")),
        prefix=str(spec.get("prefix", "Bearer " if spec.get("header", "Authorization") == "Authorization" else "")),
        users=users,
        default_user=default_user,
    )
