"""One managed service for all the processes of a parallel run.

pabot runs each suite file as a ``robot`` process of its own, and pytest-xdist runs its
workers side by side: each would start a managed service again. Instead the workers of one
run share it. The front end says which run this process works for (:func:`worker_of_parent`:
pabot's or xdist's main process, which started this one); the run has a folder in the
temporary directory, and each service a state file in it, read and written under a file
lock. The first worker to need the service starts it under a *keeper* (``_keeper.py``, a
small program of its own) and writes down its URL; the others find it there, after checking
that the keeper still lives and that the service still answers its health check (else they
start it again). The keeper stops the service when the run's main process ends, also when
that process was killed: not when the last worker leaves, which under pabot happens between
any two suite files.

A service whose start names something of one worker (``${worker}``, a generated value such
as ``${unique}``, a stub or broker of the worker's own) is not shared: each worker starts
its own, as in a run of one process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..config import ServiceConfig
from ..config.loading import START_REFERENCE
from ..errors import ServiceError
from ..values.variables import Generated
from ..waiting.retry import GaveUp, NotYet, Patience, keep_trying
from ._keeper import process_started
from .state import ParallelRun

__all__ = ["KEEPER", "RunShare", "SharedUse", "shareable", "worker_of_parent"]

KEEPER = Path(__file__).with_name("_keeper.py")

_HEALTH_TIMEOUT = 2.0
_RETIRE_TIMEOUT = 15.0  # the keeper's own stop takes up to 10 s before SIGKILL


def worker_of_parent(runner: str, run_id: str | None = None) -> ParallelRun | None:
    """This process as a worker its parent process started (pabot's robot processes and
    pytest-xdist's workers are), the parent being the run's main process. The run is named by
    ``run_id`` (xdist's testrunuid), or by the parent's pid and start time. None where the run
    cannot be shared: not POSIX (no file locks), or this process was orphaned (its parent is
    init now, which would never end the run)."""
    owner = os.getppid()
    if os.name != "posix" or owner <= 1:
        return None
    started = process_started(owner)
    key = f"{runner}-{run_id}" if run_id else f"{runner}-{owner}-{started}"
    return ParallelRun(re.sub(r"[^A-Za-z0-9_.-]", "_", key), owner, started)


def shareable(service: ServiceConfig) -> bool:
    """Whether the workers of a run can use one process of ``service``: its start names
    nothing that differs from worker to worker (``${worker}``, a generated value, a stub or
    broker, which the worker itself runs or names per worker)."""
    start = service.start
    if start is None:
        return False
    command = [start.command] if isinstance(start.command, str) else list(start.command)
    texts = [service.base_url, start.health, start.cwd or "", *start.env.values(), *command]
    # Generated: the config's mark on a text whose generators are read when it is used.
    return not any(
        isinstance(text, Generated) or "${worker}" in str(text) or START_REFERENCE.search(str(text))
        for text in texts
    )


@dataclass(frozen=True)
class SharedUse:
    """This worker's use of a service the run shares. Leaving it (at this worker's end)
    leaves the service running for the others: its keeper stops it when the run ends."""

    base_url: str

    def stop(self) -> None:
        pass


class Started(Protocol):
    """A service this worker started under the keeper (a :class:`~.managed.ManagedService`)."""

    base_url: str

    def health_url(self) -> str: ...

    def hand_over(self) -> int | None:
        """Leave the service to its keeper; the keeper's pid."""
        ...


class RunShare:
    """One service's place in the run's folder: its state file and the lock around it."""

    def __init__(self, service: ServiceConfig, config_dir: Path | None, run: ParallelRun) -> None:
        self.run = run
        # Two seamline.yaml files may name different services alike: the start is in the name.
        what = json.dumps([service.base_url, repr(service.start), str(config_dir)])
        digest = hashlib.sha256(what.encode()).hexdigest()[:12]
        self.stem = f"{re.sub(r'[^A-Za-z0-9_.-]', '_', service.name)}-{digest}"
        self.state_file = run.folder / f"{self.stem}.json"

    def use(self, start: Callable[[list[str]], Started]) -> SharedUse:
        """The run's service: the one a worker started if it is still kept and answers, else
        one that ``start`` starts now, given the keeper's command line to run it with."""
        _private_folder(self.run.folder.parent)
        self.run.folder.mkdir(mode=0o700, exist_ok=True)
        with self._locked():  # a second worker waits here while the first one starts it
            state = self._state()
            if state is not None and self._usable(state):
                return SharedUse(str(state["base_url"]))
            if state is not None:
                self._retire(state)
            return self._start(start)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl  # POSIX: a run is shared only there (worker_of_parent)

        descriptor = os.open(self.run.folder / f"{self.stem}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing the file drops its lock

    def _state(self) -> dict[str, object] | None:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # none yet, or written by something else: started again
        return state if isinstance(state, dict) else None

    def _usable(self, state: dict[str, object]) -> bool:
        """Left by a worker of this run (not by an earlier run that had the same key), its
        keeper alive, and the service answering its health check: a crashed service or a
        killed keeper is not handed out."""
        return (
            state.get("owner") == [self.run.owner, self.run.owner_started]
            and _keeper_alive(state)
            and _answers(str(state.get("health_url")))
        )

    def _retire(self, state: dict[str, object]) -> None:
        """A service of this run that is kept but does not answer: its keeper stops it, so
        that it gives back its port before the new one starts. (Another run's is left alone.)"""
        self.state_file.unlink(missing_ok=True)
        keeper = state.get("keeper")
        ours = state.get("owner") == [self.run.owner, self.run.owner_started]
        if not ours or not isinstance(keeper, int) or not _keeper_alive(state):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(keeper, signal.SIGTERM)

        def gone() -> None:
            if _keeper_alive(state):
                raise NotYet("the keeper still holds its lock")

        with contextlib.suppress(GaveUp):
            keep_trying(gone, Patience(timeout=_RETIRE_TIMEOUT, interval=0.05))

    def _start(self, start: Callable[[list[str]], Started]) -> SharedUse:
        keeper_lock = self.run.folder / f"{self.stem}-{uuid.uuid4().hex[:8]}.keeper"
        launcher = [
            sys.executable,
            "-I",  # the keeper needs the standard library only, not the environment's paths
            str(KEEPER),
            str(self.run.owner),
            self.run.owner_started,
            str(keeper_lock),
            str(self.run.folder),
            "--",
        ]
        started = start(launcher)
        state = {
            "base_url": started.base_url,
            "health_url": started.health_url(),
            "owner": [self.run.owner, self.run.owner_started],
            "keeper": started.hand_over(),
            "keeper_lock": str(keeper_lock),
        }
        # Written whole, then renamed: a worker never reads half a state.
        partial = self.state_file.with_suffix(".partial")
        partial.write_text(json.dumps(state), encoding="utf-8")
        partial.replace(self.state_file)
        return SharedUse(started.base_url)


def _private_folder(folder: Path) -> None:
    """The folder of this user's runs, which no one else may write into."""
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o022:
        raise ServiceError(
            f"cannot share managed services between the workers: {folder} belongs to another user "
            "or others may write into it; remove it"
        )


def _keeper_alive(state: dict[str, object]) -> bool:
    """The keeper holds a lock on its file while it lives; the kernel drops it when it dies."""
    import fcntl

    path = state.get("keeper_lock")
    if not isinstance(path, str):
        return False
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        return False  # removed by the keeper as it ended
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def _answers(url: str) -> bool:
    import requests

    try:
        with requests.Session() as session:
            session.trust_env = False
            return session.get(url, timeout=_HEALTH_TIMEOUT).status_code < 400
    except requests.RequestException:
        return False

