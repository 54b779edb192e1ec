"""A stub's answers in turn, delays and closed connections, over real HTTP on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from seamline.core.config import StubConfig
from seamline.core.errors import StepArgumentError
from seamline.core.stubs.answers import parse_answers
from seamline.core.stubs.servers import StubAnswer, StubRule, StubServer

TIMEOUT = 5


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer(StubConfig("payments"))
    server.start()
    yield server
    server.stop()


def _charge(stub: StubServer, timeout: float = TIMEOUT) -> int:
    return requests.post(f"{stub.url}/charges", json={"amount": 1}, timeout=timeout).status_code


def test_answers_are_given_in_turn_and_the_last_one_from_then_on(stub: StubServer) -> None:
    stub.add_rule(StubRule.parse("POST", "/charges", *parse_answers("503 twice, then 502, then 201")))
    assert [_charge(stub) for _ in range(6)] == [503, 503, 502, 201, 201, 201]
    assert [r.answer.status for r in stub.received() if r.answer] == [503, 503, 502, 201, 201, 201]


def test_answers_that_ran_out_leave_the_request_to_an_older_answer_or_to_404(stub: StubServer) -> None:
    stub.add_rule(StubRule.parse("POST", "/refunds", StubAnswer(200)))
    stub.add_rule(StubRule.parse("POST", "/refunds", *parse_answers("503 once"), step="503 once"))
    assert [requests.post(f"{stub.url}/refunds", timeout=TIMEOUT).status_code for _ in range(3)] == [503, 200, 200]

    stub.add_rule(StubRule.parse("POST", "/charges", *parse_answers("503 once, then 201 once"), step="the step"))
    assert [_charge(stub) for _ in range(2)] == [503, 201]
    third = requests.post(f"{stub.url}/charges", json={"amount": 1}, timeout=TIMEOUT)
    assert third.status_code == 404
    expected = (
        "the answers of step 'the step' ran out: it gave its 2 answers, then POST /charges {\"amount\": 1} arrived"
    )
    assert third.json() == {"error": expected}
    [unexpected] = stub.unexpected()
    assert unexpected.ran_out == expected


def test_a_closed_connection_gets_no_answer_at_all(stub: StubServer) -> None:
    stub.add_rule(StubRule.parse("POST", "/charges", *parse_answers("a closed connection once, then 201")))
    with pytest.raises(requests.ConnectionError, match="without response"):
        _charge(stub)
    assert _charge(stub) == 201
    assert [r.answer.what for r in stub.received() if r.answer] == ["a closed connection", "201"]


def test_a_delayed_answer_outlasts_a_short_client_timeout_and_holds_back_no_other_request(stub: StubServer) -> None:
    stub.add_rule(StubRule.parse("POST", "/charges", *parse_answers("201 after 1 second")))
    stub.add_rule(StubRule.parse("GET", "/health", StubAnswer(200)))
    with pytest.raises(requests.ReadTimeout):
        _charge(stub, timeout=0.2)
    # While a second delayed charge is being answered, the stub answers another request.
    slow: list[int] = []
    charging = threading.Thread(target=lambda: slow.append(_charge(stub)))
    charging.start()
    assert requests.get(f"{stub.url}/health", timeout=TIMEOUT).status_code == 200
    assert charging.is_alive() and slow == []
    charging.join(TIMEOUT)
    assert slow == [201]


def test_stopping_cuts_a_delay_short_and_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    server = StubServer(StubConfig("payments"))
    server.start()
    server.add_rule(StubRule.parse("POST", "/charges", *parse_answers("201 after 1 minute")))
    outcome: list[str] = []

    def charge() -> None:
        try:
            requests.post(f"{server.url}/charges", timeout=TIMEOUT)
        except requests.ConnectionError:
            outcome.append("closed")

    caller = threading.Thread(target=charge)
    caller.start()
    while not server.received():
        threading.Event().wait(0.01)
    server.stop()
    caller.join(TIMEOUT)
    assert outcome == ["closed"]  # the stub went away without answering, well before the minute
    assert set(threading.enumerate()) == before


def test_a_client_that_sends_nothing_does_not_hold_up_the_stop() -> None:
    before = set(threading.enumerate())
    server = StubServer(StubConfig("payments"))
    server.start()
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=TIMEOUT) as idle:
        while not any("process_request" in t.name for t in threading.enumerate()):
            threading.Event().wait(0.01)  # its handler thread is reading the request line
        server.stop()
        assert idle.recv(1) == b""  # the stub hung up on it
    assert set(threading.enumerate()) == before


def test_header_and_field_conditions_take_markers(stub: StubServer) -> None:
    rule = StubRule.parse("POST", "/charges", StubAnswer(402))
    rule.add_condition("header", "Idempotency-Key", "#uuid")
    rule.add_condition("field", "$.amount", "#number")
    stub.add_rule(rule)
    key = {"Idempotency-Key": "4f1c5a8e-4c57-4f0a-9d53-2d1f6f0e9a11"}
    assert requests.post(f"{stub.url}/charges", json={"amount": 5}, headers=key, timeout=TIMEOUT).status_code == 402
    assert requests.post(f"{stub.url}/charges", json={"amount": "5"}, headers=key, timeout=TIMEOUT).status_code == 404
    assert requests.post(f"{stub.url}/charges", json={"amount": 5}, headers={"Idempotency-Key": "k1"},
                         timeout=TIMEOUT).status_code == 404  # fmt: skip


def test_how_answers_are_read() -> None:
    assert [a.describe() for a in parse_answers("503, then a closed connection 2 times, then 201 after 500 ms")] == [
        "503 once", "a closed connection twice", "201 after 0.5 s",
    ]  # fmt: skip
    assert [a.describe() for a in parse_answers("503 after 1 second twice then 201 3 times")] == [
        "503 twice after 1 s", "201 3 times",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("503 once 201", "cannot read the stub answer '503 once 201' in '503 once 201': write each answer as"),
        ("503 once, 201", "cannot read the stub answer '503 once, 201'"),
        ("503 thrice, then 201", "cannot read the stub answer '503 thrice'"),
        ("503 once, then", "cannot read the stub answer '503 once, then'"),
        ("201 after -2 seconds", "the delay '-2 seconds' in '201 after -2 seconds' is negative"),
        ("201 after 2 fortnights", "cannot read '2 fortnights' as a duration"),
        ("503 0 times, then 201", "a stub answer is given at least once, not '0 times'"),
        ("999", "a stub answers with a status code such as 200 or 503, not '999'"),
        ("503 once, then 2x0", "not '2x0' in '503 once, then 2x0'"),
    ],
)
def test_bad_answers_are_one_line_naming_the_cause(text: str, message: str) -> None:
    with pytest.raises(StepArgumentError) as raised:
        parse_answers(text)
    assert message in raised.value.message
    assert "\n" not in raised.value.message
