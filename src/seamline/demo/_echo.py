"""Body decoding for /echo, with the standard library only.

Starlette's form parsing needs python-multipart; the echo endpoint only has
to report what arrived, which these few functions do without the extra
dependency.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from email import policy
from email.headerregistry import ContentDispositionHeader, ContentTypeHeader
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["BodyError", "decode_body", "group_pairs"]


class BodyError(ValueError):
    """The body does not match its declared content type."""


def group_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    """``[(a, 1), (b, 2), (a, 3)]`` -> ``{a: [1, 3], b: 2}``."""
    grouped: dict[str, str | list[str]] = {}
    for name, value in pairs:
        previous = grouped.get(name)
        if previous is None:
            grouped[name] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            grouped[name] = [previous, value]
    return grouped


def _parse_content_type(value: str) -> ContentTypeHeader:
    header = policy.HTTP.header_factory("content-type", value)
    assert isinstance(header, ContentTypeHeader)
    return header


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def decode_body(body: bytes, content_type: str | None) -> Any:
    """Decode ``body`` according to ``content_type`` as /echo reports it."""
    if not body:
        return None
    header = _parse_content_type(content_type or "application/octet-stream")
    media_type = header.content_type  # lower-cased; text/plain if unparsable
    charset = header.params.get("charset") or "utf-8"
    if _is_json(media_type):
        try:
            return json.loads(body)
        except ValueError as exc:  # also covers bad UTF-8
            raise BodyError(f"malformed JSON body: {exc}") from None
    if media_type == "application/x-www-form-urlencoded":
        text = body.decode(charset, errors="replace")
        return group_pairs(parse_qsl(text, keep_blank_values=True))
    if media_type == "multipart/form-data":
        boundary = header.params.get("boundary")
        if not boundary:
            raise BodyError("multipart body without a boundary parameter")
        return _decode_multipart(body, boundary.encode("latin-1"))
    return body.decode(charset, errors="replace")


def _decode_multipart(body: bytes, boundary: bytes) -> dict[str, Any]:
    # RFC 7578: parts are separated by CRLF "--" boundary; the last one is
    # followed by "--". Prefixing CRLF lets the first delimiter match as well.
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise BodyError("malformed multipart body")
    fields: list[tuple[str, str]] = []
    files: dict[str, dict[str, Any]] = {}
    for chunk in chunks[1:-1]:
        # Skip transport padding after the boundary, then the line break.
        _, newline, part = chunk.partition(b"\r\n")
        head, separator, content = part.partition(b"\r\n\r\n")
        if not newline or not separator:
            raise BodyError("malformed multipart part")
        headers = _part_headers(head)
        disposition = policy.HTTP.header_factory(
            "content-disposition", headers.get("content-disposition", "")
        )
        assert isinstance(disposition, ContentDispositionHeader)
        name = disposition.params.get("name")
        if name is None:
            raise BodyError("multipart part without a name")
        filename = disposition.params.get("filename")
        if filename is None:
            part_type = _parse_content_type(headers.get("content-type", "text/plain"))
            charset = part_type.params.get("charset") or "utf-8"
            fields.append((name, content.decode(charset, errors="replace")))
        else:
            files[name] = {
                "filename": filename,
                "content_type": headers.get("content-type"),
                "size": len(content),
            }
    return {"fields": group_pairs(fields), "files": files}


def _part_headers(head: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", errors="replace").split("\r\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise BodyError(f"malformed multipart header line {line!r}")
        headers[name.strip().lower()] = value.strip()
    return headers
