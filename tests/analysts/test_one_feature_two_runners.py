"""One .feature file, two runners: pytest, and Robot Framework with
`robot --parser GherkinParser` (robotframework-gherkin-parser)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.bilingual import Project, pytest_here, robot_here

ROOT = Path(__file__).resolve().parents[2]

FEATURE = '''\
Feature: everything a feature file can hold
  Described here, shown as the suite's documentation in Robot.

  Background:
    Given I store "A1" as "first"

  Scenario: doc strings, tables and variables
    When I PUT "/cart" with:
      """
      {"items": [{"sku": "${first}", "qty": 2}]}
      """
    Then the response status is 401
    When I POST "/echo" with the form:
      | user | a=b c  d |
      | note | back\\slash |
    Then the response field "$.body.user" is "a=b c  d"
    And the response field "$.body.note" matches "^back.slash$"
    When I add 2 of "B2" to the cart
    Then the response field "$.items[0].qty" is 2

  Scenario Outline: examples
    When I GET "/products/<sku>"
    Then the response status is <status>

    Examples:
      | sku  | status |
      | A1   | 200    |
      | NOPE | 404    |

  @data:prices.csv
  Scenario: rows from a file
    When I GET "/products/${sku}"
    Then the response field "$.price" is ${price}
'''

PHRASES = """\
- phrase: I add {qty} of "{sku}" to the cart
  steps:
    - I obtain a token as "bob"
    - I PUT "/cart" with: |
        {"items": [{"sku": "{sku}", "qty": {qty}}]}
"""

EXPECTED = {
    "doc strings, tables and variables",
    "examples sku = A1 status = 200",
    "examples sku = NOPE status = 404",
    "rows from a file (sku=A1, price=29.99)",
    "rows from a file (sku=C3, price=4.25)",
}


def _write(project: Project) -> Path:
    features = project.root / "features"
    features.mkdir()
    (features / "all.feature").write_text(FEATURE, encoding="utf-8")
    (features / "prices.csv").write_text("sku,price\nA1,29.99\nC3,4.25\n", encoding="utf-8")
    # GherkinParser imports the .resource files beside a feature: this one brings Seamline.
    (features / "seamline.resource").write_text("*** Settings ***\nLibrary    Seamline\n", encoding="utf-8")
    (project.root / "phrases.yaml").write_text(PHRASES, encoding="utf-8")
    return features


def test_the_same_feature_file_passes_under_pytest_and_robot_gherkin_parser(project: Project) -> None:
    features = _write(project)
    pytest_run = pytest_here("-q", str(features), "--junitxml", "junit.xml", cwd=project.root)
    assert pytest_run.returncode == 0, pytest_run.output
    cases = list(ElementTree.parse(project.root / "junit.xml").iter("testcase"))
    assert len(cases) == len(EXPECTED)

    robot_run = robot_here(str(features), cwd=project.root, parser="GherkinParser", outputdir="out")
    assert robot_run.returncode == 0, robot_run.output
    from robot.api import ExecutionResult

    result = ExecutionResult(str(project.root / "out" / "output.xml"))
    assert {test.name for test in result.suite.all_tests} == EXPECTED
    assert all(test.passed for test in result.suite.all_tests)
    assert "Described here" in result.suite.suites[0].doc


def test_the_example_features_run_under_robot_gherkin_parser(tmp_path: Path) -> None:
    completed = robot_here("features/", cwd=ROOT, parser="GherkinParser", outputdir=str(tmp_path))
    assert completed.returncode == 0, completed.output
    # Every scenario of the examples runs (they have no outlines), and all pass.
    count = sum(
        line.strip().startswith("Scenario:")
        for feature in (ROOT / "features").glob("*.feature")
        for line in feature.read_text(encoding="utf-8").splitlines()
    )
    assert count >= 7
    assert f"{count} tests, {count} passed, 0 failed" in completed.output
