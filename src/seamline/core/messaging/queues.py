"""Message queues through kombu: publish a document, wait for a message matching one.

Brokers are named in the config; without one, kombu's in-memory transport is used, which
is enough when the test itself and the code under test share the process. For a system
under test in another process, ``filesystem://`` shares a folder with it (no server at
all), and ``amqp://`` or ``redis://`` reach a real broker.

Messages are taken off a queue as they arrive and kept for the rest of the test, so a
check that is repeated until it holds never loses one; each message satisfies one check.
Every queue a test used is purged when the test ends.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import BrokerConfig, QueueConfig
from ..context import Context, Runtime
from ..errors import CheckFailed, ConfigError, ServiceError
from ..matching.jsonpath import find_all
from ..matching.matcher import matches_document
from ..values.literals import describe, parse_json
from .state import NOT_JSON, Message

if TYPE_CHECKING:
    from kombu import Connection

__all__ = ["Brokers", "Message", "publish", "receive_matching", "store_message_field"]



def _sanitized(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


class _Broker:
    def __init__(self, config: BrokerConfig) -> None:
        self.config = config
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self.folder: Path | None = None
        self._connection: Connection | None = None
        if config.url.startswith("filesystem://"):
            given = config.url.removeprefix("filesystem://")
            if given:
                self.folder = Path(given)
                self.folder.mkdir(parents=True, exist_ok=True)
            else:
                # No folder named: one for this run, removed when it ends.
                self._folder = tempfile.TemporaryDirectory(prefix="seamline-broker-")
                self.folder = Path(self._folder.name)

    @property
    def url(self) -> str:
        """The URL to hand to a system under test, with the folder of a filesystem broker."""
        return f"filesystem://{self.folder}" if self.folder is not None else self.config.url

    def connection(self) -> Connection:
        if self._connection is not None:
            return self._connection
        from kombu import Connection
        from kombu.exceptions import KombuError

        if self.folder is not None:
            folders = {"data_folder_in": str(self.folder), "data_folder_out": str(self.folder)}
            connection = Connection("filesystem://", transport_options=folders)
        else:
            connection = Connection(self.config.url, connect_timeout=self.config.connect_timeout)
        try:
            connection.ensure_connection(max_retries=0, timeout=self.config.connect_timeout)
        except ImportError as error:
            raise ConfigError(
                f"broker {self.config.name!r} ({_sanitized(self.config.url)}) needs a library that is not "
                f"installed: {error} (for Redis: pip install 'seamline[redis]')"
            ) from None
        except (KombuError, OSError) as error:
            connection.release()
            raise ServiceError(
                f"cannot reach broker {self.config.name!r} at {_sanitized(self.config.url)}: {_reason(error)}"
            ) from None
        self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.release()
            self._connection = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return "connection refused" if "refused" in text.lower() else text.splitlines()[0][:200]


class Brokers:
    """The run's broker connections, opened on first use and closed at the end of the run."""

    def __init__(self, configs: Callable[[str | None], BrokerConfig]) -> None:
        self._configs = configs
        self._brokers: dict[str, _Broker] = {}

    @classmethod
    def open(cls, runtime: Runtime) -> Brokers:
        return cls(runtime.config.broker)

    def get(self, name: str | None) -> _Broker:
        config = self._configs(name)
        broker = self._brokers.get(config.name)
        if broker is None:
            broker = self._brokers[config.name] = _Broker(config)
        return broker

    def _bound(self, queue: QueueConfig) -> Any:
        from kombu import Queue
        from kombu.exceptions import KombuError

        broker = self.get(queue.broker)
        try:
            channel = broker.connection().default_channel
            # The default exchange routes by queue name, on every transport kombu has.
            bound = Queue(queue.queue, routing_key=queue.queue)(channel)
            bound.declare()
        except (KombuError, OSError) as error:
            raise ServiceError(f"broker {broker.config.name!r}: cannot use queue {queue.queue!r}: {error}") from None
        return bound

    def publish(self, queue: QueueConfig, body: str, content_type: str) -> None:
        from kombu import Producer

        bound = self._bound(queue)
        Producer(bound.channel).publish(
            body, routing_key=queue.queue, content_type=content_type, content_encoding="utf-8", declare=[bound]
        )

    def take_all(self, queue: QueueConfig) -> list[Message]:
        """Every message waiting on the queue now, taken off it."""
        bound = self._bound(queue)
        taken = []
        while (message := bound.get(no_ack=True)) is not None:
            body = message.body
            text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
            taken.append(Message(queue.name, text, message.content_type))
        return taken

    def purge(self, queue: QueueConfig) -> None:
        self._bound(queue).purge()

    def close(self) -> None:
        while self._brokers:
            _, broker = self._brokers.popitem()
            broker.close()


# -- steps' core calls -------------------------------------------------------------------


def _queue(ctx: Context, name: str) -> QueueConfig:
    queue = ctx.runtime.config.queue(ctx.variables.expand(name))
    # `name: orders-${worker}`: each worker of a parallel run reads its own queue on a shared broker.
    return dataclasses.replace(queue, queue=ctx.runtime.with_worker(queue.queue))


def _used(ctx: Context, queue: QueueConfig) -> list[Message]:
    """The test's messages of ``queue``; its first successful use registers its purge at the test's end
    (after it was reached: an unreachable broker is reported once, by the step)."""
    if queue.name not in ctx.messaging.received:
        ctx.messaging.received[queue.name] = []
        brokers = ctx.runtime.resource(Brokers)
        ctx.add_cleanup(f"purge queue {queue.name!r}", lambda: brokers.purge(queue))
    messages: list[Message] = ctx.messaging.received[queue.name]
    return messages


def publish(ctx: Context, queue_name: str, text: str) -> None:
    queue = _queue(ctx, queue_name)
    body = ctx.variables.expand(text)
    stripped = body.lstrip()
    if stripped.startswith(("{", "[")):
        parse_json(body, "message")  # a typo in a JSON document fails here, with its position
        content_type = "application/json"
    else:
        content_type = "text/plain"
    ctx.runtime.resource(Brokers).publish(queue, body, content_type)
    _used(ctx, queue)
    ctx.log(f"published to queue {queue.queue!r} ({content_type}):\n{body}")


def receive_matching(ctx: Context, queue_name: str, expected_text: str) -> Message:
    """One look at the queue: take what has arrived, and claim the first message matching."""
    expected = parse_json(ctx.variables.expand(expected_text), "expected message")
    queue = _queue(ctx, queue_name)
    arrived = ctx.runtime.resource(Brokers).take_all(queue)
    seen = _used(ctx, queue)
    seen.extend(arrived)
    for index, message in enumerate(seen):
        document = message.json()
        if document is not NOT_JSON and matches_document(expected, document):
            del seen[index]  # each message satisfies one check
            ctx.messaging.last_message = message
            ctx.log(f"message from queue {queue.queue!r}:\n{json.dumps(document, indent=2, ensure_ascii=False)}")
            return message
    listing = "; ".join(f"{n}. {m.describe()}" for n, m in enumerate(seen, 1)) or "none"
    raise CheckFailed(
        f"no message on queue {queue.queue!r} matches {describe(expected)}; "
        f"messages received in this test and not yet matched: {listing}"
    )


def store_message_field(ctx: Context, path: str, name: str) -> None:
    message = ctx.messaging.last_message
    if message is None:
        raise CheckFailed("no message received yet: check for a message before storing its fields")
    document = message.json()
    if document is NOT_JSON:
        raise CheckFailed(f"the last message is not JSON: {message.describe()}")
    path = ctx.variables.expand(path)
    found = find_all(document, path)
    if not found:
        raise CheckFailed(f"the last message has no field at {path}: {message.describe()}")
    ctx.store(name, found[0] if len(found) == 1 else found)
