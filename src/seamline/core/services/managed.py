"""Managed services: started by Seamline on first use, stopped at the end of the run.

In a worker of a parallel run (pabot, pytest-xdist) a service the workers can share is
started once for the run instead (:mod:`.shared`)."""

from __future__ import annotations

import errno
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from ..config import ServiceConfig
from ..config.loading import START_REFERENCE
from ..errors import ConfigError, ServiceError
from ..waiting.retry import GaveUp, NotYet, Patience, keep_trying
from ._keeper import STOP_WITH_PARENT
from .shared import RunShare, SharedUse, shareable
from .state import ParallelRun

if TYPE_CHECKING:
    from ..context import Runtime

__all__ = ["ManagedService", "PortClaim", "ServiceManager", "claim_free_port", "claim_port", "free_port"]

_POLL_INTERVAL = 0.05

_OUTPUT_TAIL_LINES = 30

_PORT_PROBE_TIMEOUT = 2.0


# The keepers of services handed over to them (see ManagedService.hand_over), still running:
# kept here, as Popen warns when it is collected while its process runs.
_HANDED_OVER: list[subprocess.Popen[bytes]] = []

_PORT_CLAIMS = "seamline-ports"  # a folder of the temporary directory, shared by the run's workers
_PORT_ATTEMPTS = 50


class PortClaim:
    """A port this process has chosen for a managed service and claims until the service
    stops: a lock on a file named after it, which another worker (or run) choosing a free
    port skips. The kernel drops the lock when this process dies, so no claim outlives it."""

    def __init__(self, port: int, descriptor: int) -> None:
        self.port = port
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is not None:
            os.close(descriptor)  # closing the file drops its lock


def claim_port(port: int) -> PortClaim | None:
    """Claim ``port`` for this process; None if another process holds it."""
    import fcntl

    folder = Path(tempfile.gettempdir()) / _PORT_CLAIMS
    folder.mkdir(mode=0o777, exist_ok=True)
    descriptor = os.open(folder / f"{port}.lock", os.O_RDWR | os.O_CREAT, 0o666)  # not inherited by children
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return None
    return PortClaim(port, descriptor)


def claim_free_port() -> PortClaim:
    """A free loopback port that no other process has claimed, claimed for this one: between
    the choice and the service's bind, a parallel worker cannot choose it too."""
    for _ in range(_PORT_ATTEMPTS):
        claim = claim_port(free_port())
        if claim is not None:
            return claim
    raise ServiceError(f"no free port that another worker has not claimed after {_PORT_ATTEMPTS} tries")


def _flat(text: str, limit: int) -> str:
    """A text on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ManagedService:
    """One process of a service, started by this process. ``launcher`` runs its command
    (default: a program that stops it when this process dies; for a service the run shares,
    the keeper of :mod:`.shared`)."""

    def __init__(
        self,
        config: ServiceConfig,
        config_dir: Path | None,
        resolve: Callable[[str], str] | None = None,
        launcher: list[str] | None = None,
    ) -> None:
        assert config.start is not None
        self.config = config
        self.start_spec = config.start
        self.config_dir = config_dir
        self._claim: PortClaim | None = None
        if self.start_spec.port is not None:
            self.port = self.start_spec.port
        else:
            self._claim = claim_free_port()  # released when the service stops or is handed over
            self.port = self._claim.port
        self._resolve = resolve
        self._given_launcher = launcher
        self.base_url = self._fill(config.base_url)
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    def _fill(self, text: str) -> str:
        # ${stub:NAME}, ${broker:NAME}, ${worker} and generators: what the run gives the service
        # it starts (first, while the text still knows which of its parts came from the environment).
        text = self._resolve(text) if self._resolve is not None else text
        return text.replace("${port}", str(self.port)).replace("${python}", sys.executable)

    def _command(self) -> list[str]:
        command = self.start_spec.command
        words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command]
        return [self._fill(word) for word in words]

    def start(self) -> None:
        # Also with port: auto, as a base URL may fix its port itself (http://127.0.0.1:8000).
        self._refuse_a_taken_port()
        command = self._command()
        cwd = Path(self.start_spec.cwd) if self.start_spec.cwd else self.config_dir
        if cwd is not None and self.config_dir is not None and not cwd.is_absolute():
            cwd = self.config_dir / cwd
        self._output = tempfile.TemporaryFile()  # noqa: SIM115  (kept open while the service runs)
        env = {**os.environ, **{k: self._fill(v) for k, v in self.start_spec.env.items()}}
        try:
            if sys.platform == "linux" and shutil.which(command[0], path=env.get("PATH")) is None and not (
                "/" in command[0] and Path(cwd or ".", command[0]).is_file()
            ):
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
            self.process = subprocess.Popen(
                [*self._launcher(), *command],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches its children too
            )
        except OSError as error:
            self._close_output()
            self._release_port()
            raise ServiceError(
                f"cannot start service {self.config.name!r}: {' '.join(command)}: {error.strerror}"
            ) from None
        try:
            self._wait_until_healthy()
        except BaseException:
            # Not healthy, or the run was stopped (SIGTERM, Ctrl-C) while it waited: the service
            # is not registered as running yet, so nothing else would stop it and its children.
            self.stop()
            raise

    def _launcher(self) -> list[str]:
        if self._given_launcher is not None:
            return self._given_launcher
        return [sys.executable, "-c", STOP_WITH_PARENT, str(os.getpid())] if sys.platform == "linux" else []

    def _refuse_a_taken_port(self) -> None:
        """A fixed port that something already answers on: fail now, before a test's
        request reaches that stranger (whose health check would pass for the service)."""
        address = urlsplit(self.base_url)
        port = address.port or (443 if address.scheme == "https" else 80)
        try:
            with socket.create_connection((address.hostname or "127.0.0.1", port), timeout=_PORT_PROBE_TIMEOUT):
                pass
        except OSError:
            return  # nothing listens there: the port is the service's to take
        raise ServiceError(
            f"managed service {self.config.name!r} cannot start: port {port} is already in use by another "
            f"process ({self._stranger_answer()}); stop that process, or give the service another port "
            "(port: auto with ${port} in base_url picks a free one)"
        )

    def _stranger_answer(self) -> str:
        """What answers on the taken port, in a few words: its answer to the health check."""
        import requests

        health = self._fill(self.start_spec.health)
        try:
            with requests.Session() as session:
                session.trust_env = False
                answer = session.get(self.base_url + health, timeout=_PORT_PROBE_TIMEOUT, allow_redirects=False)
        except requests.RequestException as error:
            return f"it accepts connections, but GET {health} got no HTTP answer: {_flat(str(error), 120)}"
        server = answer.headers.get("Server")
        body = _flat(answer.text, 80)
        return f"GET {health} answered {answer.status_code} {answer.reason}" + (
            f", server {server}" if server else ""
        ) + (f": {body}" if body else "")

    def _wait_until_healthy(self) -> None:
        import requests

        process = self.process
        assert process is not None
        url = self.health_url()

        def healthy(session: requests.Session) -> None:
            if process.poll() is not None:
                self._fail(f"exited with code {process.returncode} before it became healthy")
            try:
                status = session.get(url, timeout=1).status_code
            except requests.RequestException as error:
                raise NotYet(error) from None
            if status >= 400:
                raise NotYet(f"answered {status}")

        with requests.Session() as session:
            session.trust_env = False
            try:
                keep_trying(
                    lambda: healthy(session), Patience(timeout=self.start_spec.timeout, interval=_POLL_INTERVAL)
                )
            except GaveUp:
                self._fail(f"did not answer {url} within {self.start_spec.timeout:g} s")

    def health_url(self) -> str:
        return self.base_url + self._fill(self.start_spec.health)

    def hand_over(self) -> int | None:
        """Leave the running service to the launcher that keeps it (the run's keeper), which
        stops it when the run ends; give back what this process held for it. The keeper's pid."""
        process, self.process = self.process, None
        if process is not None:
            _HANDED_OVER.append(process)
        self._close_output()
        self._release_port()  # bound by the service now: no other choice can take it
        return process.pid if process is not None else None

    def _fail(self, what: str) -> None:
        output = self.output_tail()
        self.stop()
        raise ServiceError(
            f"managed service {self.config.name!r} {what}",
            details=f"its output:\n{output}" if output else "it wrote no output",
        )

    def output_tail(self) -> str:
        if self._output is None:
            return ""
        self._output.seek(0)
        lines = self._output.read().decode("utf-8", errors="replace").splitlines()
        return "\n".join(lines[-_OUTPUT_TAIL_LINES:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        self._close_output()
        self._release_port()

    def _release_port(self) -> None:
        if self._claim is not None:
            self._claim.release()
            self._claim = None

    def _close_output(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None


class ServiceManager:
    """Knows each service's effective base URL, starting managed ones the first time they are used."""

    # Stopped before the run's stubs and brokers: the services may still be talking to them.
    CLOSES_FIRST = True

    def __init__(
        self,
        config_dir: Path | None,
        resolve: Callable[[str], str] | None = None,
        parallel_run: ParallelRun | None = None,
    ) -> None:
        self.config_dir = config_dir
        self.resolve = resolve
        self.parallel_run = parallel_run
        self.running: dict[str, ManagedService | SharedUse] = {}

    @classmethod
    def open(cls, runtime: Runtime) -> ServiceManager:
        path = runtime.config.path
        return cls(path.parent if path else None, lambda text: _run_references(runtime, text), runtime.parallel_run)

    def close(self) -> None:
        self.stop_all()

    def base_url(self, service: ServiceConfig) -> str:
        if service.start is None:
            return service.base_url
        running = self.running.get(service.name)
        if running is None:
            if self.parallel_run is not None and shareable(service):
                share = RunShare(service, self.config_dir, self.parallel_run)
                running = share.use(lambda launcher: self._start(service, launcher))
            else:
                running = self._start(service, None)
            self.running[service.name] = running
        return running.base_url

    def _start(self, service: ServiceConfig, launcher: list[str] | None) -> ManagedService:
        managed = ManagedService(service, self.config_dir, self.resolve, launcher)
        try:
            managed.start()
        except BaseException:
            managed.stop()  # also gives back its port, whatever stopped the start
            raise
        return managed

    def stop_all(self) -> None:
        while self.running:
            _, managed = self.running.popitem()
            managed.stop()


def _run_references(runtime: Runtime, text: str) -> str:
    """``${stub:payments}`` and ``${broker:events}`` in a start command: the URL of that stub
    (started now, so that the service can be told where it is) or broker."""
    # Imported here: werkzeug and kombu load only for runs whose services name a stub or broker.
    from ..messaging.queues import Brokers
    from ..stubs.servers import StubServers

    def replace(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2).strip()
        if kind == "stub":
            return runtime.resource(StubServers).get(name).url
        if not runtime.config.brokers.get(name) and name != "memory":
            raise ConfigError(f"${{broker:{name}}}: unknown broker {name!r} in {runtime.config.where()}")
        return runtime.resource(Brokers).get(name).url

    return START_REFERENCE.sub(replace, runtime.with_worker(text))
