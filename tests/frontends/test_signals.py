"""A run stopped by SIGTERM or SIGINT (Ctrl-C) still runs the cleanups of the test it stops:
a seeded row is deleted again, in pytest as in Robot."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario

SCENARIO = """
Given the "items" table contains:
  | sku  | qty |
  | S1   | 1   |
When I GET "/delay/10"
"""


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
    run = subprocess.Popen(
        _command(project, front_end, Scenario.parse("stopped while it waits", SCENARIO)),
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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
