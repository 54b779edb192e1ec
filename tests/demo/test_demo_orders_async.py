"""The demo shop's orders with a payment service (a stub, over real HTTP) and an event broker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from seamline.core.config import BrokerConfig, QueueConfig, StubConfig
from seamline.core.messaging.queues import Brokers
from seamline.core.services.managed import free_port
from seamline.core.stubs.answers import parse_answers
from seamline.core.stubs.servers import StubAnswer, StubRule, StubServer
from seamline.demo import PaymentRetry, running_demo
from tests.servers import unique_name

TIMEOUT = 10
ORDER = {"items": [{"sku": "A1", "qty": 2}]}


@pytest.fixture
def payments() -> Iterator[StubServer]:
    server = StubServer(StubConfig("payments"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def events() -> Iterator[tuple[Brokers, QueueConfig]]:
    # kombu's in-memory transport is shared by everything in this process: the shop and the test.
    brokers = Brokers(lambda name: BrokerConfig("memory", "memory://"))
    yield brokers, QueueConfig("orders", "memory", unique_name("orders"))
    brokers.close()


def _token(url: str) -> dict[str, str]:
    answer = requests.post(f"{url}/auth/token", json={"username": "alice", "password": "wonderland"}, timeout=TIMEOUT)
    return {"usertoken": answer.json()["token"]}


def _wait_for_status(url: str, headers: dict[str, str], order_id: str, wanted: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    status = None
    while time.monotonic() < deadline:
        status = requests.get(f"{url}/orders/{order_id}", headers=headers, timeout=TIMEOUT).json()["status"]
        if status == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"order {order_id} is {status!r}, not {wanted!r}")


@pytest.mark.parametrize(("answer", "final"), [(201, "confirmed"), (402, "failed")])
def test_payment_settles_the_order_and_every_event_goes_out(
    payments: StubServer, events: tuple[Brokers, QueueConfig], answer: int, final: str
) -> None:
    brokers, queue = events
    payments.add_rule(StubRule.parse("POST", "/charges", StubAnswer(answer)))
    with running_demo(payments_url=payments.url, broker_url="memory://", queue=queue.queue, settle_delay=0.1) as url:
        headers = _token(url)
        created = requests.post(f"{url}/orders", json=ORDER, headers=headers, timeout=TIMEOUT)
        assert created.status_code == 201
        order = created.json()
        assert order["status"] == "pending"  # paid later, not while the client waits
        _wait_for_status(url, headers, order["id"], final)

    [charge] = payments.received()  # a refusal (402) is final: not tried again
    assert charge.json() == {"order_id": order["id"], "amount": 59.98, "currency": "EUR"}
    assert charge.headers["idempotency-key"] == f"order-{order['id']}"
    messages = [m.json() for m in brokers.take_all(queue)]
    assert messages == [
        {"type": "order.created", "order_id": order["id"], "user": "alice", "status": "pending", "total": 59.98,
         "items": [{"sku": "A1", "qty": 2}]},
        {"type": f"order.{final}", "order_id": order["id"], "status": final},
    ]


FAST_RETRY = PaymentRetry(attempts=3, backoff=0.05, timeout=0.5)


@pytest.mark.parametrize(
    ("answers", "final", "statuses"),
    [
        ("503, then a closed connection, then 201", "confirmed", ["503", "a closed connection", "201"]),
        ("429, then 201 after 5 seconds, then 201", "confirmed", ["429", "201", "201"]),  # the 2nd timed out
        ("503", "failed", ["503", "503", "503"]),
    ],
)
def test_a_failed_charge_is_retried_with_one_idempotency_key_until_it_passes_or_attempts_run_out(
    payments: StubServer, events: tuple[Brokers, QueueConfig], answers: str, final: str, statuses: list[str]
) -> None:
    brokers, queue = events
    payments.add_rule(StubRule.parse("POST", "/charges", *parse_answers(answers)))
    with running_demo(
        payments_url=payments.url, broker_url="memory://", queue=queue.queue, settle_delay=0, payment_retry=FAST_RETRY
    ) as url:
        headers = _token(url)
        order = requests.post(f"{url}/orders", json=ORDER, headers=headers, timeout=TIMEOUT).json()
        _wait_for_status(url, headers, order["id"], final)

    charges = payments.received()
    assert [c.answer.what for c in charges if c.answer] == statuses
    assert {c.headers["idempotency-key"] for c in charges} == {f"order-{order['id']}"}
    assert {c.body for c in charges} == {charges[0].body}  # the same charge each time
    # One settlement, one event: the retries are not announced.
    assert [m.json()["type"] for m in brokers.take_all(queue)] == ["order.created", f"order.{final}"]


def test_payment_retry_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="attempts >= 1"):
        PaymentRetry(attempts=0)
    with pytest.raises(ValueError, match="backoff >= 0"):
        PaymentRetry(backoff=-1)


def test_an_unreachable_payment_service_fails_the_order(events: tuple[Brokers, QueueConfig]) -> None:
    brokers, queue = events
    nowhere = f"http://127.0.0.1:{free_port()}"
    retry = PaymentRetry(attempts=2, backoff=0)
    with running_demo(
        payments_url=nowhere, broker_url="memory://", queue=queue.queue, settle_delay=0, payment_retry=retry
    ) as url:
        headers = _token(url)
        order = requests.post(f"{url}/orders", json=ORDER, headers=headers, timeout=TIMEOUT).json()
        _wait_for_status(url, headers, order["id"], "failed")
    assert [m.json()["type"] for m in brokers.take_all(queue)] == ["order.created", "order.failed"]


def test_an_unreachable_broker_does_not_fail_the_order(payments: StubServer) -> None:
    payments.add_rule(StubRule.parse("POST", "/charges", StubAnswer(201)))
    broker = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    with running_demo(payments_url=payments.url, broker_url=broker, settle_delay=0) as url:
        headers = _token(url)
        created = requests.post(f"{url}/orders", json=ORDER, headers=headers, timeout=TIMEOUT)
        assert created.status_code == 201
        _wait_for_status(url, headers, created.json()["id"], "confirmed")


def test_a_settlement_in_flight_leaves_no_thread(payments: StubServer) -> None:
    payments.add_rule(StubRule.parse("POST", "/charges", StubAnswer(201)))
    before = set(threading.enumerate())
    with running_demo(payments_url=payments.url, settle_delay=30) as url:
        headers = _token(url)
        assert requests.post(f"{url}/orders", json=ORDER, headers=headers, timeout=TIMEOUT).status_code == 201
    # The shop stopped with the payment still waiting: it was cancelled, not left running.
    assert set(threading.enumerate()) == before
    assert payments.received() == []


def test_bad_payment_retry_options_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from seamline.demo.__main__ import main

    assert main(["--port", "0", "--payment-attempts", "0"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("demo shop: payment retry needs attempts >= 1, backoff >= 0 and timeout > 0, not ")
