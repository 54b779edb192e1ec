"""The pytest front end stands on pytest's and pytest-bdd's public API only: rows of a
`@data:` file come through pytest's parametrize, and `<name>` is filled by Seamline."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import seamline.bdd
from tests.bilingual import Project, pytest_here

ROWS = "method,sku,name\nPOST,A1,Widget\nPUT,B2,<sku>\n"

FEATURE = """\
Feature: rows fill placeholders

  @data:rows.csv
  Scenario: the row <sku> is sent
    Given I set the headers:
      | X-Sku | <sku> |
    When I <method> "/echo" with:
      \"\"\"
      {"sku": "<sku>", "name": "${name}", "kept": "<nope>"}
      \"\"\"
    Then the response field "$.method" is "<method>"
    And the response field "$.headers['x-sku']" is "<sku>"
    And the response field "$.body" is:
      \"\"\"
      {"sku": "<sku>", "name": "<name>", "kept": "<nope>"}
      \"\"\"
"""


def test_a_row_fills_step_text_doc_strings_tables_and_reports(project: Project) -> None:
    (project.root / "rows.csv").write_text(ROWS, encoding="utf-8")
    (project.root / "rows.feature").write_text(FEATURE, encoding="utf-8")
    report = project.root / "reports" / "cucumber.json"
    result = pytest_here("-v", "rows.feature", f"--cucumberjson={report}", cwd=project.root)
    output = result.output
    # A vocabulary word (the method) is filled before the step is looked up; a value that
    # looks like a placeholder ("<sku>" as a name) is not filled a second time.
    assert result.returncode == 0 and "2 passed" in output, output
    assert "test_the_row_sku_is_sent[POST-A1-Widget] PASSED" in output, output
    assert "test_the_row_sku_is_sent[PUT-B2-<sku>] PASSED" in output, output
    (feature,) = json.loads(report.read_text(encoding="utf-8"))
    scenarios = {element["name"]: [step["name"] for step in element["steps"]] for element in feature["elements"]}
    assert scenarios["the row A1 is sent"][1] == 'I POST "/echo" with:'
    assert scenarios["the row B2 is sent"][1] == 'I PUT "/echo" with:'
    assert scenarios["the row B2 is sent"][2] == 'the response field "$.method" is "PUT"'


def test_the_same_scenario_without_rows_leaves_placeholders_as_written(project: Project) -> None:
    (project.root / "plain.feature").write_text(
        FEATURE.replace("  @data:rows.csv\n", ""), encoding="utf-8"
    )
    result = pytest_here("plain.feature", cwd=project.root)
    assert "1 failed" in result.output, result.output
    # No row: "<method>" is no HTTP method, so no step matches it.
    assert 'I <method> "/echo" with:' in result.output, result.output


# Modules and names that pytest and pytest-bdd keep for themselves.
_PRIVATE_MODULES = ("_pytest", "pytest_bdd.scenario", "pytest_bdd.steps", "pytest_bdd.utils", "pytest_bdd.compat")
_PRIVATE_NAMES = ("_pytest_bdd_example", "_getobj", "_obj", "_fixturemanager", "_fixtureinfo", "_arg2fixturedefs")


def test_the_pytest_front_end_uses_no_private_api_of_pytest_or_pytest_bdd() -> None:
    package = Path(seamline.bdd.__file__).parent
    found: list[str] = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            found += [f"{path.name}:{node.lineno}: import {m}" for m in modules if m.startswith(_PRIVATE_MODULES)]
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value
            else:
                continue
            if name in _PRIVATE_NAMES:
                found.append(f"{path.name}:{node.lineno}: {name}")
    assert found == []
