"""Seamline's per-step overhead against plain requests, one GET + capture + check at a time.

Run:  python benchmarks/bench_http.py [--iterations N] [--server process|thread|demo] [--profile] [--public-only]

One loopback server serves every loop: by default a bare ASGI app on uvicorn (already a
Seamline extra) in a child process, answering GET /products/A1 with a fixed
``{"sku":"A1","name":"Widget","price":29.99}``; ``--server thread`` runs it in a thread of
this process, ``--server demo`` uses the bundled demo shop (``running_demo``), whose
FastAPI app costs more per request and so flattens every ratio. Each iteration is the same
work in four variants:

* plain     requests.Session (keep-alive) ``.get`` + a compiled ``jsonpath_ng.ext`` expression
            ``.find()`` on ``response.json()`` for ``$.sku`` + an equality check, in a Python loop;
* noop      Robot only: a ``FOR`` loop of three ``No Operation`` -- the floor Robot's keyword
            dispatch sets for three keywords;
* thin      Robot: the same three steps as keywords of a tiny Python library written next to the
            suite (session.get; ``${sku}=`` compiled-jsonpath field; field-equals assertion);
* seamline  Robot: ``Library  Seamline  config=<tmp seamline.yaml>`` and the phrases
            ``I GET "/products/A1"``, ``I store the response field "$.sku" as "sku"``,
            ``the response field "$.sku" is "A1"``.

Timing: ``time.perf_counter``. The Robot variants run in this process with ``robot.run``
(no output.xml, log or report unless ``--robot-output``) and a listener that reads the clock
at ``start_test`` and ``end_test`` of the suite's single test, so Robot's start-up, parsing,
library imports and teardown are left out and only the test body (the ``FOR`` loop) is
timed. (An alternative, total ``robot.run`` time minus an identical suite with a no-op body,
gives the same figure with more noise.) Every variant gets a warm-up pass, then the best of
three timed repetitions is kept; the repetitions of all variants are interleaved, so a burst
of load from elsewhere hits them alike. Each Robot run must pass, or the script stops.

Reading the table: ``us/iter`` is wall-clock microseconds per iteration (one request + capture
+ check); ``x plain`` divides by the plain loop (the issue's target: seamline <= 1.9, a thin
Robot keyword measures about 1.8); ``net of noop`` subtracts Robot's own dispatch floor, which
is what the library itself adds; ``cpu us/iter`` is this process's CPU time (the server's is
left out unless ``--server thread``), steadier than wall time on a busy machine. On a shared
machine, compare figures from one run, not across runs. ``--profile`` then runs the Seamline
suite once more under cProfile (CPU time), switched on only for the test body, and prints the
top functions.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import multiprocessing
import os
import pstats
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

import requests
import robot
from jsonpath_ng.ext import parse as jsonpath_parse

PATH = "/products/A1"
BODY = b'{"sku":"A1","name":"Widget","price":29.99}'
REPETITIONS = 3
TARGET_RATIO = 1.9


class Timing(NamedTuple):
    """Seconds of one timed run: wall clock, and CPU time of this process."""

    wall: float
    cpu: float


# -- the server --------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def fixed_json_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The smallest ASGI app: the same JSON document for every request."""
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


def _listening_socket() -> socket.socket:
    sock = socket.create_server(("127.0.0.1", 0))
    # socket.create_server makes a socket with proto=0, for which asyncio does not set
    # TCP_NODELAY on accepted connections; without it each response waits ~40 ms for a
    # delayed ACK (Nagle). Accepted sockets inherit the option from the listener.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _uvicorn_server() -> Any:
    import uvicorn

    config = uvicorn.Config(fixed_json_app, log_level="warning", log_config=None, access_log=False, lifespan="off")
    return uvicorn.Server(config)


def _serve_in_child(conn: Connection) -> None:
    sock = _listening_socket()
    conn.send(sock.getsockname()[1])
    conn.close()
    _uvicorn_server().run(sockets=[sock])


def _wait_ready(url: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + PATH, timeout=1).status_code == 200:
                return
        time.sleep(0.02)
    raise RuntimeError(f"the benchmark server at {url} did not answer within {timeout}s")


@contextlib.contextmanager
def running_server(kind: str, workdir: Path) -> Iterator[str]:
    """Yield the base URL of a loopback server answering GET /products/A1."""
    if kind == "demo":
        from seamline.demo import running_demo

        with running_demo(db_path=workdir / "demo-shop.db") as url:
            yield url
        return
    if kind == "thread":
        sock = _listening_socket()
        server = _uvicorn_server()
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            _wait_ready(url)
            yield url
        finally:
            server.should_exit = True
            thread.join(10)
            sock.close()
        return
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_serve_in_child, args=(child,), daemon=True)
    process.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the benchmark server process did not start")
        url = f"http://127.0.0.1:{parent.recv()}"
        _wait_ready(url)
        yield url
    finally:
        process.terminate()
        process.join(10)


# -- the variants ------------------------------------------------------------------------


def plain_loop(url: str, iterations: int) -> Timing:
    """``iterations`` x (keep-alive GET + compiled JSONPath + equality check)."""
    session = requests.Session()
    expression = jsonpath_parse("$.sku")
    target = url + PATH
    session.get(target, timeout=10)  # open the keep-alive connection outside the timing
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        response = session.get(target, timeout=10)
        sku = expression.find(response.json())[0].value
        if sku != "A1":
            raise AssertionError(f"$.sku is {sku!r}, expected 'A1'")
    timing = Timing(time.perf_counter() - start, time.process_time() - cpu_start)
    session.close()
    return timing


THIN_LIBRARY = '''\
"""A thin Robot keyword library around requests: the reference Seamline is compared with."""

import functools

import requests
from jsonpath_ng.ext import parse


@functools.lru_cache(maxsize=None)
def _compiled(path):
    return parse(path)


class ThinHttp:
    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()
        self.response = None

    def get(self, path):
        self.response = self.session.get(self.base_url + path, timeout=10)

    def response_field(self, path):
        return _compiled(path).find(self.response.json())[0].value

    def response_field_should_be(self, path, expected):
        value = self.response_field(path)
        if value != expected:
            raise AssertionError(f"{path} is {value!r}, expected {expected!r}")
'''

SUITE = """\
*** Settings ***
{settings}

*** Test Cases ***
Loop
    FOR    ${{i}}    IN RANGE    ${{N}}
{body}
    END
"""

VARIANT_SUITES: dict[str, tuple[str, list[str]]] = {
    "noop": ("", ["No Operation", "No Operation", "No Operation"]),
    "thin": (
        "Library    {thin_library}    {url}",
        [f"Get    {PATH}", "${sku}=    Response Field    $.sku", "Response Field Should Be    $.sku    A1"],
    ),
    "seamline": (
        "Library    Seamline    config={config}",
        [
            f'I GET "{PATH}"',
            'I store the response field "$.sku" as "sku"',
            'the response field "$.sku" is "A1"',
        ],
    ),
}


class BodyTimer:
    """A Robot listener timing the body of the suite's single test (optionally profiling it)."""

    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self, profiler: cProfile.Profile | None = None) -> None:
        self.profiler = profiler
        self.started = self.cpu_started = 0.0
        self.timing = Timing(0.0, 0.0)
        self.status = "NOT RUN"
        self.message = ""

    def start_test(self, data: Any, result: Any) -> None:
        if self.profiler is not None:
            self.profiler.enable()
        self.started, self.cpu_started = time.perf_counter(), time.process_time()

    def end_test(self, data: Any, result: Any) -> None:
        wall, cpu = time.perf_counter() - self.started, time.process_time() - self.cpu_started
        self.timing = Timing(wall, cpu)
        if self.profiler is not None:
            self.profiler.disable()
        self.status, self.message = result.status, result.message


@dataclass
class RobotBench:
    workdir: Path
    url: str
    write_output: bool = False

    def suite(self, variant: str) -> Path:
        path = self.workdir / f"{variant}.robot"
        if path.exists():
            return path
        settings, steps = VARIANT_SUITES[variant]
        if variant == "thin":
            (self.workdir / "ThinHttp.py").write_text(THIN_LIBRARY, encoding="utf-8")
        elif variant == "seamline":
            config = self.workdir / "seamline.yaml"
            config.write_text(f"services:\n  shop:\n    base_url: {self.url}\n", encoding="utf-8")
        settings = settings.format(
            thin_library=(self.workdir / "ThinHttp.py").as_posix(),
            url=self.url,
            config=(self.workdir / "seamline.yaml").as_posix(),
        )
        body = "\n".join(" " * 8 + step for step in steps)
        path.write_text(SUITE.format(settings=settings, body=body), encoding="utf-8")
        return path

    def run(self, variant: str, iterations: int, profiler: cProfile.Profile | None = None) -> Timing:
        """How long the test body took; raises if the Robot run did not pass."""
        timer = BodyTimer(profiler)
        console = io.StringIO()
        output = str(self.workdir / f"{variant}-output.xml") if self.write_output else "NONE"
        rc = robot.run(
            str(self.suite(variant)),
            variable=[f"N:{iterations}"],
            listener=[timer],
            output=output,
            log="NONE",
            report="NONE",
            stdout=console,
            stderr=console,
        )
        if rc != 0 or timer.status != "PASS":
            raise RuntimeError(
                f"the {variant} Robot run did not pass (rc={rc}, test {timer.status}): "
                f"{timer.message}\n{console.getvalue()}"
            )
        return timer.timing


# -- running and reporting ---------------------------------------------------------------


def measure_all(variants: dict[str, Callable[[int], Timing]], iterations: int, repetitions: int) -> dict[str, Timing]:
    """Microseconds per iteration of each variant: a warm-up pass of each, then
    ``repetitions`` rounds that run every variant once (interleaved, so a burst of load
    from elsewhere hits all of them alike); the best wall and CPU time of each is kept."""
    for measure in variants.values():
        measure(max(iterations // 5, 50))
    best = {name: Timing(float("inf"), float("inf")) for name in variants}
    for _ in range(repetitions):
        for name, measure in variants.items():
            wall, cpu = measure(iterations)
            best[name] = Timing(min(best[name].wall, wall), min(best[name].cpu, cpu))
    return {name: Timing(t.wall / iterations * 1e6, t.cpu / iterations * 1e6) for name, t in best.items()}


def profile_seamline(bench: RobotBench, iterations: int, top: int = 30) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU time: waits on a busy machine left out
    bench.run("seamline", iterations, profiler)
    for key in ("tottime", "cumulative"):
        print(f"\n--- cProfile of the Seamline test body, by {key} ---")
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(key).print_stats(top)
        print(stream.getvalue().split("\n", 4)[-1].rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--iterations", "-n", type=int, default=1000)
    parser.add_argument("--server", choices=("process", "thread", "demo"), default="process")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--robot-output", action="store_true", help="also write output.xml")
    parser.add_argument("--profile", action="store_true", help="profile the Seamline loop")
    parser.add_argument(
        "--public-only",
        action="store_true",
        help="Seamline on Robot's public API only (no keyword-lookup speed-up): compare its seamline/thin "
        "with a run without this flag to see what the guarded internals of seamline/robot/_compat.py buy",
    )
    args = parser.parse_args(argv)
    if args.public_only:
        os.environ["SEAMLINE_ROBOT_PUBLIC_ONLY"] = "1"  # before the first library is made
    n: int = args.iterations

    with tempfile.TemporaryDirectory(prefix="seamline-bench-") as tmp:
        workdir = Path(tmp)
        with running_server(args.server, workdir) as url:
            bench = RobotBench(workdir, url, args.robot_output)
            started = time.perf_counter()
            variants: dict[str, Callable[[int], Timing]] = {"plain": lambda k: plain_loop(url, k)}
            for variant in ("noop", "thin", "seamline"):
                variants[variant] = lambda k, v=variant: bench.run(v, k)
            results = measure_all(variants, n, args.repetitions)
            took = time.perf_counter() - started

            plain, noop = results["plain"], results["noop"]
            api = ", Robot public API only" if args.public_only else ""
            print(f"{n} iterations, best of {args.repetitions}, server: {args.server} ({url}){api}")
            print(f"{'variant':<10}{'us/iter':>9}{'x plain':>9}{'net of noop':>13}{'cpu us/iter':>13}")
            for variant, (wall, cpu) in results.items():
                net = f"{wall - noop.wall:.0f}" if variant in ("thin", "seamline") else "-"
                print(f"{variant:<10}{wall:>9.0f}{wall / plain.wall:>9.2f}{net:>13}{cpu:>13.0f}")
            seamline, thin = results["seamline"].wall, results["thin"].wall
            verdict = "meets" if seamline / plain.wall <= TARGET_RATIO else "misses"
            print(
                f"seamline/plain {seamline / plain.wall:.2f} ({verdict} the target {TARGET_RATIO}), "
                f"thin/plain {thin / plain.wall:.2f}, seamline/thin {seamline / thin:.2f}; "
                f"{took:.0f}s"
            )
            if args.profile:
                profile_seamline(bench, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
