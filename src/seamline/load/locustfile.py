"""The locustfile ``seamline load`` hands to Locust: its choices arrive in SEAMLINE_LOAD
(JSON), so that every process Locust starts (--processes, --worker) reads the same."""

from __future__ import annotations

import json
import os

from locust import between, constant

from seamline.load import scenarios_as_users

_options = json.loads(os.environ.get("SEAMLINE_LOAD", "{}"))
_wait = _options.get("wait")

ScenarioUsers = scenarios_as_users(
    *_options.get("paths", ["."]),
    scenarios=_options.get("scenarios", []),
    tags=_options.get("tags", []),
    wait_time=None if _wait is None else (constant(_wait[0]) if _wait[0] == _wait[1] else between(*_wait)),
    tokens=_options.get("tokens", "user"),
    config=_options.get("config"),
    environment=_options.get("environment"),
)
