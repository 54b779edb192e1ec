"""Scenarios as Locust users: one task a scenario, each request reported to Locust's
statistics under its method and its path as written.

Each virtual user has a runtime of its own (its keep-alive sessions, its variables, and,
unless tokens are kept once per run, its tokens) over the one configuration loaded for the
process; each time it runs a scenario, the scenario gets a new :class:`LoadContext`."""

from __future__ import annotations

import atexit
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import gevent
from locust import User, events, tag
from locust.env import Environment

from ..core.config import load_config
from ..core.context import Context, Runtime
from ..core.errors import SeamlineError, UsageError, bounded
from ..core.http.auth import Tokens
from ..core.http.client import HttpClient
from ..core.http.exchange import Request, Response
from ..steps._user import load_user_phrases
from ._plan import Plan, TokenReuse
from ._scenarios import LoadScenario, read_scenarios, select

__all__ = ["LoadContext", "ReportingClient", "ScenarioFailed", "ScenarioUser", "scenarios_as_users"]

class ScenarioFailed(Exception):
    """A step's failure as Locust counts it: one line naming the step, secrets masked."""


class LoadContext(Context):
    """A scenario run by a virtual user: nothing logged, the last response held back until the
    steps after it have checked it (a failed check is that request's failure)."""

    logs_exchanges = False

    def __post_init__(self) -> None:
        super().__post_init__()
        # (method, name, milliseconds, bytes) of the last request sent, not yet reported
        self.pending: tuple[str, str, float, int] | None = None

    def log(self, message: str, level: str = "INFO") -> None:
        pass  # the hot path: a load test's log would be read by nobody

    def sent(self, request: Request, elapsed: float, length: int) -> None:
        self.report(None)  # the steps since the last request passed: it succeeded
        self.pending = (request.method, request.written or request.url, elapsed, length)

    def report(self, failure: BaseException | None) -> None:
        if self.pending is not None:
            method, name, elapsed, length = self.pending
            self.pending = None
            _fire(method, name, elapsed, length, failure)

    def fail(self, label: str, error: Exception) -> None:
        """Count ``error`` as the failure of the last request, or of the scenario if it sent none."""
        cause = error.message if isinstance(error, SeamlineError) else bounded(f"{type(error).__name__}: {error}")
        failure = ScenarioFailed(self.runtime.secrets.mask(f"{label} failed: {cause}"))
        if self.pending is not None:
            self.report(failure)
        else:
            _fire("SCENARIO", self.name, 0.0, 0, failure)


def _fire(method: str, name: str, elapsed: float, length: int, failure: BaseException | None) -> None:
    events.request.fire(  # type: ignore[no-untyped-call]
        request_type=method, name=name, response_time=elapsed, response_length=length,
        exception=failure, context={},
    )


class ReportingClient(HttpClient):
    """A virtual user's keep-alive sessions: every request sent (a step's, a token's, a
    cleanup's, each retry) is timed as Locust times one, to the end of its body, and handed to
    the scenario running now, which reports it when its checks are done."""

    def __init__(self) -> None:
        super().__init__()
        self.ctx: LoadContext | None = None

    def send(self, request: Request, service: str) -> Response:
        started = time.perf_counter()
        try:
            response = super().send(request, service)
        except SeamlineError:  # no answer: the step fails with this, as this request's failure
            self._sent(request, (time.perf_counter() - started) * 1000, 0)
            raise
        self._sent(request, (time.perf_counter() - started) * 1000, len(response.content))
        return response

    def _sent(self, request: Request, elapsed: float, length: int) -> None:
        if self.ctx is not None:
            self.ctx.sent(request, elapsed, length)
        else:
            _fire(request.method, request.written or request.url, elapsed, length, None)


class ScenarioUser(User):
    """A virtual user running Seamline scenarios (made by :func:`scenarios_as_users`)."""

    abstract = True
    seamline: ClassVar[Plan]

    def on_start(self) -> None:
        plan = self.seamline
        self.runtime = Runtime(config=plan.config_for(self.host))
        self.http = ReportingClient()
        self.runtime.adopt(self.http, HttpClient)
        if plan.tokens == "run":
            self.runtime.adopt(plan.shared_tokens, Tokens)
        self.suite: dict[str, object] = {}  # this user's feature-scope variables

    def on_stop(self) -> None:
        self.runtime.close()
        self.http.close()
        atexit.unregister(self.runtime.close)  # closed now: not kept for the end of the process

    def run_scenario(self, scenario: LoadScenario) -> None:
        ctx = self.http.ctx = LoadContext(self.runtime, suite=self.suite, name=scenario.name, folder=scenario.folder)
        try:
            for step in scenario.steps:
                try:
                    step.phrase.run(ctx, step.arguments, step.docstring, step.table)
                except Exception as error:  # a failure of this scenario, never of the virtual user
                    ctx.fail(step.label, error)
                    return
            ctx.report(None)
        finally:
            for failure in ctx.finish():  # cleanups may send requests: reported like the others
                ctx.report(None)
                _fire("CLEANUP", scenario.name, 0.0, 0, ScenarioFailed(self.runtime.secrets.mask(failure)))
            ctx.report(None)
            self.http.ctx = None


def _task(scenario: LoadScenario) -> Callable[[ScenarioUser], None]:
    def run(user: ScenarioUser) -> None:
        user.run_scenario(scenario)

    run.__name__ = scenario.name
    run.__qualname__ = scenario.name
    # Locust's own --tags and --exclude-tags choose among them.
    return tag(*sorted(scenario.tags))(run) if scenario.tags else run


def scenarios_as_users(
    *paths: str | Path,
    scenarios: Sequence[str] = (),
    tags: Sequence[str] = (),
    wait_time: Callable[..., float] | None = None,
    tokens: TokenReuse = "user",
    config: str | Path | None = None,
    environment: str | None = None,
    name: str = "ScenarioUsers",
) -> type[User]:
    """A Locust user class whose tasks are the scenarios of the .feature files under ``paths``.

    ``scenarios`` and ``tags`` choose among them (a name or tag that none has is an error);
    each scenario's ``@weight:N`` tag is its task's weight; ``wait_time`` is Locust's
    (``between(1, 3)``); ``tokens="run"`` keeps auth-profile tokens once for the process
    instead of once per virtual user. A locustfile is run by Locust, so a mistake ends it
    with one line instead of a traceback."""
    try:
        found = read_scenarios(paths, load_user_phrases(config))
        chosen = select(found, scenarios, tags)
        if tokens not in ("user", "run"):
            raise UsageError(f"tokens={tokens!r}: keep tokens once per 'user' or once per 'run'")
        plan = Plan(load_config(config, environment), chosen, tokens)
    except SeamlineError as error:
        raise SystemExit(f"seamline load: {error.message}") from None
    attributes: dict[str, Any] = {
        "abstract": False,
        "seamline": plan,
        "tasks": {_task(scenario): scenario.weight for scenario in chosen},
    }
    if wait_time is not None:
        attributes["wait_time"] = wait_time
    users: type[ScenarioUser] = type(name, (ScenarioUser,), attributes)

    def check_host(environment: Environment, **_: Any) -> None:
        # Before any user starts, in every process: a managed service without --host is one line.
        try:
            plan.config_for(environment.host or users.host)
        except SeamlineError as error:
            print(f"seamline load: {error.message}", file=sys.stderr)
            raise SystemExit(1) from None

    events.init.add_listener(check_host)  # type: ignore[no-untyped-call]
    # gevent's loop keeps the time it last looked at the clock: after the seconds spent
    # importing the catalog, Locust's --run-time timer would be set from that stale time and
    # end the run early by as much.
    gevent.get_hub().loop.update_now()
    return users
