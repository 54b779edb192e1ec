"""TLS certificates are verified unless a service says otherwise."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.bilingual import Project, Scenario


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"hello": "tls"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def self_signed_url() -> Iterator[str]:
    """An HTTPS server on loopback whose certificate no trust store knows."""
    import trustme

    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_verification_is_on_by_default_and_switchable(project: Project, front_end: str, self_signed_url: str) -> None:
    project.write_config(
        f"""
        services:
          strict:
            base_url: {self_signed_url}
          relaxed:
            base_url: {self_signed_url}
            verify_tls: false
        """
    )
    refused = Scenario.parse("a self-signed certificate is refused", 'When I GET "/"')
    accepted = Scenario.parse(
        "verification can be switched off",
        'Given I use the service "relaxed"\nWhen I GET "/"\nThen the response field "$.hello" is "tls"',
    )
    result = project.run(front_end, refused, accepted, warns=True)  # the refused exchange is logged as a warning
    first_line = result[refused.name].message.splitlines()[0]
    assert "TLS verification failed" in first_line
    assert "set verify_tls: false for service 'strict'" in first_line
    assert result[accepted.name].passed, result[accepted.name].message
