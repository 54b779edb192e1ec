"""The demo shop, tested over real HTTP on loopback with a real SQLite file."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from seamline.demo import DEFAULT_USERS, USERS_ENV_VAR, parse_users, running_demo
from seamline.demo._store import Store

TIMEOUT = 10


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def url(db_path: Path) -> Iterator[str]:
    """A shop of its own, for tests that change or inspect data."""
    with running_demo(db_path) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One shop for the tests that only read seeded data (saves a restart each)."""
    with running_demo(tmp_path_factory.mktemp("shared") / "shop.db") as base_url:
        yield base_url


def get_token(url: str, user: str = "alice", password: str = "wonderland") -> str:
    response = requests.post(
        f"{url}/auth/token", json={"username": user, "password": password}, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    assert isinstance(token, str)
    return token


def auth(url: str, user: str = "alice", password: str = "wonderland") -> dict[str, str]:
    return {"usertoken": get_token(url, user, password)}


def rows(db_path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- health and auth ------------------------------------------------------------


def test_health(shared_url: str) -> None:
    response = requests.get(f"{shared_url}/health", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_token_for_good_credentials(shared_url: str) -> None:
    response = requests.post(
        f"{shared_url}/auth/token", json={"username": "bob", "password": "builder"}, timeout=TIMEOUT
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == "bob"
    assert len(body["token"]) >= 20
    assert get_token(shared_url, "bob", "builder") != body["token"]  # random, not derived


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong"), ("nobody", "wonderland"), ("alice", "")]
)
def test_token_bad_credentials_401(shared_url: str, username: str, password: str) -> None:
    response = requests.post(
        f"{shared_url}/auth/token",
        json={"username": username, "password": password},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid username or password"}


@pytest.mark.parametrize(
    "body",
    ['{"username": "alice", ', '{"username": "alice"}', '["alice", "wonderland"]', ""],
    ids=["malformed", "missing-password", "not-an-object", "empty"],
)
def test_token_bad_request_400(shared_url: str, body: str) -> None:
    response = requests.post(
        f"{shared_url}/auth/token",
        data=body,
        headers={"content-type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("in_body", [False, True], ids=["basic", "body"])
def test_oauth2_client_credentials_give_a_usertoken(shared_url: str, in_body: bool) -> None:
    form = {"grant_type": "client_credentials"}
    basic: tuple[str, str] | None = ("bob", "builder")
    if in_body:
        form.update(client_id="bob", client_secret="builder")
        basic = None
    response = requests.post(f"{shared_url}/oauth/token", data=form, auth=basic, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3600
    cart = requests.get(f"{shared_url}/cart", headers={"usertoken": answer["access_token"]}, timeout=TIMEOUT)
    assert cart.status_code == 200 and cart.json()["user"] == "bob", cart.text


def test_oauth2_refresh_tokens_are_rotated(shared_url: str) -> None:
    def refresh(token: str) -> requests.Response:
        form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": "shop-app"}
        return requests.post(f"{shared_url}/oauth/token", data=form, timeout=TIMEOUT)

    first = refresh("rt-alice")
    assert first.status_code == 200, first.text
    rotated = first.json()["refresh_token"]
    second = refresh(rotated)
    assert second.status_code == 200 and second.json()["refresh_token"] != rotated
    cart = requests.get(f"{shared_url}/cart", headers={"usertoken": second.json()["access_token"]}, timeout=TIMEOUT)
    assert cart.json()["user"] == "alice"
    refused = refresh("rt-nobody")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("form", "basic", "status", "error"),
    [
        ({"grant_type": "password"}, ("bob", "builder"), 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, None, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, ("bob", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": "eve", "client_secret": "?"}, None, 401, "invalid_client"),
    ],
    ids=["grant", "no-client", "wrong-secret", "unknown-client"],
)
def test_oauth2_errors_are_rfc_6749_errors(
    shared_url: str, form: dict[str, str], basic: tuple[str, str] | None, status: int, error: str
) -> None:
    response = requests.post(f"{shared_url}/oauth/token", data=form, auth=basic, timeout=TIMEOUT)
    assert response.status_code == status
    assert response.json()["error"] == error


# -- products -------------------------------------------------------------------


def test_products_are_seeded(shared_url: str) -> None:
    response = requests.get(f"{shared_url}/products", timeout=TIMEOUT)
    assert response.status_code == 200
    products = {p["sku"]: p for p in response.json()}
    assert products["A1"] == {"sku": "A1", "name": "Widget", "price": 29.99}
    assert products["B2"] == {"sku": "B2", "name": "Gadget", "price": 9.5}
    assert products["C3"] == {"sku": "C3", "name": "Doohickey", "price": 4.25}


def test_product_by_sku_and_404(shared_url: str) -> None:
    found = requests.get(f"{shared_url}/products/C3", timeout=TIMEOUT)
    assert found.status_code == 200
    assert found.json()["name"] == "Doohickey"
    missing = requests.get(f"{shared_url}/products/NOPE", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert "NOPE" in missing.json()["error"]


def test_create_product_through_the_api(url: str) -> None:
    headers = auth(url)
    new = {"sku": "E5", "name": "Gizmo", "price": 12.5}
    created = requests.post(f"{url}/products", json=new, headers=headers, timeout=TIMEOUT)
    assert created.status_code == 201
    assert created.json() == new
    assert requests.get(f"{url}/products/E5", timeout=TIMEOUT).json() == new
    again = requests.post(f"{url}/products", json=new, headers=headers, timeout=TIMEOUT)
    assert again.status_code == 409
    too_precise = {"sku": "F6", "name": "Gizmo", "price": 1.005}
    bad = requests.post(f"{url}/products", json=too_precise, headers=headers, timeout=TIMEOUT)
    assert bad.status_code == 400


# -- cart -----------------------------------------------------------------------

TWO_WIDGETS = {"items": [{"sku": "A1", "qty": 2}]}
TWO_WIDGETS_CART = {
    "user": "alice",
    "items": [{"sku": "A1", "qty": 2, "name": "Widget", "price": 29.99}],
    "total": 59.98,
}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("headers", [{}, {"usertoken": "not-a-token"}], ids=["none", "invalid"])
def test_cart_requires_token_401(shared_url: str, method: str, headers: dict[str, str]) -> None:
    response = requests.request(
        method, f"{shared_url}/cart", json=TWO_WIDGETS, headers=headers, timeout=TIMEOUT
    )
    assert response.status_code == 401
    assert "usertoken" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        '{"items": [{"sku": "A1", "qty": 2}]',
        '{"items": [{"sku": "A1", "qty": 0}]}',
        '{"items": [{"sku": "A1", "qty": -1}]}',
        '{"items": [{"sku": "A1", "qty": 1.5}]}',
        '{"items": [{"sku": "A1", "qty": "2"}]}',
        '{"items": [{"sku": "A1", "qty": true}]}',
        '{"items": [{"sku": "A1"}]}',
        '{"items": {"sku": "A1", "qty": 2}}',
        '{"items": [{"sku": "A1", "qty": 1}, {"sku": "A1", "qty": 1}]}',
        '{"items": [{"sku": "A1", "quantity": 2}]}',
        "{}",
        "",
    ],
    ids=[
        "malformed",
        "qty-zero",
        "qty-negative",
        "qty-float",
        "qty-string",
        "qty-bool",
        "qty-missing",
        "items-not-list",
        "duplicate-sku",
        "unknown-field",
        "no-items",
        "empty-body",
    ],
)
def test_cart_bad_body_400(url: str, db_path: Path, body: str) -> None:
    response = requests.put(
        f"{url}/cart",
        data=body,
        headers={**auth(url), "content-type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}
    assert rows(db_path, "SELECT * FROM cart_items") == []


def test_cart_happy_path(url: str, db_path: Path) -> None:
    headers = auth(url)
    put = requests.put(f"{url}/cart", json=TWO_WIDGETS, headers=headers, timeout=TIMEOUT)
    assert put.status_code == 200
    assert put.json() == TWO_WIDGETS_CART
    assert '"total":59.98' in put.text  # two decimals on the wire, no float noise
    got = requests.get(f"{url}/cart", headers=headers, timeout=TIMEOUT)
    assert got.status_code == 200
    assert got.json() == TWO_WIDGETS_CART
    assert rows(db_path, "SELECT user, sku, qty FROM cart_items") == [("alice", "A1", 2)]


def test_cart_totals_are_exact(url: str) -> None:
    # 3 x 0.99 is 2.9699999999999998 in binary floating point.
    body = {"items": [{"sku": "D4", "qty": 3}, {"sku": "B2", "qty": 1}]}
    response = requests.put(f"{url}/cart", json=body, headers=auth(url), timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["total"] == 12.47
    assert [item["sku"] for item in response.json()["items"]] == ["D4", "B2"]  # request order


def test_cart_is_per_user_and_replaced(url: str) -> None:
    alice, bob = auth(url), auth(url, "bob", "builder")
    requests.put(f"{url}/cart", json=TWO_WIDGETS, headers=alice, timeout=TIMEOUT)
    one_gadget = {"items": [{"sku": "B2", "qty": 1}]}
    requests.put(f"{url}/cart", json=one_gadget, headers=bob, timeout=TIMEOUT)
    assert requests.get(f"{url}/cart", headers=alice, timeout=TIMEOUT).json() == TWO_WIDGETS_CART
    replaced = {"items": [{"sku": "C3", "qty": 4}]}
    response = requests.put(f"{url}/cart", json=replaced, headers=alice, timeout=TIMEOUT)
    assert response.json()["items"] == [{"sku": "C3", "qty": 4, "name": "Doohickey", "price": 4.25}]
    assert response.json()["total"] == 17.0
    assert requests.get(f"{url}/cart", headers=bob, timeout=TIMEOUT).json()["total"] == 9.5


def test_cart_unknown_sku_404_keeps_cart(url: str) -> None:
    headers = auth(url)
    requests.put(f"{url}/cart", json=TWO_WIDGETS, headers=headers, timeout=TIMEOUT)
    body = {"items": [{"sku": "B2", "qty": 1}, {"sku": "ZZ9", "qty": 1}]}
    response = requests.put(f"{url}/cart", json=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 404
    assert "ZZ9" in response.json()["error"]
    assert requests.get(f"{url}/cart", headers=headers, timeout=TIMEOUT).json() == TWO_WIDGETS_CART


def test_delete_cart_204(url: str, db_path: Path) -> None:
    headers = auth(url)
    requests.put(f"{url}/cart", json=TWO_WIDGETS, headers=headers, timeout=TIMEOUT)
    response = requests.delete(f"{url}/cart", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 204
    assert response.content == b""
    empty = requests.get(f"{url}/cart", headers=headers, timeout=TIMEOUT).json()
    assert empty == {"user": "alice", "items": [], "total": 0}
    assert rows(db_path, "SELECT * FROM cart_items") == []


def test_cart_survives_a_restart(db_path: Path) -> None:
    with running_demo(db_path) as url:
        response = requests.put(f"{url}/cart", json=TWO_WIDGETS, headers=auth(url), timeout=TIMEOUT)
        assert response.status_code == 200
    with running_demo(db_path) as url:
        response = requests.get(f"{url}/cart", headers=auth(url), timeout=TIMEOUT)
        assert response.json() == TWO_WIDGETS_CART


def test_removed_user_token_is_refused(db_path: Path) -> None:
    with running_demo(db_path) as url:
        token = get_token(url, "bob", "builder")
    with running_demo(db_path, users={"alice": "wonderland"}) as url:
        response = requests.get(f"{url}/cart", headers={"usertoken": token}, timeout=TIMEOUT)
        assert response.status_code == 401


# -- orders ---------------------------------------------------------------------


def test_order_create_get_list_delete(url: str, db_path: Path) -> None:
    headers = auth(url)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    created = requests.post(f"{url}/orders", json=TWO_WIDGETS, headers=headers, timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    order = created.json()
    assert uuid.UUID(order["id"]).version == 4
    assert order["status"] == "pending"
    assert order["items"] == TWO_WIDGETS_CART["items"]
    assert order["total"] == 59.98
    assert order["created"].endswith("Z")
    moment = datetime.fromisoformat(order["created"].replace("Z", "+00:00"))
    assert before <= moment <= datetime.now(timezone.utc)

    got = requests.get(f"{url}/orders/{order['id']}", headers=headers, timeout=TIMEOUT)
    assert got.status_code == 200
    assert got.json() == order
    listed = requests.get(f"{url}/orders", headers=headers, timeout=TIMEOUT)
    assert listed.json() == [order]
    assert rows(db_path, "SELECT id, user, status, total FROM orders") == [
        (order["id"], "alice", "pending", "59.98")
    ]
    assert rows(db_path, "SELECT order_id, sku, qty, price FROM order_items") == [
        (order["id"], "A1", 2, "29.99")
    ]

    deleted = requests.delete(f"{url}/orders/{order['id']}", headers=headers, timeout=TIMEOUT)
    assert deleted.status_code == 204
    gone = requests.get(f"{url}/orders/{order['id']}", headers=headers, timeout=TIMEOUT)
    assert gone.status_code == 404
    assert "error" in gone.json()
    again = requests.delete(f"{url}/orders/{order['id']}", headers=headers, timeout=TIMEOUT)
    assert again.status_code == 404
    assert rows(db_path, "SELECT * FROM order_items") == []


def test_orders_are_private_and_validated(url: str) -> None:
    alice, bob = auth(url), auth(url, "bob", "builder")
    order = requests.post(f"{url}/orders", json=TWO_WIDGETS, headers=alice, timeout=TIMEOUT)
    order_id = order.json()["id"]
    assert requests.get(f"{url}/orders/{order_id}", headers=bob, timeout=TIMEOUT).status_code == 404
    deleted = requests.delete(f"{url}/orders/{order_id}", headers=bob, timeout=TIMEOUT)
    assert deleted.status_code == 404
    assert requests.get(f"{url}/orders", headers=bob, timeout=TIMEOUT).json() == []
    assert requests.get(f"{url}/orders", timeout=TIMEOUT).status_code == 401
    assert requests.post(f"{url}/orders", json=TWO_WIDGETS, timeout=TIMEOUT).status_code == 401
    empty = requests.post(f"{url}/orders", json={"items": []}, headers=alice, timeout=TIMEOUT)
    assert empty.status_code == 400
    unknown = {"items": [{"sku": "ZZ9", "qty": 1}]}
    response = requests.post(f"{url}/orders", json=unknown, headers=alice, timeout=TIMEOUT)
    assert response.status_code == 404


# -- posts ----------------------------------------------------------------------


def test_posts_to_comments_chain(shared_url: str) -> None:
    posts = requests.get(f"{shared_url}/posts", timeout=TIMEOUT)
    assert posts.status_code == 200
    assert [post["id"] for post in posts.json()][:3] == [1, 2, 3]
    assert set(posts.json()[0]) == {"id", "userId", "title", "body"}
    post_id = posts.json()[1]["id"]
    post = requests.get(f"{shared_url}/posts/{post_id}", timeout=TIMEOUT)
    assert post.status_code == 200
    assert post.json() == posts.json()[1]
    comments = requests.get(f"{shared_url}/posts/{post_id}/comments", timeout=TIMEOUT)
    assert comments.status_code == 200
    assert len(comments.json()) >= 2
    for comment in comments.json():
        assert set(comment) == {"id", "postId", "name", "email", "body"}
        assert comment["postId"] == post_id


@pytest.mark.parametrize(
    ("path", "status"),
    [("/posts/999", 404), ("/posts/999/comments", 404), ("/posts/abc", 400)],
)
def test_unknown_post(shared_url: str, path: str, status: int) -> None:
    response = requests.get(f"{shared_url}{path}", timeout=TIMEOUT)
    assert response.status_code == status
    assert set(response.json()) == {"error"}


# -- echo, status, delay --------------------------------------------------------


def test_echo_json(shared_url: str) -> None:
    body = {"a": [1, 2.5, None], "b": {"c": "ü"}}
    response = requests.post(f"{shared_url}/echo", json=body, timeout=TIMEOUT)
    assert response.status_code == 200
    echo = response.json()
    assert echo["method"] == "POST"
    assert echo["path"] == "/echo"
    assert echo["body"] == body
    assert echo["content_type"] == "application/json"


def test_echo_malformed_json_400(shared_url: str) -> None:
    response = requests.post(
        f"{shared_url}/echo",
        data="{nope",
        headers={"content-type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["error"]


def test_echo_form(shared_url: str) -> None:
    form = {"name": "Ada Lovelace", "tag": ["x", "y"], "blank": ""}
    response = requests.put(f"{shared_url}/echo", data=form, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["method"] == "PUT"
    assert response.json()["body"] == form
    assert response.json()["content_type"] == "application/x-www-form-urlencoded"


def test_echo_multipart(shared_url: str) -> None:
    content = b"line one\r\nline two\n\x00\xff"
    response = requests.post(
        f"{shared_url}/echo",
        data={"note": "hello", "n": ["1", "2"]},
        files={"upload": ("report.bin", content, "application/octet-stream")},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json()["body"] == {
        "fields": {"note": "hello", "n": ["1", "2"]},
        "files": {
            "upload": {
                "filename": "report.bin",
                "content_type": "application/octet-stream",
                "size": len(content),
            }
        },
    }


def test_echo_query_headers_and_text(shared_url: str) -> None:
    response = requests.patch(
        f"{shared_url}/echo",
        params=[("q", "shoes"), ("tag", "a"), ("tag", "b")],
        headers={"X-Request-Id": "abc-123", "Content-Type": "text/plain"},
        data="just text",
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    echo = response.json()
    assert echo["method"] == "PATCH"
    assert echo["query"] == {"q": "shoes", "tag": ["a", "b"]}
    assert echo["headers"]["x-request-id"] == "abc-123"
    assert all(name == name.lower() for name in echo["headers"])
    assert echo["body"] == "just text"


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
def test_echo_without_body(shared_url: str, method: str) -> None:
    response = requests.request(method, f"{shared_url}/echo", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["method"] == method
    assert response.json()["body"] is None


def test_echo_head(shared_url: str) -> None:
    response = requests.head(f"{shared_url}/echo", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.content == b""


def test_status_codes(shared_url: str) -> None:
    unavailable = requests.get(f"{shared_url}/status/503", timeout=TIMEOUT)
    assert unavailable.status_code == 503
    assert unavailable.json() == {"status": 503}
    no_content = requests.get(f"{shared_url}/status/204", timeout=TIMEOUT)
    assert no_content.status_code == 204
    assert no_content.content == b""
    assert requests.get(f"{shared_url}/status/99", timeout=TIMEOUT).status_code == 400


def test_unknown_path_and_method(shared_url: str) -> None:
    missing = requests.get(f"{shared_url}/nowhere", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert set(missing.json()) == {"error"}
    wrong_method = requests.delete(f"{shared_url}/products", timeout=TIMEOUT)
    assert wrong_method.status_code == 405
    assert set(wrong_method.json()) == {"error"}


def test_delay_and_client_timeout(shared_url: str) -> None:
    response = requests.get(f"{shared_url}/delay/0.2", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.elapsed >= timedelta(seconds=0.2)
    assert response.json() == {"delay": 0.2}
    with pytest.raises(requests.Timeout):
        requests.get(f"{shared_url}/delay/5", timeout=0.3)
    assert requests.get(f"{shared_url}/delay/11", timeout=TIMEOUT).status_code == 400


# -- OpenAPI --------------------------------------------------------------------


def test_openapi_describes_errors_and_bodies(shared_url: str) -> None:
    doc = requests.get(f"{shared_url}/openapi.json", timeout=TIMEOUT).json()
    schemas = doc["components"]["schemas"]
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    put_cart = doc["paths"]["/cart"]["put"]
    for status in ("400", "401", "404"):
        assert put_cart["responses"][status]["content"]["application/json"]["schema"] == error_ref
    body_ref = put_cart["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schemas[body_ref.rsplit("/", 1)[1]]["properties"]["items"]["type"] == "array"
    assert doc["components"]["securitySchemes"]["UserToken"]["name"] == "usertoken"
    assert doc["paths"]["/orders"]["post"]["responses"]["201"]["content"]
    assert schemas["Order"]["properties"]["created"]["format"] == "date-time"
    # Validation errors are answered with 400, so 422 must not be promised.
    assert '"422"' not in json.dumps(doc)
    assert "HTTPValidationError" not in schemas
    expected = {"/health", "/auth/token", "/products", "/products/{sku}", "/cart", "/orders"}
    assert expected | {"/orders/{order_id}", "/posts/{post_id}/comments", "/echo"} <= set(
        doc["paths"]
    )


# -- running_demo, the store, users -----------------------------------------------


def test_running_demo_leaves_no_thread_and_stops_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the default db goes
    before = set(threading.enumerate())
    with running_demo() as url:
        assert set(threading.enumerate()) != before  # the server thread
        assert len(list(tmp_path.iterdir())) == 1  # the temporary database directory
        requests.get(f"{url}/products", timeout=TIMEOUT)
    assert set(threading.enumerate()) == before
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/health", timeout=TIMEOUT)


def test_store_is_thread_safe(db_path: Path) -> None:
    store = Store(db_path)
    errors: list[BaseException] = []

    def work(user: str) -> None:
        try:
            for qty in range(1, 31):
                store.replace_cart(user, [("A1", qty), ("B2", 1)])
                lines = store.get_cart(user)
                assert [line.qty for line in lines] == [qty, 1]
                store.create_order(user, [("C3", qty)])
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"user{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    assert errors == []
    assert rows(db_path, "SELECT count(*) FROM orders") == [(8 * 30,)]


def test_parse_users() -> None:
    assert parse_users("alice:wonderland, bob:build:er") == {
        "alice": "wonderland",
        "bob": "build:er",
    }
    for bad in ("alice", "alice:", ":pw", "", "a:1,a:2"):
        with pytest.raises(ValueError):
            parse_users(bad)
    assert dict(DEFAULT_USERS) == {"alice": "wonderland", "bob": "builder"}


def test_import_does_not_load_fastapi() -> None:
    code = "import sys, seamline.demo; print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["False", "False"]


# -- python -m seamline.demo ----------------------------------------------------


class Shop:
    """``python -m seamline.demo`` in a subprocess."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != USERS_ENV_VAR}
        self.env.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "seamline.demo", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
        )

    def first_line(self, timeout: float = 30) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "no output from the demo shop"
        return self.process.stdout.readline().decode().rstrip("\n")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdout, self.process.stderr):
                assert stream is not None
                stream.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cli_serves_and_stops_on_signal(tmp_path: Path, signum: int) -> None:
    port = free_port()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    shop = Shop("--port", str(port), env={"TMPDIR": str(scratch)})
    try:
        assert shop.first_line() == f"Demo shop listening on http://127.0.0.1:{port}"
        response = requests.get(f"http://127.0.0.1:{port}/health", timeout=TIMEOUT)
        assert response.json() == {"status": "ok"}
        assert len(list(scratch.iterdir())) == 1  # the default, temporary database
    finally:
        status = shop.stop(signum)
    assert status == 0
    assert list(scratch.iterdir()) == []  # removed at exit


def test_cli_users_and_db_options(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    shop = Shop("--port", "0", "--db", str(db), "--users", "carol:secret")
    try:
        line = shop.first_line()
        url = line.removeprefix("Demo shop listening on ")
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert get_token(url, "carol", "secret")
        denied = requests.post(
            f"{url}/auth/token",
            json={"username": "alice", "password": "wonderland"},
            timeout=TIMEOUT,
        )
        assert denied.status_code == 401
    finally:
        assert shop.stop() == 0
    assert rows(db, "SELECT user FROM tokens") == [("carol",)]


def test_cli_users_from_environment(tmp_path: Path) -> None:
    shop = Shop("--port", "0", "--db", str(tmp_path / "env.db"), env={USERS_ENV_VAR: "dave:pw"})
    try:
        url = shop.first_line().removeprefix("Demo shop listening on ")
        assert get_token(url, "dave", "pw")
    finally:
        assert shop.stop() == 0


def test_cli_rejects_bad_users(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "seamline.demo", "--users", "nopassword"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "name:password" in result.stderr


def test_cli_port_in_use(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "seamline.demo", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
