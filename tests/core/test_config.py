from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from seamline.core.config import find_config, load_config
from seamline.core.errors import ConfigError

CONFIG = """\
services:
  shop:
    base_url: http://127.0.0.1:8000/
    timeout: 5
  payments: http://127.0.0.1:9000
auth:
  shop:
    request: {path: /auth/token, body: {"username": "${username}", "password": "${password}"}}
    header: usertoken
    users:
      alice: {password: "${env:SEAMLINE_TEST_PASSWORD}"}
variables:
  currency: EUR
  api_key: {value: "k-123", secret: true}
environments:
  staging:
    services:
      shop: {base_url: https://staging.example.com}
    variables: {currency: USD}
"""


def write(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "seamline.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_services_auth_and_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMLINE_TEST_PASSWORD", "pa55word")
    config = load_config(write(tmp_path))
    assert config.default_service == "shop"
    assert config.service().base_url == "http://127.0.0.1:8000"
    assert config.service().timeout == 5
    assert config.service("payments").verify_tls is True
    profile = config.auth_profile()
    assert (profile.header, profile.prefix, profile.default_user) == ("usertoken", "", "alice")
    assert profile.users["alice"]["password"] == "pa55word"
    assert {"pa55word", "k-123"} <= config.secrets
    assert config.variables == {"currency": "EUR", "api_key": "k-123"}


def test_a_named_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMLINE_TEST_PASSWORD", "x")
    monkeypatch.setenv("SEAMLINE_ENV", "staging")
    config = load_config(write(tmp_path))
    assert config.service().base_url == "https://staging.example.com"
    assert config.service().timeout == 5  # a service's settings merge: what staging does not say stays
    assert config.variables["currency"] == "USD"


def test_found_from_the_working_directory_upward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "services: {shop: http://x}\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert find_config() == path.resolve()
    assert load_config().service().base_url == "http://x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services:\n  shop: {timeout: 3}\n", "services.shop needs a base_url"),
        ("servises: {}\n", "unknown section(s) servises"),
        ("services: {shop: http://x}\nenvironments: {}\n", "unknown environment 'prod'"),
        ("services:\n  shop:\n    base_url: http://x\n    timeout: soon\n", "timeout must be a positive number"),
        ("auth:\n  shop: {request: {}}\n", "auth.shop.request needs a path"),
        ("variables: {key: '${env:SEAMLINE_SURELY_UNSET}'}\n", "environment variable SEAMLINE_SURELY_UNSET is not set"),
        ("- a list\n", "the top level must be a mapping"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    monkeypatch.setenv("SEAMLINE_ENV", "prod") if "environments" in text else None
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_a_named_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")


def test_env_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "variables: {who: '${env:SEAMLINE_SURELY_UNSET:-world}'}\n"))
    assert config.variables["who"] == "world"


def test_an_unknown_name_in_a_step_suggests_the_closest_known_one(tmp_path: Path) -> None:
    config_file = tmp_path / "seamline.yaml"
    config_file.write_text(
        "services:\n  shop: http://127.0.0.1:1\n  payments: http://127.0.0.1:2\n"
        "databases:\n  orders: {url: 'sqlite:///x.db'}\n",
        encoding="utf-8",
    )
    config = load_config(config_file)
    known = r"known services: shop, payments; did you mean 'shop'\?"
    with pytest.raises(ConfigError, match=r"unknown service 'shpo' .*" + known):
        config.service("shpo")
    with pytest.raises(ConfigError, match=r"unknown database 'order' .*; did you mean 'orders'\?"):
        config.database("order")
    with pytest.raises(ConfigError) as nothing_close:
        config.service("zzz")
    assert "did you mean" not in str(nothing_close.value)


def test_generators_in_config_values_read_the_tests_values_and_never_an_environment_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seamline.core.context import Context, Runtime

    monkeypatch.setenv("SEAMLINE_TEST_TAIL", "${uuid}")  # a value from the environment is never expanded
    monkeypatch.setenv("SEAMLINE_TEST_KEY", "key-from-env")
    path = write(
        tmp_path,
        """\
        services:
          shop: {base_url: "http://127.0.0.1:8000", headers: {X-Key: "${env:SEAMLINE_TEST_KEY}-${unique}"}}
        databases:
          shop: "sqlite:///shop-${unique}.db"
        variables:
          mail: "cfg-${unique}@x.example"
          tail: "${unique}/${env:SEAMLINE_TEST_TAIL}"
          written: "\\\\${unique}"
        """,
    )
    runtime = Runtime(path)
    first, second = Context(runtime), Context(runtime)
    unique = first.variables.get("unique")
    assert first.variables.get("mail") == f"cfg-{unique}@x.example"
    assert first.variables.get("mail") == first.variables.get("mail")  # once per test
    other = second.variables.get("unique")
    assert second.variables.get("mail") == f"cfg-{other}@x.example" != first.variables.get("mail")
    assert first.variables.get("tail") == f"{unique}/${{uuid}}"
    assert first.variables.get("written") == "\\${unique}"  # escaped in the file: as written
    header = first.variables.fill_generated(runtime.config.services["shop"].headers["X-Key"])
    assert header == f"key-from-env-{unique}"
    assert runtime.secrets.mask(header) == "***"  # a header read from the environment: a secret, filled
    # What lasts the run reads its values once for the run.
    url = runtime.config.databases["shop"].url
    assert runtime.with_worker(url) == runtime.with_worker(url) != url
    assert "${" not in runtime.with_worker(url)


# Counts the collections that start while a fresh process loads a config (and its schema's models).
_COUNT_COLLECTIONS = """
import gc, sys
from seamline.core.config import load_config
started = []
gc.callbacks.append(lambda phase, info: started.append(info) if phase == "start" else None)
load_config(sys.argv[1])
gc.callbacks.clear()
print(len(started), gc.isenabled())
"""


def test_a_config_loads_with_the_collector_paused_and_leaves_it_on(tmp_path: Path) -> None:
    # The schema's models are tens of thousands of objects that live for the run: no collection
    # walks them while they are made (at start-up that cost as much as making them).
    path = write(tmp_path, "variables:\n  greeting: hello\n")
    completed = subprocess.run(
        [sys.executable, "-c", _COUNT_COLLECTIONS, str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    collections, enabled = completed.stdout.split()
    assert int(collections) <= 1 and enabled == "True"  # one may start as the collector comes back on (42 without)


def test_a_config_that_does_not_load_leaves_the_collector_on(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="timeout"):
        load_config(write(tmp_path, "services:\n  shop: {base_url: http://x, timeout: -1}\n"))
    assert gc.isenabled()
