"""The README stays true: its phrase list is the catalog's, and CI runs its commands."""

from __future__ import annotations

import re
from pathlib import Path

from seamline.cli import update_readme

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_phrase_list_is_generated_from_the_catalog() -> None:
    assert update_readme(README) == README, (
        "README's phrase list is stale: run `.venv/bin/seamline steps --update-readme README.md`"
    )


def test_ci_runs_the_two_quick_start_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line for line in quick_start.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci.splitlines(), f"CI does not run: {command}"


def test_every_phrase_in_the_readme_examples_exists() -> None:
    """Each step line of the README's Gherkin examples matches a phrase."""
    from seamline.steps import CATALOG

    blocks = re.findall(r"```gherkin\n(.*?)```", README, re.DOTALL)
    steps = [
        re.sub(r"^\s*(Given|When|Then|And|But)\s+", "", line)
        for block in blocks
        for line in block.splitlines()
        if re.match(r"^\s*(Given|When|Then|And|But)\s", line)
    ]
    assert steps
    for step in steps:
        assert any(re.fullmatch(p.regex(), step, re.IGNORECASE) for p in CATALOG.values()), step


def test_every_marker_is_in_the_readme_table() -> None:
    from seamline.core.matching.matcher import MARKERS

    table = README.split("| Marker | Holds for |", 1)[1].split("\n\n", 1)[0]
    for marker in MARKERS:
        first = marker.split()[0].replace("<marker>", "")
        assert f"`{first}" in table, f"{marker} is missing from the README's table of markers"


def test_the_jsonpath_examples_compile_and_select() -> None:
    from seamline.core.matching.jsonpath import find_all

    line = next(line for line in README.splitlines() if "JSONPath" in line and "jsonpath-ng" in line)
    paragraph = README[README.index(line) :].split("\n- ", 1)[0]
    examples = re.findall(r"``(\$[^`]*`len`)\s*``|`(\$[^`]+)`", paragraph)
    paths = [a or b for a, b in examples]
    assert len(paths) >= 4, paths
    document = {"items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}]}
    for path in paths:
        assert find_all(document, path), path
