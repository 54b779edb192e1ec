"""The real database and broker servers of the CI machine, for the tests that need one.

Each test asks for a server by name; its URL comes from an environment variable. Where
the variable is unset (a developer's laptop) the test is skipped, unless
SEAMLINE_TEST_REQUIRE_SERVERS=1 (set by .ci/run) turns that skip into a failure, so CI
never passes by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

URL_VARIABLES = {
    "postgres": "SEAMLINE_TEST_POSTGRES_URL",
    "mysql": "SEAMLINE_TEST_MYSQL_URL",
    "amqp": "SEAMLINE_TEST_AMQP_URL",
    "redis": "SEAMLINE_TEST_REDIS_URL",
}


def server_url(name: str) -> str:
    """The URL of a real server, or a skip (a failure when servers are required)."""
    variable = URL_VARIABLES[name]
    url = os.environ.get(variable)
    if url:
        return url
    message = f"{variable} is not set: no real {name} server for this test"
    if os.environ.get("SEAMLINE_TEST_REQUIRE_SERVERS") == "1":
        pytest.fail(message + " (SEAMLINE_TEST_REQUIRE_SERVERS=1 forbids skipping)")
    pytest.skip(message)


def unique_name(prefix: str) -> str:
    """A table, schema or queue name no other test run or worker shares."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on a free port of ``host`` (127.0.0.2 for a second origin), served
    by ``handler`` in a thread, shut down and closed at the end."""
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
