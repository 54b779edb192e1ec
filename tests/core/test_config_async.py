"""The config sections of asynchronous flows: brokers, queues, stubs, retry and until settings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from seamline.core.config import load_config
from seamline.core.errors import ConfigError


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "seamline.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(path)


def test_all_sections_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RABBIT_PASSWORD", "s3cret")
    config = _load(tmp_path, """\
        services:
          shop:
            base_url: http://127.0.0.1:8000
            retry: {statuses: [502, 503], connection_errors: true, attempts: 4, interval: 0.25}
            until: {timeout: 20, interval: 1}
        brokers:
          local: memory://
          rabbit: {url: "amqp://app:${env:RABBIT_PASSWORD}@127.0.0.1:5672//", connect_timeout: 2}
        default_broker: rabbit
        queues:
          orders: {name: shop.orders, wait: 3}
          audit: {broker: local}
        stubs:
          payments: {port: 9000}
          mail: {}
    """)
    shop = config.service("shop")
    assert shop.retry.statuses == {502, 503} and shop.retry.connection_errors and shop.retry.attempts == 4
    assert (shop.until.timeout, shop.until.interval) == (20.0, 1.0)
    assert config.broker().url == "amqp://app:s3cret@127.0.0.1:5672//"
    assert config.broker().connect_timeout == 2.0
    orders = config.queue("orders")
    assert (orders.broker, orders.queue, orders.wait) == ("rabbit", "shop.orders", 3.0)
    assert config.queue("audit").broker == "local"
    assert (config.queue("other").broker, config.queue("other").queue) == ("rabbit", "other")
    assert config.stub("payments").port == 9000
    assert config.stub("mail").port is None
    with pytest.raises(ConfigError, match=r"unknown stub 'unnamed'.*known stubs: payments, mail"):
        config.stub("unnamed")  # with a stubs section, another name is a typing mistake


def test_defaults_without_sections(tmp_path: Path) -> None:
    config = _load(tmp_path, "services:\n  shop: http://127.0.0.1:8000\n")
    assert config.service("shop").retry.attempts == 3 and not config.service("shop").retry.statuses
    assert config.service("shop").until.timeout == 10.0
    assert config.broker().url == "memory://"
    assert config.queue("orders").broker == "memory"
    assert config.broker(config.queue("orders").broker).url == "memory://"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services:\n  a: {base_url: 'http://x', retry: {statuses: [abc]}}", "retry.statuses must be a list"),
        ("services:\n  a: {base_url: 'http://x', retry: {attempts: 0}}", "retry.attempts must be a whole number"),
        ("services:\n  a: {base_url: 'http://x', retry: {tries: 2}}", "unknown key 'tries' under services.a.retry; known: statuses"),  # noqa: E501
        ("services:\n  a: {base_url: 'http://x', until: {timeout: -1}}", "until.timeout must be a positive number"),
        ("brokers:\n  a: {url: localhost}", "is not a URL such as memory://"),
        ("brokers:\n  a: memory://\nqueues:\n  q: {broker: b}", "queues.q.broker 'b' is not among the brokers (a)"),
        ("brokers:\n  a: memory://\ndefault_broker: b", "default_broker 'b' is not among the brokers"),
        ("stubs:\n  p: {port: 70000}", "stubs.p.port must be a port number or auto"),
        ("stubs:\n  p: [1]", "stubs.p must be a mapping"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as failure:
        _load(tmp_path, text)
    assert message in failure.value.message


def test_an_unknown_broker_lists_the_known_ones(tmp_path: Path) -> None:
    config = _load(tmp_path, "brokers:\n  events: memory://\n")
    with pytest.raises(ConfigError, match=r"unknown broker 'other' .* known brokers: events"):
        config.broker("other")
