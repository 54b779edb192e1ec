"""The documentation site stays true: its reference pages are the catalog's and the schema's,
its examples use real phrases and markers, and every page is in the navigation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from seamline._docs import reference_pages, stale_pages, update_docs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = {path.relative_to(DOCS).as_posix(): path.read_text(encoding="utf-8") for path in DOCS.rglob("*.md")}
STEP = re.compile(r"^\s*(?:Given|When|Then|And|But)\s+(.*?)\s*$")


def gherkin_steps(text: str, *languages: str) -> list[str]:
    """The step lines (without their keyword) of the fenced examples in these languages."""
    steps: list[str] = []
    for language in languages or ("gherkin", "robotframework"):
        for block in re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL):
            steps += [match.group(1) for line in block.splitlines() if (match := STEP.match(line))]
    return steps


def unknown_steps(steps: list[str]) -> list[str]:
    from seamline.steps import CATALOG

    return [s for s in steps if not any(re.fullmatch(p.regex(), s, re.IGNORECASE) for p in CATALOG.values())]


def test_the_reference_pages_are_generated_from_the_catalog_and_the_schema() -> None:
    assert stale_pages(DOCS) == [], "stale reference pages: run `.venv/bin/seamline docs --update docs/`"


def test_the_reference_pages_name_every_phrase_and_key() -> None:
    from seamline.core.config.schema import config_json_schema
    from seamline.steps import CATALOG

    phrases = PAGES["reference/phrases.md"]
    written = {p.template: "`" + p.template.replace("|", "\\|") + "`" for p in CATALOG.values() if not p.waits}
    missing = [template for template, cell in written.items() if cell not in phrases]
    assert missing == []
    keys = PAGES["reference/configuration.md"]
    assert all(f"## `{name}`" in keys for name in config_json_schema()["properties"])
    assert "`services.<name>.timeout` | number | `30.0` |" in keys


def test_docs_command_finds_and_rewrites_a_stale_page(tmp_path: Path) -> None:
    update_docs(tmp_path)
    page = tmp_path / "reference" / "phrases.md"
    page.write_text(page.read_text(encoding="utf-8").replace("| `I obtain a token` |", "| `I got a token` |"))
    command = [sys.executable, "-m", "seamline.cli", "docs"]
    check = subprocess.run([*command, "--check", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 1
    assert f"{page} is stale: run `seamline docs --update {tmp_path}`" in check.stderr
    update = subprocess.run([*command, "--update", str(tmp_path)], capture_output=True, text=True)
    assert update.returncode == 0 and update.stdout == f"updated {page}\n"
    assert page.read_text(encoding="utf-8") == reference_pages()["reference/phrases.md"]


def test_every_phrase_in_the_examples_exists() -> None:
    """Each step line of the site's Gherkin and Robot examples matches a phrase."""
    steps = [step for name, text in PAGES.items() if not name.startswith("reference/") for step in gherkin_steps(text)]
    assert len(steps) > 60
    assert unknown_steps(steps) == []


def test_every_marker_is_in_the_table_of_markers() -> None:
    from seamline.core.matching.matcher import MARKERS

    table = PAGES["cookbook/matching.md"].split("| Marker | Holds for |", 1)[1].split("\n\n", 1)[0]
    for marker in MARKERS:
        first = marker.split()[0].replace("<marker>", "")
        assert f"`{first}" in table, f"{marker} is missing from the table of markers in docs/cookbook/matching.md"


def test_the_jsonpath_examples_compile_and_select() -> None:
    from seamline.core.matching.jsonpath import find_all

    page = PAGES["values.md"]
    line = next(line for line in page.splitlines() if "JSONPath" in line and "jsonpath-ng" in line)
    paragraph = page[page.index(line) :].split("\n- ", 1)[0]
    examples = re.findall(r"``(\$[^`]*`len`)\s*``|`(\$[^`]+)`", paragraph)
    paths = [a or b for a, b in examples]
    assert len(paths) >= 4, paths
    document = {"items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}]}
    for path in paths:
        assert find_all(document, path), path


def _nav_pages(entries: list[object]) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            pages += _nav_pages(value) if isinstance(value, list) else [str(value)]
    return pages


def test_every_page_is_in_the_navigation_and_every_entry_is_a_page() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _nav_pages(config["nav"])
    assert sorted(nav) == sorted(PAGES)
    assert {"reports.md", "editors.md", "load.md", "sharding.md", "performance.md"} <= set(nav)


def test_the_pictures_the_pages_show_are_there_and_small() -> None:
    shown = {image for text in PAGES.values() for image in re.findall(r"!\[[^]]*\]\(([^)]+\.png)\)", text)}
    assert "img/robot-log-failure.png" in shown
    for image in shown:
        size = (DOCS / image).stat().st_size
        assert 10_000 < size < 300_000, f"{image}: {size:,} bytes"
