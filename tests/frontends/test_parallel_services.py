"""A parallel run starts a managed service once, not once per process (issue 12).

Real runs of real pabot (a ``robot`` process per suite file) and real pytest-xdist (two
workers): the services write down each of their starts. A service that names its worker
(``${worker}``) stays one per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.core.test_shared_services import SERVICE
from tests.processes import pids_in, still_running

BIN = Path(sys.executable).parent
FILES = 4

STEPS = [
    'Given I use the service "shared"',
    'When I GET "/pid"',
    "Then the response status is 200",
    'Given I use the service "own"',
    'When I GET "/pid"',
    "Then the response status is 200",
]


def _project(root: Path) -> Path:
    (root / "svc.py").write_text(SERVICE, encoding="utf-8")
    for name in ("shared", "own"):
        (root / f"starts-{name}.txt").touch()
    (root / "seamline.yaml").write_text(
        textwrap.dedent(
            f"""\
            services:
              shared:
                base_url: http://127.0.0.1:${{port}}
                start:
                  command: ${{python}} {root / "svc.py"} ${{port}} {root / "starts-shared.txt"}
              own:
                base_url: http://127.0.0.1:${{port}}
                start:
                  command: ${{python}} {root / "svc.py"} ${{port}} {root / "starts-own.txt"} ${{worker}}
            """
        ),
        encoding="utf-8",
    )
    return root


def _env() -> dict[str, str]:
    """This test's own environment, less what its xdist worker would hand the run below."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    env.pop("SEAMLINE_WORKER", None)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # pabot starts `robot`
    return env


def _starts(root: Path, name: str) -> list[int]:
    return pids_in(root / f"starts-{name}.txt")


def test_pabot_processes_share_one_service(tmp_path: Path) -> None:
    root = _project(tmp_path)
    suites = root / "suites"
    suites.mkdir()
    for number in range(FILES):
        tests = "".join(f"Test {number}-{i}\n" + "".join(f"    {step}\n" for step in STEPS) for i in range(2))
        (suites / f"s{number}.robot").write_text(
            f"*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n{tests}", encoding="utf-8"
        )
    command = [str(BIN / "pabot"), "--processes", "2", "--outputdir", str(root / "out"), str(suites)]
    done = subprocess.run(command, cwd=root, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    statuses = [status.get("status") for status in ET.parse(root / "out" / "output.xml").iter("status")]
    tests = [test for test in ET.parse(root / "out" / "output.xml").getroot().iter("test")]
    assert len(tests) == 2 * FILES and "FAIL" not in statuses
    assert len(_starts(root, "shared")) == 1  # one for the run
    assert len(_starts(root, "own")) == FILES  # one per robot process: it names its worker
    assert still_running(_starts(root, "shared")) == []  # pabot has ended: so has the service


def _features(root: Path, killer: bool = False) -> None:
    for number in range(FILES):
        steps = "".join(f"    {step}\n" for step in STEPS)
        scenarios = "".join(f"  Scenario: s{number}-{i}\n{steps}" for i in range(2))
        (root / f"f{number}.feature").write_text(f"Feature: F{number}\n{scenarios}", encoding="utf-8")
    if killer:
        # A worker that dies of SIGKILL after its scenario used the service (no cleanup runs).
        (root / "f_dies.feature").write_text(f"Feature: dies\n  Scenario: dies\n{steps}", encoding="utf-8")
        (root / "conftest.py").write_text(
            textwrap.dedent(
                """\
                import os, signal

                def pytest_bdd_after_scenario(request, feature, scenario):
                    if scenario.name == "dies":
                        os.kill(os.getpid(), signal.SIGKILL)
                """
            ),
            encoding="utf-8",
        )


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-n", "2", *args]
    return subprocess.run(command, cwd=root, env=_env(), capture_output=True, text=True, timeout=300)


def test_xdist_workers_share_one_service(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _features(root)
    done = _pytest(root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{2 * FILES} passed" in done.stdout
    assert len(_starts(root, "shared")) == 1
    assert len(_starts(root, "own")) == 2  # one per worker: it names its worker
    assert still_running(_starts(root, "shared")) == []


def test_a_killed_xdist_worker_leaves_the_service_to_the_others(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _features(root, killer=True)
    done = _pytest(root)
    output = done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 1, output
    assert "crashed" in done.stdout, output
    assert f"1 failed, {2 * FILES} passed" in done.stdout, output  # the others, before and after it
    assert len(_starts(root, "shared")) == 1
    assert still_running(_starts(root, "shared")) == []
