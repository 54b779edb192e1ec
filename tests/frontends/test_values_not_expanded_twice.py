"""A value that came from a server, a file or a variable is text: it is never expanded a
second time, whichever argument it lands in (path, body, header, table cell, query
parameter, expected value), in both runners.

Robot replaces ``${w}`` before Seamline sees a step; the text ``${api_key}`` a server sent
must not then be taken for a reference to the secret ``api_key``."""

from __future__ import annotations

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario

SECRET = "s3cr3t-k3y-9041"

# The demo shop's /echo gives back a query value decoded: here the text ${api_key}.
FROM_THE_SERVER = """
Given I GET "/echo?w=%24%7Bapi_key%7D"
And I store the response field "$.query.w" as "w"
"""

SCENARIOS = [
    Scenario.parse(
        "in a doc string",
        FROM_THE_SERVER
        + '''
        When I POST "/echo" with:
          """
          {"w": "${w}"}
          """
        Then the response field "$.body.w" contains "api_key"
        And the response field "$.body.w" does not contain "s3cr3t"
        And the response field "$.body.w" is "${w}"
        ''',
    ),
    Scenario.parse(
        "in a header",
        FROM_THE_SERVER
        + """
        Given I set the header "X-W" to "${w}"
        When I GET "/echo"
        Then the response field "$.headers['x-w']" contains "api_key"
        And the response field "$.headers['x-w']" does not contain "s3cr3t"
        """,
    ),
    Scenario.parse(
        "in table cells",
        FROM_THE_SERVER
        + """
        When I POST "/echo" with the form:
          | w | ${w} |
        Then the response field "$.body.w" contains "api_key"
        And the response field "$.body.w" does not contain "s3cr3t"
        Given I set the query parameters:
          | w | ${w} |
        When I GET "/echo"
        Then the response field "$.query.w" contains "api_key"
        And the response field "$.query.w" does not contain "s3cr3t"
        """,
    ),
    Scenario.parse(
        "in a stored copy and a path",
        FROM_THE_SERVER
        + """
        Given I store "${w}" as "copy"
        When I GET "/echo?c=${copy}&w=${w}"
        Then the response field "$.query.c" contains "api_key"
        And the response field "$.query.c" does not contain "s3cr3t"
        And the response field "$.query.w" contains "api_key"
        And the response field "$.query.w" does not contain "s3cr3t"
        """,
    ),
    Scenario.parse(
        "escaped in the test itself",
        r"""
        Given I set the header "X-L" to "\${api_key}"
        When I GET "/echo"
        Then the response field "$.headers['x-l']" contains "api_key"
        And the response field "$.headers['x-l']" does not contain "s3cr3t"
        """,
    ),
]


def test_a_value_is_never_expanded_a_second_time(project: Project, front_end: str) -> None:
    config = DEFAULT_CONFIG.format(url=project.demo_url)
    project.write_config(config + f'variables:\n  api_key: {{value: "{SECRET}", secret: true}}\n')
    result = project.run(front_end, *SCENARIOS)
    failures = [f"{name}: {o.message.splitlines()[0]}" for name, o in result.outcomes.items() if not o.passed]
    assert not failures, "\n".join(failures)
    assert len(result.outcomes) == len(SCENARIOS), result.output


class _RobotOnly(Scenario):
    """A Robot test given as its text: the classic keywords have no Gherkin form."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(name)
        self.text = text

    def as_robot(self) -> str:
        return f"{self.name}\n{self.text}"


CLASSIC = _RobotOnly(
    "classic keywords",
    "    Send Request    GET    /echo?w=%24%7Bapi_key%7D\n"
    "    ${w}=    Get Response Field    $.query.w\n"
    "    Set Request Header    X-W    ${w}\n"
    '    Send Request    POST    /echo    {"w": "${w}"}\n'
    "    ${body}=    Get Response Field    $.body.w\n"
    "    Should Be Equal    ${body}    \\${api_key}\n"
    "    ${header}=    Get Response Field    $.headers['x-w']\n"
    "    Should Be Equal    ${header}    \\${api_key}",
)


def test_classic_keywords_do_not_expand_a_value_again(project: Project) -> None:
    config = DEFAULT_CONFIG.format(url=project.demo_url)
    project.write_config(config + f'variables:\n  api_key: {{value: "{SECRET}", secret: true}}\n')
    outcome = project.run_robot(CLASSIC)[CLASSIC.name]
    assert outcome.passed, outcome.message
