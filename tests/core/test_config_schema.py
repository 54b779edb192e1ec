"""seamline.yaml checked against its declared schema: every mistake is one line naming
file:line, the dotted path and the closest known key or the allowed values; `seamline
schema` prints a JSON Schema that editors (and jsonschema) check the file with."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from seamline.cli import main
from seamline.core.config import load_config
from seamline.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Mistake:
    name: str
    text: str
    line: int
    message: str
    environment: str | None = None


MISTAKES = [
    # the typos of issue 9, one per depth
    Mistake("typo under a service", "services:\n  shop:\n    base_url: http://x\n    timout: 5\n", 4,
            "unknown key 'timout' under services.shop; did you mean 'timeout'?"),
    Mistake("verify_tsl", "services:\n  shop:\n    base_url: http://x\n    verify_tsl: false\n", 4,
            "unknown key 'verify_tsl' under services.shop; did you mean 'verify_tls'?"),
    Mistake("typo under a database", "databases:\n  main:\n    url: sqlite://\n    conect_timeout: 3\n", 4,
            "unknown key 'conect_timeout' under databases.main; did you mean 'connect_timeout'?"),
    Mistake("typo under an auth profile", "auth:\n  shop:\n    request: {path: /t}\n    tokn: $.t\n", 4,
            "unknown key 'tokn' under auth.shop; did you mean 'token'?"),
    Mistake("typo three deep", "services:\n  shop:\n    base_url: http://x\n    start:\n      comand: run\n", 5,
            "unknown key 'comand' under services.shop.start; did you mean 'command'?"),
    Mistake("typo of a section", "\nservises: {}\n", 2, "unknown section(s) servises; did you mean 'services'?"),
    Mistake("typo far from any key", "services:\n  shop: {base_url: http://x, colour: red}\n", 2,
            "unknown key 'colour' under services.shop; known: base_url, timeout, verify_tls, headers, start, openapi, "
            "retry, until, keep_cookies, follow_redirects, graphql, client_cert, client_key"),
    Mistake("typo in a secret variable", "variables:\n  key:\n    value: k\n    secert: true\n", 4,
            "unknown key 'secert' under variables.key; did you mean 'secret'?"),
    # duplicates
    Mistake("duplicate service", "services:\n  shop: http://x\n  pay: http://y\n  shop: http://z\n", 4,
            "duplicate key 'shop' under services (first on line 2)"),
    Mistake("duplicate key in a service", "services:\n  shop:\n    base_url: http://x\n    base_url: http://y\n", 4,
            "duplicate key 'base_url' under services.shop (first on line 3)"),
    Mistake("duplicate section", "services: {}\nstubs: {}\nservices: {}\n", 3,
            "duplicate key 'services' at the top level (first on line 1)"),
    # wrong types and values out of range
    Mistake("a boolean that is not", "services:\n  shop:\n    base_url: http://x\n    verify_tls: nope\n", 4,
            "services.shop.verify_tls must be true or false, not 'nope'"),
    Mistake("a negative timeout", "services:\n  shop:\n    base_url: http://x\n    timeout: -1\n", 4,
            "services.shop.timeout must be a positive number of seconds, not -1"),
    Mistake("a service that is a number", "services:\n  shop: 5\n", 2,
            "services.shop must be a base URL or a mapping, not 5"),
    Mistake("a port out of range", "stubs:\n  pay:\n    port: 70000\n", 3,
            "stubs.pay.port must be a port number or auto, not 70000"),
    Mistake("a user that is no mapping", "auth:\n  shop:\n    request: {path: /t}\n    users:\n      alice: x\n", 5,
            "auth.shop.users.alice must be a mapping, not 'x'"),
    # unknown references between sections
    Mistake("a queue on an unknown broker", "brokers:\n  events: memory://\nqueues:\n  orders:\n    broker: event\n", 5,
            "queues.orders.broker 'event' is not among the brokers (events); did you mean 'events'?"),
    Mistake("a queue on a broker when there are none", "queues:\n  orders:\n    broker: evnts\n", 3,
            "queues.orders.broker 'evnts' is not among the brokers (none: without a brokers section, queues use "
            "the broker memory)"),
    Mistake("a start command naming an unknown broker",
            "services:\n  shop:\n    base_url: http://x\n    start:\n      command: run ${broker:evnts}\n"
            "brokers:\n  events: memory://\n", 5,
            "services.shop.start.command: ${broker:evnts} names no broker of the file; did you mean 'events'?"),
    Mistake("a start command naming an unknown stub",
            "services:\n  shop:\n    base_url: http://x\n    start: run ${stub:paymnts}\nstubs:\n  payments: {}\n", 4,
            "services.shop.start: ${stub:paymnts} names no stub of the file; did you mean 'payments'?"),
    Mistake("a database on an unknown service",
            "services:\n  shop: http://x\ndatabases:\n  main:\n    url: sqlite://\n    service: shopp\n", 6,
            "databases.main.service 'shopp' is not among the services; did you mean 'shop'?"),
    Mistake("an auth profile on an unknown service",
            "services:\n  shop: http://x\nauth:\n  a:\n    service: shap\n    request: {path: /t}\n", 5,
            "auth.a.service 'shap' is not among the services; did you mean 'shop'?"),
    Mistake("an unknown default service", "services:\n  shop: http://x\ndefault_service: shops\n", 3,
            "default_service 'shops' is not among the services; did you mean 'shop'?"),
    Mistake("an environment overriding an unknown service",
            "services:\n  shop: http://x\nenvironments:\n  staging:\n    services:\n      shoop: http://y\n", 6,
            "environments.staging.services.shoop overrides an unknown service 'shoop'; did you mean 'shop'?"),
    # mistakes inside an environment are named there, even when it is not the one chosen
    Mistake("typo in an environment",
            "services:\n  shop: http://x\nenvironments:\n  staging:\n    services:\n      shop:\n"
            "        timout: 3\n", 7,
            "unknown key 'timout' under environments.staging.services.shop; did you mean 'timeout'?"),
    Mistake("wrong type in an environment",
            "services:\n  shop: http://x\nenvironments:\n  staging:\n    services:\n      shop: {timeout: soon}\n", 6,
            "environments.staging.services.shop.timeout must be a positive number of seconds, not 'soon'",
            environment="staging"),
    Mistake("unknown section in an environment", "environments:\n  staging:\n    servics: {}\n", 3,
            "unknown key 'servics' under environments.staging; did you mean 'services'?"),
]  # fmt: skip


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_mistake_is_one_line_with_file_line_path_and_suggestion(tmp_path: Path, mistake: Mistake) -> None:
    path = tmp_path / "seamline.yaml"
    path.write_text(mistake.text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, mistake.environment)
    assert raised.value.message == f"{path}:{mistake.line}: {mistake.message}"
    assert "\n" not in str(raised.value)


def test_a_duplicate_key_in_a_phrase_file_names_its_line(tmp_path: Path) -> None:
    from seamline.core.config.phrasebook import load_phrasebook

    (tmp_path / "seamline.yaml").write_text("services: {shop: http://x}\n", encoding="utf-8")
    (tmp_path / "phrases.yaml").write_text(
        "- phrase: I look\n  steps: [I GET \"/\"]\n  phrase: I peek\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"phrases.yaml:3: duplicate key 'phrase' under \[0\] \(first on line 1\)"):
        load_phrasebook(tmp_path / "seamline.yaml")


def test_a_typo_in_a_phrase_is_named_with_a_suggestion(tmp_path: Path) -> None:
    from seamline.core.config.phrasebook import load_phrasebook

    (tmp_path / "seamline.yaml").write_text("services: {shop: http://x}\n", encoding="utf-8")
    (tmp_path / "phrases.yaml").write_text('- phrase: I look\n  step: [I GET "/"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_phrasebook(tmp_path / "seamline.yaml")
    expected = "phrases.yaml:2: unknown key 'step' under the phrase 'I look'; did you mean 'steps'?"
    assert raised.value.message == f"{tmp_path / 'phrases.yaml'}:2:{expected.split(':2:', 1)[1]}"


def test_what_the_loader_did_before_still_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMLINE_TEST_KEY", "k-env")
    monkeypatch.setenv("SEAMLINE_TEST_HOST", "shop.internal")
    path = tmp_path / "seamline.yaml"
    path.write_text(
        "services:\n"
        "  shop:\n"
        "    base_url: http://${env:SEAMLINE_TEST_HOST}/\n"
        "    headers: {X-Key: '${env:SEAMLINE_TEST_KEY}', X-Retry: 3}\n"
        "  other: http://other\n"
        "variables:\n"
        "  plain: {value: visible, secret: false}\n"
        "environments:\n"
        "  staging:\n"
        "    services:\n"
        "      other: {timeout: 2}\n",
        encoding="utf-8",
    )
    config = load_config(path, "staging")
    shop = config.service("shop")
    assert (shop.base_url, shop.timeout, shop.verify_tls) == ("http://shop.internal", 30.0, True)
    assert shop.headers == {"X-Key": "k-env", "X-Retry": "3"}
    # a header read from the environment is a secret; the service's address is not
    assert "k-env" in config.secrets and "shop.internal" not in config.secrets
    assert "visible" not in config.secrets and config.variables["plain"] == "visible"
    # `other: http://other` overridden by a mapping keeps its address
    assert (config.service("other").base_url, config.service("other").timeout) == ("http://other", 2.0)


def test_the_schema_defaults_are_the_settings_defaults() -> None:
    from seamline.core.config import schema, settings

    pairs = [
        (schema.ServiceModel, settings.ServiceConfig), (schema.DatabaseModel, settings.DatabaseConfig),
        (schema.BrokerModel, settings.BrokerConfig), (schema.QueueModel, settings.QueueConfig),
        (schema.ManagedStartModel, settings.ManagedStart), (schema.UntilModel, settings.UntilSettings),
        (schema.RetryModel, settings.RetryPolicy), (schema.OpenApiModel, settings.OpenApiConfig),
    ]  # fmt: skip
    for model, settings_class in pairs:
        fields = dataclasses.fields(settings_class)
        defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        for name, field in model.model_fields.items():
            if name in defaults and field.default not in (None, "auto") and not isinstance(field.default, list):
                assert field.default == defaults[name], f"{model.__name__}.{name}"
    from seamline.core.config.phrasebook import PHRASE_KEYS

    assert tuple(schema.PhraseModel.model_fields) == PHRASE_KEYS


def _schema(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(["schema", *args]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_seamline_schema_validates_the_example_and_rejects_a_typo(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(_schema(capsys))
    example = yaml.safe_load((ROOT / "seamline.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(example)) == []
    assert example["environments"]["running"]["services"]["shop"]["start"] is None  # overrides are checked too

    typo = yaml.safe_load((ROOT / "seamline.yaml").read_text(encoding="utf-8"))
    typo["services"]["shop"]["timout"] = 5
    assert not validator.is_valid(typo)
    in_environment = yaml.safe_load((ROOT / "seamline.yaml").read_text(encoding="utf-8"))
    in_environment["environments"]["running"]["services"]["shop"]["verify_tsl"] = False
    assert not validator.is_valid(in_environment)
    wrong_type = yaml.safe_load((ROOT / "seamline.yaml").read_text(encoding="utf-8"))
    wrong_type["queues"]["orders"]["wait"] = -1
    assert not validator.is_valid(wrong_type)
    # A variable may hold any value; the secret form {value, secret} takes no other key.
    variables = {"sku": "A1", "cart": {"items": []}, "key": {"value": "k", "secret": True}}
    assert validator.is_valid({"variables": variables})
    assert not validator.is_valid({"variables": {"key": {"value": "k", "secert": True}}})
    assert _schema(capsys)["title"] == "seamline.yaml"


def test_the_schemas_accept_a_new_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from seamline._scaffold import scaffold

    scaffold(tmp_path)
    config = jsonschema.Draft202012Validator(_schema(capsys))
    phrases = jsonschema.Draft202012Validator(_schema(capsys, "--phrasebook"))
    assert list(config.iter_errors(yaml.safe_load((tmp_path / "seamline.yaml").read_text()))) == []
    book = yaml.safe_load((tmp_path / "phrases.yaml").read_text())
    assert list(phrases.iter_errors(book)) == []
    book[0]["stepz"] = book[0].pop("steps")
    assert not phrases.is_valid(book)


def test_pydantic_is_imported_only_when_a_config_loads(tmp_path: Path) -> None:
    (tmp_path / "seamline.yaml").write_text("services: {shop: http://x}\n", encoding="utf-8")
    code = (
        "import sys, seamline, seamline.core.context, seamline.steps, seamline.core.config\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported by import seamline'\n"
        "seamline.core.config.load_config('seamline.yaml')\n"
        "assert 'pydantic' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
