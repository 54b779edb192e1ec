"""The keeper of a managed service that the processes of one parallel run share.

The worker that first needs the service runs this file as a program of its own (standard
library only: it starts fast and does not depend on how Seamline was imported)::

    python _keeper.py OWNER_PID OWNER_STARTED KEEPER_LOCK RUN_FOLDER -- COMMAND...

It holds a lock on KEEPER_LOCK while it lives (the other workers test the lock to see that
the service is still kept), runs COMMAND as its child and waits. It stops the service when
the run's owner process ends (pabot, pytest-xdist's controller: the end of the run, also
when the owner was killed) and then removes RUN_FOLDER; when it is told to stop (SIGTERM,
SIGINT, SIGHUP: a worker whose start failed); and it exits with the service's code when the
service exits by itself. The worker that started it may end long before: pabot runs each
suite file in a process of its own, and the service is the run's, not the worker's.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time

# Runs first in a service's process (Linux), then becomes the service's command: it asks the
# kernel for SIGTERM when its parent (the test run, or the keeper) dies, also by a signal that
# leaves the parent no time to stop what it started. A program of its own rather than a
# preexec_fn, which is unsafe in a process with threads (stub servers, brokers); the setting
# outlives exec. (Here, in the standard-library-only keeper, which uses it too.)
STOP_WITH_PARENT = """\
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)  # the run died before the request took effect
try:
    os.execvp(sys.argv[2], sys.argv[2:])
except OSError as error:
    sys.exit(f"cannot run {sys.argv[2]!r}: {error.strerror}")
"""

# How often the keeper looks at the service (and at the owner where the kernel cannot say
# when it ends, without pidfd_open).
_POLL_INTERVAL = 0.2
_STOP_TIMEOUT = 10.0


def process_started(pid: int) -> str:
    """When process ``pid`` started, in clock ticks since boot (Linux), so that a new process
    that got an old one's pid is not taken for it; "" where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if len(fields) > 19 else ""  # field 22, counted after "pid (name)"


def owner_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user's process
    return not started or process_started(pid) == started


class _Stop(Exception):
    """A stop signal arrived."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def _wait_for_the_end(service: subprocess.Popen[bytes], owner: int, started: str) -> bool:
    """Wait until the service exits (False) or the owner ends (True)."""
    try:
        owner_fd: int | None = os.pidfd_open(owner)  # readable when the owner ends
    except ProcessLookupError:
        return True
    except (AttributeError, OSError):
        owner_fd = None  # not Linux 5.3+: look every _POLL_INTERVAL
    try:
        if not owner_alive(owner, started):
            return True  # ended before the keeper looked (or the pid is another process's now)
        while service.poll() is None:
            if owner_fd is not None:
                if select.select([owner_fd], [], [], _POLL_INTERVAL)[0]:
                    return True
            else:
                time.sleep(_POLL_INTERVAL)
                if not owner_alive(owner, started):
                    return True
        return False
    finally:
        if owner_fd is not None:
            os.close(owner_fd)


def _stop(service: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the service's process group (its children too), SIGKILL if it lingers."""
    if service.poll() is not None:
        return
    try:
        os.killpg(service.pid, signal.SIGTERM)
        os.killpg(service.pid, signal.SIGCONT)  # a stopped (hung) service handles it now
        service.wait(timeout=_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(service.pid, signal.SIGKILL)
        service.wait()
    except ProcessLookupError:
        pass


def main(argv: list[str]) -> int:
    import fcntl

    owner, started, keeper_lock, run_folder, separator, *command = argv
    if separator != "--" or not command:
        sys.exit("usage: _keeper.py OWNER_PID OWNER_STARTED KEEPER_LOCK RUN_FOLDER -- COMMAND...")
    lock = os.open(keeper_lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # held until this process ends: the kernel drops it then
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, _raise_stop)
    service: subprocess.Popen[bytes] | None = None
    owner_ended = told_to_stop = False
    try:
        # Stopped if the keeper dies (Linux); its own process group, so that stopping it
        # reaches its children; its output goes where the keeper's goes.
        launch = [sys.executable, "-c", STOP_WITH_PARENT, str(os.getpid())] if sys.platform == "linux" else []
        service = subprocess.Popen([*launch, *command], stdin=subprocess.DEVNULL, start_new_session=True)
        owner_ended = _wait_for_the_end(service, int(owner), started)
    except _Stop:
        told_to_stop = True
    except OSError as error:
        print(f"cannot run {command[0]!r}: {error.strerror}", file=sys.stderr, flush=True)
        return 127
    finally:
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)  # stopping is under way: finish it
        if service is not None:
            _stop(service)
        if owner_ended:
            shutil.rmtree(run_folder, ignore_errors=True)  # the run is over: its state goes too
        else:
            with contextlib.suppress(OSError):
                os.unlink(keeper_lock)
    code = service.returncode if service is not None else None
    if owner_ended or told_to_stop or code is None:
        return 0
    return code if code >= 0 else 128 - code  # the service's own exit, as a shell reports it


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
