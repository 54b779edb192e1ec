"""The pieces of origin isolation that need no server: what an origin is, the cookie rule
that adds the port, and the service setting that keeps cookies for the run."""

from __future__ import annotations

import textwrap
from email.message import Message
from pathlib import Path
from urllib.request import Request

import pytest

from seamline.core.config import load_config
from seamline.core.errors import ConfigError
from seamline.core.http.cookies import new_cookie_jar
from seamline.core.http.exchange import origin_of


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8000/a?b=c", "http://127.0.0.1:8000"),
        ("HTTP://Example.COM/path", "http://example.com:80"),
        ("https://example.com", "https://example.com:443"),
        ("https://example.com:443/x", "https://example.com:443"),
        ("http://[::1]:9000/", "http://[::1]:9000"),
        ("127.0.0.2", ""),
        ("ftp://example.com", ""),
        ("http://host:port", ""),
    ],
)
def test_an_origin_is_scheme_host_and_port(url: str, origin: str) -> None:
    assert origin_of(url) == origin


class _Answer:
    """What the cookie module reads of a response: its headers."""

    def __init__(self, set_cookie: str) -> None:
        self.headers = Message()
        self.headers["Set-Cookie"] = set_cookie

    def info(self) -> Message:
        return self.headers


def test_a_cookie_goes_back_only_to_the_port_that_set_it() -> None:
    jar = new_cookie_jar()
    jar.extract_cookies(_Answer("x=1; Path=/"), Request("http://127.0.0.1:8000/login"))  # type: ignore[arg-type]

    def sent_to(url: str) -> str | None:
        request = Request(url)
        jar.add_cookie_header(request)
        return request.get_header("Cookie")

    assert sent_to("http://127.0.0.1:8000/cart") == "x=1"
    assert sent_to("http://127.0.0.1:9000/cart") is None  # the same host, another service
    assert sent_to("http://127.0.0.2:8000/cart") is None


def _sent_by_requests(jar: object, url: str) -> str | None:
    """The Cookie header requests builds from ``jar`` (with the standard policy, as it does)."""
    import requests

    session = requests.Session()
    session.cookies = jar  # type: ignore[assignment]
    return session.prepare_request(requests.Request("GET", url)).headers.get("Cookie")


def test_an_https_cookie_comes_back_on_the_default_port_and_not_to_another() -> None:
    jar = new_cookie_jar()
    jar.extract_cookies(_Answer("sid=1; Path=/; Secure"), Request("https://shop.example.com/login"))  # type: ignore[arg-type]
    assert _sent_by_requests(jar, "https://shop.example.com/cart") == "sid=1"
    assert _sent_by_requests(jar, "https://shop.example.com:8443/cart") is None


def test_a_domain_cookie_stays_with_the_host_that_set_it() -> None:
    jar = new_cookie_jar()
    answer = _Answer("sid=2; Domain=example.com; Path=/")
    jar.extract_cookies(answer, Request("https://api.example.com/login"))  # type: ignore[arg-type]
    assert _sent_by_requests(jar, "https://api.example.com/x") == "sid=2"
    assert _sent_by_requests(jar, "https://files.example.com/x") is None


def _service(tmp_path: Path, settings: str) -> bool:
    path = tmp_path / "seamline.yaml"
    path.write_text(textwrap.dedent(f"services:\n  shop:\n    base_url: http://x{settings}\n"), encoding="utf-8")
    return load_config(path).service("shop").keep_cookies


def test_keep_cookies_is_a_service_setting_off_by_default(tmp_path: Path) -> None:
    assert _service(tmp_path, "") is False
    assert _service(tmp_path, "\n    keep_cookies: true") is True
    with pytest.raises(ConfigError, match=r"services\.shop\.keep_cookies must be true or false, not 'always'"):
        _service(tmp_path, "\n    keep_cookies: always")
