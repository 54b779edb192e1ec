"""The demo shop: the HTTP service Seamline's example suites and tests run against.

Start it from a shell with ``python -m seamline.demo`` (see ``--help``), or
from Python::

    from seamline.demo import running_demo

    with running_demo() as base_url:
        ...  # e.g. requests.get(f"{base_url}/products")

Needs the ``demo`` extra (FastAPI and uvicorn). They are imported only when
the shop is built, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.demo._server import running_demo
from seamline.demo._users import DEFAULT_USERS, USERS_ENV_VAR, parse_users

if TYPE_CHECKING:
    from seamline.demo._app import PaymentRetry, create_app

__all__ = ["DEFAULT_USERS", "USERS_ENV_VAR", "PaymentRetry", "create_app", "parse_users", "running_demo"]


def __getattr__(name: str) -> object:
    # create_app lives with FastAPI, which is slow to import; load on first use.
    if name == "create_app":
        from seamline.demo._app import create_app

        return create_app
    if name == "PaymentRetry":
        from seamline.demo._app import PaymentRetry

        return PaymentRetry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
