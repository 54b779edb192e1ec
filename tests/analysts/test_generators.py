"""Generated test data: one value per test, new for each test, unique per parallel worker, in both runners."""

from __future__ import annotations

import pytest

from seamline.core.errors import VariableError
from seamline.core.values.generators import Generators
from seamline.core.values.secrets import Secrets
from seamline.core.values.variables import Variables
from tests.bilingual import Project, Scenario

GENERATED = Scenario.parse(
    "generated values",
    '''
    Given I store "${unique}" as "first"
    And I keep "first" for the suite
    When I POST "/echo" with:
      """
      {"a": "${first}", "b": "${unique}", "email": "${unique_email}",
       "id": "${uuid}", "at": "${now}", "day": "${today}"}
      """
    Then the response status is 200
    And the response field "$.body.b" is "${first}"
    And the response field "$.body.a" matches "WORKER"
    And the response field "$.body.email" matches "^test-[a-z0-9-]+@example[.]com$"
    And the response field "$.body.id" matches "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    And the response field "$.body.at" matches "^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z$"
    And the response field "$.body.day" matches "^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]$"
    ''',
)


def test_generators_give_fresh_values_marked_with_the_parallel_worker(
    project: Project, front_end: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if front_end == "pytest":
        # What pytest-xdist sets in each worker process.
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
        scenario = Scenario.parse(GENERATED.name, "\n".join(_lines(GENERATED, "-gw3-")))
        result = project.run_pytest(scenario, NEXT_TEST)
    else:
        # What pabot passes to each of its Robot processes.
        scenario = Scenario.parse(GENERATED.name, "\n".join(_lines(GENERATED, "-pabot2-")))
        result = project.run_robot(scenario, NEXT_TEST, variable=["PABOTEXECUTIONPOOLID:2"])
    assert result[GENERATED.name].passed, result[GENERATED.name].message + result.output
    assert result[NEXT_TEST.name].passed, result[NEXT_TEST.name].message + result.output


NEXT_TEST = Scenario.parse(
    "the next test gets new values",
    """
    When I GET "/echo?a=${unique}&b=${first}"
    Then the response field "$.query.a" is not "${first}"
    And the response field "$.query.b" is "${first}"
    """,
)


def _lines(scenario: Scenario, worker: str) -> list[str]:
    out = []
    for step in scenario.steps:
        out.append(step.text.replace("WORKER", worker))
        if step.docstring is not None:
            out += ['"""', step.docstring, '"""']
    return out


def test_robot_keeps_the_value_it_assigned(project: Project) -> None:
    """Robot copies a variable's value when it assigns it: the copy must not change."""
    result = project.run_robot(
        Scenario.parse(
            "assigned once",
            """
            ${id}=    Set Variable    ${unique}
            Should Be Equal    ${id}    ${unique}
            Should Be Equal    ${id}    ${id}
            """,
        )
    )
    assert result["assigned once"].passed, result["assigned once"].message


def test_unique_values_differ_between_runs_and_workers() -> None:
    one, other = Generators(worker="gw0"), Generators(worker="gw1")
    values = {one.unique(), one.unique(), other.unique(), Generators(worker="gw0").unique()}
    assert len(values) == 4
    assert one.unique().split("-")[1] == "gw0"


def test_a_stored_variable_wins_over_a_generator_and_a_misspelt_one_is_named() -> None:
    variables = Variables({}, {}, Secrets(), generators=Generators())
    variables.set("now", "fixed")
    assert variables.expand("${now}") == "fixed"
    with pytest.raises(VariableError, match=r"did you mean the generator \$\{unique_email\}"):
        variables.expand("${uniqe_email}")


def test_an_unknown_generator_fails_its_step_with_file_and_line(project: Project, front_end: str) -> None:
    scenario = Scenario.parse("misspelt generator", 'Given I store "${uniqe_email}" as "email"')
    result = project.run(front_end, scenario)
    message = result[scenario.name].message
    assert "${uniqe_email}" in message.splitlines()[0]
    if front_end == "robot":
        # Robot resolves variables itself; the generators are Robot variables, so it names the closest.
        assert "Did you mean:" in message and "${unique_email}" in message
    else:
        assert "did you mean the generator ${unique_email}" in message.splitlines()[0]
        assert "test.feature:4" in message.splitlines()[0]
