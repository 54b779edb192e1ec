"""Building and sending requests: bodies, forms, files, headers, query parameters."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Sequence
from pathlib import Path

from ..context import Context
from ..errors import StepArgumentError, UsageError
from ..values.literals import parse_json
from .client import Response

__all__ = [
    "add_query_parameter",
    "resend_last_request",
    "send",
    "send_form",
    "send_multipart",
    "send_with_body",
    "set_header",
    "use_api_key",
    "use_basic_auth",
    "use_bearer_token",
]


def send(ctx: Context, method: str, path: str) -> Response:
    return ctx.send(ctx.build_request(method, path))


def _content_type(ctx: Context) -> str | None:
    for name, value in ctx.headers.items():
        if name.lower() == "content-type":
            return value
    return None


def send_with_body(ctx: Context, method: str, path: str, body: str) -> Response:
    """A doc-string body: JSON when it is JSON, text otherwise, or exactly as given when the
    test has set its own Content-Type (which is how a test sends malformed JSON on purpose)."""
    request = ctx.build_request(method, path)
    text = ctx.variables.expand(body)
    if _content_type(ctx) is None:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            parse_json(text, "request body")  # fails with the position of the mistake
            request.headers["Content-Type"] = "application/json"
        else:
            request.headers["Content-Type"] = "text/plain; charset=utf-8"
    request.body = text.encode("utf-8")
    return ctx.send(request)


def _pairs(ctx: Context, table: Sequence[Sequence[str]], what: str, expand: bool = True) -> list[tuple[str, str]]:
    """Name | value rows; ``expand=False`` leaves the values for the request to expand."""
    pairs = []
    for row in table:
        if len(row) != 2:
            raise StepArgumentError(f"each row of the {what} table needs two cells, name | value; got {list(row)}")
        pairs.append((ctx.variables.expand(row[0]), ctx.variables.expand(row[1]) if expand else row[1]))
    return pairs


def send_form(ctx: Context, method: str, path: str, table: Sequence[Sequence[str]]) -> Response:
    request = ctx.build_request(method, path)
    request.form = dict(_pairs(ctx, table, "form"))
    return ctx.send(request)


def send_multipart(ctx: Context, method: str, path: str, table: Sequence[Sequence[str]]) -> Response:
    """Like curl -F: a value starting with @ is a file to upload, relative to the working directory."""
    request = ctx.build_request(method, path)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str | None]] = {}
    for name, value in _pairs(ctx, table, "multipart form"):
        if value.startswith("@"):
            file = Path(value[1:]).expanduser()
            try:
                content = file.read_bytes()
            except OSError as error:
                raise StepArgumentError(
                    f"cannot read the file {str(file)!r} for field {name!r}: {error.strerror}"
                ) from None
            files[name] = (file.name, content, mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        else:
            fields[name] = value
    if not files:
        # requests only writes multipart/form-data when there is a file; force it for plain fields.
        files = {name: (None, value.encode("utf-8"), None) for name, value in fields.items()}  # type: ignore[misc]
        fields = {}
    request.form = fields
    request.files = files
    return ctx.send(request)


# Sending one of these again changes nothing on the server, so a check may re-send it.
_REPEATABLE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def resend_last_request(ctx: Context) -> Response:
    """Send the test's last request again (for ``within ...`` in front of a response check)."""
    request = ctx.last_request
    if request is None:
        raise UsageError("no request to send again: send one before 'within ... the response ...'")
    if request.method not in _REPEATABLE:
        raise StepArgumentError(
            f"'within ...' in front of a response check sends the last request again, and a {request.method} "
            "is not sent twice; check with a GET: I GET \"...\" until <check>"
        )
    return ctx.send(request)


def set_header(ctx: Context, name: str, value: str) -> None:
    ctx.headers[ctx.variables.expand(name)] = ctx.variables.expand(value)


def set_headers(ctx: Context, table: Sequence[Sequence[str]]) -> None:
    for name, value in _pairs(ctx, table, "headers"):
        ctx.headers[name] = value


def add_query_parameter(ctx: Context, name: str, value: str) -> None:
    ctx.pending_params.append((ctx.variables.expand(name), value))


def add_query_parameters(ctx: Context, table: Sequence[Sequence[str]]) -> None:
    # Values are expanded when the request is built, as for a single parameter.
    ctx.pending_params += _pairs(ctx, table, "query parameters", expand=False)


def _secret_header(ctx: Context, name: str, value: str) -> None:
    ctx.runtime.secrets.add(value)
    ctx.headers[name] = value


def use_bearer_token(ctx: Context, token: str) -> None:
    token = ctx.variables.expand(token)
    ctx.runtime.secrets.add(token)
    _secret_header(ctx, "Authorization", f"Bearer {token}")


def use_basic_auth(ctx: Context, user: str, password: str) -> None:
    password = ctx.variables.expand(password)
    ctx.runtime.secrets.add(password)
    pair = f"{ctx.variables.expand(user)}:{password}".encode()
    _secret_header(ctx, "Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))


def use_api_key(ctx: Context, key: str, header: str) -> None:
    key = ctx.variables.expand(key)
    _secret_header(ctx, ctx.variables.expand(header), key)
