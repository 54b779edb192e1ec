"""A request that reaches a stub after the test that caused it has ended is logged as late
in the test where it lands and never fails it; verification counts only what arrived during
the current test, and a request the current test left unanswered still fails it.

Test A asks a small helper server on loopback to call the stub a moment later, then ends;
the call lands in the next test, as the demo shop's asynchronous charge of an order does."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.bilingual import DEMO_AUTH, Project, Run, Scenario
from tests.servers import serving


class _CallLater(BaseHTTPRequestHandler):
    """POST {"url": ..., "delay": s, "body": {...}}: answers 202 at once, and POSTs the body
    to the URL after the delay, from a thread of its own (a system's background worker)."""

    calls: list[threading.Thread]

    def do_POST(self) -> None:
        order = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        thread = threading.Thread(target=_post_later, args=(order,), name="late-caller")
        self.server.calls.append(thread)  # type: ignore[attr-defined]
        thread.start()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


def _post_later(order: dict[str, object]) -> None:
    time.sleep(float(order["delay"]))  # type: ignore[arg-type]
    request = urllib.request.Request(
        str(order["url"]), data=json.dumps(order["body"]).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with contextlib.suppress(OSError):  # a 404 is an answer too; the stub's record is what counts
        urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture
def call_later() -> Iterator[str]:
    with serving(_CallLater) as server:
        server.calls = []  # type: ignore[attr-defined]
        yield f"http://127.0.0.1:{server.server_port}"
    for call in server.calls:  # type: ignore[attr-defined]
        call.join(10)


def _causes_a_late_call(name: str, helper: str, order: str) -> Scenario:
    return Scenario.parse(
        name,
        f'''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with 201 and:
          """
          {{"id": "ch_late"}}
          """
        When I POST "{helper}/later" with:
          """
          {{"url": "${{payments_url}}/charges", "delay": 0.3, "body": {{"order_id": "{order}"}}}}
          """
        Then the response status is 202
        ''',
    )


def _run(project: Project, front_end: str, *scenarios: Scenario) -> Run:
    project.write_config(f"services:\n  shop: {project.demo_url}\nstubs:\n  payments: {{}}\n")
    if front_end == "pytest":
        return project.run_pytest(*scenarios, args=("-rP",))  # -rP: the log of passing scenarios too
    return project.run(front_end, *scenarios, warns=True)  # a late call is logged as a warning


def _log_of(project: Project, front_end: str, run: Run, test: str) -> str:
    """What the test's own log shows: its messages in output.xml (Robot), or what pytest -rP
    prints under the scenario's heading."""
    if front_end == "robot":
        from robot.api import ExecutionResult

        result = ExecutionResult(str(project.root / "robot-results" / "output.xml"))
        found = next(t for t in result.suite.all_tests if t.name == test)
        return "\n".join(m.message for m in found.body if getattr(m, "type", "") == "MESSAGE")
    title = "Seamline log teardown of test_" + test.lower().replace(" ", "_")
    if title not in run.output:
        return ""
    section = run.output.split(title, 1)[1].split("\n", 1)[1]
    return re.split(r"\n(?:---|===|___)", section, maxsplit=1)[0]


def test_a_late_call_is_logged_in_the_test_it_lands_in_and_fails_nothing(
    project: Project, front_end: str, call_later: str
) -> None:
    a = _causes_a_late_call("A places an order and ends", call_later, "late-1")
    b = Scenario.parse(
        "B only declares the stub and waits",
        """
        Given the "payments" service is stubbed
        When I GET "/delay/1.5"
        """,
    )
    result = _run(project, front_end, a, b)
    assert result[a.name].passed, result[a.name].message + result.output
    assert result[b.name].passed, result[b.name].message + result.output
    assert "ERROR at teardown" not in result.output
    # B's log says so, naming the request and the test that set the answer it was for.
    log = _log_of(project, front_end, result, b.name)
    assert "late request to stub 'payments' from test 'A places an order and ends'" in log, result.output
    assert 'is not counted in this test: POST /charges {"order_id": "late-1"}' in log, result.output


def test_verification_counts_only_this_tests_requests_and_its_own_unanswered_one_fails_it(
    project: Project, front_end: str, call_later: str
) -> None:
    a = _causes_a_late_call("A places an order and ends", call_later, "late-2")
    c = Scenario.parse(
        "C counts its own requests only",
        '''
        Given the "payments" service is stubbed
        When I GET "/delay/1.5"
        Then the stub "payments" received 0 POST "/charges" requests
        When I POST "${payments_url}/charges" with:
          """
          {"amount": 1}
          """
        Then the response status is 404
        And the stub "payments" received 1 POST "/charges" request
        ''',
    )
    result = _run(project, front_end, a, c)
    assert result[a.name].passed, result[a.name].message + result.output
    own = result[c.name]
    assert not own.passed, result.output  # every step held; its own unanswered request fails it
    assert "stub 'payments' received 1 request(s) it had no answer for: 1. POST /charges {\"amount\": 1}" in (
        own.message
    ), own.message + result.output
    assert "late-2" not in own.message.split("Seamline log")[0]


# -- the demo shop's asynchronous charge of an order, as issue 10 found it -------------------



def test_the_shops_late_charge_of_an_earlier_tests_order_fails_nothing(project: Project, front_end: str) -> None:
    from seamline.core.services.managed import free_port

    project.write_config(
        "services:\n"
        "  shop:\n"
        "    base_url: http://127.0.0.1:${port}\n"
        "    start:\n"
        "      command: ${python} -m seamline.demo --port ${port} --payments-url ${stub:payments} --settle-delay 0.5\n"
        f"      port: {free_port()}\n"
        "stubs:\n  payments: {}\n" + DEMO_AUTH
    )
    a = Scenario.parse(
        "A places an order",
        '''
        Given I obtain a token
        And the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with 201
        When I POST "/orders" with:
          """
          {"items": [{"sku": "A1", "qty": 1}]}
          """
        Then the response status is 201
        ''',
    )
    b = Scenario.parse(
        "B only declares the stub",
        """
        Given the "payments" service is stubbed
        When I GET "/delay/1.5"
        Then the stub "payments" received 0 POST "/charges" requests
        """,
    )
    if front_end == "pytest":
        result = project.run_pytest(a, b, args=("-rP",))
    else:
        result = project.run(front_end, a, b, warns=True)  # the late call is logged as a warning
    assert result[a.name].passed, result[a.name].message + result.output
    assert result[b.name].passed, result[b.name].message + result.output
    log = _log_of(project, front_end, result, b.name)
    assert "late request to stub 'payments' from test 'A places an order'" in log, result.output
