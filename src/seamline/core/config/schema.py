"""The declared shape of ``seamline.yaml`` and ``phrases.yaml``: pydantic models that both
validate a file and give its JSON Schema (``seamline schema``).

The models describe the file as written (``${env:...}`` still unexpanded, shorthand forms
such as ``shop: http://host`` allowed); :mod:`.loading` turns a validated file into the
settings the rest of Seamline reads. Imported only when a file is loaded: pydantic is not
paid for by ``import seamline``.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from annotated_types import Gt, Lt, MinLen
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter, model_validator
from pydantic.functional_validators import BeforeValidator
from pydantic_core import PydanticCustomError

__all__ = [
    "ENVIRONMENT_SECTIONS",
    "AuthProfileModel",
    "BrokerModel",
    "ConfigFileModel",
    "DatabaseModel",
    "EnvironmentModel",
    "ManagedStartModel",
    "OpenApiModel",
    "PhraseModel",
    "QueueModel",
    "RetryModel",
    "ServiceModel",
    "StubModel",
    "UntilModel",
    "config_json_schema",
    "phrasebook_json_schema",
]


class _Strict(BaseModel):
    """A mapping of the file: no key it does not declare, no silent type conversion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # Ahead of pydantic's own "extra" error, which does not say what the keys may be.
        if isinstance(data, dict):
            known = list(cls.model_fields)
            for key in data:
                if key not in known:
                    raise PydanticCustomError("unknown_key", "unknown key", {"key": key, "known": known})
        return data


# -- values with their own message ------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _seconds(value: object) -> object:
    if not _is_number(value) or value <= 0:  # type: ignore[operator]
        message = "must be a positive number of seconds, not {value}"
        raise PydanticCustomError("seconds", message, {"value": repr(value)})
    return float(value)  # type: ignore[arg-type]


def _attempts(value: object) -> object:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PydanticCustomError(
            "attempts", "must be a whole number of at least 1, not {value}", {"value": repr(value)}
        )
    return value


def _statuses(value: object) -> object:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in value
    ):
        raise PydanticCustomError("statuses", "must be a list of status codes such as [502, 503], not {value}",
                                  {"value": repr(value)})  # fmt: skip
    return value


def _port(value: object) -> object:
    if value is None or value == "auto":
        return value
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        raise PydanticCustomError("port", "must be a port number or auto, not {value}", {"value": repr(value)})
    return value


# Constraints as annotated_types markers, not Field(...): pydantic before 2.12 let a field's
# default leak into a Field() shared through an alias, so that one field took another's.
Seconds = Annotated[float, Gt(0), BeforeValidator(_seconds)]  # constraint first: it reaches the JSON Schema
Port = Annotated[Annotated[int, Gt(0), Lt(65536)] | Literal["auto"] | None, BeforeValidator(_port)]
NonEmpty = Annotated[str, MinLen(1)]
# Header and env values: YAML reads `X-Retry: 3` as a number; Seamline sends it as text.
Scalar = str | int | float | bool


def _shorthand(short: Any, model: type[BaseModel], written: str, lists: bool = False) -> Any:
    """A value written short (a text, or a list) or as the full mapping; the tag keeps
    pydantic's messages to the form that was written."""

    def form(value: object) -> str | None:
        if isinstance(value, (dict, BaseModel)):
            return "mapping"
        return "short" if isinstance(value, str) or (lists and isinstance(value, list)) else None

    return Annotated[
        Annotated[short, Tag("short")] | Annotated[model, Tag("mapping")],
        Discriminator(form, custom_error_type="shorthand", custom_error_message=f"must be {written}"),
    ]


# -- sections -----------------------------------------------------------------------------


class ManagedStartModel(_Strict):
    """How Seamline starts the service itself: once per run, on first use."""

    command: NonEmpty | Annotated[list[str], Field(min_length=1)] = Field(
        description="The command line; ${port} is the port, ${python} the interpreter running the tests."
    )
    health: str = Field(default="/health", description="Polled until it answers below 400.")
    timeout: Seconds = Field(default=30.0, description="Seconds to wait for the health check.")
    port: Port = Field(default="auto", description="A fixed port, or auto for a free one.")
    cwd: str | None = Field(default=None, description="The folder the command runs in; default: seamline.yaml's.")
    env: dict[str, Scalar] | None = Field(default=None, description="Environment variables added for the command.")


class OpenApiModel(_Strict):
    spec: Annotated[str, Field(min_length=1, pattern=r"\S")] = Field(
        description="A file (beside the test, then seamline.yaml), a URL, or a path on the service (/openapi.json)."
    )
    check_every_response: bool = Field(
        default=False, description="true: every response of this service, in every test, must conform."
    )


class RetryModel(_Strict):
    """Which failures of a service are transient, re-sent up to `attempts` times in all."""

    statuses: Annotated[list[Annotated[int, Field(ge=100, le=599)]], BeforeValidator(_statuses)] = Field(
        default=[], description="Statuses that are re-sent, e.g. [502, 503]."
    )
    connection_errors: bool = Field(default=False, description="true: a request that got no connection is re-sent too.")
    attempts: Annotated[int, Field(ge=1), BeforeValidator(_attempts)] = Field(
        default=3, description="Requests in all, the first one included."
    )
    interval: Seconds = Field(default=0.5, description="Seconds between attempts.")


class UntilModel(_Strict):
    """How `I GET "..." until ...` polls the service unless the step names its own time."""

    timeout: Seconds = Field(default=10.0, description='Seconds "... until ..." polls, unless the step names its time.')
    interval: Seconds = Field(default=0.5, description="Seconds between two polls.")


_StartForms = _shorthand(NonEmpty | list[str], ManagedStartModel, "a command line, a list or a mapping", lists=True)


class ServiceModel(_Strict):
    base_url: NonEmpty = Field(description="The service's address; paths of the steps are relative to it.")
    timeout: Seconds = Field(default=30.0, description="Seconds each request may take.")
    verify_tls: bool = Field(default=True, description="false for a self-signed certificate.")
    headers: dict[str, Scalar] | None = Field(default=None, description="Headers sent with every request to it.")
    start: _StartForms | None = None  # type: ignore[valid-type]
    openapi: _shorthand(str, OpenApiModel, "a file, a URL or a mapping") | None = None  # type: ignore[valid-type]
    retry: RetryModel | None = None
    until: UntilModel | None = None
    keep_cookies: bool = Field(
        default=False, description="true: the cookies the service sets last the whole run, not one test."
    )
    follow_redirects: bool = Field(
        default=True, description="false: a redirect (3xx) is the answer, its Location header checkable."
    )
    graphql: NonEmpty = Field(default="/graphql", description='The path "I send the GraphQL query:" posts to.')
    client_cert: NonEmpty | None = Field(
        default=None, description="A client certificate (PEM, relative to seamline.yaml) for mutual TLS."
    )
    client_key: NonEmpty | None = Field(default=None, description="Its private key, unless client_cert holds both.")


class DatabaseModel(_Strict):
    url: NonEmpty = Field(description="A SQLAlchemy URL such as sqlite:///shop.db or postgresql+psycopg://user@host/db.")
    service: str | None = Field(default=None, description="A managed service to start before the first connection.")
    connect_timeout: Seconds = Field(default=10.0, description="Seconds to wait for a connection.")


class RequestModel(_Strict):
    method: NonEmpty = "POST"
    path: NonEmpty = Field(description="The token endpoint.")
    body: Any = Field(default=None, description="Its JSON body; ${username} and ${password} are the user's.")
    headers: dict[str, Any] | None = None


class AuthProfileModel(_Strict):
    service: str | None = Field(default=None, description="Default: the current service.")
    request: RequestModel | None = Field(default=None, description="The token request (not with oauth2).")
    oauth2: Literal["client_credentials", "refresh_token"] | None = Field(
        default=None, description="An OAuth2 grant instead of a request: its users give client_id, client_secret "
        "(and refresh_token)."
    )
    token_url: NonEmpty | None = Field(default=None, description="oauth2: the token endpoint, a path or a URL.")
    scope: str | None = Field(default=None, description="oauth2: the scope asked for.")
    client_auth: Literal["basic", "body"] = Field(
        default="basic", description="oauth2: the client's id and secret in a Basic header, or in the form."
    )
    lifetime: Seconds | None = Field(
        default=None, description="Seconds a token lasts when neither its JWT exp nor expires_in says."
    )
    cache: bool = Field(default=True, description="false: obtain a new token in every test.")
    token: str | None = Field(
        default=None, description="JSONPath of the token in the answer; default $.token ($.access_token for oauth2)."
    )
    header: str = Field(default="Authorization", description="The header later requests carry the token in.")
    prefix: str | None = Field(default=None, description='Default "Bearer " for Authorization, "" otherwise.')
    users: dict[str, dict[str, Any]] | None = Field(
        default=None, description="Users by name, with their password (or client_secret ...); the first is the default."
    )
    default_user: str | None = Field(default=None, description="The user \"I obtain a token\" signs in as.")


class BrokerModel(_Strict):
    url: NonEmpty | None = Field(default=None, description="memory:// (default), filesystem://, amqp://..., redis://...")
    connect_timeout: Seconds = Field(default=5.0, description="Seconds to wait for the broker.")


class QueueModel(_Strict):
    broker: str | None = Field(default=None, description="The broker it is on; default: the default broker.")
    name: str | None = Field(default=None, description="The queue's name on the broker; default: its name here.")
    wait: Seconds = Field(default=10.0, description='How long "receives a message" waits without "within".')


class StubModel(_Strict):
    port: Port = Field(default="auto", description="A fixed port (for a system started by hand), or auto.")


# -- phrases ------------------------------------------------------------------------------

# A line, or one line mapped to its doc string or data table.
StepModel = str | Annotated[dict[str, str | list[list[Any]] | dict[str, Any]], Field(min_length=1, max_length=1)]


class PhraseModel(_Strict):
    """A phrase of the phrasebook, standing for a few other steps."""

    phrase: NonEmpty = Field(description='The phrase; {name} is a parameter, e.g. I add {qty} of "{sku}"')
    description: str | None = Field(default=None, description="What it does; `seamline steps` shows it.")
    example: str | None = Field(default=None, description="A line that uses it; it must read as the phrase.")
    steps: Annotated[list[StepModel], Field(min_length=1)]


class PhraseFileModel(_Strict):
    phrases: list[PhraseModel]


# -- the file -----------------------------------------------------------------------------

# The sections an environment may override; each named entry it overrides must exist in the base.
ENVIRONMENT_SECTIONS = ("services", "databases", "auth", "brokers", "queues", "stubs")


class _Sections(_Strict):
    services: dict[str, _shorthand(NonEmpty, ServiceModel, "a base URL or a mapping")] | None = None  # type: ignore[valid-type]
    default_service: str | None = Field(default=None, description="The service steps use; default: the first.")
    databases: dict[str, _shorthand(NonEmpty, DatabaseModel, "a URL or a mapping")] | None = None  # type: ignore[valid-type]
    default_database: str | None = Field(default=None, description="The database steps use; default: the first.")
    auth: dict[str, AuthProfileModel] | None = None
    default_auth: str | None = Field(default=None, description='The profile "I obtain a token" uses; default: first.')
    variables: dict[str, Any] | None = Field(
        None,
        description="Values for ${name}; {value: ..., secret: true} masks one in every log.",
        # Any value at all, but a mapping with `value` is the secret form and takes no other key
        # (the loader checks the same; JSON Schema says it with if/then for editors).
        json_schema_extra={
            "additionalProperties": {
                "if": {"type": "object", "required": ["value"]},
                "then": {"properties": {"value": {}, "secret": {"type": "boolean"}}, "additionalProperties": False},
            }
        },
    )
    brokers: dict[str, _shorthand(NonEmpty, BrokerModel, "a URL or a mapping") | None] | None = None  # type: ignore[valid-type]
    default_broker: str | None = Field(default=None, description="The broker of unlisted queues; default: the first.")
    queues: dict[str, QueueModel | None] | None = None
    stubs: dict[str, StubModel | None] | None = None


class EnvironmentModel(_Strict):
    """What a named environment overrides; merged over the base, then checked as a whole."""

    services: dict[str, Any] | None = None
    default_service: str | None = None
    databases: dict[str, Any] | None = None
    default_database: str | None = None
    auth: dict[str, Any] | None = None
    default_auth: str | None = None
    variables: dict[str, Any] | None = None
    brokers: dict[str, Any] | None = None
    default_broker: str | None = None
    queues: dict[str, Any] | None = None
    stubs: dict[str, Any] | None = None


class ConfigFileModel(_Sections):
    """seamline.yaml: services, databases, auth profiles, brokers, queues, stubs, variables,
    user phrases and named environments."""

    environments: dict[str, EnvironmentModel | None] | None = Field(
        None, description="Named environments (SEAMLINE_ENV=name) merged over the sections above."
    )
    phrases: list[str | PhraseModel] | None = Field(
        None, description="User phrases, or names of phrase files next to this file."
    )


# -- JSON Schema --------------------------------------------------------------------------

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_required(v) for v in schema]
    return schema


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of seamline.yaml, for editors: an environment's sections are the
    base's with nothing required (an override may say only what changes)."""
    schema = ConfigFileModel.model_json_schema()
    sections = _Sections.model_json_schema()
    overrides = _without_required(copy.deepcopy(sections))
    defs = schema.setdefault("$defs", {})
    for name, definition in overrides.pop("$defs", {}).items():
        defs[f"{name}Override"] = definition
    overrides = _rename_refs(overrides, "Override")
    overrides.update(title="Environment", description=EnvironmentModel.__doc__)
    defs["EnvironmentModel"] = overrides
    for name in list(defs):
        if name.endswith("Override"):
            defs[name] = _rename_refs(defs[name], "Override")
    return {"$schema": _DRAFT, **schema, "title": "seamline.yaml"}


def _rename_refs(schema: Any, suffix: str) -> Any:
    if isinstance(schema, dict):
        return {
            k: (f"{v}{suffix}" if k == "$ref" and not v.endswith(suffix) else _rename_refs(v, suffix))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rename_refs(v, suffix) for v in schema]
    return schema


def phrasebook_json_schema() -> dict[str, Any]:
    """The JSON Schema of phrases.yaml: a list of phrases (or a mapping with a `phrases` list)."""
    schema = TypeAdapter(list[PhraseModel] | PhraseFileModel).json_schema()
    return {"$schema": _DRAFT, **schema, "title": "phrases.yaml"}
