"""Mutual TLS: a service's client certificate and key (from seamline.yaml) are presented to a
real HTTPS server on loopback that requires one; a missing certificate file is one line."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario


class _WhoAmI(BaseHTTPRequestHandler):
    """Answers with the common name of the client certificate the TLS handshake verified."""

    def do_GET(self) -> None:
        peer = self.connection.getpeercert()  # type: ignore[attr-defined]
        names = dict(pair[0] for pair in peer["subject"]) if peer else {}
        body = json.dumps({"client": names.get("commonName")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def mutual_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server that refuses a client without a certificate of its authority, and a
    folder holding such a certificate (client.pem) and its key (client.key)."""
    import trustme

    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("certs")
    client = authority.issue_cert("client.example", common_name="client.example")
    client.cert_chain_pems[0].write_to_path(str(folder / "client.pem"))
    client.private_key_pem.write_to_path(str(folder / "client.key"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    authority.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WhoAmI)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_service_presents_its_client_certificate(
    project: Project, front_end: str, mutual_tls: tuple[str, Path]
) -> None:
    url, folder = mutual_tls
    (project.root / "certs").mkdir()
    for name in ("client.pem", "client.key"):
        (project.root / "certs" / name).write_bytes((folder / name).read_bytes())
    project.write_config(
        f"""
        services:
          secure:
            base_url: {url}
            verify_tls: false
            client_cert: certs/client.pem   # relative to seamline.yaml
            client_key: certs/client.key
          anonymous:
            base_url: {url}
            verify_tls: false
          misconfigured:
            base_url: {url}
            verify_tls: false
            client_cert: certs/nowhere.pem
        """
    )
    presented = Scenario.parse(
        "the certificate is presented",
        'When I GET "/"\nThen the response status is 200\nAnd the response field "$.client" is "client.example"',
    )
    failed_check = Scenario.parse("a failed check after a handshake", 'When I GET "/"\nThen the response status is 418')
    refused = Scenario.parse("without one the server refuses", 'Given I use the service "anonymous"\nWhen I GET "/"')
    missing = Scenario.parse("a missing certificate file", 'Given I use the service "misconfigured"\nWhen I GET "/"')
    result = project.run(front_end, presented, refused, missing, failed_check, warns=True)
    assert result[presented.name].passed, result[presented.name].message
    # The curl command of a failure presents the certificate too, or the server would refuse it.
    certs = project.root / "certs"
    shown = result.output
    if front_end == "robot":  # the curl command is in Robot's log, beside the failure
        shown = (project.root / "robot-results" / "output.xml").read_text(encoding="utf-8")
    assert f"curl {url}/ --insecure --cert {certs / 'client.pem'} --key {certs / 'client.key'}" in shown
    assert not result[refused.name].passed
    refusal = result[refused.name].message.splitlines()[0]
    # What OpenSSL said depends on when the server hangs up (an EOF, or an alert): short, either way.
    assert f"GET {url}/: the TLS handshake failed (" in refusal, refusal
    assert "HTTPSConnectionPool" not in refusal, refusal
    assert refusal.endswith("); if it asks for a client certificate, give 'anonymous' a client_cert"), refusal
    first_line = result[missing.name].message.splitlines()[0]
    assert first_line.endswith(
        f"service 'misconfigured': client certificate file {project.root / 'certs' / 'nowhere.pem'} does not exist"
    ), first_line
