"""A test starts with no cookies of an earlier test, and a credential reaches only the origin
(scheme, host, port) of the service it was obtained or set for: on a full-URL request and on
every redirect hop. Two real servers on loopback, one on 127.0.0.1 and one on 127.0.0.2
(plus a neighbour on 127.0.0.1 at another port), in both runners."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.bilingual import Project, Run, Scenario

TOKEN = "tok-7f3a9c2e51"


def _app(environ: dict[str, object], start_response: object) -> object:
    """/cookies/set?x=1 sets cookies, /cookies shows those received, /headers the headers
    received (names lower-case, '-' as '_'), /redirect?to=URL answers 302, /auth/token a token."""
    request = Request(environ)
    body: object
    status, location, set_cookies = 200, None, []
    if request.path == "/cookies/set":
        set_cookies = list(request.args.items())
        body = {"cookies": dict(request.cookies)}
    elif request.path == "/cookies":
        body = {"cookies": dict(request.cookies)}
    elif request.path == "/headers":
        body = {"headers": {name.lower().replace("-", "_"): value for name, value in request.headers.items()}}
    elif request.path == "/redirect":
        status, location, body = 302, request.args["to"], {}
    elif request.path == "/auth/token" and request.method == "POST":
        body = {"token": TOKEN}
    else:
        status, body = 404, {"error": "no such path"}
    response = Response(json.dumps(body), status=status, content_type="application/json")
    if location is not None:
        response.headers["Location"] = location
    for name, value in set_cookies:
        response.set_cookie(name, value, path="/")
    return response(environ, start_response)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Origins:
    home: str  # 127.0.0.1: the service the test uses
    other: str  # 127.0.0.2: another host
    neighbour: str  # 127.0.0.1 at another port: another origin on the same host


@pytest.fixture(scope="module")
def origins() -> Iterator[Origins]:
    servers = [make_server(host, 0, _app, threaded=True) for host in ("127.0.0.1", "127.0.0.2", "127.0.0.1")]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    try:
        yield Origins(*(f"http://{server.host}:{server.server_port}" for server in servers))
    finally:
        for server, thread in zip(servers, threads, strict=True):
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


CONFIG = """\
services:
  home:
    base_url: {home}{settings}
  away:
    base_url: {other}
auth:
  home:
    request:
      path: /auth/token
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    token: $.token
    header: usertoken
    prefix: ""
    users:
      alice: {{password: wonderland}}
"""


def _config(project: Project, origins: Origins, settings: str = "") -> None:
    project.write_config(CONFIG.format(home=origins.home, other=origins.other, settings=settings))


def _log(project: Project, front_end: str, run: Run) -> str:
    """What Seamline logged: Robot's output.xml, or pytest's console (the log of failed scenarios)."""
    if front_end == "robot":
        return (Path(project.root) / "robot-results" / "output.xml").read_text(encoding="utf-8")
    return run.output


def _assert_passed(run: Run, *scenarios: Scenario) -> None:
    for scenario in scenarios:
        outcome = run[scenario.name]
        assert outcome.passed, f"{scenario.name}: {outcome.message}\n{run.output}"


# -- cookies -----------------------------------------------------------------------------


def test_a_test_starts_without_the_cookies_of_an_earlier_test(
    project: Project, front_end: str, origins: Origins
) -> None:
    _config(project, origins)
    first = Scenario.parse(
        "a test gets a cookie",
        """
        When I GET "/cookies/set?x=1"
        And I GET "/cookies"
        Then the response field "$.cookies.x" is "1"
        """,
    )
    second = Scenario.parse(
        "the next test has none",
        """
        When I GET "/cookies"
        Then the response field "$.cookies" is {}
        """,
    )
    run = project.run(front_end, first, second)
    _assert_passed(run, first, second)


def test_keeping_cookies_for_the_run_is_a_service_setting(project: Project, front_end: str, origins: Origins) -> None:
    _config(project, origins, "\n    keep_cookies: true")
    first = Scenario.parse("a test gets a cookie", 'When I GET "/cookies/set?x=1"')
    second = Scenario.parse(
        "the next test still has it",
        """
        When I GET "/cookies"
        Then the response field "$.cookies.x" is "1"
        """,
    )
    run = project.run(front_end, first, second)
    _assert_passed(run, first, second)


def test_a_cookie_goes_only_to_the_origin_that_set_it(project: Project, front_end: str, origins: Origins) -> None:
    _config(project, origins)
    scenario = Scenario.parse(
        "a cookie stays home",
        f"""
        When I GET "/cookies/set?x=1"
        And I GET "{origins.neighbour}/cookies"
        Then the response field "$.cookies" is {{}}
        When I GET "{origins.other}/cookies"
        Then the response field "$.cookies" is {{}}
        When I GET "/redirect?to={origins.neighbour}/cookies"
        Then the response field "$.cookies" is {{}}
        When I GET "{origins.neighbour}/cookies/set?n=2"
        And I GET "/cookies"
        Then the response field "$.cookies" is {{"x": "1"}}
        When I GET "{origins.neighbour}/cookies"
        Then the response field "$.cookies" is {{"n": "2"}}
        """,
    )
    run = project.run(front_end, scenario)
    _assert_passed(run, scenario)


# -- credentials -------------------------------------------------------------------------

CREDENTIAL_FIELDS = ("usertoken", "x_api_key", "authorization", "cookie")


def _none_of_them() -> str:
    return "\n".join(f'Then the response field "$.headers.{name}" does not exist' for name in CREDENTIAL_FIELDS)


def test_credentials_go_only_to_the_origin_of_their_service(project: Project, front_end: str, origins: Origins) -> None:
    _config(project, origins)
    token_and_key = Scenario.parse(
        "a token and an API key stay home",
        f"""
        Given I obtain a token
        And I use the API key "key-5e1d7a90" in the header "X-Api-Key"
        And I GET "/cookies/set?session=s3cr3t-cookie"
        When I GET "/headers"
        Then the response field "$.headers.usertoken" is "{TOKEN}"
        And the response field "$.headers.x_api_key" is "key-5e1d7a90"
        And the response field "$.headers.cookie" is "session=s3cr3t-cookie"
        When I GET "{origins.other}/headers"
        {_none_of_them()}
        When I GET "{origins.neighbour}/headers"
        {_none_of_them()}
        When I GET "/redirect?to={origins.other}/headers"
        {_none_of_them()}
        When I GET "{origins.other}/redirect?to={origins.home}/headers"
        Then the response field "$.headers.usertoken" is "{TOKEN}"
        """,
    )
    bearer = Scenario.parse(
        "a bearer token stays home",
        f"""
        Given I use the bearer token "bearer-0c94d1f2"
        When I GET "/headers"
        Then the response field "$.headers.authorization" is "Bearer bearer-0c94d1f2"
        When I GET "{origins.other}/headers"
        {_none_of_them()}
        When I GET "/redirect?to={origins.other}/headers"
        {_none_of_them()}
        """,
    )
    basic_and_header = Scenario.parse(
        "basic auth and a secret header stay home",
        f"""
        Given I use basic auth as "alice" with password "pw-81be33c7"
        And I set the header "X-Api-Key" to "plain-key-4410"
        When I GET "/headers"
        Then the response field "$.headers.authorization" is "Basic YWxpY2U6cHctODFiZTMzYzc="
        And the response field "$.headers.x_api_key" is "plain-key-4410"
        When I GET "{origins.other}/headers"
        {_none_of_them()}
        """,
    )
    other_service = Scenario.parse(
        "a token obtained for one service does not go to another",
        """
        Given I obtain a token
        When I use the service "away"
        And I GET "/headers"
        Then the response field "$.headers.usertoken" does not exist
        When I use the service "home"
        And I GET "/headers"
        Then the response field "$.headers.usertoken" exists
        """,
    )
    run = project.run(front_end, token_and_key, bearer, basic_and_header, other_service)
    _assert_passed(run, token_and_key, bearer, basic_and_header, other_service)


def test_withheld_credentials_are_logged_in_one_line(project: Project, front_end: str, origins: Origins) -> None:
    _config(project, origins)
    # The last step fails on purpose: pytest shows a scenario's log when it fails.
    scenario = Scenario.parse(
        "the log says what was withheld",
        f"""
        Given I obtain a token
        When I GET "/redirect?to={origins.other}/headers"
        Then the response status is 599
        """,
    )
    run = project.run(front_end, scenario)
    assert not run[scenario.name].passed
    log = _log(project, front_end, run)
    expected = (
        f"credentials withheld from {origins.other} (they belong to {origins.home}): usertoken; "
        f'to send them there too: the credentials may also go to "{origins.other}"'
    )
    assert expected in log.replace("&quot;", '"'), log
    assert TOKEN not in log


def test_credentials_go_elsewhere_only_when_a_step_says_so(project: Project, front_end: str, origins: Origins) -> None:
    _config(project, origins)
    allowed = Scenario.parse(
        "a test lets its credentials go to another origin",
        f"""
        Given I obtain a token
        And I use the API key "key-5e1d7a90" in the header "X-Api-Key"
        And the credentials may also go to "{origins.other}"
        When I GET "{origins.other}/headers"
        Then the response field "$.headers.usertoken" is "{TOKEN}"
        And the response field "$.headers.x_api_key" is "key-5e1d7a90"
        When I GET "/redirect?to={origins.other}/headers"
        Then the response field "$.headers.usertoken" is "{TOKEN}"
        When I GET "{origins.neighbour}/headers"
        Then the response field "$.headers.usertoken" does not exist
        """,
    )
    next_test = Scenario.parse(
        "the next test does not inherit the permission",
        f"""
        Given I obtain a token
        When I GET "{origins.other}/headers"
        Then the response field "$.headers.usertoken" does not exist
        """,
    )
    not_an_origin = Scenario.parse(
        "the permission names an origin",
        'Given the credentials may also go to "127.0.0.2"',
    )
    run = project.run(front_end, allowed, next_test, not_an_origin)
    _assert_passed(run, allowed, next_test)
    message = run[not_an_origin.name].message
    assert not run[not_an_origin.name].passed
    assert "'127.0.0.2' is not an origin: write it as http://host:port or https://host" in message, message
