"""Write one scenario once and run it through both front ends.

A :class:`Scenario` is a list of step lines (a doc string or data table may follow a
step); :class:`Project` writes it as a ``.feature`` file and as a Robot suite in a
temporary project and runs each in its runner, in this process, returning the outcome
and the failure message of every test.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

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

    def run_pytest(self, *scenarios: Scenario, args: tuple[str, ...] = ()) -> Run:
        feature = self.root / "features" / "test.feature"
        feature.parent.mkdir(exist_ok=True)
        body = "\n\n".join(s.as_gherkin() for s in scenarios)
        feature.write_text(f"Feature: bilingual\n\n{body}\n", encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(feature),
             "--junitxml", str(self.root / "junit.xml"), *args],
            cwd=self.root, capture_output=True, text=True, timeout=300,
        )
        return Run(_junit_outcomes(self.root / "junit.xml", scenarios), completed.stdout + completed.stderr)

    def run_robot(self, *scenarios: Scenario, settings: str = "Library    Seamline", **options: object) -> Run:
        from robot import run as robot_run
        from robot.api import ExecutionResult

        suite = self.root / "robot" / "test.robot"
        suite.parent.mkdir(exist_ok=True)
        cases = "\n\n".join(s.as_robot() for s in scenarios)
        suite.write_text(f"*** Settings ***\n{settings}\n\n*** Test Cases ***\n{cases}\n", encoding="utf-8")
        console = io.StringIO()
        output_dir = self.root / "robot-results"
        robot_run(str(suite), outputdir=str(output_dir), stdout=console, stderr=console, **options)
        result = ExecutionResult(str(output_dir / "output.xml"))
        outcomes = {test.name: Outcome(test.passed, test.message) for test in result.suite.all_tests}
        return Run(outcomes, console.getvalue())


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


__all__ = ["Outcome", "Project", "Run", "Scenario", "Step"]
