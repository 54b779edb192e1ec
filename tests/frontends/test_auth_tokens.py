"""Tokens last the run: a real loopback server counts the logins of tests in several files,
in both runners; a 401 and an expired JWT each cost exactly one new login."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from tests.bilingual import Project, Scenario, pytest_here, robot_here
from tests.servers import serving


@dataclass
class Accounts:
    """What the login server has seen: logins per user, the tokens it still accepts, 401s."""

    logins: Counter[str] = field(default_factory=Counter)
    valid: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


PASSWORDS = {"alice": "wonderland", "bob": "builder", "carol": "late-7f3c"}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _handler(accounts: Accounts) -> type[BaseHTTPRequestHandler]:
    class Logins(BaseHTTPRequestHandler):
        """POST /login issues a JWT (carol's has expired when issued); GET /me needs
        `Authorization: Bearer <token>`, GET /token-scheme `Authorization: Token <token>`;
        POST /revoke forgets every token, as a restarted server would."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/revoke":
                accounts.valid.clear()
                return self._answer(204, None)
            credentials = json.loads(body or b"{}")
            user = credentials.get("username")
            if PASSWORDS.get(user) != credentials.get("password"):
                return self._answer(401, {"error": "bad credentials"})
            with accounts.lock:
                accounts.logins[user] += 1
                lasts = -60 if user == "carol" else 3600
                claims = {"sub": user, "exp": int(time.time()) + lasts, "n": len(accounts.issued)}
                token = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"
                accounts.valid.add(token)
                accounts.issued.append(token)
            self._answer(200, {"token": token})

        def do_GET(self) -> None:
            scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
            wanted = "Token" if self.path == "/token-scheme" else "Bearer"
            if scheme != wanted or token not in accounts.valid:
                with accounts.lock:
                    accounts.refused += 1
                return self._answer(401, {"error": f"send Authorization: {wanted} <token>"})
            claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
            self._answer(200, {"user": claims["sub"]})

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Logins


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


@pytest.fixture
def login_url(accounts: Accounts) -> Iterator[str]:
    with serving(_handler(accounts)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


CONFIG = """\
services:
  api: {url}
auth:
  api:
    request:
      path: /login
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    users:
      alice: {{password: wonderland}}
      bob: {{password: builder}}
      carol: {{password: late-7f3c}}
  every_test:
    cache: false
    request:
      path: /login
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    users:
      alice: {{password: wonderland}}
  misread:   # the token is at $.token, not where this profile looks
    token: $.access_token
    request:
      path: /login
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    users:
      alice: {{password: wonderland}}
  short:
    lifetime: 1   # shorter than the margin: it has expired by the next test
    request:
      path: /login
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    users:
      bob: {{password: builder}}
"""


def _signed_in(name: str, user: str) -> Scenario:
    return Scenario.parse(
        name,
        f"""
        Given I obtain a token as "{user}"
        When I GET "/me"
        Then the response status is 200
        And the response field "$.user" is "{user}"
        """,
    )


def _write(project: Project, front_end: str, files: dict[str, list[Scenario]]) -> None:
    """Several feature files, or several Robot suites, in one folder of the project."""
    for stem, scenarios in files.items():
        if front_end == "pytest":
            folder = project.root / "features"
            body = "\n\n".join(s.as_gherkin() for s in scenarios)
            text = f"Feature: {stem}\n\n{body}\n"
            name = f"{stem}.feature"
        else:
            folder = project.root / "robot"
            body = "\n\n".join(s.as_robot() for s in scenarios)
            text = f"*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n{body}\n"
            name = f"{stem}.robot"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def _run(project: Project, front_end: str, *args: str) -> str:
    """Run the folder of files in one run of the runner; its console, and Robot's log."""
    if front_end == "pytest":
        return pytest_here("-q", "-rA", *args, "features", cwd=project.root).output
    results = project.root / "robot-results"
    completed = robot_here("robot", cwd=project.root, outputdir=str(results))
    return completed.output + _robot_log(project)


def _robot_log(project: Project) -> str:
    """Every message of the Robot run's output.xml, as text."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.parse(project.root / "robot-results" / "output.xml").getroot()
    return "\n".join(element.text or "" for element in root.iter("msg"))


def test_one_login_per_user_for_tests_of_several_files(
    project: Project, front_end: str, login_url: str, accounts: Accounts
) -> None:
    project.write_config(CONFIG.format(url=login_url))
    anonymous = Scenario.parse(
        "a test that asks for no token sends none",
        """
        When I GET "/me"
        Then the response status is 401
        """,
    )
    _write(
        project,
        front_end,
        {
            "first": [_signed_in("alice in the first file", "alice"), _signed_in("bob in the first file", "bob")],
            "second": [
                _signed_in("alice in the second file", "alice"),
                anonymous,
                _signed_in("bob in the second file", "bob"),
            ],
            "third": [_signed_in("alice in the third file", "alice")],
        },
    )
    output = _run(project, front_end)
    assert ("6 passed" in output) if front_end == "pytest" else ("6 tests, 6 passed" in output), output
    assert accounts.logins == Counter({"alice": 1, "bob": 1})
    assert accounts.refused == 1  # the anonymous test's request, which carried no token
    if front_end == "robot":  # pytest shows a passing test's log nowhere
        assert output.count("token of auth profile 'api' for user 'alice': reused") == 2
        assert "token of auth profile 'api' for user 'alice': obtained (kept for later tests until " in output
    for token in accounts.issued:
        assert token not in output


def test_a_401_costs_one_new_login_and_the_request_is_sent_again_once(
    project: Project, front_end: str, login_url: str, accounts: Accounts
) -> None:
    project.write_config(CONFIG.format(url=login_url))
    revoked = Scenario.parse(
        "the server forgets the token kept from the first test",
        """
        Given I obtain a token as "alice"
        When I POST "/revoke"
        And I GET "/me"
        Then the response status is 200
        And the response field "$.user" is "alice"
        """,
    )
    fresh_refused = Scenario.parse(
        "a token obtained in the test that meets a 401 is the answer",
        """
        Given I obtain a token as "bob"
        When I POST "/revoke"
        And I GET "/me"
        Then the response status is 401
        """,
    )
    _write(
        project,
        front_end,
        {
            "first": [_signed_in("alice first", "alice"), revoked],
            "second": [_signed_in("alice after the renewal", "alice"), fresh_refused],
        },
    )
    output = _run(project, front_end)
    assert ("4 passed" in output) if front_end == "pytest" else ("4 tests, 4 passed" in output), output
    assert accounts.logins == Counter({"alice": 2, "bob": 1})
    assert accounts.refused == 2  # alice's kept token once (then sent again and let in), bob's once
    if front_end == "robot":
        assert (
            "-> 401 with the token of auth profile 'api' for user 'alice' kept from earlier in the run: "
            "obtaining a new one and sending the request again" in output
        )


def test_an_expired_jwt_is_obtained_again(project: Project, front_end: str, login_url: str, accounts: Accounts) -> None:
    project.write_config(CONFIG.format(url=login_url))
    expired = Scenario.parse(
        "carol's token expired when it was issued",
        """
        Given I obtain a token as "carol"
        When I GET "/me"
        Then the response status is 200
        """,
    )
    later = Scenario.parse("carol again", 'Given I obtain a token as "carol"\nThen the response status is 999')
    result = project.run(front_end, expired, later)
    assert result[expired.name].passed, result[expired.name].message
    assert accounts.logins == Counter({"carol": 2})
    assert not result[later.name].passed
    shown = result[later.name].message + result.output
    if front_end == "robot":
        shown = _robot_log(project)
    assert "token of auth profile 'api' for user 'carol' expired at " in shown


def test_the_cache_can_be_turned_off_and_a_lifetime_set(
    project: Project, front_end: str, login_url: str, accounts: Accounts
) -> None:
    project.write_config(CONFIG.format(url=login_url))
    scenarios = [
        Scenario.parse(
            f"a login of its own {n}",
            'Given I obtain a "every_test" token as "alice"\nAnd I obtain a "short" token as "bob"\nWhen I GET "/me"',
        )
        for n in (1, 2, 3)
    ]
    result = project.run(front_end, *scenarios)
    assert all(result[s.name].passed for s in scenarios), result.output
    assert accounts.logins == Counter({"alice": 3, "bob": 3})


def test_a_stored_token_can_be_sent_another_way(
    project: Project, front_end: str, login_url: str, accounts: Accounts
) -> None:
    project.write_config(CONFIG.format(url=login_url))
    scenario = Scenario.parse(
        "the token scheme is refused as Bearer and accepted as Token",
        """
        Given I obtain a token as "bob"
        And I store the token as "t"
        When I GET "/token-scheme"
        Then the response status is 401
        Given I set the header "Authorization" to "Token ${t}"
        When I GET "/token-scheme"
        Then the response status is 200
        And the response field "$.user" is "bob"
        And the response status is 999
        """,
    )
    no_token = Scenario.parse("nothing to store", 'Given I store the token as "t"')
    result = project.run(front_end, scenario, no_token)
    failure = result[scenario.name].message
    assert "the response status is 999" in failure.splitlines()[0]  # every step before it passed
    assert accounts.issued and accounts.issued[0] not in failure + result.output
    assert (
        result[no_token.name]
        .message.splitlines()[0]
        .endswith('no token to store as "t": obtain one first (I obtain a token)')
    )


def test_each_worker_logs_in_once_per_user(project: Project, login_url: str, accounts: Accounts) -> None:
    project.write_config(CONFIG.format(url=login_url))
    files = {f"file{n}": [_signed_in(f"alice {n} {m}", "alice") for m in range(3)] for n in range(4)}
    _write(project, "pytest", files)
    output = _run(project, "pytest", "-n", "2", "-v", "-v")  # with -q: each result line names its worker
    assert "12 passed" in output, output
    workers = set(re.findall(r"^\[(gw\d+)\] .*PASSED", output, flags=re.MULTILINE))
    assert workers and accounts.logins["alice"] == len(workers), output  # one per worker process that ran a test


def test_a_token_not_where_the_profile_looks_is_masked_in_the_one_line(
    project: Project, front_end: str, login_url: str, accounts: Accounts
) -> None:
    project.write_config(CONFIG.format(url=login_url))
    scenario = Scenario.parse("the token is elsewhere", 'Given I obtain a "misread" token as "alice"')
    result = project.run(front_end, scenario, warns=True)
    line = result[scenario.name].message.splitlines()[0]
    assert line.endswith(
        "token request of auth profile 'misread' for user 'alice': no token at $.access_token in its answer "
        '(200: {"token": "***"})'
    ), line
    shown = result.output + (_robot_log(project) if front_end == "robot" else "")
    assert accounts.issued and accounts.issued[0] not in shown  # neither in the line nor in the log
