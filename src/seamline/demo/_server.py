"""Serving the demo shop with uvicorn: in a thread (tests) or in the foreground.

uvicorn and FastAPI are imported inside the functions: importing
``seamline.demo`` should cost nothing for code that never starts the shop.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

__all__ = ["base_url", "bind_socket", "build_server", "running_demo"]

DB_FILE_NAME = "demo-shop.db"
STARTUP_TIMEOUT = 15.0
# In-flight requests (e.g. a /delay a client gave up on) get this long to
# finish when the server stops, then they are cancelled.
GRACEFUL_SHUTDOWN_SECONDS = 2


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; binding here lets port 0 pick a free port."""
    # The resolver picks IPv4 or IPv6 for names such as "localhost" or "::1".
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.create_server((host, port), family=family)
    # asyncio turns Nagle off only on sockets made with proto=IPPROTO_TCP, which create_server
    # does not give; without it every answer waits ~40 ms for a delayed ACK. Accepted
    # connections inherit the option.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def base_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def build_server(
    app: FastAPI,
    *,
    log_level: str = "warning",
    configure_logging: bool = False,
    on_started: Callable[[], None] | None = None,
) -> uvicorn.Server:
    """A uvicorn server for ``app``; ``on_started`` runs once it accepts requests.

    ``configure_logging=False`` leaves the host process's logging setup alone
    (uvicorn would otherwise apply its own dictConfig).
    """
    import uvicorn

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and on_started is not None:
                on_started()

    config = uvicorn.Config(
        app,
        log_level=log_level,
        log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
        access_log=log_level in ("debug", "trace", "info"),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return _Server(config)


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1.0) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


@contextlib.contextmanager
def running_demo(
    db_path: str | Path | None = None,
    users: Mapping[str, str] | None = None,
    **options: Any,
) -> Iterator[str]:
    """Run the demo shop on a free loopback port; yields its base URL.

    Without ``db_path`` the database lives in a temporary directory that is
    removed afterwards. ``options`` go to :func:`create_app` (``payments_url``,
    ``broker_url``, ``queue``, ``settle_delay``, ``payment_retry``). On exit the server is stopped
    and its thread joined.
    """
    from seamline.demo._app import create_app

    with contextlib.ExitStack() as stack:
        if db_path is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="seamline-demo-"))
            db_path = Path(tmp) / DB_FILE_NAME
        app = create_app(db_path, users, **options)
        # Also closed by the app's lifespan, except when startup failed.
        stack.callback(app.state.store.close)
        sock = stack.enter_context(bind_socket("127.0.0.1", 0))
        url = base_url("127.0.0.1", sock)
        server = build_server(app)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="seamline-demo", daemon=True
        )
        thread.start()
        stack.callback(_stop, server, thread)
        _wait_until_healthy(url, thread)
        yield url


def _wait_until_healthy(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the demo shop failed to start; see the log above")
        if _health_ok(url):
            return
        time.sleep(0.02)
    raise RuntimeError(f"the demo shop did not answer {url}/health within {STARTUP_TIMEOUT}s")


def _stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(GRACEFUL_SHUTDOWN_SECONDS + 5)
    if thread.is_alive():  # stuck in shutdown: skip the graceful part
        server.force_exit = True
        thread.join()
