"""Generators and ${env:...} in every value of seamline.yaml (issue 11, finding 6).

A generator in the config reads the test's own value, the one its steps read: a fresh user
registered in a step logs in through the auth profile; the next test gets new values.
What is masked: passwords, tokens and keys, not the names of users.
"""

from __future__ import annotations

import pytest

from tests.bilingual import Project, Scenario

_PROFILE = """
services:
  shop: {url}
variables:
  cfgmail: "cfg-${{unique}}@x.example"
  who: {{value: "${{env:SEAMLINE_TEST_WHO}}", secret: false}}
  hidden: "${{env:SEAMLINE_TEST_HIDDEN}}"
auth:
  fresh:
    request:
      path: /echo
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    token: $.body.username
    header: usertoken
    prefix: ""
    users:
      newcomer:
        username: "${{unique_email}}"
        password: "pw-${{unique}}"
      known:
        username: "${{env:SEAMLINE_TEST_WHO}}"
        password: "${{env:SEAMLINE_TEST_HIDDEN}}"
"""


@pytest.fixture
def generating(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("SEAMLINE_TEST_WHO", "carol-the-user")
    monkeypatch.setenv("SEAMLINE_TEST_HIDDEN", "hush-hush-42")
    project.write_config(_PROFILE.format(url=project.demo_url))
    return project


def test_a_generator_in_a_config_variable_reads_the_tests_value(generating: Project, front_end: str) -> None:
    first = Scenario.parse(
        "first",
        """
        When I POST "/echo" with:
          \"\"\"
          {"email": "${cfgmail}"}
          \"\"\"
        Then the response field "$.body.email" is "cfg-${unique}@x.example"
        And I store the response field "$.body.email" as "first_mail"
        And I keep "first_mail" for the run
        """,
    )
    second = Scenario.parse(
        "second",
        """
        When I POST "/echo" with:
          \"\"\"
          {"email": "${cfgmail}"}
          \"\"\"
        Then the response field "$.body.email" is "cfg-${unique}@x.example"
        And the response field "$.body.email" is not "${first_mail}"
        """,
    )
    result = generating.run(front_end, first, second)
    for scenario in (first, second):
        assert result[scenario.name].passed, result[scenario.name].message + result.output


def test_an_auth_user_named_by_a_generator_logs_in_as_the_tests_fresh_user(
    generating: Project, front_end: str
) -> None:
    scenario = Scenario.parse(
        "fresh user",
        """
        Given I obtain a token as "newcomer"
        When I GET "/echo"
        Then the response field "$.headers.usertoken" is "${unique_email}"
        When I POST "/echo" with:
          \"\"\"
          {"registered": "${unique_email}"}
          \"\"\"
        Then the response field "$.body.registered" is "${unique_email}"
        """,
    )
    result = generating.run(front_end, scenario)
    assert result[scenario.name].passed, result[scenario.name].message + result.output


def test_a_username_from_the_environment_is_shown_and_a_password_is_masked(
    generating: Project, front_end: str
) -> None:
    scenario = Scenario.parse(
        "shown and hidden",
        """
        When I GET "/echo?who=${who}&hidden=${hidden}"
        Then the response status is 418
        """,
    )
    result = generating.run(front_end, scenario)
    outcome = result[scenario.name]
    assert not outcome.passed
    # The auth user's name and a variable marked secret: false are test data, shown.
    assert "who=carol-the-user" in outcome.message, outcome.message
    assert "hidden=***" in outcome.message, outcome.message  # ${env:...} in a variable: masked
    assert "hush-hush-42" not in outcome.message + result.output


def test_a_generated_value_written_in_the_file_is_shown_and_one_read_from_the_environment_masked(
    generating: Project, front_end: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only what comes from the environment (or secret: true) is a secret; test data a generator
    # made from the file's own text is logged, so that a failure shows which address was sent.
    monkeypatch.setenv("SEAMLINE_TEST_KEY", "key-42")
    generating.write_config(
        _PROFILE.format(url=generating.demo_url).replace(
            "variables:\n",
            'variables:\n  keyed: "${env:SEAMLINE_TEST_KEY}-${unique}"\n'
            '  marked: {value: "m-${unique}", secret: true}\n',
        )
    )
    scenario = Scenario.parse(
        "shown generated",
        """
        When I GET "/echo?mail=${cfgmail}&keyed=${keyed}&marked=${marked}"
        Then the response status is 418
        """,
    )
    result = generating.run(front_end, scenario)
    outcome = result[scenario.name]
    assert not outcome.passed
    assert "mail=cfg-" in outcome.message and "x.example&keyed" in outcome.message, outcome.message
    assert "keyed=***" in outcome.message and "marked=***" in outcome.message, outcome.message
    assert "key-42" not in outcome.message + result.output
