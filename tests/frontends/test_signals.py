"""A run stopped by SIGTERM or SIGINT (Ctrl-C) still runs the cleanups of the test it stops:
a seeded row is deleted again, in pytest as in Robot."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario

SCENARIO = """
Given the "items" table contains:
  | sku  | qty |
  | S1   | 1   |
When I GET "/delay/10"
"""


@pytest.fixture(autouse=True)
def _runs_take_ctrl_c() -> Iterator[None]:
    """A test run started in the background of a script ignores SIGINT, and the runs it starts
    would inherit that (Python keeps an ignored SIGINT ignored). A handler of our own is reset to
    the default in a new program, so the runs stopped here take Ctrl-C as from a terminal."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM items").fetchone()[0])


def _command(project: Project, front_end: str, scenario: Scenario) -> list[str]:
    if front_end == "pytest":
        feature = project.root / "stopped.feature"
        feature.write_text(f"Feature: stopped\n\n{scenario.as_gherkin()}\n", encoding="utf-8")
        return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(feature)]
    suite = project.root / "stopped.robot"
    suite.write_text(
        f"*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n{scenario.as_robot()}\n", encoding="utf-8"
    )
    return [sys.executable, "-m", "robot", "--outputdir", str(project.root / "out"), str(suite)]


def _start(project: Project, front_end: str, scenario: Scenario) -> subprocess.Popen[str]:
    """The scenario's run in the front end's runner, its console read by the test."""
    command = _command(project, front_end, scenario)
    return subprocess.Popen(command, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_stopped_run_deletes_what_the_stopped_test_seeded(
    project: Project, front_end: str, signal_name: str, tmp_path: Path
) -> None:
    database = tmp_path / "seeded.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE items (sku TEXT PRIMARY KEY, qty INTEGER)")
    project.write_config(
        DEFAULT_CONFIG.format(url=project.demo_url) + f"databases:\n  main:\n    url: sqlite:///{database}\n"
    )
    run = _start(project, front_end, Scenario.parse("stopped while it waits", SCENARIO))
    try:
        deadline = time.monotonic() + 30
        while _rows(database) == 0 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows(database) == 1, "the scenario never seeded its row"
        time.sleep(0.3)  # the scenario now waits on /delay/10
        run.send_signal(getattr(signal, signal_name))
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0, output  # stopped, not passed
    assert _rows(database) == 0, output


# -- everything a stopped test made: rows on real databases, messages, broker folders,
# -- managed service processes, stub ports; in one process and in parallel runs ----------

FULL_CONFIG = """\
services:
  shop:
    base_url: http://127.0.0.1:${{port}}
    start:
      command: ${{python}} -m seamline.demo --port ${{port}} --db {folder}/managed-${{worker}}.db
      health: /health
      timeout: 30
stubs:
  payments: {{}}
brokers:
  rabbit:
    url: {amqp}
  files:
    url: filesystem://
databases:
  pg: {postgres}
  maria: {mysql}
queues:
  rq: {{broker: rabbit, name: {queue}}}
  fq: {{broker: files, name: stopped}}
"""

# The stub's URL goes into the seeded rows, so the test can tell which port to check.
FULL_SCENARIO = """
Given the "payments" service is stubbed
And I use the database "pg"
And the "{table}" table contains:
  | sku              | qty |
  | ${{payments_url}} | {n} |
And I use the database "maria"
And the "{table}" table contains:
  | sku              | qty |
  | ${{payments_url}} | {n} |
And I publish to the "rq" queue:
  \"\"\"
  {{"n": {n}}}
  \"\"\"
And I publish to the "fq" queue:
  \"\"\"
  {{"n": {n}}}
  \"\"\"
When I GET "/delay/10"
And I GET "/delay/10"
And I GET "/delay/10"
"""
# Thirty seconds of waiting: longer than pytest-xdist gives a worker to shut down (10 s), so a
# worker must be interrupted, not asked to finish its test, for its cleanups to run.


class _Servers:
    """The real PostgreSQL, MariaDB and RabbitMQ of the machine: one table and one queue of
    this test's own, dropped and deleted at its end."""

    def __init__(self) -> None:
        from tests.servers import server_url, unique_name

        self.urls = {name: server_url(name) for name in ("postgres", "mysql", "amqp")}
        self.table = unique_name("stopped")
        self.queue = unique_name("stopped")
        from sqlalchemy import create_engine

        self.engines = [create_engine(self.urls["postgres"]), create_engine(self.urls["mysql"])]
        for engine in self.engines:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"CREATE TABLE {self.table} (sku VARCHAR(200) PRIMARY KEY, qty INTEGER)")

    def skus(self) -> list[list[str]]:
        """The seeded rows' sku (a stub URL) on each database."""
        found = []
        for engine in self.engines:
            with engine.connect() as connection:
                found.append([row[0] for row in connection.exec_driver_sql(f"SELECT sku FROM {self.table}")])
        return found

    def messages(self) -> int:
        from kombu import Connection

        with Connection(self.urls["amqp"]) as connection:
            channel = connection.default_channel
            try:
                return int(channel.queue_declare(queue=self.queue, passive=True).message_count)
            except Exception:
                return 0

    def close(self) -> None:
        from kombu import Connection

        for engine in self.engines:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.table}")
            engine.dispose()
        with Connection(self.urls["amqp"]) as connection, contextlib.suppress(Exception):
            connection.default_channel.queue_delete(self.queue)


@pytest.fixture
def servers() -> Iterator[_Servers]:
    real = _Servers()
    try:
        yield real
    finally:
        real.close()


def _processes_naming(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (the managed services of this test)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(int(entry.name))
    return found


def _listening(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) == 0


def _full_command(project: Project, runner: str, count: int, table: str) -> list[str]:
    scenarios = [Scenario.parse(f"stopped {n}", FULL_SCENARIO.format(table=table, n=n)) for n in range(count)]
    if runner.startswith("pytest"):
        feature = project.root / "stopped.feature"
        body = "\n\n".join(s.as_gherkin() for s in scenarios)
        feature.write_text(f"Feature: stopped\n\n{body}\n", encoding="utf-8")
        parallel = ["-n", "2"] if runner == "pytest-xdist" else ["-p", "no:xdist"]
        return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *parallel,
                str(feature)]  # fmt: skip
    suite = project.root / "stopped.robot"
    cases = "\n\n".join(s.as_robot() for s in scenarios)
    suite.write_text(f"*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n{cases}\n", encoding="utf-8")
    out = str(project.root / "out")
    if runner == "pabot":
        return [str(Path(sys.executable).parent / "pabot"), "--processes", "2", "--testlevelsplit",
                "--outputdir", out, str(suite)]  # fmt: skip
    return [sys.executable, "-m", "robot", "--outputdir", out, str(suite)]


RUNNERS = {"robot": 1, "pytest": 1, "pytest-xdist": 2, "pabot": 2}  # runner: scenarios (one per worker)

# pabot handles SIGINT only (it stops its robot processes with SIGTERM); SIGTERM kills pabot
# itself and leaves its robot processes running on (see docs/cookbook/cleanup.md).
STOPS = [
    (runner, name) for runner in RUNNERS for name in ("SIGTERM", "SIGINT") if (runner, name) != ("pabot", "SIGTERM")
]


@pytest.mark.parametrize("to", ["runner", "group"])
@pytest.mark.parametrize(("runner", "signal_name"), STOPS)
def test_a_stopped_run_leaves_no_rows_messages_folders_processes_or_ports(
    project: Project, servers: _Servers, runner: str, signal_name: str, to: str, tmp_path: Path
) -> None:
    count = RUNNERS[runner]
    temp = tmp_path / "temp"  # the filesystem broker's folder is made in the run's temp folder
    temp.mkdir()
    project.write_config(
        FULL_CONFIG.format(
            folder=tmp_path, amqp=servers.urls["amqp"], postgres=servers.urls["postgres"],
            mysql=servers.urls["mysql"], queue=servers.queue,
        )
    )  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SEAMLINE_WORKER"))}
    environment["TMPDIR"] = str(temp)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    run = subprocess.Popen(
        _full_command(project, runner, count, servers.table),
        cwd=project.root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: whatever it leaves behind can be found
    )
    managed = f"{tmp_path}/managed-"  # in the managed services' command lines only
    stubs: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and run.poll() is None:
            skus = servers.skus()
            if all(len(found) == count for found in skus) and len(_processes_naming(managed)) >= count:
                stubs = skus[0]
                break
            time.sleep(0.05)
        assert stubs, f"the scenarios never got to their wait: {servers.skus()}, {run.poll()}"
        assert servers.messages() == count and list(temp.glob("seamline-broker-*"))
        time.sleep(0.5)  # the managed services start; the scenarios then wait on /delay/10, three times
        if to == "group":  # Ctrl-C in a terminal, a CI job cancelled: every process of the run's group
            os.killpg(run.pid, getattr(signal, signal_name))
        else:
            run.send_signal(getattr(signal, signal_name))
        output, _ = run.communicate(timeout=30)
        # What the run left behind may still be on its way out: give it a moment.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (_processes_naming(managed) or any(_listening(stub) for stub in stubs)):
            time.sleep(0.05)
    finally:
        if run.poll() is None:
            run.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)  # the test's own process group: nothing of it outlives the test
    assert run.returncode != 0, output  # stopped, not passed
    left = {
        "rows": servers.skus(),
        "messages": servers.messages(),
        "folders": [path.name for path in temp.glob("seamline-broker-*")],
        "processes": _processes_naming(managed),
        "ports": [stub for stub in stubs if _listening(stub)],
    }
    assert left == {"rows": [[], []], "messages": 0, "folders": [], "processes": [], "ports": []}, output


STARTING_CONFIG = """\
services:
  shop:
    base_url: http://127.0.0.1:${{port}}
    start:
      # a shell that starts the service: the kernel's parent-death signal reaches the shell only
      command: sh -c "${{python}} -m seamline.demo --port ${{port}} --db {folder}/managed-main.db; exit 0"
      health: /never-healthy
      timeout: 30
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_run_stopped_while_a_managed_service_starts_stops_the_service(
    project: Project, front_end: str, signal_name: str, tmp_path: Path
) -> None:
    project.write_config(STARTING_CONFIG.format(folder=tmp_path))
    managed = f"{tmp_path}/managed-"
    run = _start(project, front_end, Scenario.parse("stopped while the service starts", 'When I GET "/products/A1"'))
    try:
        deadline = time.monotonic() + 30
        while len(_processes_naming(managed)) < 2 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_processes_naming(managed)) == 2, "the shell and its service never started"
        time.sleep(0.3)  # the run now waits for a health check that never passes
        run.send_signal(getattr(signal, signal_name))
        output, _ = run.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while _processes_naming(managed) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _processes_naming(managed)
    finally:
        if run.poll() is None:
            run.kill()
        for pid in _processes_naming(managed):  # what this test started and the run left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert run.returncode != 0, output  # stopped, not passed
    assert left == [], f"managed service processes left running: {left}\n{output}"


# -- a signal sent to the run reaches its main thread --------------------------------------

WAITING_ON_A_STUB = """
Given the "payments" service is stubbed
And the stub "payments" answers GET "/slow" with 200 after 60 seconds
When I GET "${payments_url}/slow"
"""


def _blocked_signals(pid: int, task: int) -> int:
    """The mask of signals the thread ``task`` of process ``pid`` blocks (Linux /proc)."""
    for line in Path(f"/proc/{pid}/task/{task}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            return int(line.split()[1], 16)
    raise AssertionError(f"no SigBlk in the status of thread {task}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the threads' signal masks in /proc")
def test_only_the_main_thread_of_a_run_can_take_its_stop_signals(project: Project, front_end: str) -> None:
    """The kernel gives a signal sent to a process to any of its threads that does not block it,
    and CPython 3.11 then leaves the main thread waiting on, say, a slow answer: a Ctrl-C was
    noticed only when the test's next steps were done (cpython#85300). So the threads a run
    starts (a stub's server, a thread per request it answers) block SIGINT, SIGTERM and SIGHUP."""
    project.write_config(DEFAULT_CONFIG.format(url=project.demo_url) + "stubs:\n  payments: {}\n")
    run = _start(project, front_end, Scenario.parse("waits on a stub", WAITING_ON_A_STUB))
    try:
        tasks = Path(f"/proc/{run.pid}/task")
        deadline = time.monotonic() + 30
        # The main thread, the stub's server and the thread answering the slow request.
        while len(others := [int(t.name) for t in tasks.iterdir() if int(t.name) != run.pid]) < 2:
            assert run.poll() is None and time.monotonic() < deadline, "the run never waited on its stub"
            time.sleep(0.05)
        stops = sum(1 << (signum - 1) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
        taking = {task: hex(_blocked_signals(run.pid, task)) for task in others
                  if _blocked_signals(run.pid, task) & stops != stops}  # fmt: skip
        main = _blocked_signals(run.pid, run.pid) & stops
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert taking == {}, f"threads other than the main one that can take Ctrl-C: {taking}\n{output}"
    assert main == 0, output  # the main thread takes them
    assert run.returncode != 0, output  # stopped by the Ctrl-C, not passed


# -- a second Ctrl-C while the stopped test's cleanups run --------------------------------


class _Holding(ThreadingHTTPServer):
    """Answers nothing until the test ends; tells which paths it was asked for, as they come."""

    def __init__(self) -> None:
        self.asked: queue.Queue[str] = queue.Queue()
        self.release = threading.Event()
        holding = self

        class Hold(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                holding.asked.put(self.path)
                holding.release.wait()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Hold)
        self.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


SECOND_CTRL_C = """
Given the "items" table contains:
  | sku  | qty |
  | S1   | 1   |
And I GET "{url}/cleanup" afterwards
When I GET "{url}/step"
"""


def test_a_second_ctrl_c_while_the_cleanups_run_ends_one_and_the_others_still_run(
    project: Project, tmp_path: Path
) -> None:
    """pytest: the second Ctrl-C interrupts the cleanup running (a request that gets no answer);
    the cleanups registered before it still run (the seeded row is deleted), then the run stops.
    (Robot takes a second signal as "force exit", its own documented behaviour.)"""
    database = tmp_path / "seeded.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE items (sku TEXT PRIMARY KEY, qty INTEGER)")
    project.write_config(
        DEFAULT_CONFIG.format(url=project.demo_url) + f"databases:\n  main:\n    url: sqlite:///{database}\n"
    )
    holding = _Holding()
    threading.Thread(target=holding.serve_forever, daemon=True).start()
    scenario = Scenario.parse("stopped twice", SECOND_CTRL_C.format(url=holding.url))
    run = _start(project, "pytest", scenario)
    try:
        assert holding.asked.get(timeout=30) == "/step"  # the scenario waits on its step's answer
        run.send_signal(signal.SIGINT)
        assert holding.asked.get(timeout=30) == "/cleanup"  # its teardown waits on the last cleanup
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
        holding.release.set()
        holding.shutdown()
        holding.server_close()
    assert run.returncode != 0, output  # stopped, not passed
    assert _rows(database) == 0, output  # the cleanup registered before the interrupted one ran
