"""Message queues through kombu: in memory, in a shared folder, and on the real RabbitMQ and
Redis servers (each test on queues of its own)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.core.config import BrokerConfig, QueueConfig
from seamline.core.context import Context, Runtime
from seamline.core.errors import CheckFailed, ServiceError, StepArgumentError
from seamline.core.messaging.queues import Brokers, publish, receive_matching, store_message_field
from tests.servers import server_url, unique_name

KINDS = ("memory", "filesystem", "amqp", "redis")


def _broker_url(kind: str, tmp_path: Path) -> str:
    if kind == "memory":
        return "memory://"
    if kind == "filesystem":
        return f"filesystem://{tmp_path / 'broker'}"
    return server_url(kind)


@pytest.fixture(params=KINDS)
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Runtime, str]]:
    """A run whose "orders" queue is a queue of its own on the broker of the given kind."""
    queue = unique_name("seamline_orders")
    config = tmp_path / "seamline.yaml"
    config.write_text(
        textwrap.dedent(f"""\
            brokers:
              events: {{url: "{_broker_url(request.param, tmp_path)}"}}
            queues:
              orders: {{name: {queue}, wait: 2}}
        """),
        encoding="utf-8",
    )
    run = Runtime(config)
    yield run, queue
    # A real server keeps a declared queue: remove it, leaving the shared server as it was.
    bound = run.resource(Brokers)._bound(run.config.queue("orders"))
    bound.delete()
    run.close()


def test_publish_then_receive_the_matching_message_and_store_its_fields(runtime: tuple[Runtime, str]) -> None:
    run, queue = runtime
    ctx = Context(run)
    ctx.store("id", "o-1")
    publish(ctx, "orders", '{"type": "order.created", "order_id": "o-0", "total": 1}')
    publish(ctx, "orders", "plain text, not JSON")
    publish(ctx, "orders", '{"type": "order.created", "order_id": "${id}", "total": 59.98}')

    message = receive_matching(ctx, "orders", '{"type": "order.created", "order_id": "${id}"}')
    assert message.json() == {"type": "order.created", "order_id": "o-1", "total": 59.98}
    store_message_field(ctx, "$.total", "total")
    assert ctx.variables.get("total") == 59.98

    # Each message matches one check: the same expectation does not match the same message twice.
    with pytest.raises(CheckFailed) as failure:
        receive_matching(ctx, "orders", '{"order_id": "o-1"}')
    assert f"no message on queue {queue!r} matches" in failure.value.message
    assert '"order_id": "o-0"' in failure.value.message
    assert "'plain text, not JSON' (not JSON)" in failure.value.message


def test_the_end_of_a_test_purges_the_queues_it_used(runtime: tuple[Runtime, str]) -> None:
    run, _ = runtime
    first = Context(run)
    publish(first, "orders", '{"n": 1}')
    assert first.finish() == []  # the purge
    publish(Context(run), "orders", '{"n": 2}')  # a second test: its own message only
    second = Context(run)
    with pytest.raises(CheckFailed) as failure:
        receive_matching(second, "orders", '{"n": 1}')
    assert failure.value.message.endswith('messages received in this test and not yet matched: 1. {"n": 2}')


def test_unreadable_documents_are_usage_errors() -> None:
    ctx = Context(Runtime(None))
    with pytest.raises(StepArgumentError, match="the expected message is not valid JSON"):
        receive_matching(ctx, "anything", '{"type": }')
    with pytest.raises(StepArgumentError, match="the message is not valid JSON"):
        publish(ctx, "anything", '{"type": }')
    with pytest.raises(CheckFailed, match="no message received yet"):
        store_message_field(ctx, "$.x", "x")
    ctx.runtime.close()


def test_an_unreachable_broker_is_one_clear_line() -> None:
    brokers = Brokers(lambda name: BrokerConfig("events", "amqp://guest:secret@127.0.0.1:9//", connect_timeout=1))
    started = time.monotonic()
    with pytest.raises(ServiceError) as failure:
        brokers.publish(QueueConfig("orders", "events", "orders"), "{}", "application/json")
    assert time.monotonic() - started < 10
    assert failure.value.message.startswith("cannot reach broker 'events' at amqp://guest:**@127.0.0.1:9//")
    assert "secret" not in failure.value.message
    assert "\n" not in failure.value.message
    brokers.close()


def test_a_filesystem_broker_is_shared_with_another_process(tmp_path: Path) -> None:
    """What the example suites rely on: the demo shop, in its own process, publishes; the test receives."""
    brokers = Brokers(lambda name: BrokerConfig("events", "filesystem://"))
    url = brokers.get("events").url
    folder = Path(url.removeprefix("filesystem://"))
    assert folder.is_dir()
    code = (
        "import sys\n"
        "from seamline.demo._events import EventPublisher\n"
        "publisher = EventPublisher(sys.argv[1], 'orders')\n"
        "publisher.publish({'type': 'order.created', 'order_id': 'o-9'})\n"
        "publisher.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, url], check=True, timeout=60)
    messages = brokers.take_all(QueueConfig("orders", "events", "orders"))
    assert [m.json() for m in messages] == [{"type": "order.created", "order_id": "o-9"}]
    brokers.close()
    assert not folder.exists()  # a folder the run made for itself goes with it


def test_each_worker_of_a_parallel_run_has_its_own_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`name: orders-${worker}`: what worker w7 publishes reaches the broker's orders-w7 queue,
    not another worker's."""
    monkeypatch.setenv("SEAMLINE_WORKER", "w7")
    config = tmp_path / "seamline.yaml"
    config.write_text(
        "brokers:\n  events: {url: 'memory://'}\n"
        "queues:\n  orders: {name: 'orders-${worker}', wait: 1}\n  w7: {name: orders-w7, wait: 1}\n"
        "  w8: {name: orders-w8, wait: 1}\n",
        encoding="utf-8",
    )
    run = Runtime(config)
    try:
        assert run.worker == "w7"
        publish(Context(run), "orders", '{"id": 1}')
        with pytest.raises(CheckFailed):
            receive_matching(Context(run), "w8", '{"id": 1}')
        assert receive_matching(Context(run), "w7", '{"id": 1}').json() == {"id": 1}
    finally:
        run.close()
