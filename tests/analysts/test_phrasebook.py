"""User phrases from a phrasebook: the same phrases in both runners, mistakes caught when it loads."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

from tests.bilingual import Project, Scenario

PHRASEBOOK = """\
- phrase: I add {qty} of "{sku}" to the cart
  description: Put one product in the cart, replacing what it held.
  example: I add 2 of "A1" to the cart
  steps:
    - I obtain a token as "bob"
    - I PUT "/cart" with: |
        {"items": [{"sku": "{sku}", "qty": {qty}}]}
    - the response status is 200

- phrase: the cart holds {qty} of "{sku}"
  steps:
    - I GET "/cart"
    - the response field "$.items[0].sku" is "{sku}"
    - the response field "$.items[0].qty" is {qty}

- phrase: I fill the cart
  description: Uses another user phrase, then stores a value for the test.
  steps:
    - I add 3 of "B2" to the cart
    - I store the response field "$.items[0].sku" as "filled"
"""

USES_PHRASES = Scenario.parse(
    "a test in the team's own words",
    """
    Given I add 2 of "A1" to the cart
    Then the cart holds 2 of "A1"
    When I fill the cart
    Then the cart holds 3 of "${filled}"
    And the response field "$.items" has 1 items
    """,
)

FAILS_INSIDE = Scenario.parse(
    "a user phrase whose check fails",
    """
    Given I add 2 of "A1" to the cart
    Then the cart holds 5 of "A1"
    """,
)


def test_user_phrases_run_in_both_runners(project: Project, front_end: str) -> None:
    (project.root / "phrases.yaml").write_text(PHRASEBOOK, encoding="utf-8")
    result = project.run(front_end, USES_PHRASES, FAILS_INSIDE)
    assert result[USES_PHRASES.name].passed, result[USES_PHRASES.name].message + result.output
    failed = result[FAILS_INSIDE.name]
    assert not failed.passed
    first_line = failed.message.splitlines()[0]
    # The test's step, then the phrasebook's line that failed, then what differed.
    assert "Step 'Then the cart holds 5 of \"A1\"'" in first_line
    assert "phrases.yaml:14 'the response field \"$.items[0].qty\" is 5'" in first_line
    assert "expected 5, actual 2" in first_line


def test_phrases_in_seamline_yaml_and_in_named_files(project: Project) -> None:
    (project.root / "more").mkdir()
    (project.root / "more" / "cart.yaml").write_text(PHRASEBOOK, encoding="utf-8")
    config = (project.root / "seamline.yaml").read_text(encoding="utf-8")
    project.write_config(
        config
        + "phrases:\n  - more/cart.yaml\n"
        + '  - phrase: I look at product "{sku}"\n    steps:\n      - I GET "/products/{sku}"\n'
    )
    scenario = Scenario.parse(
        "phrases from two places",
        'Given I add 1 of "A1" to the cart\nWhen I look at product "B2"\nThen the response field "$.sku" is "B2"',
    )
    for result in (project.run_robot(scenario), project.run_pytest(scenario)):
        assert result[scenario.name].passed, result[scenario.name].message + result.output


def test_a_robot_template_runs_a_user_phrase_for_each_row(project: Project) -> None:
    from robot import run as robot_run
    from robot.api import ExecutionResult

    (project.root / "phrases.yaml").write_text(PHRASEBOOK, encoding="utf-8")
    suite = project.root / "template.robot"
    suite.write_text(
        textwrap.dedent(
            """\
            *** Settings ***
            Library    Seamline

            *** Test Cases ***
            Each row fills and checks the cart
                [Template]    Fill and check
                1    A1
                4    B2
                2    Z9

            *** Keywords ***
            Fill and check
                [Arguments]    ${qty}    ${sku}
                I add ${qty} of "${sku}" to the cart
                The cart holds ${qty} of "${sku}"
            """
        ),
        encoding="utf-8",
    )
    robot_run(str(suite), outputdir=str(project.root / "out"), stdout=None)
    test = ExecutionResult(str(project.root / "out" / "output.xml")).suite.all_tests.__iter__().__next__()
    # Templates run every row; only the third (an unknown product) fails.
    assert [(kw.args, kw.status) for kw in test.body] == [
        (("1", "A1"), "PASS"), (("4", "B2"), "PASS"), (("2", "Z9"), "FAIL")
    ]
    assert "phrases.yaml:8 'the response status is 200': expected status 200, got 404" in test.message


@dataclass
class BadBook:
    name: str
    text: str
    expected: tuple[str, ...]


BAD_BOOKS = [
    BadBook(
        "a YAML error",
        '- phrase: I do a thing\n  steps:\n    - I GET "/"\n   - I GET "/b"\n',
        ("phrases.yaml:4:", "invalid YAML"),
    ),
    BadBook(
        "a phrase defined twice",
        '- phrase: I look at "{sku}"\n  steps:\n    - I GET "/products/{sku}"\n'
        '- phrase: I look at "{other}"\n  steps:\n    - I GET "/products/{other}"\n',
        ("phrases.yaml:4:", "defined twice", "first at", "phrases.yaml:1"),
    ),
    BadBook(
        "a phrase that reads as a built-in one",
        '- phrase: I {method} "{path}"\n  steps:\n    - I GET "/"\n',
        ("phrases.yaml:1:", "reads as the built-in phrase"),
    ),
    BadBook(
        "a step that matches no phrase",
        '- phrase: I look around\n  steps:\n    - I GET "/products"\n    - I GIT "/cart"\n',
        ("phrases.yaml:4:", "step 'I GIT \"/cart\"'", "matches no phrase", 'I {method} "{path}"'),
    ),
    BadBook(
        "a parameter that is not declared",
        '- phrase: I look at "{sku}"\n  steps:\n    - I GET "/products/{skew}"\n',
        ("phrases.yaml:3:", "parameter {skew} is not declared", "declared: {sku}"),
    ),
    BadBook(
        "a cycle",
        "- phrase: I go round\n  steps: [I go around]\n- phrase: I go around\n  steps:\n    - I go round\n",
        ("phrases.yaml:1:", "cycle", "'I go round' -> 'I go around' -> 'I go round'", "phrases.yaml:5"),
    ),
]


@pytest.mark.parametrize("book", BAD_BOOKS, ids=[b.name for b in BAD_BOOKS])
def test_a_broken_phrasebook_is_reported_with_file_and_line(project: Project, front_end: str, book: BadBook) -> None:
    (project.root / "phrases.yaml").write_text(book.text, encoding="utf-8")
    scenario = Scenario.parse("any test", 'When I GET "/products/A1"')
    if front_end == "robot":
        result = project.run_robot(scenario)
        outcome = result[scenario.name]
        assert not outcome.passed  # every test fails while its phrasebook is broken
        report = outcome.message
        assert "the phrasebook did not load" in result.output  # and the console says why, once
    else:
        result = project.run_pytest(scenario)
        assert not result.outcomes  # pytest stops before running anything
        report = result.output
    assert "the phrasebook did not load" in report.lower()
    for fragment in book.expected:
        assert fragment in report, f"{fragment!r} not in {report!r}"
    assert "Traceback" not in report


def test_seamline_steps_lists_user_phrases_filtered_by_a_word(project: Project) -> None:
    import subprocess
    import sys

    (project.root / "phrases.yaml").write_text(PHRASEBOOK, encoding="utf-8")
    listed = subprocess.run(
        [sys.executable, "-m", "seamline.cli", "steps", "cart"], cwd=project.root, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert 'I add {qty} of "{sku}" to the cart  (user phrase)' in listed.stdout
    assert "Put one product in the cart, replacing what it held." in listed.stdout
    assert 'e.g. I add 2 of "A1" to the cart' in listed.stdout
    assert 'e.g. the cart holds 1 of "sku"' in listed.stdout  # an example made up when none is given
    assert "I obtain a token" not in listed.stdout  # filtered out: no "cart" in it
    everything = subprocess.run([sys.executable, "-m", "seamline.cli", "steps"], cwd=project.root,
                                capture_output=True, text=True)
    assert "I obtain a token" in everything.stdout and "I fill the cart  (user phrase)" in everything.stdout
