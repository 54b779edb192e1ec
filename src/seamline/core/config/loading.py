"""Reading ``seamline.yaml``: YAML with line numbers and no duplicate keys, checked against
the declared schema (:mod:`.schema`), then built into :mod:`.settings`.

Every mistake is one line: ``file:line: what is wrong at which dotted path``, with the
closest known key or the allowed values. Secrets never live in the file: ``${env:NAME}``
(or ``${env:NAME:-default}``) reads an environment variable when the file is loaded; a value
read that way is a secret unless it names something (a service's address and start command,
a broker URL, a user's name, a variable marked ``secret: false``). A value naming a generator
(``${unique}``) becomes a :class:`~seamline.core.values.variables.Generated` text, filled per
test (``Variables.fill_generated``) or once per run (``Runtime.with_worker``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..values.collector import collector_paused
from ..values.variables import Generated, escape, names_generators
from .settings import (
    CONFIG_NAMES,
    DEFAULT_BROKER_URL,
    IDENTITY_FIELDS,
    AuthProfile,
    BrokerConfig,
    Config,
    DatabaseConfig,
    ManagedStart,
    OpenApiConfig,
    QueueConfig,
    RetryPolicy,
    ServiceConfig,
    StubConfig,
    UntilSettings,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .schema import ConfigFileModel

__all__ = ["LocatedDict", "LocatedList", "closest", "find_config", "load_config", "read_yaml"]

_ENV_REFERENCE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
PathParts = tuple[str | int, ...]


# -- YAML with line numbers ------------------------------------------------------------------


# What a managed service's start command may name besides ${port} and ${python}.
START_REFERENCE = re.compile(r"\$\{(stub|broker):([^{}]+)\}")


class LocatedDict(dict[Any, Any]):
    """A YAML mapping that remembers the line (1-based) of each key and of the mapping."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 1
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[str, int, int]] = []  # (key, its line, the first one's line)

    def key_line(self, key: Any, default: int = 1) -> int:
        return self.key_lines.get(key, default)


class LocatedList(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 1
        self.lines: list[int] = []

    def item_line(self, index: int, default: int = 1) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else default


def read_yaml(file: Path) -> Any:
    """The file's YAML, its mappings and lists located; a duplicate key is an error."""
    import yaml  # lazily: only runs that have a config file pay for it

    class Loader(yaml.SafeLoader):
        pass

    def construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Iterable[LocatedDict]:
        data = LocatedDict()
        data.line = node.start_mark.line + 1
        yield data
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` may be overridden by the keys written beside it
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, str) and key in seen:
                data.duplicates.append((key, line, seen[key]))
            if isinstance(key, str):
                seen[key] = line
        data.update(loader.construct_mapping(node))  # also flattens merge keys into node.value
        for key_node, _ in node.value:
            key = loader.construct_object(key_node)
            if isinstance(key, (str, int, float, bool)):
                data.key_lines[key] = key_node.start_mark.line + 1

    def construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Iterable[LocatedList]:
        data = LocatedList()
        data.line = node.start_mark.line + 1
        yield data
        data.extend(loader.construct_sequence(node))
        data.lines = [item.start_mark.line + 1 for item in node.value]

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=Loader)  # a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as error:
        mark, context = error.problem_mark, error.context_mark
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        started = f" ({error.context} on line {context.line + 1})" if context and error.context else ""
        raise ConfigError(f"{where}: invalid YAML: {error.problem}{started}") from None
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{file}: cannot read: {error}") from None
    _refuse_duplicates(data, (), file)
    return data


def _refuse_duplicates(data: Any, path: tuple[str | int, ...], file: Path) -> None:
    """The first duplicate key, told with the path of the mapping it is written in (the
    reader sees keys before it knows where their mapping sits)."""
    if isinstance(data, LocatedDict):
        for key, line, first in data.duplicates:
            under = f"under {dotted(path)}" if path else "at the top level"
            raise ConfigError(f"{file}:{line}: duplicate key {key!r} {under} (first on line {first})")
        for key, value in data.items():
            _refuse_duplicates(value, (*path, key), file)
    elif isinstance(data, LocatedList):
        for index, item in enumerate(data):
            _refuse_duplicates(item, (*path, index), file)


def line_of(data: Any, path: Sequence[str | int]) -> int:
    """The line of the key (or list item) at ``path``; as deep as the data goes."""
    line = getattr(data, "line", 1)
    node = data
    for part in path:
        if isinstance(node, LocatedDict) and part in node:
            line, node = node.key_line(part, line), node[part]
        elif isinstance(node, LocatedList) and isinstance(part, int) and 0 <= part < len(node):
            line, node = node.item_line(part, line), node[part]
        else:
            break
    return line


def dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def closest(word: object, known: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest known word, else the list of known words."""
    names = [str(k) for k in known]
    match = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    if match:
        return f"; did you mean {match[0]!r}?"
    return f"; known: {', '.join(names)}" if names else "; there are none"


# -- pydantic's errors as one line -------------------------------------------------------------

_TYPES = {
    "bool_type": "true or false", "string_type": "a text", "int_type": "a whole number",
    "float_type": "a number", "dict_type": "a mapping", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "list_type": "a list", "none_required": "empty",
}  # fmt: skip


def _error_line(
    error: Mapping[str, Any], data: Any, file: Path, prefix_for: Callable[[list[str | int]], PathParts] = lambda _: ()
) -> tuple[int, str]:
    """(line, message) for one pydantic error; the path follows the data, not pydantic's
    union tags. ``prefix_for`` names where a path was written (an environment)."""
    loc = tuple(error["loc"])
    path: list[str | int] = []
    node = data
    for part in loc:
        if _holds(node, part):
            path.append(part)
            node = node[part]
    key = (error.get("ctx") or {}).get("key") if error["type"] == "unknown_key" else None
    prefix = prefix_for([*path, key] if key is not None else path)
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    here = dotted((*prefix, *path))
    if kind == "unknown_key":
        key = ctx["key"]
        line = line_of(data, [*path, key])
        if not here:
            return line, f"unknown section(s) {key}{closest(key, ctx['known'])}"
        return line, f"unknown key {key!r} under {here}{closest(key, ctx['known'])}"
    line = line_of(data, path)
    if kind == "missing":
        field = loc[-1]
        article = "an" if str(field)[:1] in "aeiou" else "a"
        return line, f"{here} needs {article} {field}"
    if kind in _TYPES:
        return line, f"{here} must be {_TYPES[kind]}, not {value!r}"
    if kind == "literal_error":
        return line, f"{here} must be one of {ctx.get('expected')}, not {value!r}"
    if kind == "string_too_short":
        return line, f"{here} must not be empty"
    if kind in ("too_short", "too_long"):
        return line, f"{here}: {error['msg'].lower()}"
    if kind == "string_pattern_mismatch":
        return line, f"{here} must not be blank"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return line, f"{here} {error['msg'].replace('Input should be', 'must be').lower()}, not {value!r}"
    message = error["msg"]
    if kind in ("seconds", "attempts", "statuses", "port", "shorthand"):  # ours
        return line, f"{here} {message}, not {value!r}" if kind == "shorthand" else f"{here} {message}"
    return line, f"{here} {message[:1].lower()}{message[1:]}"


def _validate(
    model: type[BaseModel], data: Any, file: Path, prefix_for: Callable[[list[str | int]], PathParts] = lambda _: ()
) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as error:
        # One line: the first mistake in the file's own order.
        line, message = min(_error_line(e, data, file, prefix_for) for e in error.errors(include_url=False))
        raise ConfigError(f"{file}:{line}: {message}") from None


# -- finding and loading -------------------------------------------------------------------------


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
    file = file.resolve()
    # Loading the schema's models makes tens of thousands of objects that live for the run: at
    # start-up the collections they triggered (one of them full) cost about as much as the models.
    with collector_paused():
        raw = read_yaml(file)
        if raw is None:
            raw = LocatedDict()
        if not isinstance(raw, LocatedDict):
            raise ConfigError(f"{file}:1: the top level must be a mapping of sections")
        return _Loader(file, raw).load(environment)


# Sections whose entries may be written as one text: the key that text stands for.
_SHORT_KEYS = {"services": "base_url", "databases": "url", "brokers": "url"}


def _merge(base: Mapping[str, Any], override: Mapping[str, Any], section: str = "") -> LocatedDict:
    """``override`` over ``base``, mappings merged key by key; lines follow the value kept."""
    merged = LocatedDict(base)
    merged.line = getattr(base, "line", 1)
    merged.key_lines = dict(getattr(base, "key_lines", {}))
    for key, value in override.items():
        if section in _SHORT_KEYS and isinstance(value, Mapping) and isinstance(merged.get(key), str):
            # `shop: http://x` overridden by `shop: {timeout: 3}`: the URL stays.
            merged[key] = {_SHORT_KEYS[section]: merged[key]}
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value, key if not section and key in _SHORT_KEYS else "")
        else:
            merged[key] = value
        if isinstance(override, LocatedDict) and key in override.key_lines:
            merged.key_lines[key] = override.key_lines[key]
    return merged


class _Loader:
    def __init__(self, file: Path, raw: LocatedDict) -> None:
        self.file = file
        self.raw = raw
        self.data: Mapping[str, Any] = raw  # the document being built: the base, or an environment merged over it
        self.prefix: PathParts = ()
        self.override: Mapping[str, Any] = {}

    def at(self, *path: str | int) -> str:
        """``file:line: dotted.path``; inside an environment, the line it was written on."""
        in_override = _has(self.override, path)
        line = line_of(self.data, path)
        shown = (*self.prefix, *path) if in_override else path
        return f"{self.file}:{line}: {dotted(shown)}"

    def load(self, environment: str | None) -> Config:
        from .schema import ConfigFileModel

        base_raw = _without(self.raw, "phrases")  # the phrasebook checks its own
        base = _validate(ConfigFileModel, base_raw, self.file)
        self._check_references(base)
        environments = base.environments or {}
        for name in environments:
            override = self.raw["environments"][name] or {}
            self._environment(name, override)
        if environment:
            if environment not in environments:
                known = ", ".join(environments) or "none"
                raise ConfigError(f"{self.file}: unknown environment {environment!r}; known environments: {known}")
            model = self._environment(environment, self.raw["environments"][environment] or {})
        else:
            self.data, self.prefix, self.override = base_raw, (), {}
            model = base
        return self._build(model, environment)

    def _environment(self, name: str, override: Mapping[str, Any]) -> Any:
        from .schema import ENVIRONMENT_SECTIONS, ConfigFileModel

        prefix: PathParts = ("environments", name)
        for section in ENVIRONMENT_SECTIONS:
            entries = override.get(section) or {}
            known = self.raw.get(section) or {}
            for entry in entries:
                if entry not in known:
                    line = line_of(self.raw, (*prefix, section, entry))
                    what = section.rstrip("s") if section != "auth" else "auth profile"
                    raise ConfigError(
                        f"{self.file}:{line}: {dotted((*prefix, section, entry))} overrides an unknown "
                        f"{what} {entry!r}{closest(entry, known)}"
                    )
        merged = _merge(_without(self.raw, "phrases", "environments"), override)
        self.data, self.prefix, self.override = merged, prefix, override
        # A mistake written in the environment is named there; one in the base, in the base.
        model = _validate(ConfigFileModel, merged, self.file, lambda path: prefix if _has(override, path) else ())
        self._check_references(model)
        return model

    # -- references between sections --------------------------------------------------------

    def _check_references(self, model: ConfigFileModel) -> None:
        services, databases = model.services or {}, model.databases or {}
        auth, brokers = model.auth or {}, model.brokers or {}
        for key, chosen, known in (
            ("default_service", model.default_service, services),
            ("default_database", model.default_database, databases),
            ("default_auth", model.default_auth, auth),
            ("default_broker", model.default_broker, brokers),
        ):
            if chosen and chosen not in known:
                section = key.removeprefix("default_")
                names = "services" if section == "service" else "auth profiles" if section == "auth" else section + "s"
                raise ConfigError(f"{self.at(key)} {chosen!r} is not among the {names}{closest(chosen, known)}")
        for name, database in databases.items():
            service = getattr(database, "service", None)
            if service is not None and service not in services:
                raise ConfigError(
                    f"{self.at('databases', name, 'service')} {service!r} is not among the services"
                    f"{closest(service, services)}"
                )
        for name, profile in auth.items():
            if profile.oauth2 is None and profile.request is None:
                raise ConfigError(f"{self.at('auth', name)} needs a request (or an oauth2 grant and its token_url)")
            if profile.oauth2 is not None and (profile.request is not None or profile.token_url is None):
                raise ConfigError(
                    f"{self.at('auth', name, 'oauth2')}: an oauth2 profile names its token_url, and has no request"
                )
            if profile.service is not None and profile.service not in services:
                raise ConfigError(
                    f"{self.at('auth', name, 'service')} {profile.service!r} is not among the services"
                    f"{closest(profile.service, services)}"
                )
            users = profile.users or {}
            if profile.default_user is not None and profile.default_user not in users:
                raise ConfigError(
                    f"{self.at('auth', name, 'default_user')} {profile.default_user!r} is not among the users"
                    f"{closest(profile.default_user, users)}"
                )
        for name, queue in (model.queues or {}).items():
            broker = queue.broker if queue is not None else None
            broker = broker or model.default_broker or next(iter(brokers), None) or "memory"
            if broker not in brokers and broker != "memory":
                raise ConfigError(
                    f"{self.at('queues', name, 'broker')} {broker!r} is not among the brokers "
                    f"({', '.join(brokers) or 'none: without a brokers section, queues use the broker memory'})"
                    + (closest(broker, brokers) if closest(broker, brokers).startswith("; did") else "")
                )
        for name, service in services.items():
            start = getattr(service, "start", None)
            if start is not None:
                self._check_start_references(name, start, model)

    def _check_start_references(self, service: str, start: object, model: ConfigFileModel) -> None:
        """``${stub:NAME}`` and ``${broker:NAME}`` in a start command name a stub and a broker of
        the file (any stub name when there is no stubs section: a stub needs no settings)."""
        from .schema import ManagedStartModel

        command = start.command if isinstance(start, ManagedStartModel) else start
        text = command if isinstance(command, str) else " ".join(map(str, command))  # type: ignore[call-overload]
        stubs, brokers = model.stubs or {}, model.brokers or {}
        for kind, name in START_REFERENCE.findall(text):
            name = name.strip()
            known: Mapping[str, object] = stubs if kind == "stub" else brokers
            if (kind == "stub" and not stubs) or name in known or (kind == "broker" and name == "memory"):
                continue
            path: tuple[str, ...] = ("services", service, "start")
            if isinstance(start, ManagedStartModel):
                path = (*path, "command")
            raise ConfigError(
                f"{self.at(*path)}: ${{{kind}:{name}}} names no {kind} of the file{closest(name, known)}"
            )

    # -- settings -------------------------------------------------------------------------------

    def _build(self, model: ConfigFileModel, environment: str | None) -> Config:
        from .schema import BrokerModel, DatabaseModel, ServiceModel

        config = Config(path=self.file, environment=environment)
        for name, spec in (model.services or {}).items():
            spec = spec if isinstance(spec, ServiceModel) else ServiceModel(base_url=spec)
            config.services[name] = self._service(name, spec, config.secrets)
        config.default_service = model.default_service or next(iter(config.services), None)

        for name, db in (model.databases or {}).items():
            db = db if isinstance(db, DatabaseModel) else DatabaseModel(url=db)
            config.databases[name] = self._database(name, db, config.secrets)
        config.default_database = model.default_database or next(iter(config.databases), None)

        for name, profile in (model.auth or {}).items():
            config.auth[name] = self._auth_profile(name, profile, config.secrets)
        config.default_auth = model.default_auth or next(iter(config.auth), None)

        for name, spec in (model.variables or {}).items():
            config.variables[name] = self._variable(name, spec, config.secrets)

        for name, broker in (model.brokers or {}).items():
            broker = broker if isinstance(broker, BrokerModel) else BrokerModel(url=broker)
            config.brokers[name] = self._broker(name, broker, config.secrets)
        config.default_broker = model.default_broker or next(iter(config.brokers), None)
        for name, queue in (model.queues or {}).items():
            broker_name = (queue.broker if queue else None) or config.default_broker or "memory"
            queue_name = (queue.name if queue else None) or name
            config.queues[name] = QueueConfig(
                name=name,
                broker=broker_name,
                queue=_text(self._expand(queue_name, config.secrets, False, ("queues", name))),
                wait=queue.wait if queue else QueueConfig.wait,
            )
        for name, stub in (model.stubs or {}).items():
            port = stub.port if stub else None
            config.stubs[name] = StubConfig(name, None if port in (None, "auto") else int(port))
        return config

    def _expand(self, value: object, secrets: set[str], secret: bool, path: PathParts) -> Any:
        if isinstance(value, str):
            # Generators are read per test (Variables.fill_generated); what comes from the
            # environment then goes in escaped, so that it is never expanded.
            generated = names_generators(value)

            def replace(match: re.Match[str]) -> str:
                name, default = match.group(1), match.group(2)
                found = os.environ.get(name, default)
                if found is None:
                    raise ConfigError(
                        f"{self.at(*path)}: environment variable {name} is not set "
                        f"(write ${{env:{name}:-default}} to give a default)"
                    )
                if secret and found:
                    secrets.add(found)
                return escape(found) if generated else found

            expanded = _ENV_REFERENCE.sub(replace, value)
            # Filled per test, the value is a secret where what it read from the environment is:
            # "cfg-${unique}@x" is test data, "${env:KEY}-${unique}" is not.
            from_env = secret and _ENV_REFERENCE.search(value) is not None
            return Generated(expanded, from_env) if generated else expanded
        if isinstance(value, dict):
            return {k: self._expand(v, secrets, secret, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._expand(v, secrets, secret, (*path, i)) for i, v in enumerate(value)]
        return value

    def _service(self, name: str, spec: Any, secrets: set[str]) -> ServiceConfig:
        from .schema import ManagedStartModel, OpenApiModel, RetryModel, UntilModel

        path: PathParts = ("services", name)
        start = None
        if spec.start is not None:
            raw = spec.start if isinstance(spec.start, ManagedStartModel) else ManagedStartModel(command=spec.start)
            port = raw.port
            env = self._expand(raw.env or {}, secrets, False, (*path, "start", "env"))
            start = ManagedStart(
                command=self._expand(raw.command, secrets, False, (*path, "start", "command")),
                health=self._expand(raw.health, secrets, False, (*path, "start", "health")),
                timeout=raw.timeout,
                port=None if port in (None, "auto") else int(port),
                cwd=self._expand(raw.cwd, secrets, False, (*path, "start", "cwd")),
                env={str(k): _text(v) for k, v in env.items()},
            )
        openapi = None
        if spec.openapi is not None:
            raw_openapi = spec.openapi if isinstance(spec.openapi, OpenApiModel) else OpenApiModel(spec=spec.openapi)
            openapi = OpenApiConfig(
                spec=_text(self._expand(raw_openapi.spec, secrets, False, (*path, "openapi")), str.strip),
                check_every_response=raw_openapi.check_every_response,
            )
        retry, until = spec.retry or RetryModel(), spec.until or UntilModel()
        # Headers read from the environment are secrets (an API key); the address is not.
        headers = self._expand(spec.headers or {}, secrets, True, (*path, "headers"))
        return ServiceConfig(
            name=name,
            base_url=_text(self._expand(spec.base_url, secrets, False, (*path, "base_url")), lambda u: u.rstrip("/")),
            timeout=spec.timeout,
            verify_tls=spec.verify_tls,
            headers={str(k): _text(v) for k, v in headers.items()},
            start=start,
            openapi=openapi,
            retry=RetryPolicy(
                statuses=frozenset(retry.statuses),
                connection_errors=retry.connection_errors,
                attempts=retry.attempts,
                interval=retry.interval,
            ),
            until=UntilSettings(timeout=until.timeout, interval=until.interval),
            keep_cookies=spec.keep_cookies,
            follow_redirects=spec.follow_redirects,
            graphql=spec.graphql,
            client_cert=self._file(spec.client_cert, secrets, (*path, "client_cert")),
            client_key=self._file(spec.client_key, secrets, (*path, "client_key")),
        )

    def _file(self, written: str | None, secrets: set[str], path: PathParts) -> str | None:
        """A file named in the config, relative to its folder; whether it exists is checked on use."""
        if written is None:
            return None
        name = Path(str(self._expand(written, secrets, False, path))).expanduser()
        return str(name if name.is_absolute() or self.file is None else Path(self.file).parent / name)

    def _database(self, name: str, spec: Any, secrets: set[str]) -> DatabaseConfig:
        # Whatever comes from the environment in a URL (a password, or the whole URL) is masked.
        url = _text(self._expand(spec.url, secrets, True, ("databases", name, "url")))
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            secrets.add(password)
        return DatabaseConfig(name=name, url=url, service=spec.service, connect_timeout=spec.connect_timeout)

    def _auth_profile(self, name: str, spec: Any, secrets: set[str]) -> AuthProfile:
        from .schema import RequestModel

        path: PathParts = ("auth", name)
        users = {
            user: {
                key: self._expand(value, secrets, str(key).lower() not in IDENTITY_FIELDS, (*path, "users", user, key))
                for key, value in fields.items()
            }
            for user, fields in (spec.users or {}).items()
        }
        # An OAuth2 grant is a form POST to its token URL, built when the token is asked for.
        request = spec.request or RequestModel(path=spec.token_url or "/")
        prefix = spec.prefix if spec.prefix is not None else ("Bearer " if spec.header == "Authorization" else "")
        return AuthProfile(
            name=name,
            service=spec.service,
            method=request.method.upper(),
            path=str(self._expand(request.path, secrets, False, (*path, "token_url" if spec.oauth2 else "request"))),
            body=self._expand(request.body, secrets, True, (*path, "request", "body")),
            headers=self._expand(request.headers or {}, secrets, True, (*path, "request", "headers")),
            token=spec.token or ("$.access_token" if spec.oauth2 else "$.token"),
            header=spec.header,
            prefix=prefix,
            users=users,
            default_user=spec.default_user or next(iter(users), None),
            oauth2=spec.oauth2,
            scope=spec.scope,
            client_auth=spec.client_auth,
            lifetime=spec.lifetime,
            cache=spec.cache,
        )

    def _variable(self, name: str, spec: Any, secrets: set[str]) -> Any:
        path: PathParts = ("variables", name)
        if isinstance(spec, dict) and "value" in spec:
            # {value: ..., secret: true}: any other key is a typo, not a mapping the test reads.
            for key in spec:
                if key not in ("value", "secret"):
                    line = line_of(self.data, (*path, key))
                    where = dotted((*self.prefix, *path) if _has(self.override, (*path, key)) else path)
                    raise ConfigError(f"{self.file}:{line}: unknown key {key!r} under {where}"
                                      f"{closest(key, ['value', 'secret'])}")  # fmt: skip
            secret = spec.get("secret", False)
            if not isinstance(secret, bool):
                raise ConfigError(f"{self.at(*path, 'secret')} must be true or false, not {secret!r}")
            value = self._expand(spec["value"], secrets, secret, path)
            if secret and isinstance(value, Generated):
                return Generated(value, True)  # masked once filled, in each test
            if secret:
                secrets.add(str(value))
            return value
        return self._expand(spec, secrets, True, path)

    def _broker(self, name: str, spec: Any, secrets: set[str]) -> BrokerConfig:
        # Like a service's address, not a secret as a whole; its password is hidden wherever it is shown.
        url = _text(self._expand(spec.url or DEFAULT_BROKER_URL, secrets, False, ("brokers", name, "url")))
        if "://" not in url:
            raise ConfigError(
                f"{self.at('brokers', name, 'url')} {url!r} is not a URL such as memory://, amqp://host// "
                "or redis://host:6379/0"
            )
        return BrokerConfig(name=name, url=url, connect_timeout=spec.connect_timeout)


def _text(value: object, trim: Callable[[str], str] = str) -> str:
    """``value`` as text, trimmed; a :class:`Generated` text stays one, to be filled per test."""
    text = trim(str(value))
    return Generated(text, value.secret) if isinstance(value, Generated) else text


def _without(data: LocatedDict, *keys: str) -> LocatedDict:
    kept = LocatedDict({k: v for k, v in data.items() if k not in keys})
    kept.line, kept.key_lines = data.line, data.key_lines
    return kept


def _holds(node: Any, part: str | int) -> bool:
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _has(data: Any, path: Sequence[str | int]) -> bool:
    node = data
    for part in path:
        if not _holds(node, part):
            return False
        node = node[part]
    return bool(path)
