"""The demo shop's order events, published through kombu.

The broker URL comes from the shop's command line. ``filesystem:///some/folder`` is
kombu's filesystem transport on that folder: two processes share messages through it
with no broker server, which is how the example suites run on any machine.
"""

from __future__ import annotations

import json
import threading
from typing import Any

__all__ = ["EventPublisher"]


class EventPublisher:
    """Publishes JSON documents to one queue, through the broker's default exchange."""

    def __init__(self, broker_url: str, queue: str) -> None:
        self.broker_url = broker_url
        self.queue = queue
        self._connection: Any = None
        # Requests and the background settlement of payments both publish.
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        from kombu import Connection

        if self.broker_url.startswith("filesystem://"):
            folder = self.broker_url.removeprefix("filesystem://") or "."
            options = {"data_folder_in": folder, "data_folder_out": folder}
            return Connection("filesystem://", transport_options=options)
        return Connection(self.broker_url, connect_timeout=5)

    def publish(self, event: dict[str, Any]) -> None:
        from kombu import Producer, Queue

        with self._lock:
            if self._connection is None:
                connection = self._connect()
                try:
                    # One quick try: the shop answers from one event loop, which must not hang
                    # on a broker that is down (kombu's default is to keep retrying).
                    connection.ensure_connection(max_retries=0, timeout=2)
                except Exception:
                    connection.release()
                    raise
                self._connection = connection
            channel = self._connection.default_channel
            queue = Queue(self.queue, routing_key=self.queue)(channel)
            Producer(channel).publish(
                json.dumps(event),
                routing_key=self.queue,
                content_type="application/json",
                content_encoding="utf-8",
                declare=[queue],
            )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.release()
                self._connection = None
