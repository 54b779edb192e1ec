"""The secret scan: a project whose failing scenarios handle every kind of secret runs in
each runner and each parallel runner with every option that prints more (tracebacks, locals,
DEBUG logging, every report), then every file the run wrote and its console are searched for
each secret in each form it can travel in.

The kinds of secret: an auth profile's password and the token it obtains, a secret variable,
basic auth, an API key, and a token that is shown in clear (a failing check quotes it) before a
later scenario makes it secret by sending it as an API key. The forms: raw, urllib's quote
and quote_plus, JSON-escaped, HTML-escaped, base64, and base64 of ``user:secret``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.analysts.test_late_secrets import SHOWS_THE_TOKEN
from tests.analysts.test_reports_and_secrets import CONFIG, _texts_of
from tests.bilingual import Project, Scenario, _python_name, pytest_here, robot_here

# Every character that makes a form differ from the raw value: a space and '+' (quote_plus),
# '/' (quote's safe default), '&' and '<' (HTML), 'é' (JSON, which writes it as \\u00e9).
API_KEY = "scan K3y/&<b>+é-71c"
PASSWORD = "wonderland"  # alice's password in the demo shop, read with ${env:...}: a secret
USERS = ("alice", "bob")


EVERY_KIND = Scenario.parse(
    "a failing test that handles every kind of secret",
    '''
    Given I obtain a token
    And I use the API key "${api_key}" in the header "X-Api-Key"
    When I POST "/echo?key=${api_key}" with:
      """
      {"key": "${api_key}", "token": "${token}"}
      """
    Then the response field "$.body" is:
      """
      {"key": "${token}", "token": "${api_key}"}
      """
    ''',
)
BASIC_AUTH = Scenario.parse(
    "a failing test with basic auth",
    """
    Given I use basic auth as "alice" with password "${api_key}"
    When I GET "/status/500"
    Then the response status is 200
    """,
)
# The token is shown in clear by a failing check (SHOWS_THE_TOKEN); the next scenario makes it secret.
MAKES_IT_SECRET = Scenario.parse(
    "the token becomes secret",
    """
    Given I use the API key "${token}" in the header "usertoken"
    When I GET "/cart"
    Then the response status is 404
    """,
)
# Two files each: a parallel run gives each worker one; the late pair shares a suite variable.
FILES = {"every_kind": (EVERY_KIND, BASIC_AUTH), "late_secret": (SHOWS_THE_TOKEN, MAKES_IT_SECRET)}
SCENARIOS = [scenario for scenarios in FILES.values() for scenario in scenarios]

PYTEST_OPTIONS = ("--tb=long", "-vv", "--showlocals", "-o", "log_cli=true", "--log-cli-level=DEBUG", "-rA")


def forms(secret: str) -> dict[str, str]:
    """Each form a secret may be written in, by name."""
    found = {
        "raw": secret,
        "quote": quote(secret),
        "quote safe=''": quote(secret, safe=""),
        "quote_plus": quote_plus(secret),
        "JSON-escaped": json.dumps(secret)[1:-1],
        "HTML-escaped": html.escape(secret),
        "HTML-escaped quote=False": html.escape(secret, quote=False),
        "base64": base64.b64encode(secret.encode()).decode(),
    }
    for user in USERS:
        found[f"base64 of {user}:secret"] = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return found


def leaks(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    """'file: which secret as which form' for every form of every secret found in a text."""
    found = []
    for name, text in texts.items():
        for kind, secret in secrets.items():
            for form, value in forms(secret).items():
                if value in text:
                    found.append(f"{name}: {kind} as {form}")
    return found


def _tokens(demo_db: Path) -> dict[str, str]:
    """Every token the demo shop has handed out, and to whom."""
    with sqlite3.connect(demo_db) as connection:
        return dict(connection.execute("SELECT token, user FROM tokens").fetchall())


def _texts_under(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _texts_of(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def scan(project: Project, monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> Project:
    monkeypatch.setenv("SEAMLINE_SCAN_KEY", API_KEY)
    monkeypatch.setenv("SEAMLINE_SCAN_PASSWORD", PASSWORD)
    project.write_config(CONFIG.format(url=project.demo_url))
    (project.root / "features").mkdir()
    (project.root / "robot").mkdir()
    for name, scenarios in FILES.items():
        gherkin = "\n\n".join(s.as_gherkin() for s in scenarios)
        (project.root / "features" / f"{name}.feature").write_text(f"Feature: {name}\n\n{gherkin}\n", "utf-8")
        cases = "\n\n".join(s.as_robot() for s in scenarios)
        suite = f"*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\n{cases}\n"
        (project.root / "robot" / f"{name}.robot").write_text(suite, encoding="utf-8")
    project.tokens_before = _tokens(demo_db)  # type: ignore[attr-defined]
    return project


def _secrets(scan: Project, demo_db: Path) -> dict[str, str]:
    """Each secret of the run by what it is: alice's tokens came from the auth profile, bob's
    token was shown in clear before it became secret (per worker, one each)."""
    before = scan.tokens_before  # type: ignore[attr-defined]
    tokens = {token: user for token, user in _tokens(demo_db).items() if token not in before}
    assert sorted(set(tokens.values())) == ["alice", "bob"], "no token handed out: the scan would prove nothing"
    named = {f"{LATE if user == 'bob' else 'token'} {token[:6]}..": token for token, user in tokens.items()}
    return {"api key": API_KEY, "password": PASSWORD, **named}


LATE = "late token"


def _streamed(name: str) -> bool:
    """Robot's console, and pabot's copies of each process's console, are printed while the
    run goes: a value is there before a later test makes it secret (docs/cookbook/secrets.md)."""
    return name == "console" or name.endswith((".out", "pabot_manager.log")) or "/robot_" in name


def _files_and_streams(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    """Every leak of a secret into a file, or of a secret known when printed into a stream."""
    files = {name: text for name, text in texts.items() if not _streamed(name)}
    streams = {name: text for name, text in texts.items() if _streamed(name)}
    known_early = {kind: secret for kind, secret in secrets.items() if not kind.startswith(LATE)}
    assert len(known_early) < len(secrets)
    return leaks(files, secrets) + leaks(streams, known_early)


def _assert_failed_as_planned(texts: dict[str, str]) -> None:
    """The run got as far as each failure: a scan of a run that stopped early proves nothing."""
    everything = "\n".join(texts.values())
    for scenario in SCENARIOS:
        assert scenario.name in everything or _python_name(scenario.name) in everything, scenario.name
    for shown in ('expected "not the token", actual "', "/status/500", "X-Api-Key"):
        assert shown in everything, shown


def _run_pytest(scan: Project, *args: str) -> dict[str, str]:
    results = scan.root / "results"
    completed = pytest_here(
        "features/", *PYTEST_OPTIONS, "--junitxml", "results/junit.xml", "--cucumberjson", "results/cucumber.json",
        "--alluredir", "results/allure", "--html", "results/report.html", *args, cwd=scan.root,
    )  # fmt: skip
    assert completed.returncode == 1, completed.output
    texts = {"console": completed.output, **_texts_under(results)}
    assert {"console", "junit.xml", "cucumber.json", "report.html"} <= set(texts), sorted(texts)
    _assert_attached(texts)
    return texts


# The exchanges of the scan's scenarios: a token request and one request in each scenario.
EXCHANGES = 5


def _assert_attached(texts: dict[str, str]) -> None:
    """Allure's results (and pytest-html's assets, when written) hold every exchange."""
    allure = {name: text for name, text in texts.items() if name.startswith("allure/")}
    curls = [text for text in allure.values() if text.startswith("curl ")]
    assert len(curls) == EXCHANGES, sorted(allure)
    assert any('"name": "mismatches"' in text for text in allure.values())  # a failed check's table
    html = [text for name, text in texts.items() if name.startswith("assets/") and text.startswith("curl ")]
    assert len(html) in (0, EXCHANGES), len(html)


def test_no_secret_in_any_form_in_pytest_outputs(scan: Project, demo_db: Path) -> None:
    texts = _run_pytest(scan)
    _assert_failed_as_planned(texts)
    assert "urllib3.connectionpool" in texts["console"]  # DEBUG logging was printed
    found = leaks(texts, _secrets(scan, demo_db))
    assert not found, "leaked:\n" + "\n".join(found)


def test_no_secret_in_any_form_in_pytest_xdist_outputs(scan: Project, demo_db: Path) -> None:
    texts = _run_pytest(scan, "-n", "2", "--dist", "loadfile")
    _assert_failed_as_planned(texts)
    assert "[gw0]" in texts["console"] and "[gw1]" in texts["console"]
    found = leaks(texts, _secrets(scan, demo_db))
    assert not found, "leaked:\n" + "\n".join(found)


def test_no_secret_in_any_form_in_robot_outputs(scan: Project, demo_db: Path) -> None:
    results = scan.root / "results"
    completed = robot_here(
        "robot", cwd=scan.root, outputdir=str(results), loglevel="DEBUG", xunit="xunit.xml",
        listener=f"allure_robotframework:{results / 'allure'}",
    )  # fmt: skip
    assert completed.returncode == 4, completed.output  # the four failing tests
    texts = {"console": completed.output, **_texts_under(results)}
    robot_files = {"console", "output.xml", "log.html", "report.html", "xunit.xml"}
    assert robot_files <= set(texts) and all(name.startswith("allure/") for name in set(texts) - robot_files)
    _assert_attached(texts)
    _assert_failed_as_planned(texts)
    found = _files_and_streams(texts, _secrets(scan, demo_db))
    assert not found, "leaked:\n" + "\n".join(found)


def test_no_secret_in_any_form_in_pabot_outputs(scan: Project, demo_db: Path) -> None:
    results = scan.root / "results"
    bin_folder = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_folder + os.pathsep + os.environ.get("PATH", "")}
    completed = subprocess.run(
        [os.path.join(bin_folder, "pabot"), "--processes", "2", "--outputdir", str(results),
         "--loglevel", "DEBUG", "--xunit", "xunit.xml", "--listener", f"allure_robotframework:{results / 'allure'}",
         "robot"],
        cwd=scan.root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    console = completed.stdout + completed.stderr
    assert completed.returncode == 4, console
    texts = {"console": console, **_texts_under(results)}
    assert {"output.xml", "log.html", "report.html", "xunit.xml"} <= set(texts), sorted(texts)
    assert any(name.startswith("pabot_results") for name in texts), sorted(texts)  # each process's own files
    _assert_attached(texts)
    _assert_failed_as_planned(texts)
    found = _files_and_streams(texts, _secrets(scan, demo_db))
    assert not found, "leaked:\n" + "\n".join(found)
