"""Load mode: the scenarios of .feature files as Locust users (``pip install seamline[load]``).

A locustfile::

    from locust import between
    from seamline.load import scenarios_as_users

    Shoppers = scenarios_as_users("features/cart.feature", wait_time=between(0.5, 2))

or, without one, ``seamline load features/ -- --headless -u 10 -r 2 -t 1m --host http://...``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._plan import TokenReuse

if TYPE_CHECKING:
    from ._users import LoadContext, ScenarioFailed, ScenarioUser, scenarios_as_users

__all__ = ["LoadContext", "ScenarioFailed", "ScenarioUser", "TokenReuse", "scenarios_as_users"]


def __getattr__(name: str) -> Any:
    # Importing Locust monkey-patches the process for gevent: only a locustfile asking for
    # users does it, not `seamline load` checking its input first.
    if name in __all__:
        from . import _users

        return getattr(_users, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
