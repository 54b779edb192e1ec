"""The demo shop's user list: defaults and the ``name:password,...`` format."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["DEFAULT_USERS", "USERS_ENV_VAR", "parse_users"]

DEFAULT_USERS: Final = MappingProxyType({"alice": "wonderland", "bob": "builder"})

USERS_ENV_VAR: Final = "SEAMLINE_DEMO_USERS"


def parse_users(text: str) -> dict[str, str]:
    """Parse ``alice:wonderland,bob:builder`` into a dict.

    The password is everything after the first colon, so it may contain
    colons but not commas. Raises ValueError with a readable message.
    """
    users: dict[str, str] = {}
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            continue
        name, sep, password = entry.partition(":")
        name = name.strip()
        if not sep or not name or not password:
            raise ValueError(f"expected name:password, got {entry!r}")
        if name in users:
            raise ValueError(f"user {name!r} is listed twice")
        users[name] = password
    if not users:
        raise ValueError("no users given; expected e.g. alice:wonderland,bob:builder")
    return users
