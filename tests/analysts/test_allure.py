"""Allure and pytest-html: each exchange a test logs is attached to the step that sent it
(request, response, curl command), a failed check's mismatches as a table, secrets masked;
in both runners (allure-pytest-bdd's --alluredir, allure-robotframework's listener)."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.analysts.test_secret_scan import leaks
from tests.bilingual import Project, Scenario, pytest_here, robot_here

ROOT = Path(__file__).resolve().parents[2]

FAILS_WITH_TWO_MISMATCHES = Scenario.parse(
    "a token, two requests and a check with two mismatches",
    '''
    Given I obtain a token
    When I GET "/cart"
    Then the response status is 200
    When I POST "/echo" with:
      """
      {"a": 1, "b": "x"}
      """
    Then the response field "$.body" is:
      """
      {"a": 2, "b": "y"}
      """
    ''',
)


def _results(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(folder.glob("*-result.json"))]


def _attachments(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(owner, attachment name) of a test and of every step in it, the test as owner ""."""
    found = [("", a["name"]) for a in node.get("attachments", [])]

    def walk(parent: dict[str, Any]) -> None:
        for step in parent.get("steps", []):
            found.extend((step["name"], a["name"]) for a in step.get("attachments", []))
            walk(step)

    walk(node)
    return found


def _source(folder: Path, node: dict[str, Any], name: str) -> str:
    """The text of the first attachment called ``name``, the test's own first, then its steps'."""
    owners = (node, *_steps(node))
    sources = [a["source"] for owner in owners for a in owner.get("attachments", []) if a["name"] == name]
    assert sources, f"no attachment {name!r}"
    return (folder / sources[0]).read_text("utf-8")


def _steps(node: dict[str, Any]) -> list[dict[str, Any]]:
    steps = []
    for step in node.get("steps", []):
        steps += [step, *_steps(step)]
    return steps


def _exchanges(attachments: list[tuple[str, str]]) -> Counter[str]:
    """Each step's (or the test's) requests, after checking each has its response and curl command."""
    requests = Counter(owner for owner, name in attachments if name.startswith("request: "))
    assert requests == Counter(owner for owner, name in attachments if name.startswith("response: "))
    assert requests == Counter(owner for owner, name in attachments if name == "curl command")
    return requests


def _texts(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text("utf-8", errors="replace") for path in folder.iterdir() if path.is_file()}


def _run(project: Project, front_end: str, allure: Path) -> None:
    if front_end == "robot":
        project.run_robot(FAILS_WITH_TWO_MISMATCHES, listener=f"allure_robotframework:{allure}")
    else:
        html = project.root / "report.html"
        project.run_pytest(FAILS_WITH_TWO_MISMATCHES, args=("--alluredir", str(allure), "--html", str(html)))


def test_each_exchange_and_the_mismatch_table_are_attached_to_their_steps(
    project: Project, front_end: str, tmp_path: Path
) -> None:
    allure = tmp_path / "allure-results"
    _run(project, front_end, allure)
    (result,) = _results(allure)
    assert result["status"] == "failed"
    exchanges = _exchanges(_attachments(result))
    owners = {re.sub(r"^Seamline\.", "", owner): count for owner, count in exchanges.items()}
    assert owners == {"Given I obtain a token": 1, 'When I GET "/cart"': 1, 'When I POST "/echo" with:': 1}
    assert _source(allure, result, "curl command").startswith("curl -X POST http://")  # the token request
    cart = _source(allure, result, f"request: GET {project.demo_url}/cart")
    assert "usertoken: ***" in cart, cart  # the token sent is masked
    assert _source(allure, result, "response: 200 OK").startswith("-> 200 OK")
    table = _source(allure, result, "mismatches").splitlines()
    assert [line.split() for line in table] == [["path", "expected", "actual"], ["$.body.a", "2", "1"],
                                                 ["$.body.b", '"y"', '"x"']], table  # fmt: skip
    # A step's arguments are its parameters; the context among them is named, not dumped.
    parameters = [p["value"] for step in _steps(result) for p in step.get("parameters", [])]
    assert all(len(value) < 200 for value in parameters), parameters
    texts = _texts(allure)
    assert not leaks(texts, {"password": "wonderland"}), leaks(texts, {"password": "wonderland"})
    assert "wonderland" not in json.dumps(texts)


def test_pytest_html_shows_the_same_attachments(project: Project, tmp_path: Path) -> None:
    _run(project, "pytest", tmp_path / "allure-results")
    assets = {path.read_text("utf-8") for path in (project.root / "assets").glob("*.txt")}
    assert any(text.startswith("curl -X POST http://") and "/echo" in text for text in assets), assets
    assert any(text.startswith("path") and "$.body.b" in text for text in assets), assets  # the mismatch table
    assert any("usertoken: ***" in text for text in assets), assets
    assert not any("wonderland" in text for text in assets)


# -- the examples, in both runners ----------------------------------------------------------


def _tokens() -> set[str]:
    """Every token the examples' shops have handed out (one database file per worker)."""
    tokens: set[str] = set()
    for db in ROOT.glob("demo-shop-*.db"):
        with sqlite3.connect(db) as connection:
            tokens |= {row[0] for row in connection.execute("SELECT token FROM tokens")}
    return tokens


def _no_secret(allure: Path) -> None:
    secrets = {"alice's password": "wonderland", "bob's password": "builder"}
    secrets |= {f"token {token[:6]}..": token for token in _tokens()}
    assert len(secrets) > 2, "no token handed out: the scan would prove nothing"
    found = leaks(_texts(allure), secrets)
    assert not found, "leaked:\n" + "\n".join(found)


_EXCHANGE = re.compile(r"^([A-Z]+) (https?://\S+)\n(?s:.*)\n-> \d{3} ")


def test_the_robot_examples_attach_every_exchange_they_log(tmp_path: Path) -> None:
    allure = tmp_path / "allure"
    completed = robot_here(
        "robot", cwd=ROOT, outputdir=str(tmp_path / "out"), listener=f"allure_robotframework:{allure}"
    )
    assert completed.returncode == 0, completed.output
    # Every exchange in the log (output.xml), by test: the same number of requests attached.
    logged: Counter[str] = Counter()
    for test in ElementTree.parse(tmp_path / "out" / "output.xml").iter("test"):
        logged[test.get("name", "")] = sum(bool(_EXCHANGE.match(m.text or "")) for m in test.iter("msg"))
    attached = {result["name"]: sum(_exchanges(_attachments(result)).values()) for result in _results(allure)}
    assert sum(logged.values()) >= 30
    assert attached == dict(logged)
    _no_secret(allure)


# urllib3's line for each request sent (DEBUG): the witness of what a scenario sent.
_SENT = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.1" (\d{3})')
# Sent by Seamline itself, not by a step: a managed service's health check, an API document.
_NOT_STEPS = ("/health", "/openapi.json")


def test_the_pytest_examples_attach_every_exchange_they_send(tmp_path: Path) -> None:
    allure = tmp_path / "allure"
    completed = pytest_here("features/", "--alluredir", str(allure), "--log-level=DEBUG", cwd=ROOT)
    assert "failed" not in completed.output.splitlines()[-1], completed.output
    results = _results(allure)
    assert len(results) >= 20
    witnessed = 0
    for result in results:
        log = _source(allure, result, "log") if _has(result, "log") else ""
        sent = {(method, path.split("?")[0], status) for method, path, status in _SENT.findall(log)}
        sent = {request for request in sent if request[1] not in _NOT_STEPS}
        requests = [name for _, name in _attachments(result) if name.startswith("request: ")]
        assert sum(_exchanges(_attachments(result)).values()) == len(requests)
        attached = {(name.split()[1], re.sub(r"^https?://[^/]+", "", name.split()[2]).split("?")[0])
                    for name in requests}  # fmt: skip
        # Each request answered (a redirect followed is one exchange, named by where it ended).
        answered = {(method, path) for method, path, status in sent if not status.startswith("3")}
        assert answered <= attached <= {(method, path) for method, path, _ in sent}, result["name"]
        witnessed += len(answered)
    assert witnessed >= 20  # the witness saw the requests: the comparison proves something
    _no_secret(allure)


def _has(result: dict[str, Any], name: str) -> bool:
    return any(attachment == name for _, attachment in _attachments(result))


@pytest.fixture(autouse=True)
def _no_allure_left() -> Iterator[None]:
    """A run in this process unregisters its Allure reporter when it ends (else the next run
    would attach to it)."""
    yield
    from seamline.attachments import allure_results_folders

    assert allure_results_folders() == []
