"""Write one scenario once and run it through both front ends.

A :class:`Scenario` is a list of step lines (a doc string or data table may follow a
step); :class:`Project` writes it as a ``.feature`` file and as a Robot suite in a
temporary project and runs each in its runner, in this process, returning the outcome
and the failure message of every test. ``project.run(front_end, ...)`` picks the runner
named by the ``front_end`` fixture (tests/conftest.py), one of :data:`FRONT_ENDS`.

:func:`pytest_here` and :func:`robot_here` run a runner's command line in this process
for tests that write their own files; a test about the process itself (signals, exit
codes of the ``seamline`` command) keeps a subprocess.
"""

from __future__ import annotations

import io
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FRONT_ENDS = ("robot", "pytest")

DEFAULT_CONFIG = """\
services:
  shop:
    base_url: {url}
auth:
  shop:
    request:
      path: /auth/token
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    token: $.token
    header: usertoken
    prefix: ""
    users:
      alice: {{password: "${{env:SEAMLINE_TEST_ALICE_PASSWORD:-wonderland}}"}}
      bob: {{password: builder}}
      mallory: {{password: not-her-password}}
"""


# The demo shop's auth profile, for a test that writes its own services.
DEMO_AUTH = """\
auth:
  shop:
    request:
      path: /auth/token
      body: {"username": "${username}", "password": "${password}"}
    token: $.token
    header: usertoken
    prefix: ""
    users:
      alice: {password: wonderland}
"""


@dataclass
class Step:
    text: str
    docstring: str | None = None
    table: list[list[str]] | None = None


@dataclass
class Scenario:
    name: str
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def parse(cls, name: str, text: str) -> Scenario:
        """Steps one per line; a ``\"\"\"`` block or ``| table |`` rows attach to the step above."""
        scenario = cls(name)
        lines = textwrap.dedent(text).strip("\n").splitlines()
        index = 0
        while index < len(lines):
            line = lines[index].strip()
            index += 1
            if not line:
                continue
            if line == '"""':
                block = []
                while lines[index].strip() != '"""':
                    block.append(lines[index].strip())
                    index += 1
                index += 1
                scenario.steps[-1].docstring = "\n".join(block)
            elif line.startswith("|"):
                row = [cell.strip() for cell in line.strip("|").split("|")]
                last = scenario.steps[-1]
                last.table = [*(last.table or []), row]
            else:
                scenario.steps.append(Step(line))
        return scenario

    def as_gherkin(self) -> str:
        out = [f"  Scenario: {self.name}"]
        for step in self.steps:
            out.append(f"    {step.text}")
            if step.docstring is not None:
                out += ['      """', *(f"      {line}" for line in step.docstring.splitlines()), '      """']
            for row in step.table or []:
                out.append("      | " + " | ".join(row) + " |")
        return "\n".join(out)

    def as_robot(self) -> str:
        out = [self.name]
        for step in self.steps:
            out.append(f"    {step.text}")
            if step.docstring is not None:
                # Robot unescapes backslashes; keep them literal as in a doc string.
                for line in step.docstring.splitlines():
                    out.append("    ...    " + line.replace("\\", "\\\\"))
            for row in step.table or []:
                out.append("    ...    | " + " | ".join(row) + " |")
        return "\n".join(out)


@dataclass
class Outcome:
    passed: bool
    message: str


@dataclass
class Run:
    outcomes: dict[str, Outcome]
    output: str

    def __getitem__(self, name: str) -> Outcome:
        return self.outcomes[name]


class Project:
    def __init__(self, root: Path, demo_url: str) -> None:
        self.root = root
        self.demo_url = demo_url
        self.write_config(DEFAULT_CONFIG.format(url=demo_url))

    def write_config(self, text: str) -> Path:
        path = self.root / "seamline.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def run(self, front_end: str, *scenarios: Scenario, warns: bool = False) -> Run:
        """The scenarios in the runner the ``front_end`` fixture names (``warns``: see run_robot)."""
        if front_end == "robot":
            return self.run_robot(*scenarios, warns=warns)
        if front_end == "pytest":
            return self.run_pytest(*scenarios)
        raise ValueError(f"unknown front end {front_end!r}; known: {', '.join(FRONT_ENDS)}")

    def run_pytest(self, *scenarios: Scenario, args: tuple[str, ...] = ()) -> Run:
        feature = self.root / "features" / "test.feature"
        feature.parent.mkdir(exist_ok=True)
        body = "\n\n".join(s.as_gherkin() for s in scenarios)
        feature.write_text(f"Feature: bilingual\n\n{body}\n", encoding="utf-8")
        completed = pytest_here("-q", str(feature), "--junitxml", str(self.root / "junit.xml"), *args, cwd=self.root)
        return Run(_junit_outcomes(self.root / "junit.xml", scenarios), completed.output)

    def run_robot(
        self, *scenarios: Scenario, settings: str = "Library    Seamline", warns: bool = False, **options: object
    ) -> Run:
        """The scenarios as a Robot suite. A warning in output.xml fails the calling test (Robot 8
        makes some of today's warnings errors) unless ``warns``: a test that expects Seamline's own."""
        from robot.api import ExecutionResult

        suite = self.root / "robot" / "test.robot"
        suite.parent.mkdir(exist_ok=True)
        cases = "\n\n".join(s.as_robot() for s in scenarios)
        suite.write_text(f"*** Settings ***\n{settings}\n\n*** Test Cases ***\n{cases}\n", encoding="utf-8")
        output_dir = self.root / "robot-results"
        completed = robot_here(str(suite), cwd=self.root, outputdir=str(output_dir), **options)
        result = ExecutionResult(str(output_dir / "output.xml"))
        if not warns:
            assert robot_warnings(result) == [], completed.output
        outcomes = {test.name: Outcome(test.passed, test.message) for test in result.suite.all_tests}
        return Run(outcomes, completed.output)


def robot_warnings(result: Any) -> list[str]:
    """The WARN messages of a Robot run (``robot.api.ExecutionResult`` of its output.xml)."""
    return [message.message for message in result.errors.messages if message.level == "WARN"]


@dataclass
class Completed:
    """A runner's command line, run to its end: its exit code and its console."""

    returncode: int
    output: str


def pytest_here(*args: str, cwd: Path) -> Completed:
    """``python -m pytest -p no:cacheprovider ARGS`` in ``cwd``, run in this process.

    Each call is a pytest session of its own: a new Config, so Seamline's plugin makes a
    new Runtime and registers the phrasebook's steps afresh with the new plugin manager.
    What outlives a session is reset here: pytest-bdd's cache of parsed feature files
    (keyed by path, so a rewritten file would run as it was) and the modules and sys.path
    entries the run brought in from the project folder.
    """
    from pytest_bdd import feature as bdd_feature

    stdout, stderr = io.StringIO(), io.StringIO()
    modules, paths = set(sys.modules), list(sys.path)
    current_test = os.environ.get("PYTEST_CURRENT_TEST")
    bdd_feature.features.clear()
    try:
        with _cwd(cwd), redirect_stdout(stdout), redirect_stderr(stderr):
            # Scenarios run in file order, as in a user's run; pytest-randomly, where installed, would
            # shuffle the ones that hand variables on to the next.
            code = pytest.main(["-p", "no:cacheprovider", "-p", "no:randomly", *args], plugins=[_NoGcAtUnconfigure()])
    finally:
        bdd_feature.features.clear()
        sys.path[:] = paths
        root = str(cwd.resolve())
        for name in set(sys.modules) - modules:
            if (getattr(sys.modules[name], "__file__", None) or "").startswith(root):
                del sys.modules[name]
        if current_test is not None:  # the inner session removed the outer test's marker
            os.environ["PYTEST_CURRENT_TEST"] = current_test
    return Completed(int(code), stdout.getvalue() + stderr.getvalue())


class _NoGcAtUnconfigure:
    """pytest collects garbage at the end of a session to report unraisable exceptions;
    in a process that holds the outer session too that took ~0.2 s per inner run (a third
    of it). pytester turns it off for its inline runs the same way."""

    def pytest_configure(self, config: pytest.Config) -> None:
        try:
            from _pytest.unraisableexception import gc_collect_iterations_key
        except ImportError:  # an older pytest, which has no such sweep to turn off
            return
        config.stash[gc_collect_iterations_key] = 0


def robot_here(*sources: str, cwd: Path, **options: object) -> Completed:
    """``robot [options] SOURCES`` in ``cwd``, run in this process (robot.run)."""
    from robot.run import run as robot_run

    console = io.StringIO()
    with _cwd(cwd):
        code = robot_run(*sources, stdout=console, stderr=console, **options)
    return Completed(code, console.getvalue())


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _junit_outcomes(path: Path, scenarios: tuple[Scenario, ...]) -> dict[str, Outcome]:
    import xml.etree.ElementTree as ElementTree

    outcomes: dict[str, Outcome] = {}
    if not path.exists():
        return outcomes
    names = {_python_name(s.name): s.name for s in scenarios}
    for case in ElementTree.parse(path).iter("testcase"):
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        name = names.get(case.get("name", ""), case.get("name", ""))
        message = "" if failure is None else (failure.get("message") or "") + "\n" + (failure.text or "")
        if name in outcomes and failure is None:
            continue  # a teardown error arrives as a second testcase entry
        outcomes[name] = Outcome(failure is None, message.strip())
    return outcomes


def _python_name(name: str) -> str:
    # pytest-bdd names a scenario's test function test_<name without punctuation>
    return "test_" + re.sub(r"\W", "", name.replace(" ", "_")).lower()


__all__ = ["FRONT_ENDS", "Completed", "Outcome", "Project", "Run", "Scenario", "Step", "pytest_here", "robot_here"]
