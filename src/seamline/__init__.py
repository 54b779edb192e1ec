"""Seamline: plain-language API integration tests for Robot Framework and pytest-bdd.

Users reach Seamline through its front ends (``Library    Seamline`` in Robot, the pytest
plugin for ``.feature`` files) and ``seamline.yaml``; from Python, the names below are the
public surface. The framework-free core lives in ``seamline.core``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .core.errors import (
    AuthError,
    CheckFailed,
    ConfigError,
    ExpressionError,
    SeamlineError,
    ServiceError,
    StepArgumentError,
    UsageError,
    VariableError,
)

if TYPE_CHECKING:
    from .robot import Seamline

try:
    __version__ = version("seamline")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "AuthError",
    "CheckFailed",
    "ConfigError",
    "ExpressionError",
    "Seamline",
    "SeamlineError",
    "ServiceError",
    "StepArgumentError",
    "UsageError",
    "VariableError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # The Robot library loads Robot Framework: only when someone asks for it.
    if name == "Seamline":
        from .robot import Seamline

        return Seamline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
