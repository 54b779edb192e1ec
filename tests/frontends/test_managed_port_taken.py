"""A managed service whose fixed port another process already holds (issue 10, finding 9).

A small HTTP server, a stranger to the run, holds the port the config fixes for the
managed demo shop. Seamline must notice before it starts the shop: the run's first use
fails with one line naming the port and what answered there, and no test's request
reaches the stranger (it sees only Seamline's look at its health URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario
from tests.servers import serving


class _Stranger(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        body = b'{"sku": "A1", "price": 29.99, "stranger": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stranger() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on a loopback port of its own; the requests it received."""
    seen: list[str] = []
    with serving(type("Handler", (_Stranger,), {"seen": seen})) as server:
        yield server.server_address[1], seen


@pytest.mark.parametrize("fixed_by", ["port setting", "base url"])
def test_a_fixed_port_held_by_another_process_fails_the_first_use_with_one_line(
    project: Project, front_end: str, stranger: tuple[int, list[str]], tmp_path: Path, fixed_by: str
) -> None:
    port, seen = stranger
    # `port: N` with ${port}, or the port written into the base URL and command (no port: given)
    written, setting = ("${port}", f"port: {port}") if fixed_by == "port setting" else (str(port), "")
    project.write_config(
        f"""
        services:
          shop:
            base_url: http://127.0.0.1:{written}
            start:
              command: ${{python}} -m seamline.demo --port {written} --db {tmp_path / "managed.db"}
              health: /health
              {setting}
        """
    )
    first = Scenario.parse("first use", 'When I GET "/products/A1"\nThen the response status is 200')
    second = Scenario.parse("a later test", 'When I GET "/products/B2"\nThen the response status is 200')
    result = project.run(front_end, first, second)
    for scenario in (first, second):
        outcome = result[scenario.name]
        assert not outcome.passed, result.output
        line = outcome.message.splitlines()[0]
        assert (
            f"managed service 'shop' cannot start: port {port} is already in use by another process "
            "(GET /health answered 200 OK"
        ) in line, line
        assert "Traceback" not in outcome.message
    # Seamline looked at the stranger's health URL to say what answered; no test's request got there.
    assert seen and set(seen) == {"GET /health"}, seen
    assert not (tmp_path / "managed.db").exists()  # the shop was never started
