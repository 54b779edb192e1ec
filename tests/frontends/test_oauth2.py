"""OAuth2 grants as auth profiles, against a real token endpoint on loopback: client
credentials (kept for the run by its expires_in), refresh tokens (rotated), and the one line
for an expired refresh token or an answer without a token."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus

import pytest

from seamline.core.config import load_config
from seamline.core.errors import ConfigError
from tests.bilingual import Project, Scenario
from tests.servers import serving

CLIENTS = {"acme": "s3cret-acme+/=", "silent": "s3cret-silent"}


@dataclass
class Issuer:
    grants: Counter[str] = field(default_factory=Counter)  # by grant type and client
    client_auth: list[str] = field(default_factory=list)  # "basic" or "body", per grant
    refresh_tokens: set[str] = field(default_factory=lambda: {"r1"})  # r-expired is not among them
    access: dict[str, str] = field(default_factory=dict)  # access token -> who
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class TokenEndpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            client, secret = form.get("client_id"), form.get("client_secret")
            how = "body"
            scheme, _, pair = (self.headers.get("Authorization") or "").partition(" ")
            if scheme == "Basic":
                client, _, secret = base64.b64decode(pair).decode().partition(":")
                client, secret, how = unquote_plus(client), unquote_plus(secret), "basic"
            grant = form.get("grant_type")
            with issuer.lock:
                issuer.grants[f"{grant}:{client}"] += 1
                issuer.client_auth.append(how)
                if grant == "client_credentials":
                    if CLIENTS.get(client or "") != secret:
                        return self._answer(401, {"error": "invalid_client"})
                    if client == "silent":
                        return self._answer(200, {"token_type": "bearer"})
                    return self._answer(200, self._issue(f"{client}:{form.get('scope', '')}", 3600))
                if grant == "refresh_token":
                    used = form.get("refresh_token", "")
                    if used not in issuer.refresh_tokens:
                        return self._answer(
                            400, {"error": "invalid_grant", "error_description": "refresh token expired"}
                        )
                    issuer.refresh_tokens.discard(used)  # rotation: each refresh token serves once
                    answer = self._issue(f"user-of-{client}", 1)  # lasts less than the margin: refreshed each test
                    answer["refresh_token"] = "r-" + secrets.token_hex(4)
                    issuer.refresh_tokens.add(answer["refresh_token"])
                    return self._answer(200, answer)
            self._answer(400, {"error": "unsupported_grant_type"})

        def _issue(self, who: str, lasts: int) -> dict[str, object]:
            token = secrets.token_urlsafe(12)
            issuer.access[token] = who
            return {"access_token": token, "token_type": "bearer", "expires_in": lasts}

        def do_GET(self) -> None:
            scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
            if scheme != "Bearer" or token not in issuer.access:
                return self._answer(401, {"error": "invalid_token"})
            self._answer(200, {"who": issuer.access[token]})

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return TokenEndpoint


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def issuer_url(issuer: Issuer) -> Iterator[str]:
    with serving(_handler(issuer)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


CONFIG = """\
services:
  idp: {url}
auth:
  partner:
    oauth2: client_credentials
    token_url: /oauth/token
    scope: orders
    users:
      acme: {{client_secret: "s3cret-acme+/="}}
      silent: {{client_secret: s3cret-silent}}
  partner_in_body:
    oauth2: client_credentials
    client_auth: body
    token_url: /oauth/token
    users:
      acme: {{client_secret: "s3cret-acme+/="}}
  mobile:
    oauth2: refresh_token
    token_url: /oauth/token
    users:
      alice: {{client_id: app, refresh_token: r1}}
      dave: {{client_id: app, refresh_token: r-expired}}
"""


def test_client_credentials_are_granted_once_for_the_run(
    project: Project, front_end: str, issuer_url: str, issuer: Issuer
) -> None:
    project.write_config(CONFIG.format(url=issuer_url))
    scenarios = [
        Scenario.parse(
            f"the partner lists orders {n}",
            """
            Given I obtain a "partner" token as "acme"
            When I GET "/orders"
            Then the response status is 200
            And the response field "$.who" is "acme:orders"
            """,
        )
        for n in (1, 2, 3)
    ]
    in_body = Scenario.parse(
        "the client's secret in the form",
        'Given I obtain a "partner_in_body" token as "acme"\nWhen I GET "/orders"\nThen the response status is 200',
    )
    no_token = Scenario.parse("an answer without a token", 'Given I obtain a "partner" token as "silent"')
    result = project.run(front_end, *scenarios, in_body, no_token)
    for scenario in (*scenarios, in_body):
        assert result[scenario.name].passed, result[scenario.name].message
    assert issuer.grants == Counter({"client_credentials:acme": 2, "client_credentials:silent": 1})
    assert issuer.client_auth == ["basic", "body", "basic"]
    first_line = result[no_token.name].message.splitlines()[0]
    assert first_line.endswith(
        "token request of auth profile 'partner' for user 'silent': no token at $.access_token in its answer "
        '(200: {"token_type": "bearer"})'
    ), first_line
    assert "s3cret" not in result.output


def test_refresh_tokens_are_rotated_and_an_expired_one_is_one_line(
    project: Project, front_end: str, issuer_url: str, issuer: Issuer
) -> None:
    project.write_config(CONFIG.format(url=issuer_url))
    scenarios = [
        Scenario.parse(
            f"alice refreshes {n}",
            """
            Given I obtain a "mobile" token as "alice"
            When I GET "/me"
            Then the response field "$.who" is "user-of-app"
            """,
        )
        for n in (1, 2)
    ]
    expired = Scenario.parse("dave's refresh token has expired", 'Given I obtain a "mobile" token as "dave"')
    result = project.run(front_end, *scenarios, expired)
    for scenario in scenarios:
        assert result[scenario.name].passed, result[scenario.name].message
    # The access token lasts 1 s, less than the margin: each test refreshes, with the token the last answer gave.
    assert issuer.grants["refresh_token:app"] == 3
    first_line = result[expired.name].message.splitlines()[0]
    assert first_line.endswith(
        "token request of auth profile 'mobile' for user 'dave' failed: the token endpoint refused the refresh "
        "token, expired or revoked (400 invalid_grant); give the user a new refresh_token"
    ), first_line


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("partner: {oauth2: client_credentials}", "auth.partner.oauth2: an oauth2 profile names its token_url"),
        ("partner: {users: {a: {}}}", "auth.partner needs a request (or an oauth2 grant and its token_url)"),
        (
            "partner: {oauth2: password, token_url: /t}",
            "auth.partner.oauth2 must be one of 'client_credentials' or 'refresh_token', not 'password'",
        ),
    ],
)
def test_an_oauth2_profile_written_wrong_is_one_line(tmp_path: Path, profile: str, message: str) -> None:
    path = tmp_path / "seamline.yaml"
    path.write_text(f"services:\n  idp: http://127.0.0.1:1\nauth:\n  {profile}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in raised.value.message
    assert "\n" not in raised.value.message
