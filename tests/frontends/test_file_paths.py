"""Files named in tests are found by one rule (issue 11, finding 7): beside the test file
first, then beside seamline.yaml; the working directory plays no part.

The same for ``@file`` in a multipart form, a JSON schema, an SQL file, an OpenAPI document
and a ``@data:`` file; ``cd features && pytest`` finds what ``pytest features/`` finds.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario, pytest_here, robot_here

_SCHEMA = {"type": "object", "required": ["method", "path"], "properties": {"method": {"const": "POST"}}}


def _layout(project: Project) -> None:
    """Files beside seamline.yaml, and a file of the same name beside each test file."""
    root = project.root
    project.write_config(
        f"""
        services:
          shop: {project.demo_url}
        databases:
          local: sqlite:///local.db
        """
    )
    for folder in ("features", "robot"):
        (root / folder / "files").mkdir(parents=True, exist_ok=True)
        (root / folder / "files" / "hello.txt").write_text("near!", encoding="utf-8")  # beside the test: wins
    (root / "files").mkdir(exist_ok=True)
    (root / "files" / "hello.txt").write_text("far away, beside the config", encoding="utf-8")
    (root / "only-here.txt").write_text("only here", encoding="utf-8")
    (root / "schemas").mkdir(exist_ok=True)
    (root / "schemas" / "echo.json").write_text(json.dumps(_SCHEMA), encoding="utf-8")
    (root / "sql").mkdir(exist_ok=True)
    (root / "sql" / "setup.sql").write_text(
        "CREATE TABLE IF NOT EXISTS found_files (name TEXT);\nINSERT INTO found_files VALUES ('setup');\n",
        encoding="utf-8",
    )
    (root / "rows.csv").write_text("size\n5\n", encoding="utf-8")


_FILES = Scenario.parse(
    "files named in steps",
    """
    When I POST "/echo" with the multipart form:
      | near | @files/hello.txt |
      | far | @only-here.txt |
    Then the response field "$.body.files.near.size" is 5
    And the response field "$.body.files.far.size" is 9
    And the response matches the schema "schemas/echo.json"
    When I run the SQL file "sql/setup.sql"
    Then the "found_files" table has a row where:
      | name |
      | setup |
    """,
)


def test_files_named_in_steps_are_found_beside_the_test_then_beside_the_config(
    project: Project, front_end: str
) -> None:
    _layout(project)
    result = project.run(front_end, _FILES)  # from the project's folder, as `pytest features/` runs
    assert result[_FILES.name].passed, result[_FILES.name].message + result.output
    # From the test file's own folder: `cd features && pytest`, `cd robot && robot test.robot`.
    folder = project.root / ("features" if front_end == "pytest" else "robot")
    if front_end == "pytest":
        again = pytest_here("-q", "test.feature", cwd=folder)
    else:
        again = robot_here("test.robot", cwd=folder, outputdir=str(project.root / "again"))
    assert again.returncode == 0, again.output


def test_a_missing_file_names_both_places_it_was_looked_for(project: Project, front_end: str) -> None:
    _layout(project)
    scenario = Scenario.parse(
        "missing",
        """
        When I POST "/echo" with the multipart form:
          | photo | @files/none.png |
        """,
    )
    outcome = project.run(front_end, scenario)[scenario.name]
    assert not outcome.passed
    folder = project.root / ("features" if front_end == "pytest" else "robot")
    assert (
        f"no file 'files/none.png' for field 'photo': looked beside the test file ({folder / 'files' / 'none.png'}) "
        f"and beside seamline.yaml ({project.root / 'files' / 'none.png'})"
    ) in outcome.message, outcome.message


@pytest.mark.parametrize("front_end", ["pytest", "robot"])
def test_a_data_file_beside_the_config_is_found_from_the_test_folder(project: Project, front_end: str) -> None:
    _layout(project)
    step = 'When I POST "/echo" with the multipart form:\n      | near | @files/hello.txt |'
    check = 'Then the response field "$.body.files.near.size" is <size>'
    if front_end == "pytest":
        feature = project.root / "features" / "rows.feature"
        feature.write_text(
            f"Feature: rows\n\n  @data:rows.csv\n  Scenario: one per row\n    {step}\n    {check}\n", encoding="utf-8"
        )
        completed = pytest_here("-q", "rows.feature", cwd=feature.parent)
        assert completed.returncode == 0 and "1 passed" in completed.output, completed.output
    else:
        suite = project.root / "robot" / "rows.robot"
        body = step.replace("\n      ", "\n    ...    ")
        suite.write_text(
            textwrap.dedent(
                """\
                *** Settings ***
                Library    Seamline

                *** Test Cases ***
                One per row
                    [Tags]    data:rows.csv
                    STEP
                    Then the response field "$.body.files.near.size" is ${size}
                """
            ).replace("STEP", body),
            encoding="utf-8",
        )
        completed = robot_here("rows.robot", cwd=suite.parent, outputdir=str(project.root / "rows-out"))
        assert completed.returncode == 0 and "1 test, 1 passed" in completed.output, completed.output


@pytest.mark.parametrize("front_end", ["pytest", "robot"])
def test_a_missing_data_file_names_both_places_it_was_looked_for(project: Project, front_end: str) -> None:
    _layout(project)
    folder = project.root / ("features" if front_end == "pytest" else "robot")
    if front_end == "pytest":
        (folder / "none.feature").write_text(
            'Feature: rows\n\n  @data:none.csv\n  Scenario: one per row\n    When I GET "/echo"\n', encoding="utf-8"
        )
        completed = pytest_here("-q", "none.feature", cwd=folder)
    else:
        (folder / "none.robot").write_text(
            '*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\nOne per row\n'
            '    [Tags]    data:none.csv\n    When I GET "/echo"\n',
            encoding="utf-8",
        )
        completed = robot_here("none.robot", cwd=folder, outputdir=str(project.root / "none-out"))
    assert completed.returncode == 1, completed.output
    assert (
        f"no data file 'none.csv': looked beside the test file ({folder / 'none.csv'}) "
        f"and beside seamline.yaml ({project.root / 'none.csv'})"
    ) in completed.output.replace("\n", ""), completed.output


def test_cd_features_and_pytest_runs_the_example_suites() -> None:
    """The repository's own examples, run from inside features/ (their seamline.yaml is one
    folder up, with the files they name)."""
    folder = Path(__file__).resolve().parents[2] / "features"
    completed = pytest_here("-q", "-p", "no:randomly", ".", cwd=folder)
    assert completed.returncode == 0, completed.output[-3000:]
