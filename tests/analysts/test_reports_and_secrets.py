"""Reports a team can read, and no secret in any of them: a suite that uses known secrets
runs in both runners, then every file it wrote and the console are searched for them."""

from __future__ import annotations

import base64
import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario, pytest_here

SECRET_KEY = "scan-S3cr3t-value-9f2"
PASSWORD = "wonderland"  # alice's password in the demo shop, read with ${env:...} so a secret

CONFIG = """\
services:
  shop:
    base_url: {url}
auth:
  shop:
    request:
      path: /auth/token
      body: {{"username": "${{username}}", "password": "${{password}}"}}
    token: $.token
    header: usertoken
    prefix: ""
    users:
      alice: {{password: "${{env:SEAMLINE_SCAN_PASSWORD}}"}}
variables:
  api_key: {{value: "${{env:SEAMLINE_SCAN_KEY}}", secret: true}}
"""

USES_SECRETS = Scenario.parse(
    "a failing test that handles every kind of secret",
    '''
    Given I obtain a token
    And I use the API key "${api_key}" in the header "X-Api-Key"
    And I set the header "Cookie" to "session=${api_key}"
    When I POST "/echo?key=${api_key}" with:
      """
      {"key": "${api_key}", "token": "${token}"}
      """
    Then the response field "$.body.key" is "${token}"
    ''',
)

BEARER = Scenario.parse(
    "a token given in the step itself",
    """
    Given I use basic auth as "alice" with password "${api_key}"
    When I GET "/status/500"
    Then the response status is 200
    """,
)


def _tokens(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every token the demo shop has handed out in this session."""
    tokens = []
    for db in tmp_path_factory.getbasetemp().glob("demo*/shop.db"):
        with sqlite3.connect(db) as connection:
            tokens += [row[0] for row in connection.execute("SELECT token FROM tokens")]
    return tokens


def _texts_of(path: Path) -> str:
    """A file's text, plus the strings Robot's log.html and report.html keep compressed."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".html":
        return text
    out = [text]
    for line in text.splitlines():
        if not line.startswith('window.output["strings"]'):
            continue
        start = line.index("concat(") + len("concat(") if "concat(" in line else line.index("= ") + 2
        array = line[start : line.rindex("]") + 1]
        for item in json.loads(array.replace("\\x", "\\u00")):  # JS escapes, not JSON
            if item.startswith("*"):
                out.append(item[1:])
            else:
                out.append(zlib.decompress(base64.b64decode(item)).decode("utf-8", errors="replace"))
    return "\n".join(out)


@pytest.fixture
def secret_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("SEAMLINE_SCAN_KEY", SECRET_KEY)
    monkeypatch.setenv("SEAMLINE_SCAN_PASSWORD", PASSWORD)
    project.write_config(CONFIG.format(url=project.demo_url))
    return project


def test_no_secret_in_any_robot_output(secret_project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = secret_project.run_robot(USES_SECRETS, BEARER, loglevel="TRACE")
    assert not result[USES_SECRETS.name].passed and not result[BEARER.name].passed
    outputs = sorted((secret_project.root / "robot-results").iterdir())
    assert {p.name for p in outputs} >= {"output.xml", "log.html", "report.html"}
    texts = {"console": result.output, **{p.name: _texts_of(p) for p in outputs}}
    _assert_no_secret(texts, _tokens(tmp_path_factory))
    # The log still tells what happened, with the secrets masked.
    log = texts["log.html"]
    assert "X-Api-Key: ***" in log
    assert "the last request, as a curl command:" in log
    assert "-H 'X-Api-Key: ***' -H 'Cookie: ***'" in log
    assert "curl -X POST 'http://127.0.0.1:" in texts["output.xml"]
    assert """/echo?key=***' -H 'usertoken: ***'""" in texts["output.xml"]


def test_no_secret_in_pytest_console_junit_or_cucumber_json(
    secret_project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cucumber = secret_project.root / "cucumber.json"
    result = secret_project.run_pytest(USES_SECRETS, BEARER, args=("-rA", "--cucumberjson", str(cucumber)))
    assert not result[USES_SECRETS.name].passed and not result[BEARER.name].passed
    texts = {
        "console": result.output,
        "junit.xml": (secret_project.root / "junit.xml").read_text(encoding="utf-8"),
        "cucumber.json": cucumber.read_text(encoding="utf-8"),
    }
    _assert_no_secret(texts, _tokens(tmp_path_factory))
    # The failure shows the request as curl, secrets masked, in the console and both reports.
    for name, text in texts.items():
        assert "the last request, as a curl command:" in text, name
    console = texts["console"]
    assert """--data-raw '{"key": "***", "token": "***"}'""" in console
    assert "-H 'Cookie: ***'" in console and "-H 'usertoken: ***'" in console
    assert "curl http://127.0.0.1:" in console and "/status/500 -H 'Authorization: ***'" in console
    report = json.loads(texts["cucumber.json"])
    assert [element["name"] for feature in report for element in feature["elements"]] == [
        USES_SECRETS.name, BEARER.name,
    ]


def _assert_no_secret(texts: dict[str, str], tokens: list[str]) -> None:
    assert tokens, "the demo shop handed out no token: the scan would prove nothing"
    for name, text in texts.items():
        assert text, name
        for secret in (SECRET_KEY, PASSWORD, *tokens):
            assert secret not in text, f"{secret!r} leaked into {name}"
        # Base64 of the basic-auth pair would hide the password from a plain search.
        assert base64.b64encode(f"alice:{SECRET_KEY}".encode()).decode() not in text, name


def test_the_readme_report_command_creates_the_results_folder(project: Project) -> None:
    """`pytest features/ --junitxml results/junit.xml --cucumberjson results/cucumber.json`
    in a project with no results/ yet: pytest-bdd's cucumber writer does not create it."""
    features = project.root / "features"
    features.mkdir()
    (features / "shop.feature").write_text(
        'Feature: shop\n\n  Scenario: a product\n    When I GET "/products/A1"\n    Then the response status is 200\n',
        encoding="utf-8",
    )
    completed = pytest_here(
        "features/", "--junitxml", "results/junit.xml", "--cucumberjson", "results/cucumber/run.json", cwd=project.root
    )
    output = completed.output
    assert completed.returncode == 0, output
    assert "Traceback" not in output
    report = json.loads((project.root / "results" / "cucumber" / "run.json").read_text(encoding="utf-8"))
    assert [element["name"] for feature in report for element in feature["elements"]] == ["a product"]
    assert (project.root / "results" / "junit.xml").is_file()
