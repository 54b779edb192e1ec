"""Seamline against the floor of each runner and its peers, as whole processes.

Run (the peers come with the ``bench`` extra: ``pip install -e ".[bench]"``)::

    .venv/bin/python benchmarks/bench_compare.py [--quick] [--rounds 5] [--only http,startup,big,parallel,db]

Every figure is the wall time of a whole process (start-up, parsing, output files
included), started by this script. The variants of one comparison run one after the other
in alternating rounds (the order turns each round), so that load from elsewhere on the
machine hits them alike; the table gives min / median / max and the ratio of medians to a
baseline measured in the same rounds. Compare ratios within one run, not seconds across
runs. Sections:

* http      N x (GET, status, capture a field, check it) against a loopback server.
            Baseline: plain ``requests.Session`` + compiled JSONPath in one Python process.
            Robot: the thinnest keyword library around requests (the Robot floor), Seamline,
            RequestsLibrary + JSONLibrary, RESTinstance (a FOR loop, output.xml, log and
            report written). pytest: N parametrized tests, pytest-bdd with hand-written
            steps (the pytest-bdd floor), Seamline (a Scenario Outline of N rows).
* startup   ``robot`` with ``Library Seamline`` and one step against a BuiltIn-only run;
            pytest on one plain test with Seamline's plugin loaded against ``-p no:seamline``.
* big       one field of a big JSON response (50 MB): wall time and peak memory (maxrss of
            the process) of plain requests, RequestsLibrary, Seamline in both runners.
* parallel  8 files x 6 scenarios, each a GET the server answers after 0.25 s, the server a
            Seamline managed service: serial against pabot ``--processes 2`` (also with
            ``--chunk``) and pytest-xdist ``-n 2``; the table counts the service's starts. The
            same runs of a thin keyword library and of plain pytest tests give each runner's
            own speed-up (the floor).
* db        N row checks on one row of a 10,000-row table: Seamline against
            robotframework-databaselibrary, on SQLite and (with SEAMLINE_TEST_POSTGRES_URL)
            PostgreSQL, both in Robot; the same suites with one check give the cost of a
            check without the start-up.

Child processes write and read bytecode caches (PYTHONDONTWRITEBYTECODE is dropped for
them), as on a user's machine.

``--quick`` makes every count small (a smoke test CI runs; it asserts only that every
process passes, never a time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRODUCT = b'{"sku":"A1","name":"Widget","price":29.99}'
PYTHON = sys.executable
HERE = Path(__file__).resolve()


# -- the server: a bare ASGI app on uvicorn, in a process of its own ------------------------


def big_body(megabytes: int) -> bytes:
    """A JSON document of about ``megabytes`` MB: many small objects, then the checked field."""
    item = b'{"sku":"A1","name":"Widget number one","price":29.99,"tags":["a","b"],"qty":3}'
    count = megabytes * 1_000_000 // (len(item) + 1)
    return b'{"items":[' + b",".join([item] * count) + b'],"total":%d}' % count


def serve(port: int, big_megabytes: int, delay: float, starts_file: str | None) -> None:
    import uvicorn

    big = big_body(big_megabytes)
    if starts_file:
        with open(starts_file, "a", encoding="utf-8") as starts:
            starts.write(f"{os.getpid()}\n")

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = big if scope["path"] == "/big" else PRODUCT
        if scope["path"] == "/slow":
            await asyncio.sleep(delay)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    sock = socket.create_server(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls
    config = uvicorn.Config(app, log_level="warning", log_config=None, access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(big_megabytes: int, delay: float) -> Iterator[str]:
    import requests

    port = free_port()
    command = [PYTHON, str(HERE), "--serve", str(port), "--big-mb", str(big_megabytes), "--delay", str(delay)]
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/products/A1", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the benchmark server at {url} did not start")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


# -- running whole processes -------------------------------------------------------------


@dataclass
class Variant:
    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    walls: list[float] = field(default_factory=list)
    # CPU time (user + system) of the process and its children: the host's other guests steal
    # wall time from a shared virtual machine, much less so CPU time.
    cpus: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)


def run_once(variant: Variant, log: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}", **variant.env}
    # Bytecode caches are written and read, as on a user's machine (the warm-up run writes
    # them): without them every process compiles a source checkout's modules again, and
    # pytest rewrites the assertions of every plugin module again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(variant.command, cwd=variant.cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        # wait4: this child's own resource usage (its peak memory), not every child's so far
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{variant.name} failed (exit {process.returncode}): {' '.join(variant.command)}\n{tail}")
    variant.walls.append(wall)
    variant.cpus.append(usage.ru_utime + usage.ru_stime)
    variant.peaks_mb.append(usage.ru_maxrss / 1024)


def measure(variants: list[Variant], rounds: int, workdir: Path) -> None:
    """A warm-up run of each (disk caches, .pyc files), then ``rounds`` rounds in turning order."""
    for variant in variants:
        run_once(variant, workdir / "warmup.log")
        variant.walls.clear()
        variant.cpus.clear()
        variant.peaks_mb.clear()
    for number in range(rounds):
        shift = number % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            run_once(variant, workdir / "last.log")


def table(title: str, variants: list[Variant], baseline: Variant, memory: bool = False) -> str:
    base, base_min = statistics.median(baseline.walls), min(baseline.walls)
    # The ratio of medians, and of minimums: on a busy machine the fastest round of each is
    # the one least disturbed, so the second is often the steadier of the two.
    base_cpu = statistics.median(baseline.cpus)
    head = f"| {title} | min s | median s | max s | x {baseline.name} | x (min) | CPU s | x CPU |"
    head += " peak MB | x peak |" if memory else ""
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for variant in variants:
        median = statistics.median(variant.walls)
        low, high = min(variant.walls), max(variant.walls)
        cpu = statistics.median(variant.cpus)
        row = (
            f"| {variant.name} | {low:.2f} | {median:.2f} | {high:.2f} | {median / base:.2f} | {low / base_min:.2f} "
            f"| {cpu:.2f} | {cpu / base_cpu:.2f} |"
        )
        if memory:
            peak, base_peak = max(variant.peaks_mb), max(baseline.peaks_mb)
            row += f" {peak:.0f} | {peak / base_peak:.2f} |"
        lines.append(row)
    return "\n".join(lines)


def ratios(variant: Variant, baseline: Variant, cpu: bool = True) -> str:
    """``variant`` over ``baseline``: of the medians, of the minimums and (unless a speed-up,
    where the work is the same) of the median CPU times."""
    median = statistics.median(variant.walls) / statistics.median(baseline.walls)
    text = f"{median:.2f} (min {min(variant.walls) / min(baseline.walls):.2f}"
    if cpu:
        text += f", CPU {statistics.median(variant.cpus) / statistics.median(baseline.cpus):.2f}"
    return text + ")"


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def robot(folder: Path, *args: str) -> list[str]:
    return [PYTHON, "-m", "robot", "--outputdir", str(folder / "results"), "--console", "dotted", *args, str(folder)]


def pytest(*args: str) -> list[str]:
    return [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def loop_suite(settings: str, steps: list[str], n: int | str) -> str:
    body = "\n".join(" " * 8 + line for step in steps for line in step.splitlines())
    loop = f"Loop\n    FOR    ${{i}}    IN RANGE    {n}\n{body}\n    END\n"
    return f"*** Settings ***\n{settings}\n\n*** Test Cases ***\n{loop}"


def config(url: str) -> str:
    return f"services:\n  shop:\n    base_url: {url}\n    timeout: 60\n"


# -- the comparisons ---------------------------------------------------------------------

THIN_LIBRARY = """\
import functools

import requests
from jsonpath_ng.ext import parse


@functools.cache
def _compiled(path):
    return parse(path)


class ThinHttp:
    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()
        self.response = None

    def get(self, path):
        self.response = self.session.get(self.base_url + path, timeout=60)

    def status_should_be(self, expected):
        if self.response.status_code != int(expected):
            raise AssertionError(f"status {self.response.status_code}, expected {expected}")

    def response_field(self, path):
        return _compiled(path).find(self.response.json())[0].value

    def response_field_should_be(self, path, expected):
        value = self.response_field(path)
        if value != expected:
            raise AssertionError(f"{path} is {value!r}, expected {expected!r}")
"""

PLAIN_LOOP = """\
import sys
import requests
from jsonpath_ng.ext import parse

url, n, path, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
session = requests.Session()
expression = parse(path)
for _ in range(n):
    response = session.get(url, timeout=60)
    assert response.status_code == 200
    value = expression.find(response.json())[0].value
    assert str(value) == expected, value
"""

SEAMLINE_STEPS = [
    'I GET "/products/A1"',
    "the response status is 200",
    'I store the response field "$.sku" as "sku"',
    'the response field "$.sku" is "A1"',
]


def http_section(url: str, n: int, rounds: int, workdir: Path) -> str:
    plain = write(workdir / "plain", {"loop.py": PLAIN_LOOP})
    thin = write(
        workdir / "thin",
        {
            "ThinHttp.py": THIN_LIBRARY,
            "loop.robot": loop_suite(
                f"Library    ThinHttp.py    {url}",
                [
                    "Get    /products/A1",
                    "Status Should Be    200",
                    "${sku}=    Response Field    $.sku",
                    "Response Field Should Be    $.sku    A1",
                ],
                n,
            ),
        },
    )
    seamline = write(
        workdir / "seamline-robot",
        {"seamline.yaml": config(url), "loop.robot": loop_suite("Library    Seamline", SEAMLINE_STEPS, n)},
    )
    requests_library = write(
        workdir / "requestslibrary",
        {
            "loop.robot": loop_suite(
                f"Library    RequestsLibrary\nLibrary    JSONLibrary\nSuite Setup    Create Session    shop    {url}",
                [
                    "${r}=    GET On Session    shop    /products/A1",
                    "Status Should Be    200    ${r}",
                    "${sku}=    Get Value From Json    ${r.json()}    $.sku",
                    "Should Be Equal    ${sku}[0]    A1",
                ],
                n,
            )
        },
    )
    rest = write(
        workdir / "restinstance",
        {
            "loop.robot": loop_suite(
                f"Library    REST    {url}",
                [
                    "GET    /products/A1",
                    "Integer    response status    200",
                    "${sku}=    String    response body sku",
                    "String    response body sku    A1",
                ],
                n,
            )
        },
    )
    rows = "\n".join(f"      | {i} |" for i in range(n))
    outline = (
        "Feature: Loop\n  Scenario Outline: get <i>\n"
        + "".join(
            f"    {word} {step}\n" for word, step in zip(("When", "Then", "And", "And"), SEAMLINE_STEPS, strict=True)
        )
        + f"\n    Examples:\n      | i |\n{rows}\n"
    )
    plain_pytest = write(
        workdir / "pytest-plain",
        {
            "test_loop.py": f"""\
import pytest
import requests
from jsonpath_ng.ext import parse

SKU = parse("$.sku")


@pytest.fixture(scope="session")
def session():
    return requests.Session()


@pytest.mark.parametrize("i", range({n}))
def test_get(session, i):
    response = session.get("{url}/products/A1", timeout=60)
    assert response.status_code == 200
    sku = SKU.find(response.json())[0].value
    assert sku == "A1"
"""
        },
    )
    hand_bdd = write(
        workdir / "pytest-bdd-hand",
        {
            "loop.feature": outline,
            "test_loop.py": f"""\
import functools

import pytest
import requests
from jsonpath_ng.ext import parse
from pytest_bdd import parsers, scenarios, then, when

scenarios("loop.feature")


@functools.cache
def compiled(path):
    return parse(path)


@pytest.fixture(scope="session")
def session():
    return requests.Session()


@pytest.fixture
def state():
    return {{}}


@when(parsers.parse('I GET "{{path}}"'))
def get(session, state, path):
    state["response"] = session.get("{url}" + path, timeout=60)


@then(parsers.parse("the response status is {{code:d}}"))
def status(state, code):
    assert state["response"].status_code == code


@then(parsers.parse('I store the response field "{{path}}" as "{{name}}"'))
def store(state, path, name):
    state[name] = compiled(path).find(state["response"].json())[0].value


@then(parsers.parse('the response field "{{path}}" is "{{value}}"'))
def field_is(state, path, value):
    assert compiled(path).find(state["response"].json())[0].value == value
""",
        },
    )
    seamline_bdd = write(workdir / "pytest-seamline", {"seamline.yaml": config(url), "loop.feature": outline})

    variants = [
        baseline := Variant("plain requests", [PYTHON, "loop.py", url + "/products/A1", str(n), "$.sku", "A1"], plain),
        thin_v := Variant("Robot floor (thin library)", robot(thin), thin),
        seamline_robot := Variant("Seamline via Robot", robot(seamline), seamline),
        Variant("RequestsLibrary + JSONLibrary", robot(requests_library), requests_library),
        Variant("RESTinstance", robot(rest), rest),
        Variant("plain pytest", pytest("-p", "no:seamline", "test_loop.py"), plain_pytest),
        hand_v := Variant("pytest-bdd, hand-written steps", pytest("-p", "no:seamline", "test_loop.py"), hand_bdd),
        seamline_pytest := Variant("Seamline via pytest-bdd", pytest("loop.feature"), seamline_bdd),
    ]
    measure(variants, rounds, workdir)
    robot_ratio = ratios(seamline_robot, thin_v)
    pytest_ratio = ratios(seamline_pytest, hand_v)
    output_kb = (seamline / "results" / "output.xml").stat().st_size / 1024
    thin_kb = (thin / "results" / "output.xml").stat().st_size / 1024
    return (
        f"### HTTP: {n} x (GET, status, capture, check), {rounds} rounds\n\n"
        + table("runner", variants, baseline)
        + f"\n\nSeamline via Robot / Robot floor: **{robot_ratio}** (goal <= 1.05); "
        f"Seamline via pytest-bdd / hand-written pytest-bdd: **{pytest_ratio}** (goal <= 1.0). "
        f"output.xml: Seamline {output_kb:.0f} KB, thin library {thin_kb:.0f} KB.\n"
    )


def startup_section(rounds: int, workdir: Path) -> str:
    builtin = write(workdir / "start-builtin", {"one.robot": "*** Test Cases ***\nOne\n    No Operation\n"})
    seamline = write(
        workdir / "start-seamline",
        {
            "seamline.yaml": "variables:\n  greeting: hello\n",
            "one.robot": '*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\nOne\n    I store "1" as "x"\n',
        },
    )
    plain = write(workdir / "start-pytest", {"test_one.py": "def test_one():\n    pass\n"})
    robots = [
        base := Variant("robot, BuiltIn only", robot(builtin), builtin),
        Variant("robot, Library Seamline + 1 step", robot(seamline), seamline),
    ]
    pytests = [
        without := Variant("pytest, -p no:seamline", pytest("-p", "no:seamline", "test_one.py"), plain),
        with_plugin := Variant("pytest, Seamline plugin loaded", pytest("test_one.py"), plain),
    ]
    measure(robots, rounds * 2, workdir)
    measure(pytests, rounds * 2, workdir)
    extra_ms = (statistics.median(with_plugin.walls) - statistics.median(without.walls)) * 1000
    extra_min_ms = (min(with_plugin.walls) - min(without.walls)) * 1000
    return (
        f"### Start-up, {rounds * 2} rounds\n\n"
        + table("run", robots, base)
        + "\n\n"
        + table("run", pytests, without)
        + f"\n\nThe Seamline plugin adds **{extra_ms:.0f} ms** (min {extra_min_ms:.0f} ms) to a pytest run "
        "with no Seamline file (goal <= 10 ms).\n"
    )


def big_section(url: str, megabytes: int, rounds: int, workdir: Path) -> str:
    import requests

    total = str(requests.get(url + "/big", timeout=120).json()["total"])
    plain = write(workdir / "big-plain", {"loop.py": PLAIN_LOOP})
    steps = ['I GET "/big"', "the response status is 200", f'the response field "$.total" is {total}']
    seamline_robot = write(
        workdir / "big-robot",
        {
            "seamline.yaml": config(url),
            "big.robot": "*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\nBig\n"
            + "".join(f"    {step}\n" for step in steps),
        },
    )
    seamline_bdd = write(
        workdir / "big-pytest",
        {
            "seamline.yaml": config(url),
            "big.feature": "Feature: Big\n  Scenario: big\n"
            + "".join(f"    {w} {s}\n" for w, s in zip(("When", "Then", "And"), steps, strict=True)),
        },
    )
    requests_library = write(
        workdir / "big-requestslibrary",
        {
            "big.robot": f"*** Settings ***\nLibrary    RequestsLibrary\n\n*** Test Cases ***\nBig\n"
            f"    ${{r}}=    GET    {url}/big    expected_status=200\n"
            f"    Should Be Equal As Integers    ${{r.json()}}[total]    {total}\n"
        },
    )
    variants = [
        base := Variant("plain requests", [PYTHON, "loop.py", url + "/big", "1", "$.total", total], plain),
        Variant("RequestsLibrary", robot(requests_library), requests_library),
        Variant("Seamline via Robot", robot(seamline_robot), seamline_robot),
        Variant("Seamline via pytest-bdd", pytest("big.feature"), seamline_bdd),
    ]
    measure(variants, rounds, workdir)
    return (
        f"### Big body: {megabytes} MB JSON, one field checked, {rounds} rounds\n\n"
        + table("runner", variants, base, memory=True)
        + "\n\nGoal: Seamline within 1.3 x plain requests in wall time and 1.1 x in peak memory.\n"
    )


PLAIN_SLOW_TESTS = """\
import pytest
import requests


@pytest.fixture(scope="module")
def session():
    with requests.Session() as session:
        yield session


@pytest.mark.parametrize("i", range({per_file}))
def test_slow(session, i):
    assert session.get("{url}/slow", timeout=60).status_code == 200
"""


def parallel_section(files: int, per_file: int, delay: float, rounds: int, workdir: Path) -> str:
    """Seamline's suites (the server a managed service) serial and parallel, and the floor of
    each runner's speed-up: the same requests from a thin keyword library or plain pytest
    tests, the server already running. The benchmark's server answers concurrent requests
    (asyncio: 8 requests at once take one delay), so it serializes no worker."""
    # Each variant counts the service's starts in a file of its own.
    managed = (
        "services:\n  slow:\n    base_url: http://127.0.0.1:${port}\n    timeout: 60\n    start:\n"
        f"      command: ${{python}} {HERE} --serve ${{port}} --big-mb 0 --delay {delay} "
        "--starts-file ${env:SEAMLINE_BENCH_STARTS}\n"
        "      health: /products/A1\n      timeout: 60\n"
    )
    steps = ['I GET "/slow"', "the response status is 200"]
    robot_dir, bdd_dir = workdir / "par-robot", workdir / "par-pytest"
    thin_dir, plain_dir = workdir / "par-thin", workdir / "par-plain"
    with running_server(0, delay) as url:
        write(thin_dir, {"ThinHttp.py": THIN_LIBRARY})
        thin_settings = f"*** Settings ***\nLibrary    {thin_dir / 'ThinHttp.py'}    {url}\n"
        for number in range(files):
            tests = "".join(f"Test {number}-{i}\n" + "".join(f"    {s}\n" for s in steps) for i in range(per_file))
            write(
                robot_dir / "suites",
                {f"s{number}.robot": f"*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n{tests}"},
            )
            thin_tests = "".join(
                f"Test {number}-{i}\n    Get    /slow\n    Status Should Be    200\n" for i in range(per_file)
            )
            write(thin_dir / "suites", {f"s{number}.robot": f"{thin_settings}\n*** Test Cases ***\n{thin_tests}"})
            scenarios = "".join(
                f"  Scenario: s{number}-{i}\n    When {steps[0]}\n    Then {steps[1]}\n" for i in range(per_file)
            )
            write(bdd_dir, {f"f{number}.feature": f"Feature: F{number}\n{scenarios}"})
            write(plain_dir, {f"test_f{number}.py": PLAIN_SLOW_TESTS.format(per_file=per_file, url=url)})
        write(robot_dir, {"seamline.yaml": managed})
        write(bdd_dir, {"seamline.yaml": managed})

        def pabot(folder: Path, name: str, *args: str) -> list[str]:
            results = str(folder / f"pabot-{name}")
            suites = str(folder / "suites")
            return [PYTHON, "-m", "pabot.pabot", "--processes", "2", *args, "--outputdir", results, suites]

        def seamline(name: str, command: list[str], cwd: Path) -> Variant:
            starts = workdir / ("starts-" + "".join(c if c.isalnum() else "-" for c in name))
            return Variant(name, command, cwd, {"SEAMLINE_BENCH_STARTS": str(starts)})

        robot_runs = [
            seamline("robot, serial", robot(robot_dir / "suites"), robot_dir),
            seamline("pabot --processes 2", pabot(robot_dir, "2"), robot_dir),
            seamline("pabot --processes 2 --chunk", pabot(robot_dir, "chunk", "--chunk"), robot_dir),
            Variant("thin library, robot, serial", robot(thin_dir / "suites"), thin_dir),
            Variant("thin library, pabot --processes 2", pabot(thin_dir, "2"), thin_dir),
            Variant("thin library, pabot --processes 2 --chunk", pabot(thin_dir, "chunk", "--chunk"), thin_dir),
        ]
        pytest_runs = [
            seamline("pytest, serial", pytest(), bdd_dir),
            seamline("pytest -n 2", pytest("-n", "2"), bdd_dir),
            Variant("plain pytest, serial", pytest(), plain_dir),
            Variant("plain pytest -n 2", pytest("-n", "2"), plain_dir),
        ]
        lines = [f"### Parallel: {files} files x {per_file} scenarios, {delay} s server delay, {rounds} rounds\n"]
        for runs in (robot_runs, pytest_runs):
            measure(runs, rounds, workdir)
            half = len(runs) // 2
            seamline_runs, floor_runs = runs[:half], runs[half:]
            speedups = ", ".join(
                f"{ours.name}: **{ratios(seamline_runs[0], ours, cpu=False)}** "
                f"(floor {ratios(floor_runs[0], floor, cpu=False)})"
                for ours, floor in zip(seamline_runs[1:], floor_runs[1:], strict=True)
            )
            starts = ", ".join(f"{run.name}: {_starts_per_run(run, rounds)}" for run in seamline_runs)
            lines.append(
                table("run", runs, runs[0])
                + f"\n\nSpeed-up over serial: {speedups}. Managed-service starts per run: {starts}.\n"
            )
    lines.append(
        "Goals: xdist -n 2 >= 1.85x, pabot --processes 2 >= 1.8x, one service start per run. The floor is "
        "the same runner's speed-up without Seamline (a thin keyword library, plain pytest tests).\n"
    )
    return "\n".join(lines)


def _starts_per_run(variant: Variant, rounds: int) -> str:
    """The service's starts in one run of ``variant`` (its warm-up run and its rounds)."""
    path = Path(variant.env["SEAMLINE_BENCH_STARTS"])
    starts = len(path.read_text(encoding="utf-8").split()) if path.exists() else 0
    return f"{starts / (rounds + 1):g}"


def db_section(checks: int, rows: int, rounds: int, workdir: Path) -> str:
    import sqlalchemy as sa

    workdir.mkdir(parents=True, exist_ok=True)
    targets = {"SQLite": f"sqlite:///{workdir / 'bench.db'}"}
    if os.environ.get("SEAMLINE_TEST_POSTGRES_URL"):
        targets["PostgreSQL"] = os.environ["SEAMLINE_TEST_POSTGRES_URL"]
    lines = [f"### Database: {checks} row checks on a {rows}-row table, {rounds} rounds\n"]
    for label, url in targets.items():
        table_name = f"bench_orders_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"CREATE TABLE {table_name} (id INTEGER PRIMARY KEY, status VARCHAR(20), total INTEGER)")
            )
            connection.execute(
                sa.text(f"INSERT INTO {table_name} (id, status, total) VALUES (:id, :status, :total)"),
                [{"id": i, "status": "pending" if i % 2 else "paid", "total": i % 100} for i in range(rows)],
            )
        target = rows // 2 + 1
        try:
            if label == "SQLite":
                connect = (
                    f"Connect To Database    sqlite3    database={workdir / 'bench.db'}    isolation_level=${{None}}"
                )
            else:
                plain = url.replace("postgresql+psycopg://", "postgresql://")
                connect = f"Connect To Database Using Custom Connection String    psycopg    {plain}"
            ours = write(
                workdir / f"db-seamline-{label}",
                {
                    "seamline.yaml": f"databases:\n  main: {url}\n",
                    "rows.robot": loop_suite(
                        "Library    Seamline",
                        [
                            f'the "{table_name}" table has a row where:\n...    | id | status | total |\n'
                            f"...    | {target} | pending | {target % 100} |"
                        ],
                        "${N}",
                    ),
                },
            )
            theirs = write(
                workdir / f"db-databaselibrary-{label}",
                {
                    "rows.robot": loop_suite(
                        f"Library    DatabaseLibrary\nSuite Setup    {connect}\n"
                        "Suite Teardown    Disconnect From Database",
                        [
                            f"Check Row Count    SELECT id, status, total FROM {table_name} WHERE id = {target} "
                            f"AND status = 'pending' AND total = {target % 100}    ==    1"
                        ],
                        "${N}",
                    )
                },
            )
            # The same suites with one check: what a check costs is the difference, start-up left out.
            variants = [
                base := Variant(f"DatabaseLibrary, {label}", robot(theirs, "--variable", f"N:{checks}"), theirs),
                seamline := Variant(f"Seamline, {label}", robot(ours, "--variable", f"N:{checks}"), ours),
                base_one := Variant(f"DatabaseLibrary, {label}, 1 check", robot(theirs, "--variable", "N:1"), theirs),
                seamline_one := Variant(f"Seamline, {label}, 1 check", robot(ours, "--variable", "N:1"), ours),
            ]
            measure(variants, rounds, workdir)

            def per_check(many: Variant, one: Variant) -> float:
                return (statistics.median(many.walls) - statistics.median(one.walls)) / (checks - 1) * 1e6

            theirs_us, ours_us = per_check(base, base_one), per_check(seamline, seamline_one)
            lines.append(
                table("runner", variants, base)
                + f"\n\nPer check (median of {checks} checks minus median of 1, over {checks - 1}): "
                f"DatabaseLibrary {theirs_us:.0f} us, Seamline {ours_us:.0f} us: **{ours_us / theirs_us:.2f}x**.\n"
            )
        finally:
            with engine.begin() as connection:
                connection.execute(sa.text(f"DROP TABLE IF EXISTS {table_name}"))
            engine.dispose()
    lines.append("Goal: Seamline <= 1.2 x DatabaseLibrary on each database.\n")
    return "\n".join(lines)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke test, not a measurement")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--only", default="http,startup,big,parallel,db", help="comma-separated sections")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--big-mb", type=int, default=50, help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.25, help=argparse.SUPPRESS)
    parser.add_argument("--starts-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.big_mb, args.delay, args.starts_file)
        return 0
    quick = args.quick
    rounds = args.rounds or (1 if quick else 5)
    n, big_mb, delay, per_file, checks = (20, 1, 0.01, 2, 10) if quick else (1000, 50, 0.25, 6, 500)
    sections = set(args.only.split(","))
    started = time.perf_counter()
    print(f"Seamline whole-process benchmarks; {load()}; Python {sys.version.split()[0]}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="seamline-compare-") as tmp:
        workdir = Path(tmp)
        with running_server(big_mb, delay) as url:
            if "http" in sections:
                print(http_section(url, n, rounds, workdir / "http"), flush=True)
            if "startup" in sections:
                print(startup_section(rounds, workdir / "startup"), flush=True)
            if "big" in sections:
                print(big_section(url, big_mb, rounds, workdir / "big"), flush=True)
        if "parallel" in sections:
            print(parallel_section(8, per_file, delay, rounds, workdir / "parallel"), flush=True)
        if "db" in sections:
            print(db_section(checks, 10_000 if not quick else 100, rounds, workdir / "db"), flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"Took {time.perf_counter() - started:.0f} s; {load()} at the end.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
