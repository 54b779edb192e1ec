"""The README stays true: CI runs its commands, its example uses real phrases, and every
page it links to is there."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_docs import gherkin_steps, unknown_steps

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_two_quick_start_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line for line in quick_start.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci.splitlines(), f"CI does not run: {command}"


def test_every_phrase_in_the_readme_examples_exists() -> None:
    """Each step line of the README's Gherkin and Robot examples matches a phrase."""
    steps = gherkin_steps(README)
    assert len(steps) >= 8
    assert unknown_steps(steps) == []


def test_the_scenario_is_shown_in_both_styles() -> None:
    gherkin = gherkin_steps(README, "gherkin")
    robot = gherkin_steps(README, "robotframework")
    assert gherkin and [step.split(" with:")[0] for step in gherkin] == [step.split(" with:")[0] for step in robot]


def test_every_link_into_the_site_exists() -> None:
    links = re.findall(r"\]\((docs/[^)#]+)", README)
    assert len(links) >= 20, links
    assert [link for link in links if not (ROOT / link).is_file()] == []
