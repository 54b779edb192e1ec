"""One managed service for the processes of a parallel run (issue 12).

Real processes throughout: an *owner* process (what pabot or pytest-xdist's controller is to
a run) starts *workers* one at a time as its children; each worker asks for the service as a
front end's worker does (``Runtime.parallel_run``). The service is a small HTTP server that
writes down each start. The owner's end, however it ends, is the run's end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.core.config import load_config
from seamline.core.services.shared import RunShare, shareable
from seamline.core.services.state import ParallelRun
from tests.processes import pids_in, running, still_running
from tests.servers import unique_name
from tests.waiting import wait_while

# Writes its pid to the starts file, then answers /health and /pid.
SERVICE = """\
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"pid": os.getpid()}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

with open(sys.argv[2], "a") as starts:
    starts.write(f"{os.getpid()}\\n")
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""

# A worker: asks for the service as a front end's worker does, prints its URL; --die ends it
# by SIGKILL (no cleanup of any kind), as a crashed worker ends.
WORKER = """\
import os, signal, sys
from seamline.core.context import Runtime
from seamline.core.services.managed import ServiceManager
from seamline.core.services.shared import worker_of_parent

runtime = Runtime(sys.argv[1])
runtime.parallel_run = worker_of_parent("test", sys.argv[2])
print(runtime.resource(ServiceManager).base_url(runtime.config.services["svc"]), flush=True)
if "--die" in sys.argv:
    os.kill(os.getpid(), signal.SIGKILL)
runtime.close()
"""

# The owner: runs a worker for each line it reads, prints what the worker printed.
OWNER = """\
import json, subprocess, sys
for line in sys.stdin:
    done = subprocess.run([sys.executable, sys.argv[1], *line.split()], capture_output=True, text=True)
    print(json.dumps([done.returncode, done.stdout.strip(), done.stderr[-2000:]]), flush=True)
"""


class Run:
    """An owner process and the workers it runs."""

    def __init__(self, folder: Path, config: Path, run_id: str) -> None:
        self.config = config
        self.run_id = run_id
        (folder / "worker.py").write_text(WORKER, encoding="utf-8")
        (folder / "owner.py").write_text(OWNER, encoding="utf-8")
        self.owner = subprocess.Popen(
            [sys.executable, str(folder / "owner.py"), str(folder / "worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    @property
    def parallel_run(self) -> ParallelRun:
        started = _started(self.owner.pid)
        return ParallelRun(f"test-{self.run_id}", self.owner.pid, started)

    def worker(self, *flags: str) -> tuple[int, str, str]:
        assert self.owner.stdin is not None and self.owner.stdout is not None
        self.owner.stdin.write(" ".join([str(self.config), self.run_id, *flags]) + "\n")
        self.owner.stdin.flush()
        code, url, errors = json.loads(self.owner.stdout.readline())
        return code, url, errors

    def end(self) -> None:
        assert self.owner.stdin is not None
        self.owner.stdin.close()
        self.owner.wait(timeout=30)


def _started(pid: int) -> str:
    from seamline.core.services._keeper import process_started

    return process_started(pid)


@pytest.fixture
def service(tmp_path: Path) -> tuple[Path, Path]:
    """seamline.yaml with the service ``svc``, and the file its starts are written to."""
    (tmp_path / "svc.py").write_text(SERVICE, encoding="utf-8")
    starts = tmp_path / "starts.txt"
    starts.touch()
    config = tmp_path / "seamline.yaml"
    config.write_text(
        textwrap.dedent(
            f"""\
            services:
              svc:
                base_url: http://127.0.0.1:${{port}}
                start:
                  command: ${{python}} {tmp_path / "svc.py"} ${{port}} {starts}
                  health: /health
            """
        ),
        encoding="utf-8",
    )
    return config, starts


@pytest.fixture
def run(tmp_path: Path, service: tuple[Path, Path]) -> Iterator[Run]:
    run = Run(tmp_path, service[0], unique_name("run"))
    yield run
    if run.owner.poll() is None:
        run.owner.kill()
        run.owner.wait()


def _pid_behind(url: str) -> int:
    import requests

    return int(requests.get(url + "/pid", timeout=5).json()["pid"])


def test_the_workers_of_a_run_use_one_service_which_ends_with_the_run(
    run: Run, service: tuple[Path, Path]
) -> None:
    _, starts = service
    first = run.worker()
    second = run.worker()
    third = run.worker()
    assert [first[0], second[0], third[0]] == [0, 0, 0], first[2] + second[2] + third[2]
    assert first[1] == second[1] == third[1]  # each worker leaves; the next finds it still running
    assert len(pids_in(starts)) == 1
    assert _pid_behind(first[1]) == pids_in(starts)[0]
    folder = run.parallel_run.folder
    assert folder.is_dir()
    run.end()  # the run's main process ends: so does the service, and the run's state
    assert still_running(pids_in(starts)) == []
    wait_while(folder.exists, 30)  # the keeper removes the run's state after it stopped the service
    assert not folder.exists()


def test_a_killed_worker_leaves_the_service_to_the_others(run: Run, service: tuple[Path, Path]) -> None:
    _, starts = service
    code, url, _ = run.worker("--die")  # it started the service, then was killed
    assert code == -signal.SIGKILL
    code, again, errors = run.worker()
    assert code == 0, errors
    assert again == url
    assert len(pids_in(starts)) == 1
    run.end()
    assert still_running(pids_in(starts)) == []


def test_a_killed_run_stops_its_service(run: Run, service: tuple[Path, Path]) -> None:
    _, starts = service
    code, _, errors = run.worker()
    assert code == 0, errors
    run.owner.kill()  # SIGKILL: the run's main process has no chance to stop anything
    run.owner.wait()
    assert still_running(pids_in(starts)) == []


def test_a_service_that_died_is_started_again_not_handed_out(run: Run, service: tuple[Path, Path]) -> None:
    _, starts = service
    code, _, errors = run.worker()
    assert code == 0, errors
    os.kill(pids_in(starts)[0], signal.SIGKILL)
    assert still_running(pids_in(starts)) == []
    code, again, errors = run.worker()
    assert code == 0, errors
    assert len(pids_in(starts)) == 2
    assert _pid_behind(again) == pids_in(starts)[1]
    run.end()
    assert still_running(pids_in(starts)) == []


def test_a_service_that_hangs_is_stopped_and_started_again(run: Run, service: tuple[Path, Path]) -> None:
    _, starts = service
    code, _, errors = run.worker()
    assert code == 0, errors
    hung = pids_in(starts)[0]
    os.kill(hung, signal.SIGSTOP)  # alive, kept, and answering nothing
    try:
        code, again, errors = run.worker()
        assert code == 0, errors
        assert _pid_behind(again) == pids_in(starts)[1]
        assert still_running([hung]) == []  # its keeper stopped it before the new one started
    finally:
        if running(hung):
            os.kill(hung, signal.SIGKILL)
    run.end()
    assert still_running(pids_in(starts)) == []


def test_a_stale_state_file_of_the_same_name_is_not_trusted(run: Run, service: tuple[Path, Path]) -> None:
    """A state file left by an earlier run with the same key (an explicit --testrunuid, a
    crash): another owner, a keeper that is gone, a URL where nothing answers."""
    config, starts = service
    share = RunShare(load_config(config).services["svc"], config.parent, run.parallel_run)
    share.state_file.parent.mkdir(parents=True, mode=0o700)
    share.state_file.write_text(
        json.dumps(
            {
                "base_url": "http://127.0.0.1:9",
                "health_url": "http://127.0.0.1:9/health",
                "owner": [run.owner.pid, run.parallel_run.owner_started],  # even its own owner
                "keeper": 999999,
                "keeper_lock": str(share.state_file.with_suffix(".gone")),
            }
        ),
        encoding="utf-8",
    )
    code, url, errors = run.worker()
    assert code == 0, errors
    assert url != "http://127.0.0.1:9"
    assert len(pids_in(starts)) == 1
    assert json.loads(share.state_file.read_text(encoding="utf-8"))["base_url"] == url
    run.end()
    assert still_running(pids_in(starts)) == []


def test_a_service_that_names_its_worker_is_not_shared(tmp_path: Path) -> None:
    config = tmp_path / "seamline.yaml"
    config.write_text(
        textwrap.dedent(
            """\
            services:
              plain:
                base_url: http://127.0.0.1:${port}
                start: {command: "${python} -m svc --port ${port}"}
              own_file:
                base_url: http://127.0.0.1:${port}
                start: {command: "${python} -m svc --port ${port} --db shop-${worker}.db"}
              own_value:
                base_url: http://127.0.0.1:${port}
                start: {command: "${python} -m svc --port ${port} --name run-${unique}"}
              own_stub:
                base_url: http://127.0.0.1:${port}
                start: {command: "${python} -m svc --port ${port} --payments ${stub:payments}"}
              not_managed:
                base_url: http://127.0.0.1:8000
            stubs:
              payments: {}
            """
        ),
        encoding="utf-8",
    )
    services = load_config(config).services
    assert {name: shareable(service) for name, service in services.items()} == {
        "plain": True,
        "own_file": False,
        "own_value": False,
        "own_stub": False,
        "not_managed": False,
    }
