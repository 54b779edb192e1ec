"""A file that cannot be read as written fails its own test(s) with `file:line` and the reason;
every other file still runs. A block phrase without its block is caught before any request:
in a run of both runners, and by `robot --dryrun`."""

from __future__ import annotations

import pytest

from tests.bilingual import Project, Scenario, pytest_here, robot_here

RAGGED = """\
Feature: ragged
  Scenario: a ragged table
    Given I set the headers:
      | X-A | 1 |
      | X-B |
"""

UNCLOSED = '''\
Feature: unclosed
  Scenario: an unclosed doc string
    When I POST "/echo" with:
      """
      {"a": 1}
'''

GOOD = """\
Feature: good
  Scenario: still runs
    When I GET "/products/A1"
    Then the response status is 200
"""


def test_a_feature_file_that_does_not_parse_fails_alone(project: Project) -> None:
    features = project.root / "features"
    features.mkdir()
    (features / "a_ragged.feature").write_text(RAGGED, encoding="utf-8")
    (features / "b_good.feature").write_text(GOOD, encoding="utf-8")
    (features / "c_unclosed.feature").write_text(UNCLOSED, encoding="utf-8")
    run = pytest_here("-rA", "features", cwd=project.root)
    output = run.output
    assert "Interrupted" not in output and "error during collection" not in output, output
    assert "1 passed, 2 failed" in output or "2 failed, 1 passed" in output, output
    assert "PASSED features/b_good.feature::test_still_runs" in output, output
    assert (
        "features/a_ragged.feature:5: the feature file does not parse: "
        "inconsistent cell count within the table (line: | X-B |)"
    ) in output, output
    assert (
        "features/c_unclosed.feature:4: the feature file does not parse: the doc string opened here is never closed "
        "(unexpected end of file, expected: #DocStringSeparator, #Other)"
    ) in output, output
    assert "Traceback" not in output and "GherkinParseError" not in output, output


def test_an_empty_or_non_utf8_feature_file_does_not_stop_the_run(project: Project) -> None:
    features = project.root / "features"
    features.mkdir()
    (features / "a_empty.feature").write_text("", encoding="utf-8")  # a file just created
    (features / "b_comments.feature").write_text("# to do: the checkout\n", encoding="utf-8")
    (features / "c_good.feature").write_text(GOOD, encoding="utf-8")
    (features / "d_latin1.feature").write_bytes(GOOD.replace("still runs", "caf\u00e9").encode("latin-1"))
    run = pytest_here("-rA", "features", cwd=project.root)
    output = run.output
    assert "Interrupted" not in output and "error during collection" not in output, output
    assert "1 failed, 1 passed" in output, output
    assert "PASSED features/c_good.feature::test_still_runs" in output, output
    assert (
        "features/d_latin1.feature:2: the feature file does not parse: "
        "it is not UTF-8 text (byte 0xe9); save it as UTF-8"
    ) in output, output
    assert "Traceback" not in output and "KeyError" not in output, output


MISSING_BLOCKS = [
    ("a doc string", 'When I POST "/echo" with:', 'this step needs a doc string (a """ block) below it'),
    ("a data table", "Given I set the headers:", "this step needs a data table (| rows |) below it"),
]


@pytest.mark.parametrize(("block", "step", "reason"), MISSING_BLOCKS, ids=[case[0] for case in MISSING_BLOCKS])
def test_a_block_phrase_without_its_block_fails_in_both_runners(
    project: Project, front_end: str, block: str, step: str, reason: str
) -> None:
    scenario = Scenario.parse(f"without {block}", f"{step}\nThen the response status is 200")
    outcome = project.run(front_end, scenario)[scenario.name]
    assert not outcome.passed
    assert f"Step '{step}'" in outcome.message and reason in outcome.message, outcome.message


def test_robot_dryrun_reports_a_block_phrase_without_its_block(project: Project) -> None:
    from robot.api import ExecutionResult

    suite = project.root / "blocks.robot"
    suite.write_text(
        "*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n"
        'No doc string\n    When I POST "/echo" with:\n    Then the response status is 200\n\n'
        "No table\n    Given I set the headers:\n\n"
        'With both\n    When I POST "/echo" with:\n    ...    {"a": 1}\n'
        "    Given I set the headers:\n    ...    | X-A | 1 |\n    And I set the headers:    X-B=2\n",
        encoding="utf-8",
    )
    run = robot_here(str(suite), cwd=project.root, outputdir="out", dryrun=True)
    tests = {test.name: test for test in ExecutionResult(str(project.root / "out" / "output.xml")).suite.all_tests}
    assert tests["With both"].passed, run.output
    assert not tests["No doc string"].passed and not tests["No table"].passed, run.output
    assert tests["No doc string"].message == (
        """Step 'When I POST "/echo" with:' (blocks.robot:6) failed: """
        'this step needs a doc string (a """ block) below it'
    )
    assert tests["No table"].message == (
        "Step 'Given I set the headers:' (blocks.robot:10) failed: this step needs a data table (| rows |) below it"
    )
