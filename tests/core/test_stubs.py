"""Stub servers over real HTTP on loopback: answers, the record, and a clean stop."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from seamline.core.config import StubConfig
from seamline.core.errors import ExpressionError, ServiceError, StepArgumentError
from seamline.core.services.managed import free_port
from seamline.core.stubs.servers import StubAnswer, StubRule, StubServer, StubServers, describe_requests

TIMEOUT = 5


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer(StubConfig("payments"))
    server.start()
    yield server
    server.stop()


def _answer(status: int, body: str = "") -> StubAnswer:
    return StubAnswer(status, body.encode(), "application/json" if body else None)


def test_answers_by_method_and_path_and_records_every_request(stub: StubServer) -> None:
    stub.add_rule(StubRule.parse("POST", "/charges", _answer(201, '{"id": "ch_1"}')))
    created = requests.post(f"{stub.url}/charges", json={"amount": 59.98}, timeout=TIMEOUT)
    assert created.status_code == 201
    assert created.json() == {"id": "ch_1"}
    assert created.headers["Content-Type"] == "application/json"

    wrong_method = requests.get(f"{stub.url}/charges", timeout=TIMEOUT)
    assert wrong_method.status_code == 404
    assert "no answer for GET /charges" in wrong_method.json()["error"]

    received = stub.received()
    assert [(r.method, r.path, r.expected) for r in received] == [
        ("POST", "/charges", True),
        ("GET", "/charges", False),
    ]
    assert received[0].json() == {"amount": 59.98}
    assert [r.describe() for r in stub.unexpected()] == ["GET /charges"]
    assert describe_requests(received) == '1. POST /charges {"amount": 59.98}; 2. GET /charges'


def test_query_headers_and_body_fields_choose_the_answer(stub: StubServer) -> None:
    stub.add_rule(StubRule.parse("POST", "/charges", _answer(201)))
    declined = StubRule.parse("POST", "/charges?mode=live", _answer(402))
    declined.add_condition("header", "X-Currency", "EUR")
    declined.add_condition("field", "$.amount", 0)
    stub.add_rule(declined)

    def charge(amount: float, mode: str, currency: str) -> int:
        return requests.post(
            f"{stub.url}/charges", params={"mode": mode, "other": "x"}, json={"amount": amount},
            headers={"x-currency": currency}, timeout=TIMEOUT,
        ).status_code

    assert charge(0, "live", "EUR") == 402  # all conditions hold; the newest answer wins
    assert charge(0, "test", "EUR") == 201  # query differs
    assert charge(0, "live", "USD") == 201  # header differs
    assert charge(5, "live", "EUR") == 201  # body field differs
    assert requests.post(f"{stub.url}/charges?mode=live", data="not json", headers={"X-Currency": "EUR"},
                         timeout=TIMEOUT).status_code == 201


def test_reset_forgets_answers_and_record_but_keeps_the_address(stub: StubServer) -> None:
    url = stub.url
    stub.add_rule(StubRule.parse("GET", "/ping", _answer(200)))
    assert requests.get(f"{url}/ping", timeout=TIMEOUT).status_code == 200
    stub.reset()
    assert stub.received() == []
    assert requests.get(f"{url}/ping", timeout=TIMEOUT).status_code == 404
    assert stub.url == url


def test_bad_rules_fail_when_written() -> None:
    rule = StubRule.parse("POST", "/charges", _answer(201))
    with pytest.raises(ExpressionError):
        rule.add_condition("field", "$.[[", 1)
    with pytest.raises(StepArgumentError, match="unknown stub condition 'cookie'"):
        rule.add_condition("cookie", "a", "b")
    with pytest.raises(StepArgumentError, match="not a full URL"):
        StubRule.parse("GET", "http://example.com/x", _answer(200))


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_fixed_port_and_a_clean_stop() -> None:
    before = set(threading.enumerate())
    port = free_port()
    servers = StubServers(lambda name: StubConfig(name, port if name == "payments" else None))
    payments = servers.get("payments")
    other = servers.get("other")
    assert payments.url == f"http://127.0.0.1:{port}"
    assert other.url != payments.url
    assert servers.get("payments") is payments  # one server per name for the whole run
    assert _port_open(port)
    # One serving thread per stub; a request's own thread lives only while it is answered.
    serving = {t.name for t in set(threading.enumerate()) - before if t.name.startswith("seamline-stub-")}
    assert serving == {"seamline-stub-payments", "seamline-stub-other"}

    servers.stop_all()
    assert set(threading.enumerate()) == before
    assert not _port_open(port)
    with pytest.raises(ServiceError, match="not running"):
        _ = payments.url


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServiceError, match=f"cannot start stub 'payments' on 127.0.0.1:{port}"):
            StubServer(StubConfig("payments", port)).start()
