"""A value that becomes secret late in a run is masked in every file written at its end,
and values the masking used to miss (a server's cookie in a failing check, a secret in a
URL that Python's logging prints) are masked too, in both runners."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.analysts.test_reports_and_secrets import _texts_of
from tests.bilingual import DEFAULT_CONFIG, Project, Scenario

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

# The token is handed out and shown in clear (a failing check quotes it); a later test makes
# it secret by sending it as an API key.
SHOWS_THE_TOKEN = Scenario.parse(
    "a token shown before it is secret",
    '''
    When I POST "/auth/token" with:
      """
      {"username": "bob", "password": "builder"}
      """
    And I store the response field "$.token" as "token"
    And I keep "token" for the suite
    Then the response field "$.token" is "not the token"
    ''',
)
MAKES_IT_SECRET = Scenario.parse(
    "the token becomes secret",
    """
    Given I use the API key "${token}" in the header "usertoken"
    When I GET "/cart"
    Then the response status is 200
    """,
)


def _all_tokens(demo_db: Path) -> set[str]:
    with sqlite3.connect(demo_db) as connection:
        return {row[0] for row in connection.execute("SELECT token FROM tokens")}


def _new_token(demo_db: Path, before: set[str]) -> str:
    (token,) = _all_tokens(demo_db) - before
    return token


def test_a_token_made_secret_late_is_masked_in_every_robot_file(project: Project, demo_db: Path) -> None:
    before = _all_tokens(demo_db)
    result = project.run_robot(SHOWS_THE_TOKEN, MAKES_IT_SECRET, loglevel="TRACE", xunit="xunit.xml")
    assert not result[SHOWS_THE_TOKEN.name].passed and result[MAKES_IT_SECRET.name].passed, result.output
    token = _new_token(demo_db, before)
    outputs = {p.name: p for p in (project.root / "robot-results").iterdir()}
    assert set(outputs) >= {"output.xml", "log.html", "report.html", "xunit.xml"}
    for name, path in outputs.items():
        assert token not in _texts_of(path), f"the token leaked into {name}"
    # Masked, not dropped: the failure and the stored variable are still there.
    output = outputs["output.xml"].read_text(encoding="utf-8")
    assert 'response field $.token: expected "not the token", actual "***"' in output
    assert "${token} = ***" in output


def test_a_token_made_secret_late_is_masked_in_junit_xml_and_cucumber_json(project: Project, demo_db: Path) -> None:
    before = _all_tokens(demo_db)
    cucumber = project.root / "cucumber.json"
    result = project.run_pytest(SHOWS_THE_TOKEN, MAKES_IT_SECRET, args=("-rA", "--cucumberjson", str(cucumber)))
    assert not result[SHOWS_THE_TOKEN.name].passed and result[MAKES_IT_SECRET.name].passed, result.output
    token = _new_token(demo_db, before)
    texts = {
        "console": result.output,
        "junit.xml": (project.root / "junit.xml").read_text(encoding="utf-8"),
        "cucumber.json": cucumber.read_text(encoding="utf-8"),
    }
    failure = 'response field $.token: expected "not the token", actual "***"'
    for name, text in texts.items():
        assert token not in text, f"the token leaked into {name}"
        assert (json.dumps(failure)[1:-1] if name.endswith(".json") else failure) in text, name
    json.loads(texts["cucumber.json"])  # still a valid report


# -- a cookie the server sets ------------------------------------------------------------

COOKIE_VALUE = "srv-Cookie-4f9a1c"


def _cookie_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    response = Response('{"ok": true}', content_type="application/json")
    response.headers.add("Set-Cookie", f"session={COOKIE_VALUE}; Path=/; HttpOnly")
    return response(environ, start_response)


@pytest.fixture(scope="module")
def cookie_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _cookie_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


COOKIE_CHECKS = Scenario.parse(
    "a cookie with another value",
    """
    When I GET "/login"
    Then the response cookie "session" is "abc"
    """,
)
COOKIE_ABSENT = Scenario.parse(
    "a cookie that should not be there",
    """
    When I GET "/login"
    Then the response cookie "session" does not exist
    """,
)


def test_a_server_set_cookie_is_masked_in_a_failing_cookie_check(
    project: Project, front_end: str, cookie_url: str
) -> None:
    project.write_config(DEFAULT_CONFIG.format(url=cookie_url))
    result = project.run(front_end, COOKIE_CHECKS, COOKIE_ABSENT)
    compared, absent = result[COOKIE_CHECKS.name].message, result[COOKIE_ABSENT.name].message
    assert 'response cookie session: expected a value that is "abc", actual "***"' in compared, compared
    assert "the response sets the cookie 'session' ('***'), expected none" in absent, absent
    assert "(cookies set: session)" in compared
    for text in (compared, absent, result.output):
        assert COOKIE_VALUE not in text


# -- Python's logging ------------------------------------------------------------------

QUERY_SECRET = "q/S3cr3t key&x"

IN_A_QUERY = Scenario.parse(
    "a secret in a query",
    """
    When I GET "/echo?key=${api_key}"
    Then the response status is 200
    """,
)


def test_a_secret_in_a_url_is_masked_in_python_logging(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMLINE_LATE_KEY", QUERY_SECRET)
    config = DEFAULT_CONFIG.format(url=project.demo_url)
    project.write_config(config + 'variables:\n  api_key: {value: "${env:SEAMLINE_LATE_KEY}", secret: true}\n')
    result = project.run_pytest(IN_A_QUERY, args=("-o", "log_cli=true", "--log-cli-level=DEBUG"))
    assert result[IN_A_QUERY.name].passed, result.output
    assert "urllib3.connectionpool" in result.output and '"GET /echo?key=***' in result.output, result.output
    from urllib.parse import quote, quote_plus

    for form in (QUERY_SECRET, quote(QUERY_SECRET), quote(QUERY_SECRET, safe=""), quote_plus(QUERY_SECRET)):
        assert form not in result.output, form


def test_a_secret_in_a_url_is_masked_in_robot_debug_log(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMLINE_LATE_KEY", QUERY_SECRET)
    config = DEFAULT_CONFIG.format(url=project.demo_url)
    project.write_config(config + 'variables:\n  api_key: {value: "${env:SEAMLINE_LATE_KEY}", secret: true}\n')
    result = project.run_robot(IN_A_QUERY, loglevel="DEBUG")
    assert result[IN_A_QUERY.name].passed, result.output
    from urllib.parse import quote, quote_plus

    for path in (project.root / "robot-results").iterdir():
        text = _texts_of(path)
        for form in (QUERY_SECRET, quote(QUERY_SECRET), quote(QUERY_SECRET, safe=""), quote_plus(QUERY_SECRET)):
            assert form not in text, (form, path.name)
