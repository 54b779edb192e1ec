"""A variable's value is encoded for the part of the URL it lands in; a variable that is the
whole path (or starts the URL) is used as written. No value adds a query parameter or
changes the path: not in a request, a cleanup request or an "until" poll, in both runners.

The demo shop tells what it decoded (/echo); a raw server on loopback tells the request
target exactly as it arrived, before any decoding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.bilingual import Project, Scenario
from tests.servers import serving


class _RawTargets(BaseHTTPRequestHandler):
    """Answers every request with the request target as it arrived, and records it."""

    targets: list[str]

    def _answer(self) -> None:
        self.targets.append(f"{self.command} {self.path}")
        body = json.dumps({"method": self.command, "target": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_DELETE = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def raw_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1: its URL and the "METHOD target" lines it received."""
    targets: list[str] = []
    with serving(type("Handler", (_RawTargets,), {"targets": targets})) as server:
        yield f"http://127.0.0.1:{server.server_port}", targets


VALUES_IN_THE_SHOP = [
    Scenario.parse(
        "a value cannot add a query parameter",
        """
        Given I store "a&admin=true" as "q"
        When I GET "/echo?q=${q}"
        Then the response field "$.query.q" is "a&admin=true"
        And the response field "$.query.admin" does not exist
        """,
    ),
    Scenario.parse(
        "a value is one path segment",
        """
        Given I store "../health" as "v"
        When I GET "/products/${v}"
        Then the response status is 404
        """,
    ),
    Scenario.parse(
        "a variable that is the whole path is used as written",
        """
        Given I store "/echo?tag=dragons&x=a%20b" as "path"
        When I GET "${path}"
        Then the response status is 200
        And the response field "$.path" is "/echo"
        And the response field "$.query.tag" is "dragons"
        And the response field "$.query.x" is "a b"
        """,
    ),
]


def test_values_land_in_their_part_of_the_url(project: Project, front_end: str) -> None:
    result = project.run(front_end, *VALUES_IN_THE_SHOP)
    failures = [f"{name}: {o.message.splitlines()[0]}" for name, o in result.outcomes.items() if not o.passed]
    assert not failures, "\n".join(failures)
    assert len(result.outcomes) == len(VALUES_IN_THE_SHOP), result.output


RAW = Scenario.parse(
    "requests, cleanups and polls encode values",
    """
    Given I store "../health" as "v"
    And I store "a&admin=true" as "q"
    And I store "n=1&m" as "name"
    And I use the service "raw"
    When I GET "/items/${v}?q=${q}&${name}=x"
    Then the response field "$.target" is "/items/..%2Fhealth?q=a%26admin%3Dtrue&n%3D1%26m=x"
    Given I DELETE "/items/${v}/${q}" afterwards
    When I PUT "/items/${v}" until the response status is 200
    """,
)


def test_the_request_target_keeps_each_value_in_its_part(
    project: Project, front_end: str, raw_server: tuple[str, list[str]]
) -> None:
    url, targets = raw_server
    project.write_config(f"services:\n  shop:\n    base_url: {project.demo_url}\n  raw:\n    base_url: {url}\n")
    result = project.run(front_end, RAW)
    assert result[RAW.name].passed, result[RAW.name].message
    assert targets == [
        "GET /items/..%2Fhealth?q=a%26admin%3Dtrue&n%3D1%26m=x",
        "PUT /items/..%2Fhealth",
        "DELETE /items/..%2Fhealth/a%26admin%3Dtrue",  # the cleanup, when the test ends
    ], result.output


# -- cells of rows: Examples and @data files (pytest), data files and templates (Robot) -----

ROWS_CSV = 'q,v,path\n"a&admin=true",../health,/echo?tag=dragons&x=a%20b\n'

ROWS_FEATURE = """\
Feature: cells in URLs

  Scenario Outline: an Examples cell in a URL
    Given I use the service "raw"
    When I GET "/items/<v>?q=<q>"
    Then the response field "$.target" is "/items/..%2Fhealth?q=a%26admin%3Dtrue"
    Given I use the service "shop"
    When I GET "/echo?q=<q>"
    Then the response field "$.query.q" is "a&admin=true"
    And the response field "$.query.admin" does not exist
    When I GET "/products/<v>"
    Then the response status is 404
    When I GET "<path>"
    Then the response field "$.path" is "/echo"
    And the response field "$.query.tag" is "dragons"
    And the response field "$.query.x" is "a b"
    Given I store "x&y=1" as "stored"
    When I GET "/echo?r=<ref>"
    Then the response field "$.query.r" is "x&y=1"

    Examples:
      | q            | v         | path                      | ref       |
      | a&admin=true | ../health | /echo?tag=dragons&x=a%20b | ${stored} |

  @data:rows.csv
  Scenario: a data file's cell in a URL
    Given I use the service "raw"
    When I GET "/items/<v>?q=<q>"
    Then the response field "$.target" is "/items/..%2Fhealth?q=a%26admin%3Dtrue"
    Given I use the service "shop"
    When I GET "/echo?q=<q>"
    Then the response field "$.query.q" is "a&admin=true"
    And the response field "$.query.admin" does not exist
    When I GET "/products/<v>"
    Then the response status is 404
    When I GET "<path>"
    Then the response field "$.path" is "/echo"
    And the response field "$.query.tag" is "dragons"
    And the response field "$.query.x" is "a b"
"""

ROWS_SUITE = """\
*** Settings ***
Library    Seamline

*** Test Cases ***
A data file's cell in a URL
    [Tags]    data:rows.csv
    Cells In A URL    ${q}    ${v}    ${path}

A template row in a URL
    [Template]    Cells In A URL
    a&admin=true    ../health    /echo?tag=dragons&x=a%20b

*** Keywords ***
Cells In A URL
    [Arguments]    ${q}    ${v}    ${path}
    Given I use the service "raw"
    When I GET "/items/${v}?q=${q}"
    Then the response field "$.target" is "/items/..%2Fhealth?q=a%26admin%3Dtrue"
    Given I use the service "shop"
    When I GET "/echo?q=${q}"
    Then the response field "$.query.q" is "a&admin=true"
    And the response field "$.query.admin" does not exist
    When I GET "/products/${v}"
    Then the response status is 404
    When I GET "${path}"
    Then the response field "$.path" is "/echo"
    And the response field "$.query.tag" is "dragons"
    And the response field "$.query.x" is "a b"
"""


def test_a_cell_of_a_row_is_encoded_for_its_part_of_the_url(
    project: Project, front_end: str, raw_server: tuple[str, list[str]]
) -> None:
    """A row's cell is a value: `<q>` (pytest) or `${q}` (Robot) in a URL adds no query
    parameter and changes no path; a cell holding a whole path with a query is used as written."""
    from tests.bilingual import pytest_here, robot_here

    url, targets = raw_server
    project.write_config(f"services:\n  shop:\n    base_url: {project.demo_url}\n  raw:\n    base_url: {url}\n")
    (project.root / "rows.csv").write_text(ROWS_CSV, encoding="utf-8")
    if front_end == "pytest":
        (project.root / "rows.feature").write_text(ROWS_FEATURE, encoding="utf-8")
        completed = pytest_here("-q", "rows.feature", cwd=project.root)
        assert completed.returncode == 0, completed.output
        assert "2 passed" in completed.output, completed.output
    else:
        (project.root / "rows.robot").write_text(ROWS_SUITE, encoding="utf-8")
        completed = robot_here("rows.robot", cwd=project.root, outputdir=str(project.root / "out"))
        assert completed.returncode == 0, completed.output
        assert "2 tests, 2 passed" in completed.output, completed.output
    assert targets == ["GET /items/..%2Fhealth?q=a%26admin%3Dtrue"] * 2, targets


# -- arguments of user phrases (phrases.yaml) ---------------------------------------------

PHRASES = """\
- phrase: I search the raw service for "{term}" in "{place}"
  steps:
    - I use the service "raw"
    - I GET "/items/{place}?q={term}"
- phrase: I open "{path}"
  steps:
    - I GET "{path}"
- phrase: I look for "{term}"
  steps:
    - I search the raw service for "{term}" in "shelf"
"""

USER_PHRASES = Scenario.parse(
    "a user phrase's arguments are values in its URLs",
    """
    Given I store "a&admin=true" as "q"
    And I store "../health" as "v"
    And I store "/echo?tag=dragons&x=a%20b" as "path"
    When I search the raw service for "${q}" in "${v}"
    Then the response field "$.target" is "/items/..%2Fhealth?q=a%26admin%3Dtrue"
    When I search the raw service for "x&y=1" in "${v}/.."
    Then the response field "$.target" is "/items/..%2Fhealth%2F..?q=x%26y%3D1"
    When I look for "${q}"
    Then the response field "$.target" is "/items/shelf?q=a%26admin%3Dtrue"
    Given I use the service "shop"
    When I open "/products/${v}"
    Then the response status is 404
    When I open "${path}"
    Then the response field "$.path" is "/echo"
    And the response field "$.query.tag" is "dragons"
    And the response field "$.query.x" is "a b"
    """,
)


def test_a_user_phrase_argument_is_encoded_for_its_part_of_the_url(
    project: Project, front_end: str, raw_server: tuple[str, list[str]]
) -> None:
    url, targets = raw_server
    project.write_config(f"services:\n  shop:\n    base_url: {project.demo_url}\n  raw:\n    base_url: {url}\n")
    (project.root / "phrases.yaml").write_text(PHRASES, encoding="utf-8")
    result = project.run(front_end, USER_PHRASES)
    assert result[USER_PHRASES.name].passed, result[USER_PHRASES.name].message
    assert targets == [
        "GET /items/..%2Fhealth?q=a%26admin%3Dtrue",
        "GET /items/..%2Fhealth%2F..?q=x%26y%3D1",
        "GET /items/shelf?q=a%26admin%3Dtrue",
    ], result.output


CLASSIC_SUITE = """\
*** Settings ***
Library    Seamline

*** Variables ***
${q}       a&admin=true
${v}       ../health
${path}    /echo?tag=dragons

*** Test Cases ***
Send Request encodes values by part
    Send Request    GET    /items/${v}?q=${q}
    Send Request    method=DELETE    path=/items/${v}
    Send Request    POST    /items/${q}    {"k": 1}
    Send Request    GET    ${path}
"""


def test_the_classic_send_request_encodes_values_by_part(project: Project, raw_server: tuple[str, list[str]]) -> None:
    """Robot only: the classic keyword has no Gherkin form."""
    from tests.bilingual import robot_here

    url, targets = raw_server
    project.write_config(f"services:\n  shop:\n    base_url: {url}\n")
    (project.root / "classic.robot").write_text(CLASSIC_SUITE, encoding="utf-8")
    completed = robot_here("classic.robot", cwd=project.root, outputdir=str(project.root / "out"))
    assert completed.returncode == 0, completed.output
    assert targets == [
        "GET /items/..%2Fhealth?q=a%26admin%3Dtrue",
        "DELETE /items/..%2Fhealth",
        "POST /items/a%26admin%3Dtrue",
        "GET /echo?tag=dragons",
    ], targets


ENVIRONMENT_SUITE = """\
*** Settings ***
Library    Seamline

*** Test Cases ***
Environment variables encode by part
    When I GET "/items/%{SEAMLINE_TEST_SEGMENT}?q=%{SEAMLINE_TEST_QUERY}"
    And I DELETE "/items/%{SEAMLINE_TEST_UNSET=../x}" afterwards
    Send Request    GET    /items/%{SEAMLINE_TEST_SEGMENT}
"""


def test_robot_environment_variables_are_encoded_for_their_part_of_the_url(
    project: Project, raw_server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Robot only: %{NAME} is Robot's own syntax (Gherkin steps read the environment through
    seamline.yaml's ${env:NAME})."""
    from tests.bilingual import robot_here

    url, targets = raw_server
    monkeypatch.setenv("SEAMLINE_TEST_SEGMENT", "../health")
    monkeypatch.setenv("SEAMLINE_TEST_QUERY", "a&admin=true")
    monkeypatch.delenv("SEAMLINE_TEST_UNSET", raising=False)
    project.write_config(f"services:\n  shop:\n    base_url: {url}\n")
    (project.root / "environment.robot").write_text(ENVIRONMENT_SUITE, encoding="utf-8")
    completed = robot_here("environment.robot", cwd=project.root, outputdir=str(project.root / "out"))
    assert completed.returncode == 0, completed.output
    assert targets == [
        "GET /items/..%2Fhealth?q=a%26admin%3Dtrue",
        "GET /items/..%2Fhealth",
        "DELETE /items/..%2Fx",
    ], targets
