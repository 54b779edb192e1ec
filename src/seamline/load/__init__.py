"""Load mode: the scenarios of .feature files as Locust users (``pip install seamline[load]``).

A locustfile::

    from locust import between
    from seamline.load import scenarios_as_users

    Shoppers = scenarios_as_users("features/cart.feature", wait_time=between(0.5, 2))

or, without one, ``seamline load features/ --headless -u 10 -r 2 -t 1m --host http://...``.
"""

from ._users import LoadContext, ScenarioFailed, ScenarioUser, TokenReuse, scenarios_as_users

__all__ = ["LoadContext", "ScenarioFailed", "ScenarioUser", "TokenReuse", "scenarios_as_users"]
