"""Robot Framework 8 makes an embedded argument that does not match its pattern an error;
Robot 7 warns. No run of the example suites or of a bilingual test leaves a WARN in output.xml
(Project.run_robot checks every bilingual run; these run the rest)."""

from __future__ import annotations

from pathlib import Path

from tests.bilingual import Project, Scenario, robot_here, robot_warnings

ROOT = Path(__file__).resolve().parents[2]

# Every comparison word, in the case a writer may use: Robot matches keyword names in any case.
COMPARISONS = Scenario.parse(
    "every comparison word in any case",
    '''
    When I post "/echo" with:
      """
      {"qty": 2, "name": "Widget"}
      """
    Then the response field "$.body.qty" is not "2"
    And the response field "$.body.qty" IS NOT "2"
    And the response field "$.body.qty" Is Greater Than 1
    And the response field "$.body.qty" is less than 3
    And the response field "$.body.qty" is at least 2
    And the response field "$.body.qty" is at most 2
    And the response field "$.body.name" does not contain "x"
    And the response field "$.body.name" Does Not Match "^\\d+$"
    And the response header "Content-Type" does not contain "xml"
    And the response body does not contain "Gadget"
    ''',
)


def test_comparison_words_in_any_case_pass_without_a_warning(project: Project, front_end: str) -> None:
    # run_robot fails on any WARN in output.xml; pytest matches the same words in any case.
    result = project.run(front_end, COMPARISONS)
    assert result[COMPARISONS.name].passed, result[COMPARISONS.name].message + result.output


def test_the_example_suites_leave_no_warning_in_output_xml(tmp_path: Path) -> None:
    from robot.api import ExecutionResult

    completed = robot_here("robot/", cwd=ROOT, outputdir=str(tmp_path))
    assert completed.returncode == 0, completed.output
    result = ExecutionResult(str(tmp_path / "output.xml"))
    assert result.suite.statistics.failed == 0 and result.suite.statistics.passed >= 10
    assert robot_warnings(result) == []


def test_the_example_features_under_robot_leave_no_warning_in_output_xml(tmp_path: Path) -> None:
    from robot.api import ExecutionResult

    completed = robot_here("features/", cwd=ROOT, parser="GherkinParser", outputdir=str(tmp_path))
    assert completed.returncode == 0, completed.output
    assert robot_warnings(ExecutionResult(str(tmp_path / "output.xml"))) == []
