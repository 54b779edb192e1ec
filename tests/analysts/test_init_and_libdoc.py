"""`seamline init` gives a project that passes at once in both runners; libdoc documents the library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bilingual import pytest_here, robot_here

BIN = Path(sys.executable).parent


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAMLINE_")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_init_in_an_empty_directory_passes_in_both_runners(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("SEAMLINE_")]:
        monkeypatch.delenv(name)  # as _run() does for the commands it starts
    created = _run([str(BIN / "seamline"), "init", "shop-tests"], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "shop-tests"
    assert "next: cd shop-tests && pytest features/" in created.stdout

    # The runners in this process: `pytest features/`, `robot robot/`, `robot --parser GherkinParser features/`.
    pytest_run = pytest_here("features/", cwd=project)
    assert pytest_run.returncode == 0, pytest_run.output
    assert "5 passed" in pytest_run.output

    robot_run = robot_here("robot/", cwd=project, outputdir="results")
    assert robot_run.returncode == 0, robot_run.output
    assert "4 tests, 4 passed, 0 failed" in robot_run.output

    gherkin_run = robot_here("features/", cwd=project, parser="GherkinParser", outputdir="results-features")
    assert gherkin_run.returncode == 0, gherkin_run.output
    assert "5 tests, 5 passed, 0 failed" in gherkin_run.output


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "seamline.yaml").write_text("services: {}\n", encoding="utf-8")
    again = _run([str(BIN / "seamline"), "init"], cwd=tmp_path)
    assert again.returncode == 1
    assert "not overwriting" in again.stderr and "seamline.yaml" in again.stderr
    assert (tmp_path / "seamline.yaml").read_text(encoding="utf-8") == "services: {}\n"
    assert not (tmp_path / "features").exists()


@pytest.mark.parametrize("with_phrases", [False, True])
def test_libdoc_builds_html_of_the_library_with_the_documented_command(tmp_path: Path, with_phrases: bool) -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "reference" / "robot-library.md"
    assert "libdoc Seamline Seamline.html" in page.read_text(encoding="utf-8")
    if with_phrases:
        (tmp_path / "seamline.yaml").write_text("services: {shop: 'http://127.0.0.1:9'}\n", encoding="utf-8")
        (tmp_path / "phrases.yaml").write_text(
            '- phrase: I look at "{sku}"\n  description: Open a product page.\n  steps:\n'
            '    - I GET "/products/{sku}"\n',
            encoding="utf-8",
        )
    built = _run([str(BIN / "libdoc"), "Seamline", "Seamline.html"], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    html = (tmp_path / "Seamline.html").read_text(encoding="utf-8")
    assert "I obtain a token" in html and "the response status is" in html
    assert ("Open a product page." in html) is with_phrases


def test_libdoc_json_shows_version_argument_types_and_keyword_sources(tmp_path: Path) -> None:
    import json

    import seamline

    built = _run([str(BIN / "libdoc"), "Seamline", "Seamline.json"], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    spec = json.loads((tmp_path / "Seamline.json").read_text(encoding="utf-8"))
    assert spec["version"] == seamline.__version__ != ""
    keywords = {keyword["name"]: keyword for keyword in spec["keywords"]}
    types = {arg["name"]: arg["type"] for arg in keywords["Row Count Should Be"]["args"] if arg["type"]}
    assert types["count"]["name"] == "int"
    # text also takes Robot's Secret where Robot has one (7.4+): str, or str | Secret
    assert [types["table"]["name"]] == ["str"] or [t["name"] for t in types["table"]["nested"]] == ["str", "Secret"]
    # RobotCode goes to a keyword by its source and line: the classic method, the phrase's function.
    classic = keywords["Row Count Should Be"]
    assert classic["source"].endswith("seamline/robot/_classic.py")
    source_lines = Path(classic["source"]).read_text(encoding="utf-8").splitlines()
    assert "def row_count_should_be" in "\n".join(source_lines[classic["lineno"] - 1 : classic["lineno"] + 1])
    phrase = keywords["I obtain a token"]
    assert phrase["source"].endswith("seamline/steps/auth.py")
    phrase_lines = Path(phrase["source"]).read_text(encoding="utf-8").splitlines()
    # Robot points at the function's `def`; the phrase is declared just above it.
    assert phrase_lines[phrase["lineno"] - 1].startswith("def obtain_token")
    assert "I obtain a token" in "\n".join(phrase_lines[phrase["lineno"] - 3 : phrase["lineno"] - 1])


def test_libdoc_names_read_as_the_phrases_do(tmp_path: Path) -> None:
    """Robot 7 title-cases a dynamic library's names ("is Greater Than" inside a pattern); the
    phrases keep their words, so Robot's check of each argument against its pattern holds."""
    import json

    from seamline.steps import CATALOG

    built = _run([str(BIN / "libdoc"), "Seamline", "Seamline.json"], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    names = {keyword["name"] for keyword in json.loads((tmp_path / "Seamline.json").read_text("utf-8"))["keywords"]}
    assert {phrase.robot_name() for phrase in CATALOG.values()} <= names
    field_check = next(name for name in names if name.startswith('the response field "${path:[^"]*}" ${operator:'))
    assert "is greater than|is less than|is at least|is at most|is not|is|does not contain" in field_check
