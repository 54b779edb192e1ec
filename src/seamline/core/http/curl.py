"""A request as a curl command, so that whoever reads a failure can send it again by hand.

Credentials are masked: the command shows where a token or password goes, never its value.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from urllib.parse import urlencode

from ..values.secrets import MASK, Secrets
from ..values.text import describe_bytes, is_binary
from .exchange import SENSITIVE_HEADERS, Request

__all__ = ["as_curl"]


def as_curl(
    request: Request, secrets: Secrets, masked_headers: frozenset[str] = frozenset(), followed: bool = False
) -> str:
    """``followed``: the request was redirected and the redirects followed, so curl follows them too (-L)."""
    hidden = SENSITIVE_HEADERS | masked_headers
    url = request.url
    if request.params:
        url += ("&" if "?" in url else "?") + urlencode(request.params)
    parts = ["curl"] if request.method == "GET" else ["curl", "-X", request.method]
    if followed and request.follow_redirects:
        parts.append("-L")
    note = ""
    parts.append(shlex.quote(url))
    for name, value in _headers(request.headers, hidden).items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.files is not None:
        for name, value in (request.form or {}).items():
            parts += ["-F", shlex.quote(f"{name}={value}")]
        for name, (filename, content, _) in request.files.items():
            shown = f"@{filename}" if filename else _text(content, "")
            parts += ["-F", shlex.quote(f"{name}={shown}")]
    elif request.form is not None:
        for name, value in request.form.items():
            parts += ["--data-urlencode", shlex.quote(f"{name}={value}")]
    elif isinstance(request.body, bytes) and is_binary(request.body, request.headers.get("Content-Type", "")):
        # Bytes a shell cannot hold: the command reads them from a file the note describes.
        note = "\n(body.bin: " + describe_bytes(request.body, request.headers.get("Content-Type", ""))[1:]
        parts += ["--data-binary", "@body.bin"]
    elif request.body is not None:
        parts += ["--data-raw", shlex.quote(_text(request.body, ""))]
    if not request.verify:
        parts.append("--insecure")
    if request.cert is not None:  # mutual TLS: without the certificate the server refuses the command
        cert, key = request.cert if isinstance(request.cert, tuple) else (request.cert, None)
        parts += ["--cert", shlex.quote(cert)] + (["--key", shlex.quote(key)] if key else [])
    return secrets.mask(" ".join(parts) + note)


def _text(body: bytes | str, content_type: str) -> str:
    if isinstance(body, str):
        return body
    return describe_bytes(body, content_type) if is_binary(body, content_type) else body.decode("utf-8")


def _headers(headers: Mapping[str, str], hidden: frozenset[str]) -> dict[str, str]:
    return {name: MASK if name.lower() in hidden else value for name, value in headers.items()}
