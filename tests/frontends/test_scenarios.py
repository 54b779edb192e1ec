"""The same scenarios pass, or fail with the same message, in Robot and in pytest-bdd."""

from __future__ import annotations

from tests.bilingual import Project, Scenario

CART = Scenario.parse(
    "a signed-in user fills the cart",
    '''
    Given I obtain a token
    When I PUT "/cart" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response status is 200
    And the response field "$.items[0].sku" is "A1"
    And the response field "$.items[0].qty" is 2
    And I store the response field "$.items[0].sku" as "sku"
    When I GET "/products/${sku}"
    Then the response status is 200
    ''',
)

CHAIN = Scenario.parse(
    "posts lead to their comments",
    """
    When I GET "/posts"
    Then the response status is 2xx
    And the response field "$" has 3 items
    And I store the response field "$[0].id" as "id"
    When I GET "/posts/${id}/comments"
    Then the response status is 200
    And the response field "$[0].postId" is ${id}
    And the response field "$[*].postId" does not contain 99
    And the response header "Content-Type" contains "json"
    """,
)

FIELD_CHECKS = Scenario.parse(
    "every comparison word",
    '''
    When I POST "/echo" with:
      """
      {"qty": 2, "text": "2", "name": "Widget", "tags": ["a", "b"], "none": null, "ok": true}
      """
    Then the response field "$.body.qty" is 2
    And the response field "$.body.qty" is not "2"
    And the response field "$.body.text" is "2"
    And the response field "$.body.text" is not 2
    And the response field "$.body.qty" is greater than 1
    And the response field "$.body.qty" is less than 2.5
    And the response field "$.body.qty" is at least 2
    And the response field "$.body.qty" is at most 2
    And the response field "$.body.name" contains "idge"
    And the response field "$.body.name" does not contain "x"
    And the response field "$.body.name" matches "^W.+t$"
    And the response field "$.body.name" does not match "^\\d+$"
    And the response field "$.body.tags" contains "b"
    And the response field "$.body.tags" has 2 items
    And the response field "$.body.none" is null
    And the response field "$.body.none" exists
    And the response field "$.body.ok" is true
    And the response field "$.body.ok" is not 1
    And the response field "$.body.missing" does not exist
    And the response body contains "Widget"
    And the response header "content-type" is "application/json"
    And the response header "X-Nope" does not exist
    ''',
)


def test_examples_pass(project: Project, front_end: str) -> None:
    result = project.run(front_end, CART, CHAIN, FIELD_CHECKS)
    for name in (CART.name, CHAIN.name, FIELD_CHECKS.name):
        assert result[name].passed, f"{front_end}: {name}: {result[name].message}\n{result.output}"


BROKEN = Scenario.parse(
    "a deliberately broken expectation",
    '''
    Given I obtain a token
    When I PUT "/cart" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response field "$.items[0].qty" is "2"
    ''',
)


def test_failed_check_names_step_path_expected_and_actual(project: Project, front_end: str) -> None:
    outcome = project.run(front_end, BROKEN)[BROKEN.name]
    assert not outcome.passed
    first_line = outcome.message.splitlines()[0]
    assert 'the response field "$.items[0].qty" is "2"' in first_line
    assert 'expected "2", actual 2' in first_line
    if front_end == "pytest":
        assert "test.feature:" in first_line  # file and line of the step
        assert '"sku": "A1"' in outcome.message  # the response body follows the one line
    else:
        assert "test.robot:" in first_line


def test_quoted_regular_expressions_keep_their_backslashes(project: Project, front_end: str) -> None:
    # Robot reads a backslash as its own escape character, so a Robot suite doubles it.
    backslash = "\\\\" if front_end == "robot" else "\\"
    scenario = Scenario.parse(
        "a regex with a backslash",
        f"""
        When I GET "/products/A1"
        Then the response field "$.sku" matches "^A{backslash}d$"
        And the response field "$.name" does not match "{backslash}d"
        """,
    )
    outcome = project.run(front_end, scenario)[scenario.name]
    assert outcome.passed, outcome.message


def test_a_step_reads_as_its_phrase_in_any_case_and_in_any_letters(project: Project, front_end: str) -> None:
    """Steps are matched without regard to case, as Robot matches keywords: a step written in
    capitals, and one of the phrasebook's phrases written in other letters than ASCII's."""
    (project.root / "phrases.yaml").write_text(
        '- phrase: je vérifie le produit "{sku}"\n  steps:\n    - I GET "/products/{sku}"\n'
        "    - the response status is 200\n",
        encoding="utf-8",
    )
    scenario = Scenario.parse(
        "any case",
        """
        When I GET "/products/A1"
        Then THE RESPONSE STATUS IS 200
        And The Response Field "$.sku" Is "A1"
        And JE VÉRIFIE LE PRODUIT "A1"
        """,
    )
    wrong = Scenario.parse("a wrong status, in capitals", 'When I GET "/products/A1"\nThen THE RESPONSE STATUS IS 404')
    run = project.run(front_end, scenario, wrong)
    assert run[scenario.name].passed, run[scenario.name].message + run.output
    assert not run[wrong.name].passed
    assert "expected status 404, got 200" in run[wrong.name].message, run[wrong.name].message


def test_an_outline_row_whose_cells_are_only_in_a_table_runs_with_its_own_cells(project: Project) -> None:
    """Each scenario of an outline runs with its own row, also where the row's cells go only
    into a data table (the steps' texts are then the same for every row)."""
    from tests.bilingual import pytest_here

    (project.root / "table.feature").write_text(
        "Feature: cells in a table\n\n"
        "  Scenario Outline: the query parameter <n>\n"
        "    Given I set the query parameters:\n"
        "      | n | <n> |\n"
        '    When I GET "/echo"\n'
        '    Then the response field "$.query.n" is "1"\n\n'
        "    Examples:\n      | n |\n      | 1 |\n      | 2 |\n",
        encoding="utf-8",
    )
    completed = pytest_here("-q", "table.feature", "-rf", cwd=project.root)
    assert "1 failed, 1 passed" in completed.output, completed.output
    assert "test_the_query_parameter_n[2]" in completed.output, completed.output
    assert '"2"' in completed.output, completed.output  # what the second row sent
