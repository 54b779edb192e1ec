"""Long texts cut to a size a log or a failure message can show, and bodies that are not text
described rather than printed.

A whole message is bounded where every message is made, in :mod:`seamline.core.errors`;
here :func:`cut_around` cuts one value quoted in it around where it differs from another, and
:func:`describe_bytes` tells what a binary body is without dumping it.
"""

from __future__ import annotations

import base64

__all__ = [
    "BODY_LOG_LIMIT",
    "VALUE_LIMIT",
    "cut_around",
    "describe_bytes",
    "excerpt",
    "first_difference",
    "is_binary",
]

BODY_LOG_LIMIT = 4000
# One value quoted inside a one-line message (an actual field value, a URL).
VALUE_LIMIT = 300
_BINARY_EXCERPT = 24  # bytes shown (as hex) of a binary body


def excerpt(text: str, limit: int = BODY_LOG_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n... ({len(text) - limit} more characters)"


def first_difference(text: str, other: str) -> int:
    """The index of the first character where ``text`` and ``other`` differ (the shorter
    one's length when one starts the other)."""
    for index, (a, b) in enumerate(zip(text, other, strict=False)):
        if a != b:
            return index
    return min(len(text), len(other))


def cut_around(text: str, around: int = 0, limit: int = VALUE_LIMIT) -> str:
    """``text`` as it is when it fits in ``limit`` characters; else the ``limit`` characters
    from a little before index ``around`` (where it differs from what was expected), ``...``
    where it was cut, and its full size, so that a reader knows it was longer."""
    if len(text) <= limit:
        return text
    start = max(0, min(around - limit // 3, len(text) - limit))
    end = start + limit
    head = "..." if start else ""
    tail = "..." if end < len(text) else ""
    return f"{head}{text[start:end]}{tail} ({len(text):,} characters)"


# Content types whose bodies are text even without "text/" in their name.
_TEXT_TYPES = ("json", "xml", "javascript", "yaml", "csv", "html", "x-www-form-urlencoded", "graphql")
_BINARY_TYPES = ("image/", "audio/", "video/", "font/", "application/octet-stream", "application/pdf",
                 "application/zip", "application/gzip", "application/x-protobuf", "application/grpc")


def is_binary(content: bytes, content_type: str = "") -> bool:
    """Whether a body is not text a person can read: a binary content type (an image, a PDF,
    octet-stream), or bytes that are not UTF-8 or hold control characters."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith("text/") or any(word in kind for word in _TEXT_TYPES):
        return False
    if kind.startswith(_BINARY_TYPES):
        return True
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(ord(char) < 32 and char not in "\t\n\r\f" for char in text[:4096])


def describe_bytes(content: bytes, content_type: str = "") -> str:
    """A binary body in one line: its type, its size, and its first bytes in hex (and as
    base64, for whoever wants to decode them)."""
    kind = content_type.split(";")[0].strip() or "no content type"
    start = content[:_BINARY_EXCERPT]
    more = " ..." if len(content) > len(start) else ""
    return (
        f"(binary body: {kind}, {len(content):,} bytes; starts with {start.hex(' ')}{more}; "
        f"base64 {base64.b64encode(start).decode('ascii')}{more})"
    )
