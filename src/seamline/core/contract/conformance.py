"""Contracts: JSON Schema (the jsonschema library) and OpenAPI conformance (openapi-core).

A schema or spec is named by a file (beside the test file, then beside seamline.yaml:
``Context.locate_file``), a URL, or for a spec in the config a path on the service
itself (``/openapi.json``). Documents are read once per run. An OpenAPI document's
``servers`` are replaced by the service's configured base URL, so a spec written for
production checks a local service.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import ServiceConfig
from ..context import Context, Runtime
from ..errors import CheckFailed, SpecError, UsageError
from ..http.document_checks import mismatch_failure
from ..http.exchange import Response
from ..http.sending import current_service
from ..matching.matcher import ABSENT, Mismatch, show
from ..services.managed import ServiceManager

__all__ = [
    "check_every_response",
    "check_openapi",
    "check_response_automatically",
    "check_schema",
    "load_document",
    "schema_mismatches",
    "use_spec",
]



@dataclass(frozen=True)
class Document:
    content: Any
    where: str  # the file or URL, for messages
    base: Path | None  # folder that relative $refs start from


class ContractDocuments:
    """Schemas and specs read once per run, and the OpenAPI objects built from them."""

    def __init__(self) -> None:
        self.cache: dict[object, Any] = {}

    @classmethod
    def open(cls, runtime: Runtime) -> ContractDocuments:
        return cls()

    def close(self) -> None:
        self.cache.clear()


def _cache(runtime: Runtime) -> dict[object, Any]:
    return runtime.resource(ContractDocuments).cache


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SpecError(f"{where} is neither JSON nor YAML: {problem}") from None


def _fetch(url: str, timeout: float) -> str:
    import requests

    with requests.Session() as session:
        session.trust_env = False  # loopback services must not go through a proxy
        try:
            answer = session.get(url, timeout=timeout)
        except requests.RequestException as error:
            raise SpecError(f"cannot fetch {url}: {type(error).__name__}") from None
    if answer.status_code >= 400:
        raise SpecError(f"cannot fetch {url}: {answer.status_code} {answer.reason}")
    return answer.text


def load_document(ctx: Context, location: str, service: ServiceConfig | None = None) -> Document:
    """A schema or spec by file, URL, or (with ``service``) a path such as /openapi.json on it."""
    location = ctx.variables.expand(location).strip()
    if not location:
        raise SpecError("no file or URL given for the schema or spec")
    cache = _cache(ctx.runtime)
    if location.startswith(("http://", "https://")):
        url = location
    else:
        found = ctx.locate_file(location)  # beside the test file, then beside seamline.yaml
        if found is not None:
            file_key = ("file", str(found.resolve()), found.stat().st_mtime_ns)
            if file_key not in cache:
                try:
                    text = found.read_text(encoding="utf-8")
                except (OSError, UnicodeError) as error:
                    raise SpecError(f"cannot read {found}: {error}") from None
                cache[file_key] = Document(_parse(text, str(found)), str(found), found.resolve().parent)
            return cache[file_key]  # type: ignore[no-any-return]
        if service is None or not location.startswith("/"):
            raise SpecError(ctx.file_not_found("schema or OpenAPI file", location))
        url = ctx.runtime.resource(ServiceManager).base_url(service) + location
    key = ("url", url)
    if key not in cache:
        timeout = service.timeout if service else 30.0
        cache[key] = Document(_parse(_fetch(url, timeout), url), url, None)
    return cache[key]  # type: ignore[no-any-return]


# -- JSON Schema -----------------------------------------------------------------------


def _rows(errors: Iterable[Any], root: str = "$") -> Iterator[Mismatch]:
    """jsonschema errors as mismatches; a missing required field is reported at its own path."""
    seen: set[tuple[str, str]] = set()
    for error in sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), str(e.validator))):
        path = root + error.json_path[1:]
        keys = tuple(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance and (path, name) not in seen:
                    seen.add((path, name))
                    child = f"{path}.{name}" if str(name).isidentifier() else f"{path}[{json.dumps(name)}]"
                    yield Mismatch(child, "a required field", ABSENT, (*error.absolute_path, name))
            continue
        value = error.validator_value
        rule = value if isinstance(value, str) else show(value)
        if error.validator == "additionalProperties":
            yield Mismatch(path, "no other fields", error.message.split("(", 1)[-1].rstrip(")"), keys)
            continue
        yield Mismatch(path, f"{error.validator}: {rule}", show(error.instance), keys)


def schema_mismatches(schema: Any, instance: object, document: Document | None = None) -> list[Mismatch]:
    """Every place ``instance`` breaks ``schema`` (draft from its $schema, 2020-12 by default)."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import SchemaError
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT202012, specification_with

    if not isinstance(schema, (dict, bool)):
        raise SpecError("a JSON Schema is an object (or true/false)")
    where = document.where if document else "the schema"
    cls = validators.validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)  # type: ignore[arg-type]
    except SchemaError as error:
        at = error.json_path if hasattr(error, "json_path") else ""
        raise SpecError(f"{where} is not a valid JSON Schema: {error.message} (at {at})") from None
    base = document.base if document else Path.cwd()
    # A referenced file without its own $schema is read in the draft of the schema that refers to it.
    draft = specification_with(str(cls.META_SCHEMA.get("$id", "")), default=DRAFT202012)

    def retrieve(uri: str) -> Resource[Any]:
        # $ref to another file, relative to the schema's folder.
        target = Path(urlsplit(uri).path) if uri.startswith("file:") else (base or Path.cwd()) / uri
        try:
            contents = _parse(target.read_text(encoding="utf-8"), str(target))
            return Resource.from_contents(contents, default_specification=draft)
        except OSError:
            raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
    try:
        return list(_rows(validator.iter_errors(instance)))  # type: ignore[arg-type]
    except Exception as error:  # an unresolvable $ref surfaces only while validating
        if type(error).__module__.startswith(("referencing", "jsonschema")):
            raise SpecError(f"{where}: {type(error).__name__}: {error}") from None
        raise


def check_schema(ctx: Context, schema_text: str | None = None, location: str | None = None) -> None:
    """The response body against a schema given as text (a doc string) or by file or URL."""
    if location is not None:
        document = load_document(ctx, location)
    else:
        from ..http.document_checks import expected_document

        document = Document(expected_document(ctx, schema_text or "", "schema"), "the schema", None)
    response = ctx.http.response()
    mismatches = schema_mismatches(document.content, response.json(), document)
    if mismatches:
        raise mismatch_failure(response, "the response does not match the schema", mismatches, response.json())


# -- OpenAPI ---------------------------------------------------------------------------


def use_spec(ctx: Context, location: str) -> None:
    """Choose the spec of the current service for the rest of the test."""
    service = current_service(ctx)
    load_document(ctx, location, service)  # a missing or unreadable spec fails here, at the step naming it
    ctx.contract.spec_by_service[service.name] = location


def check_every_response(ctx: Context, at_end: bool = False) -> None:
    """From now on in this test, every response from a service with a spec is checked; with
    ``at_end``, the test goes on and fails when it ends, with every response that did not
    conform (a whole flow surveyed in one test)."""
    ctx.contract.check_every_response = True
    if at_end and not ctx.contract.report_at_end:
        ctx.contract.report_at_end = True
        ctx.add_final_check("every response conforms to the API spec", lambda: _report_nonconforming(ctx))


def _one_response(request: str, rows: list[tuple[str, str, str]]) -> str:
    shown = ", ".join(f"{path}: expected {expected}, actual {actual}" for path, expected, actual in rows[:3])
    return f"{request}: {shown}" + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")


# How many responses the one line of the end-of-test report names; the table lists them all.
_REPORTED_RESPONSES = 5


def _report_nonconforming(ctx: Context) -> None:
    failures = ctx.contract.nonconforming
    if not failures:
        return
    count = len(failures)
    named = "; ".join(_one_response(request, rows) for request, rows in failures[:_REPORTED_RESPONSES])
    more = f"; and {count - _REPORTED_RESPONSES} more responses" if count > _REPORTED_RESPONSES else ""
    responses = "1 response" if count == 1 else f"{count} responses"
    table = [(f"{request} {path}", expected, actual) for request, rows in failures for path, expected, actual in rows]
    raise CheckFailed(f"{responses} of the test did not conform to the API spec: {named}{more}", mismatches=table)


def _spec_location(ctx: Context, service: ServiceConfig) -> str | None:
    chosen = ctx.contract.spec_by_service
    if service.name in chosen:
        return chosen[service.name]
    return service.openapi.spec if service.openapi else None


def _service_of(ctx: Context, response: Response) -> ServiceConfig | None:
    """The service whose base URL the response came from; the current one first."""
    config = ctx.runtime.config
    names = [ctx.http.service_name or config.default_service, *config.services]
    for name in dict.fromkeys(n for n in names if n):
        service = config.services.get(name)
        if service is None:
            continue
        running = ctx.runtime.resource(ServiceManager).running.get(name)
        if service.start is not None and running is None:
            continue  # never started, so not where this response came from
        base = running.base_url if running else service.base_url
        if response.url == base or response.url.startswith(base.rstrip("/") + "/"):
            return service
    return None


def _with_servers(spec: Any, base_url: str) -> Any:
    spec = copy.deepcopy(spec)
    servers = [{"url": base_url}]
    spec["servers"] = servers
    for item in (spec.get("paths") or {}).values():
        if isinstance(item, dict):
            item.pop("servers", None)
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.pop("servers", None)
    return spec


def _openapi(ctx: Context, location: str, service: ServiceConfig) -> Any:
    from openapi_core import OpenAPI

    document = load_document(ctx, location, service)
    base_url = ctx.runtime.resource(ServiceManager).base_url(service)
    cache = _cache(ctx.runtime)
    key = ("openapi", document.where, id(document), base_url)
    if key not in cache:
        if not isinstance(document.content, dict) or "openapi" not in document.content:
            raise SpecError(f"{document.where} is not an OpenAPI document (it has no 'openapi' field)")
        try:
            cache[key] = OpenAPI.from_dict(_with_servers(document.content, base_url))
        except Exception as error:  # openapi-spec-validator raises its own tree
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise SpecError(f"{document.where} is not a valid OpenAPI document: {first}") from None
    return cache[key]


@dataclass
class _Request:
    """What openapi-core needs of the request to find the operation."""

    host_url: str
    path: str
    method: str
    body: bytes | None = None
    content_type: str = ""

    def __post_init__(self) -> None:
        from openapi_core.datatypes import RequestParameters

        self.parameters = RequestParameters()


@dataclass
class _Response:
    status_code: int
    data: bytes
    headers: Any
    content_type: str


def _openapi_mismatches(api: Any, response: Response, where: str) -> list[Mismatch]:
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.templating.paths.exceptions import OperationNotFound, PathError, PathNotFound
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.validation.response.exceptions import HeaderValidationError, MissingData
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
    from werkzeug.datastructures import Headers

    parts = urlsplit(response.url)
    request = _Request(f"{parts.scheme}://{parts.netloc}", parts.path or "/", response.method.lower())
    content_type = response.headers.get("Content-Type", "")
    answer = _Response(response.status, response.content, Headers(list(response.headers.items())), content_type)
    mismatches: list[Mismatch] = []
    for error in api.iter_response_errors(request, answer):
        cause = error.__cause__
        if isinstance(error, PathError):
            if isinstance(error, PathNotFound):
                raise SpecError(f"{where} has no path {parts.path}") from None
            if isinstance(error, OperationNotFound):
                raise SpecError(f"{where} has no {response.method} operation for {parts.path}") from None
            raise SpecError(f"{where}: {response.url} is not under the service's base URL") from None
        if isinstance(error, ResponseNotFound):
            declared = ", ".join(sorted(map(str, error.availableresponses))) or "none"
            mismatches.append(Mismatch("status", f"one the spec declares for this operation: {declared}",
                                       f"{response.status} (not declared)"))  # fmt: skip
        elif isinstance(cause, InvalidSchemaValue):
            root = f"header {error.name}" if isinstance(error, HeaderValidationError) else "$"
            mismatches += _rows(cause.schema_errors, root)
        elif isinstance(cause, MediaTypeNotFound):
            mismatches.append(Mismatch("content type", " or ".join(cause.availableMimetypes), content_type or "(none)"))
        elif isinstance(error, MissingData):
            mismatches.append(Mismatch("body", "a body", "(empty)"))
        elif isinstance(error, HeaderValidationError):
            mismatches.append(Mismatch(f"header {error.name}", "a required header", "(no such header)"))
        else:
            mismatches.append(Mismatch("response", "what the spec says", str(error).splitlines()[0]))
    return mismatches


def check_openapi(ctx: Context, response: Response | None = None, automatic: bool = False) -> None:
    """The response against the operation its method and path find in the service's spec."""
    response = response or ctx.http.response()
    service = _service_of(ctx, response) or (None if automatic else current_service(ctx))
    if service is None:
        return
    location = _spec_location(ctx, service)
    if location is None:
        if automatic:
            return
        raise UsageError(
            f"no API spec for service {service.name!r}: add 'openapi: path/or/url' to it in seamline.yaml "
            'or name one with: the API spec is "openapi.json"'
        )
    api = _openapi(ctx, location, service)
    mismatches = _openapi_mismatches(api, response, f"the API spec {location}")
    if mismatches:
        subject = f"the response of {response.method} {urlsplit(response.url).path} does not conform to the API spec"
        body = None
        if response.content and "json" in response.content_type:
            try:
                body = response.json()
            except AssertionError:
                body = None
        raise mismatch_failure(response, subject, mismatches, body)


def check_response_automatically(ctx: Context, response: Response) -> None:
    """Called for every response: checks it when the test or the service's config asks."""
    wanted = ctx.contract.check_every_response
    if not wanted:
        config = ctx.runtime.loaded_config
        if config is None or not any(s.openapi and s.openapi.check_every_response for s in config.services.values()):
            return
        service = _service_of(ctx, response)
        if service is None or not (service.openapi and service.openapi.check_every_response):
            return
    if not ctx.contract.report_at_end:
        check_openapi(ctx, response, automatic=True)
        return
    try:
        check_openapi(ctx, response, automatic=True)
    except CheckFailed as failure:
        request = f"{response.method} {urlsplit(response.url).path}"
        ctx.contract.nonconforming.append((request, list(failure.mismatches)))
        ctx.log(f"kept for the end of the test: {failure.message}")
