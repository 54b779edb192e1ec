"""A stub that behaves like a real service, through both runners: answers in turn, a delay, a
closed connection, answers chosen by the request body; what it answered is checked; answers
that run out and badly written answers are one line naming the step.

A small relay on loopback stands for the system under test: it forwards a charge to the stub
with a short timeout and says what came back (a status, a closed connection or a timeout),
which an analyst's own request could not show without failing its step."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.bilingual import Project, Run, Scenario
from tests.servers import serving

RELAY_TIMEOUT = 0.5


class _Relay(BaseHTTPRequestHandler):
    """POST {"url": ..., "body": {...}}: POSTs the body to the URL and answers 200 with
    {"status": N}, {"failed": "closed"} or {"failed": "timeout"}."""

    def do_POST(self) -> None:
        order = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        request = urllib.request.Request(
            order["url"], data=json.dumps(order["body"]).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        outcome: dict[str, object]
        try:
            with urllib.request.urlopen(request, timeout=RELAY_TIMEOUT) as answer:
                outcome = {"status": answer.status}
        except urllib.error.HTTPError as error:
            outcome = {"status": error.code}
        except TimeoutError:
            outcome = {"failed": "timeout"}
        except (ConnectionError, urllib.error.URLError) as error:
            timed_out = isinstance(getattr(error, "reason", None), TimeoutError)
            outcome = {"failed": "timeout" if timed_out else "closed"}
        body = json.dumps(outcome).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def relay() -> Iterator[str]:
    with serving(_Relay) as server:
        yield f"http://127.0.0.1:{server.server_port}/relay"


def _run(project: Project, front_end: str, *scenarios: Scenario, warns: bool = False) -> Run:
    project.write_config(f"services:\n  shop: {project.demo_url}\nstubs:\n  payments: {{}}\n")
    return project.run(front_end, *scenarios, warns=warns)


def _relayed(relay: str, order: str) -> str:
    return f'''
        When I POST "{relay}" with:
          """
          {{"url": "${{payments_url}}/charges", "body": {{"order_id": "{order}"}}}}
          """'''


def test_answers_in_turn_a_closed_connection_and_a_delay(project: Project, front_end: str, relay: str) -> None:
    scenario = Scenario.parse(
        "down then up",
        f'''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with 503 once, then a closed connection, then 201 after 2 seconds once, then 201
        {_relayed(relay, "o-1")}
        Then the response field "$.status" is 503
        {_relayed(relay, "o-1")}
        Then the response field "$.failed" is "closed"
        {_relayed(relay, "o-1")}
        Then the response field "$.failed" is "timeout"
        {_relayed(relay, "o-1")}
        Then the response field "$.status" is 201
        And the stub "payments" received 4 POST "/charges" requests with:
          | field $.order_id | o-1 |
        And the stub "payments" answered 1 POST "/charges" request with 503
        And the stub "payments" answered 2 POST "/charges" requests with 201
        ''',  # noqa: E501 -- the step is as long as an analyst would write it
    )
    result = _run(project, front_end, scenario)
    assert result[scenario.name].passed, result[scenario.name].message + result.output


def test_a_step_whose_request_meets_a_closed_connection_says_so(project: Project, front_end: str) -> None:
    scenario = Scenario.parse(
        "hangs up",
        """
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with a closed connection
        When I POST "${payments_url}/charges"
        """,
    )
    result = _run(project, front_end, scenario, warns=True)  # Robot warns of a failed request
    line = result[scenario.name].message.splitlines()[0]
    # The server was reached: not "cannot reach ...: ('Connection aborted.', RemoteDisconnected(...))".
    assert line.endswith("/charges: the server closed the connection without an answer"), line
    assert "cannot reach" not in line and "RemoteDisconnected" not in line


def test_a_table_of_answers_and_an_answer_chosen_by_the_body(project: Project, front_end: str) -> None:
    scenario = Scenario.parse(
        "bodies in turn",
        '''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" in turn with:
          | answer   | body              |
          | 503 once | {"error": "down"} |
          | 201      | {"id": "ch_1"}    |
        And the stub "payments" answers POST "/charges" with 402 and:
          """
          {"error": "declined"}
          """
        And the stub "payments" gives that answer only to requests with:
          | field $.amount | #? > 1000 |
        When I POST "${payments_url}/charges" with:
          """
          {"amount": 5000}
          """
        Then the response status is 402
        And the response field "$.error" is "declined"
        When I POST "${payments_url}/charges" with:
          """
          {"amount": 10}
          """
        Then the response status is 503
        And the response field "$.error" is "down"
        When I POST "${payments_url}/charges" with:
          """
          {"amount": 10}
          """
        Then the response status is 201
        And the response field "$.id" is "ch_1"
        And the stub "payments" received 2 POST "/charges" requests with:
          | field $.amount | #? < 1000 |
        ''',
    )
    result = _run(project, front_end, scenario)
    assert result[scenario.name].passed, result[scenario.name].message + result.output


def test_a_failed_check_lists_what_the_stub_answered(project: Project, front_end: str) -> None:
    scenario = Scenario.parse(
        "counts answers",
        '''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with 503 once, then 201
        When I POST "${payments_url}/charges"
        Then the stub "payments" answered 1 POST "/charges" request with 201
        ''',
    )
    outcome = _run(project, front_end, scenario)[scenario.name]
    assert not outcome.passed
    assert (
        "failed: stub 'payments' answered 0 POST /charges request(s) with 201, expected 1; "
        "what it answered: 1. POST /charges -> 503"
    ) in outcome.message, outcome.message


def test_answers_that_run_out_fail_the_test_naming_the_step(project: Project, front_end: str) -> None:
    scenario = Scenario.parse(
        "runs out",
        '''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with 503 twice and:
          """
          {"error": "down"}
          """
        When I POST "${payments_url}/charges"
        Then the response field "$.error" is "down"
        When I POST "${payments_url}/charges"
        Then the response field "$.error" is "down"
        And I POST "${payments_url}/charges" with:
          """
          {"amount": 3}
          """
        Then the response status is 404
        ''',
    )
    outcome = _run(project, front_end, scenario, warns=True)[scenario.name]
    assert not outcome.passed
    line = (
        "stub 'payments': the answers of step "
        """'the stub "payments" answers POST "/charges" with 503 twice and:' ran out: """
        """it gave its 2 answers, then POST /charges {"amount": 3} arrived; it was answered 404"""
    )
    assert line in outcome.message, outcome.message


@pytest.mark.parametrize(
    ("answers", "cause"),
    [
        ("503 once 201", "cannot read the stub answer '503 once 201' in '503 once 201': write each answer as"),
        ("201 after -2 seconds", "the delay '-2 seconds' in '201 after -2 seconds' is negative"),
        ("503 0 times, then 201", "a stub answer is given at least once, not '0 times'"),
    ],
)
def test_badly_written_answers_are_one_line_naming_the_step(
    project: Project, front_end: str, answers: str, cause: str
) -> None:
    scenario = Scenario.parse(
        "bad answers",
        f'''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" with {answers}
        ''',
    )
    outcome = _run(project, front_end, scenario)[scenario.name]
    assert not outcome.passed
    where = "features/test.feature:5" if front_end == "pytest" else "test.robot:7"
    step = f"""Step 'And the stub "payments" answers POST "/charges" with {answers}' ({where}) failed: """
    first_line = outcome.message.splitlines()[0]
    assert first_line.startswith(step) and cause in first_line, outcome.message


def test_a_table_of_answers_without_its_header_row_is_one_line(project: Project, front_end: str) -> None:
    scenario = Scenario.parse(
        "no header",
        '''
        Given the "payments" service is stubbed
        And the stub "payments" answers POST "/charges" in turn with:
          | 503 once | {"error": "down"} |
        ''',
    )
    outcome = _run(project, front_end, scenario)[scenario.name]
    assert not outcome.passed
    assert "a table of stub answers has a header row | answer | body | and a row per answer" in (
        outcome.message.splitlines()[0]
    ), outcome.message
