"""The installed version, read once from the package metadata (importlib.metadata costs
more than the rest of ``import seamline``, so nothing reads it until asked)."""

from __future__ import annotations

import functools

__all__ = ["installed_version"]


@functools.cache
def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("seamline")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
