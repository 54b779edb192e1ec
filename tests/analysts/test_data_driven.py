"""One test per row: Scenario Outline/Examples, Robot templates, and rows from CSV or JSON
files (`@data:file` / `[Tags]    data:file`) in both runners."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario, pytest_here

CSV = "sku,name\nA1,Widget\nB2,Gadget\n\nD4,Not a sprocket\n"
JSON = json.dumps([{"sku": "A1", "price": 29.99}, {"sku": "C3", "price": 4.25}], indent=1)

FEATURE = """\
Feature: data-driven

  @data:data/products.csv
  Scenario: each product has its name
    When I GET "/products/${sku}"
    Then the response status is 200
    And the response field "$.name" is "${name}"

  @data:data/prices.json
  Scenario Outline: a product costs its price
    When I GET "/products/<sku>"
    Then the response field "$.price" is <price>
    And the response field "$.price" is ${price}

  Scenario Outline: an outline with its own examples
    When I GET "/products/<sku>"
    Then the response status is <status>

    Examples:
      | sku  | status |
      | A1   | 200    |
      | NOPE | 404    |
"""

SUITE = """\
*** Settings ***
Library    Seamline

*** Test Cases ***
Each product has its name
    [Tags]    data:data/products.csv
    When I GET "/products/${sku}"
    Then the response status is 200
    And the response field "$.name" is "${name}"

A product costs its price
    [Tags]    data:data/prices.json
    [Template]    Product ${sku} costs ${price}

A template with its own rows
    [Template]    Product ${sku} costs ${price}
    A1    29.99
    B2    9.5

*** Keywords ***
Product ${sku} costs ${price}
    When I GET "/products/${sku}"
    Then the response field "$.price" is ${price}
"""


def _write_data(root: Path, csv: str = CSV) -> None:
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "products.csv").write_text(csv, encoding="utf-8")
    (root / "data" / "prices.json").write_text(JSON, encoding="utf-8")


def _pytest(root: Path, feature: str) -> tuple[dict[str, bool], str]:
    (root / "data-driven.feature").write_text(feature, encoding="utf-8")
    junit = root / "junit.xml"
    completed = pytest_here("-v", "data-driven.feature", "--junitxml", str(junit), cwd=root)
    outcomes = {}
    if junit.exists():
        for case in ElementTree.parse(junit).iter("testcase"):
            outcomes[case.get("name", "")] = case.find("failure") is None and case.find("error") is None
    return outcomes, completed.output


def _robot(root: Path, suite: str) -> tuple[dict[str, tuple[bool, str]], str]:
    from robot import run as robot_run
    from robot.api import ExecutionResult

    (root / "data-driven.robot").write_text(suite, encoding="utf-8")
    robot_run(str(root / "data-driven.robot"), outputdir=str(root / "out"), stdout=None)
    result = ExecutionResult(str(root / "out" / "output.xml"))
    return {t.name: (t.passed, t.message) for t in result.suite.all_tests}, ""


def test_pytest_runs_a_scenario_per_row_of_a_file_and_of_examples(project: Project) -> None:
    _write_data(project.root)
    outcomes, output = _pytest(project.root, FEATURE)
    assert outcomes == {
        "test_each_product_has_its_name[A1-Widget]": True,
        "test_each_product_has_its_name[B2-Gadget]": True,
        "test_each_product_has_its_name[D4-Not a sprocket]": False,  # each row passes or fails on its own
        "test_a_product_costs_its_price[A1-29.99]": True,
        "test_a_product_costs_its_price[C3-4.25]": True,
        "test_an_outline_with_its_own_examples[A1-200]": True,
        "test_an_outline_with_its_own_examples[NOPE-404]": True,
    }, output
    assert 'expected "Not a sprocket", actual "Sprocket"' in output


def test_robot_runs_a_test_per_row_of_a_file_and_templates(project: Project) -> None:
    _write_data(project.root)
    outcomes, _ = _robot(project.root, SUITE)
    assert {name: passed for name, (passed, _) in outcomes.items()} == {
        "Each product has its name (sku=A1, name=Widget)": True,
        "Each product has its name (sku=B2, name=Gadget)": True,
        "Each product has its name (sku=D4, name=Not a sprocket)": False,
        "A product costs its price (sku=A1, price=29.99)": True,
        "A product costs its price (sku=C3, price=4.25)": True,
        "A template with its own rows": True,
    }
    message = outcomes["Each product has its name (sku=D4, name=Not a sprocket)"][1]
    assert 'expected "Not a sprocket", actual "Sprocket"' in message


BROKEN_CSV = "sku,name\nA1,Widget\nB2\n"


def test_a_missing_column_is_reported_with_file_and_line_in_both_runners(project: Project) -> None:
    _write_data(project.root, csv=BROKEN_CSV)
    outcomes, output = _pytest(project.root, FEATURE.split("  @data:data/prices.json")[0])
    assert "products.csv:3: missing column(s) name: the row has 1 cell(s), the header names 2 (sku, name)" in output
    assert "Traceback" not in output
    assert outcomes == {"test_each_product_has_its_name": False}, output

    robot_outcomes, _ = _robot(project.root, SUITE.replace("    [Tags]    data:data/prices.json\n", ""))
    passed, message = robot_outcomes["Each product has its name"]
    assert not passed
    assert "products.csv:3: missing column(s) name" in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("rows.json", '[{"a": 1},\n {"b": 2}]', "rows.json:2: missing column(s) a"),
        ("rows.json", '[{"a": 1},,]', "rows.json:1: invalid JSON"),
        ("rows.txt", "a\n1\n", "a data file is .csv"),
        ("rows.csv", "a,b\n", "no rows of data"),
    ],
)
def test_bad_data_files_name_the_file_and_line(tmp_path: Path, name: str, content: str, expected: str) -> None:
    from seamline.core.errors import ConfigError
    from seamline.core.values.data import load_rows

    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=textwrap.dedent(expected).replace("(", r"\(").replace(")", r"\)")):
        load_rows(tmp_path / name)


BROKEN_FEATURE = """\
Feature: some scenarios with bad data

  @data:data/products.csv
  Scenario: a bad row
    When I GET "/products/${sku}"

  @data:data/nowhere.csv
  Scenario: a missing file
    When I GET "/products/${sku}"

  @data:data/bad.json
  Scenario: invalid JSON
    When I GET "/products/${sku}"

  @data:data/prices.json
  Scenario Outline: rows from Examples and from a file
    When I GET "/products/<sku>"

    Examples:
      | sku |
      | A1  |

  @data:data/prices.json @data:data/more.csv
  Scenario: two data files

  @data:data/prices.json
  Scenario: good rows
    When I GET "/products/${sku}"
    Then the response field "$.price" is ${price}

  Scenario: no data at all
    When I GET "/products/A1"
    Then the response status is 200
"""


def test_a_bad_data_file_fails_only_its_scenario_and_the_run_goes_on(project: Project) -> None:
    root = project.root
    _write_data(root, csv=BROKEN_CSV)
    (root / "data" / "more.csv").write_text("sku\nA1\n", encoding="utf-8")
    (root / "data" / "bad.json").write_text('[{"sku": "A1"},\n {"sku": }]', encoding="utf-8")
    (root / "bad.feature").write_text(BROKEN_FEATURE, encoding="utf-8")
    (root / "other.feature").write_text(
        'Feature: another file\n\n  Scenario: still runs\n    When I GET "/products/A1"\n'
        "    Then the response status is 200\n",
        encoding="utf-8",
    )
    junit = root / "junit.xml"
    completed = pytest_here("-q", "bad.feature", "other.feature", "--junitxml", str(junit), cwd=root)
    output = completed.output
    assert completed.returncode == 1, output  # tests failed; not 2, an interrupted run
    assert "Interrupted" not in output and "error during collection" not in output, output
    assert "Traceback" not in output
    messages: dict[str, str | None] = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        failure = case.find("failure")
        assert case.find("error") is None, output
        messages[case.get("name", "")] = None if failure is None else failure.get("message", "")
    assert messages.pop("test_good_rows[A1-29.99]") is None
    assert messages.pop("test_good_rows[C3-4.25]") is None
    assert messages.pop("test_no_data_at_all") is None
    assert messages.pop("test_still_runs") is None
    data = root / "data"
    tag = "bad.feature: tag @data:data/"
    expected = {
        "test_a_bad_row": f"{tag}products.csv: {data / 'products.csv'}:3: missing column(s) name",
        "test_a_missing_file": f"{tag}nowhere.csv: no data file 'data/nowhere.csv': "
        f"{data / 'nowhere.csv'} does not exist",
        "test_invalid_json": f"{tag}bad.json: {data / 'bad.json'}:2: invalid JSON",
        "test_rows_from_examples_and_from_a_file[A1]": f"{tag}prices.json: a scenario takes its rows "
        "from Examples or from a data file, not both",
    }
    two = [name for name in messages if name.startswith("test_two_data_files")]
    assert two and all("it has two @data: tags" in (messages.pop(name) or "") for name in two), two
    assert set(messages) == set(expected), output
    for name, fragment in expected.items():
        assert fragment in (messages[name] or ""), (name, messages[name])
        assert "\n" not in (messages[name] or "").strip(), messages[name]  # one line


def test_unreadable_csv_lines_and_encodings_name_the_file(tmp_path: Path) -> None:
    from seamline.core.errors import ConfigError
    from seamline.core.values.data import load_rows

    latin = tmp_path / "latin.csv"
    latin.write_bytes("sku,name\nA1,Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.csv: cannot read the data file: 'utf-8' codec"):
        load_rows(latin)
    huge = tmp_path / "huge.csv"
    huge.write_text("sku,name\nA1,ok\nB2,\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"huge\.csv:3: field larger than field limit"):
        load_rows(huge)


def test_robot_refuses_two_data_files_as_pytest_does(project: Project) -> None:
    data = project.root / "robot" / "data"
    data.mkdir(parents=True)
    for name in ("one.csv", "two.csv"):
        (data / name).write_text("sku\nA1\n", encoding="utf-8")
    scenario = Scenario.parse(
        "two data files",
        """
        [Tags]    data:data/one.csv    data:data/two.csv
        When I GET "/products/${sku}"
        """,
    )
    result = project.run_robot(scenario)
    (outcome,) = result.outcomes.values()
    assert not outcome.passed
    assert "it has two @data: tags" in outcome.message


def test_robot_names_a_row_with_its_cells_as_written(project: Project) -> None:
    """Robot expands ${...} in a test's name: a cell holding `${greeting}` is named as written,
    not replaced by a variable's value (which could be a secret)."""
    project.write_config(f"services:\n  shop: {project.demo_url}\nvariables:\n  greeting: expanded-twice\n")
    (project.root / "data").mkdir(exist_ok=True)
    (project.root / "data" / "cells.csv").write_text("sku,note\nA1,${greeting}\n", encoding="utf-8")
    suite = (
        "*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\nA row\n"
        "    [Tags]    data:data/cells.csv\n    When I GET \"/products/${sku}\"\n"
    )
    outcomes, _ = _robot(project.root, suite)
    assert list(outcomes) == ["A row (sku=A1, note=${greeting})"]


def test_pytest_sends_a_cell_as_written_never_expanding_it_again(project: Project) -> None:
    """A `${...}` in a data file's cell is text from a file: `<note>` sends it as it is, as the
    same row does in Robot, never the value of a variable of that name."""
    project.write_config(f"services:\n  shop: {project.demo_url}\nvariables:\n  greeting: expanded-twice\n")
    (project.root / "data").mkdir(exist_ok=True)
    (project.root / "data" / "cells.csv").write_text("note\n${greeting}\n", encoding="utf-8")
    feature = (
        "Feature: cells\n\n  @data:data/cells.csv\n  Scenario: a cell as written\n"
        '    When I POST "/echo" with:\n      """\n      {"note": "<note>"}\n      """\n'
        '    Then the response field "$.body.note" is "\\${greeting}"\n'
    )
    outcomes, output = _pytest(project.root, feature)
    assert list(outcomes.values()) == [True], output
