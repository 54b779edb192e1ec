"""The run and the test: what lives how long.

A :class:`Runtime` lasts the whole run and owns what is costly to build: the
configuration, keep-alive HTTP sessions, managed services, stub servers, broker
connections, global variables and the secrets to mask. A :class:`Context` lasts one
test (Robot) or scenario (pytest): its variables, headers, last response, messages
received and cleanup actions.
"""

from __future__ import annotations

import atexit
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar, cast

from .config import Config, load_config
from .contract.state import ContractState
from .db.state import DbState
from .errors import SeamlineError, bounded
from .http.state import HttpState
from .messaging.state import MessagingState
from .stubs.state import StubState
from .values.files import find_file, missing_file
from .values.generators import Generators
from .values.secrets import Secrets
from .values.variables import Scope, ScopeListener, Variables, fill_generated

if TYPE_CHECKING:
    from .services.state import ParallelRun

__all__ = ["Cleanup", "Context", "LogSink", "MemorySink", "RunResource", "Runtime"]


class LogSink(Protocol):
    """Where a front end wants Seamline's log lines: Robot's log, or a pytest report section."""

    def write(self, message: str, level: str) -> None: ...


class MemorySink:
    """Keeps the lines of one test, for front ends that show them only on failure. A line
    handed over to be made later (:meth:`Context.log_later`) is made when the lines are read,
    so a test that passes never pays for it."""

    def __init__(self) -> None:
        self._lines: list[str | Callable[[], str]] = []

    def write(self, message: str, level: str) -> None:
        self._lines.append(message)

    def write_later(self, make: Callable[[], str], level: str) -> None:
        self._lines.append(make)

    def __len__(self) -> int:
        return len(self._lines)

    @property
    def lines(self) -> list[str]:
        self._lines[:] = [line if isinstance(line, str) else line() for line in self._lines]
        return cast(list[str], self._lines)


class RunResource(Protocol):
    """Something costly that lasts the run (keep-alive sessions, engines, servers): opened on
    first use by :meth:`Runtime.resource`, closed when the run ends.

    A resource that others may still be using while they close (a managed service talks to
    stubs and brokers) sets ``CLOSES_FIRST = True``."""

    @classmethod
    def open(cls, runtime: Runtime) -> RunResource: ...

    def close(self) -> None: ...


R = TypeVar("R", bound=RunResource)


class Runtime:
    """Everything that lives for the whole run."""

    def __init__(
        self, config_path: str | Path | None = None, environment: str | None = None, config: Config | None = None
    ) -> None:
        self.config_path = config_path
        self.environment = environment
        self.secrets = Secrets()
        self.globals: dict[str, object] = {}
        self.generators = Generators()
        # The parallel run this process is a worker of, as its front end tells (pabot, xdist):
        # the managed services the workers can share are started once for the run.
        self.parallel_run: ParallelRun | None = None
        self._config: Config | None = None
        self._run_values: dict[str, str] | None = None
        # One of each kind, opened on first use: a run that never stubs never loads werkzeug.
        self._resources: dict[type[RunResource], RunResource] = {}
        # Resources another runtime owns and closes (load mode: tokens kept once per run).
        self._adopted: dict[type[RunResource], RunResource] = {}
        if config is not None:  # loaded once and shared (load mode: one runtime per virtual user)
            self._use(config)
        # A run that dies without its front end's end-of-run hook must not leave services running.
        atexit.register(self.close)

    @property
    def config(self) -> Config:
        """Loaded on first use, so that a config error fails the step that needed it, not the import."""
        if self._config is None:
            self._use(load_config(self.config_path, self.environment))
        assert self._config is not None
        return self._config

    def _use(self, config: Config) -> None:
        for value in config.secrets:
            self.secrets.add(value)
        self._config = config

    @property
    def loaded_config(self) -> Config | None:
        """The config if it has been loaded, without loading it (for what runs after a failure)."""
        return self._config

    @property
    def config_folder(self) -> Path | None:
        """The folder of seamline.yaml, where files named in tests are looked for after the
        test file's folder; None without a config file (or with a broken one: the first step
        that reads the config says what is wrong)."""
        try:
            path = self.config.path
        except SeamlineError:
            return None
        return path.parent if path is not None else None

    @property
    def worker(self) -> str:
        """This process's name among the workers of a parallel run (``gw1`` under pytest-xdist,
        ``pabot1`` under pabot, ``SEAMLINE_WORKER``); ``main`` in a run of one process. What
        ``${worker}`` stands for in seamline.yaml, so that workers keep files apart."""
        return re.sub(r"[^A-Za-z0-9]", "", self.generators.worker) or "main"

    def with_worker(self, text: str) -> str:
        """``text`` with ``${worker}`` replaced by :attr:`worker`, and the generators it names
        (``${unique}`` ...) read once for the run: it describes what lasts the run (a start
        command, a database or broker URL, a queue's name)."""
        if self._run_values is None:
            self._run_values = self.generators.values()
        return str(fill_generated(text, self._run_values.__getitem__, self.secrets)).replace("${worker}", self.worker)

    def resource(self, kind: type[R]) -> R:
        """The run's one ``kind`` (``Databases``, ``StubServers`` ...), opened on first use."""
        found = self._resources.get(kind, self._adopted.get(kind))
        if found is None:
            found = self._resources[kind] = kind.open(self)
        return cast(R, found)

    def opened(self, kind: type[R]) -> R | None:
        """The run's ``kind`` if it was opened, without opening it."""
        return cast("R | None", self._resources.get(kind, self._adopted.get(kind)))

    def adopt(self, resource: RunResource, kind: type[RunResource] | None = None) -> None:
        """Use ``resource``, opened and closed by its owner, as this run's ``kind`` (its own
        class unless given): load mode shares tokens between virtual users, and reports what
        each user's HTTP client sends."""
        self._adopted[kind or type(resource)] = resource

    def close(self) -> None:
        """Close everything the run opened, last opened first; safe to call more than once."""
        opened = list(reversed(self._resources.values()))
        self._resources.clear()
        opened.sort(key=lambda resource: not getattr(resource, "CLOSES_FIRST", False))  # stable
        for resource in opened:
            resource.close()


@dataclass
class Cleanup:
    description: str
    action: Callable[[], None]
    step: str | None = None  # the step that registered it, as its front end names it
    # A check that runs when the test ends, before the cleanups: its failure is the test's own.
    check: bool = False


@dataclass
class Context:
    """One test or scenario: its variables, each area's state, and its cleanup actions.

    ``name`` is the test's name as its front end shows it (for messages about another test)."""

    runtime: Runtime
    suite: dict[str, object] = field(default_factory=dict)
    sink: LogSink = field(default_factory=MemorySink)
    listener: ScopeListener | None = None
    http: HttpState = field(default_factory=HttpState)
    db: DbState = field(default_factory=DbState)
    messaging: MessagingState = field(default_factory=MessagingState)
    stubs: StubState = field(default_factory=StubState)
    contract: ContractState = field(default_factory=ContractState)
    cleanups: list[Cleanup] = field(default_factory=list)
    name: str = ""
    # False where nobody reads the log (a load test): the exchange is not even formatted.
    logs_exchanges: ClassVar[bool] = True
    folder: Path | None = None  # the test file's folder: files its steps name are looked for there first
    # The step running now, named as the front end names it (``Step '...' (file:line)``), so
    # that a cleanup failing when the test ends says which step registered it.
    running_step: Callable[[], str | None] = field(default_factory=lambda: _no_step)

    def __post_init__(self) -> None:
        runtime = self.runtime  # not self: a context in no reference cycle is freed when its test ends
        self.variables = Variables(
            self.suite,
            self.runtime.globals,
            self.runtime.secrets,
            self.listener,
            defaults=lambda: runtime.config.variables,
            generators=self.runtime.generators,
        )

    def __repr__(self) -> str:
        # Short: reports show a step's arguments, the context among them (Allure's step
        # parameters, --showlocals), and its whole state holds the last request's headers.
        return f"<Seamline context of {self.name!r}>"

    def log(self, message: str, level: str = "INFO") -> None:
        self.sink.write(self.runtime.secrets.mask(message), level)

    def log_later(self, make: Callable[[], str], level: str = "INFO") -> None:
        """Log what ``make()`` returns, made (and masked) only when a sink that keeps its lines
        for a failure shows them; a sink that shows every line (Robot's log) gets it now."""
        write_later = getattr(self.sink, "write_later", None)
        if write_later is None:
            self.log(make(), level)
            return
        secrets = self.runtime.secrets
        write_later(lambda: secrets.mask(make()), level)

    def store(self, name: str, value: object, scope: Scope = Scope.TEST, secret: bool = False) -> None:
        self.variables.set(name, value, scope, secret)
        shown = "***" if secret else value
        self.log(f"${{{name}}} = {shown!r}" if not isinstance(shown, str) else f"${{{name}}} = {shown}")

    # -- files named in steps ---------------------------------------------------------

    def locate_file(self, written: str) -> Path | None:
        """The file a step names, by the one rule of :mod:`.values.files`: beside the test
        file, then beside seamline.yaml; None if it is in neither place."""
        return find_file(written, self.folder, self.runtime.config_folder)

    def file_not_found(self, what: str, written: str, purpose: str = "") -> str:
        """One line saying where ``written`` was looked for (``what``: "SQL file" ...)."""
        return missing_file(what, written, self.folder, self.runtime.config_folder, purpose)

    # -- cleanup --------------------------------------------------------------------

    def add_cleanup(self, description: str, action: Callable[[], None]) -> None:
        self.cleanups.append(Cleanup(description, action, self.running_step()))

    def add_final_check(self, description: str, action: Callable[[], None]) -> None:
        """A check that runs when the test ends (``every response must conform ... by the end
        of the test``), before any cleanup; its failure fails the test."""
        self.cleanups.append(Cleanup(description, action, self.running_step(), check=True))

    def finish(self) -> list[str]:
        """Run the final checks, then the cleanup actions last-in-first-out; return the
        failures, one line each.

        A Ctrl-C (KeyboardInterrupt) while they run ends the one running only: the others
        still undo what the test did, and the interrupt is raised again when they are done."""
        failures = []
        interrupted: KeyboardInterrupt | None = None
        checks = [cleanup for cleanup in self.cleanups if cleanup.check]
        self.cleanups = [cleanup for cleanup in self.cleanups if not cleanup.check]
        for check in checks:
            # Named by the step that asked for it, as a failing cleanup is.
            where = f"{check.step} failed when the test ended" if check.step else "at the end of the test"
            try:
                check.action()
            except SeamlineError as error:
                failures.append(f"{where}: {error.message}")
            except KeyboardInterrupt as interrupt:
                failures.append(f"{where}: interrupted")
                interrupted = interrupted or interrupt
        while self.cleanups:
            cleanup = self.cleanups.pop()
            try:
                cleanup.action()
            except SeamlineError as error:
                failures.append(_cleanup_failure(cleanup, error.message))
            except Exception as error:
                failures.append(_cleanup_failure(cleanup, bounded(f"{type(error).__name__}: {error}")))
            except KeyboardInterrupt as interrupt:
                failures.append(_cleanup_failure(cleanup, "interrupted"))
                interrupted = interrupted or interrupt
        for failure in failures:
            self.log(failure, "WARN")
        if interrupted is not None:
            raise interrupted
        return failures


def _no_step() -> None:
    return None


def _cleanup_failure(cleanup: Cleanup, cause: str) -> str:
    if cleanup.step is None:
        return f"cleanup '{cleanup.description}' failed: {cause}"
    return f"{cleanup.step} failed when the test ended (cleanup: {cleanup.description}): {cause}"
