"""The one exception tree of Seamline.

::

    SeamlineError                  base of everything Seamline raises
    ├── CheckFailed                a check did not hold (also an AssertionError)
    ├── UsageError                 the test itself is broken: fix the test or the config
    │   ├── ConfigError            seamline.yaml missing, unreadable or inconsistent
    │   ├── VariableError          a ${name} that no scope defines
    │   ├── ExpressionError        an invalid JSONPath, regular expression or marker
    │   ├── StepArgumentError      a step argument that cannot be used (bad JSON, bad number)
    │   ├── SpecError              a JSON Schema or OpenAPI document that cannot be read or used
    │   └── SqlError               SQL the database refused, an unknown table or column
    └── ServiceError               a service or database could not be reached, timed out, or failed to start
        ├── ServiceUnreachable     no connection at all (refused, unknown host): may be retried
        └── AuthError              the token request of an auth profile failed

Adapters turn any of these into a one-line failure that names the step and where it
is written; none of them should reach a user as a traceback. A message and its details are
bounded here, once for every front end: a 5 MB value quoted in one is cut, saying its size.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "MESSAGE_LIMIT",
    "AuthError",
    "CheckFailed",
    "ConfigError",
    "ExpressionError",
    "SeamlineError",
    "ServiceError",
    "ServiceUnreachable",
    "SpecError",
    "SqlError",
    "StepArgumentError",
    "UsageError",
    "VariableError",
    "bounded",
]

# A failure's one line, and separately its details, stay about this long whatever they quote.
MESSAGE_LIMIT = 2000


def bounded(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message cut to about ``limit`` characters: its start (what failed) and its end,
    with how much was left out in between."""
    if len(text) <= limit:
        return text
    keep_end = limit // 4
    keep_start = limit - keep_end
    left_out = len(text) - keep_start - keep_end
    return f"{text[:keep_start]} ... ({left_out:,} of {len(text):,} characters left out) ... {text[-keep_end:]}"


class SeamlineError(Exception):
    """Base class. ``details`` holds extra lines (a response body, a log) shown below
    the one-line message where the front end has room for them."""

    # Robot Framework prefixes failure messages with the exception's class name unless told not to.
    ROBOT_SUPPRESS_NAME = True

    def __init__(self, message: str, details: str = "", *, about_last_request: bool = False) -> None:
        message = bounded(message, MESSAGE_LIMIT)
        super().__init__(message)
        self.message = message
        self.details = bounded(details, MESSAGE_LIMIT)
        # The failure is about the test's last HTTP request (a check of its response, a request
        # that got no answer): front ends show that request, and only then, as a curl command.
        self.about_last_request = about_last_request

    def __str__(self) -> str:
        return self.message if not self.details else f"{self.message}\n{self.details}"


class CheckFailed(SeamlineError, AssertionError):
    """A check did not hold: the system under test behaved differently than expected.

    ``mismatches`` lists every difference found as (path, expected, actual) rows, which
    front ends show as a table; ``details`` then holds only the rest (the response)."""

    def __init__(
        self,
        message: str,
        details: str = "",
        mismatches: Sequence[tuple[str, str, str]] = (),
        *,
        about_last_request: bool = False,
    ) -> None:
        super().__init__(message, details, about_last_request=about_last_request)
        self.mismatches = tuple(mismatches)


class UsageError(SeamlineError):
    """The test or its configuration is wrong; the system under test was not at fault."""


class ConfigError(UsageError):
    """The configuration file is missing, unreadable, or names something that does not exist."""


class VariableError(UsageError):
    """A ``${name}`` that no scope defines."""


class ExpressionError(UsageError):
    """An invalid JSONPath, regular expression or marker."""


class StepArgumentError(UsageError):
    """A step argument that cannot be used as given (invalid JSON, a non-number where one is needed)."""


class SpecError(UsageError):
    """A JSON Schema or OpenAPI document that cannot be read, is not valid, or has no
    operation for the request that was sent."""


class SqlError(UsageError):
    """The database refused a statement (bad SQL, a constraint), or a step named a table or
    column the database does not have. The message carries the database's own words."""


class ServiceError(SeamlineError):
    """A service could not be reached, did not answer in time, or did not start."""


class ServiceUnreachable(ServiceError):
    """No connection could be made: the service is down or not there (yet)."""


class AuthError(ServiceError):
    """The token request of an auth profile failed or its answer held no token."""
