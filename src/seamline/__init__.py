"""Seamline: plain-language API integration tests for Robot Framework and pytest-bdd.

Users reach Seamline through its front ends (``Library    Seamline`` in Robot, the pytest
plugin for ``.feature`` files) and ``seamline.yaml``; from Python, the names below are the
public surface. The framework-free core lives in ``seamline.core``.
"""

from __future__ import annotations

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

    __version__: str

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
    # Loaded when asked for, not by `import seamline`: the Robot library loads Robot
    # Framework, and importlib.metadata alone costs more than the rest of this module.
    if name == "Seamline":
        from .robot import Seamline

        return Seamline
    if name == "__version__":
        global __version__
        from ._version import installed_version

        __version__ = installed_version()
        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

