"""JSON Schema drafts, schema files next to seamline.yaml, and the openapi config keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seamline.core.config import load_config
from seamline.core.context import Context, Runtime
from seamline.core.contract.conformance import load_document, schema_mismatches
from seamline.core.errors import ConfigError, SpecError

DRAFTS = [
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft-07/schema#",
]


@pytest.mark.parametrize("draft", DRAFTS)
def test_each_draft_validates_and_reports_every_error_with_its_path(draft: str) -> None:
    schema = {
        "$schema": draft,
        "type": "object",
        "required": ["id", "items"],
        "properties": {
            "id": {"type": "string", "format": "date"},
            "items": {"type": "array", "items": {"type": "object", "properties": {"qty": {"minimum": 1}}}},
        },
    }
    good = {"id": "2024-05-01", "items": [{"qty": 1}]}
    assert schema_mismatches(schema, good) == []
    found = [(m.path, m.expected, m.actual) for m in schema_mismatches(schema, {"id": "x", "items": [{"qty": 0}]})]
    assert found == [("$.id", "format: date", '"x"'), ("$.items[0].qty", "minimum: 1", "0")]
    assert [m.path for m in schema_mismatches(schema, {})] == ["$.id", "$.items"]


def test_draft_specific_keywords_follow_the_declared_draft() -> None:
    # "dependentRequired" exists from 2019-09 on; draft 7 ignores it.
    for draft, errors in ((DRAFTS[1], 1), (DRAFTS[2], 0)):
        schema = {"$schema": draft, "dependentRequired": {"card": ["cvc"]}}
        assert len(schema_mismatches(schema, {"card": "4111"})) == errors, draft


def test_an_invalid_schema_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="is not a valid JSON Schema"):
        schema_mismatches({"type": 12}, {})


def _context(tmp_path: Path, config: str, monkeypatch: pytest.MonkeyPatch) -> Context:
    (tmp_path / "seamline.yaml").write_text(config, encoding="utf-8")
    elsewhere = tmp_path / "suites"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("SEAMLINE_CONFIG", raising=False)
    monkeypatch.delenv("SEAMLINE_ENV", raising=False)
    return Context(Runtime())


def test_files_are_found_next_to_the_config_and_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _context(tmp_path, "services:\n  shop: http://127.0.0.1:9\n", monkeypatch)
    (tmp_path / "schema.yaml").write_text("type: object\n", encoding="utf-8")
    first = load_document(ctx, "schema.yaml")
    assert first.content == {"type": "object"}
    assert load_document(ctx, "schema.yaml") is first
    with pytest.raises(SpecError, match=r"no schema or OpenAPI file 'other\.yaml': looked in the working directory"):
        load_document(ctx, "other.yaml")


def test_a_document_that_is_neither_json_nor_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _context(tmp_path, "services:\n  shop: http://127.0.0.1:9\n", monkeypatch)
    (tmp_path / "broken.json").write_text('{"type": [', encoding="utf-8")
    with pytest.raises(SpecError, match="is neither JSON nor YAML"):
        load_document(ctx, "broken.json")


def test_openapi_config_short_and_long_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _context(tmp_path, "", monkeypatch)
    config_file = tmp_path / "seamline.yaml"
    config_file.write_text(
        "services:\n"
        "  a: {base_url: 'http://a', openapi: openapi.yaml}\n"
        "  b: {base_url: 'http://b', openapi: {spec: /openapi.json, check_every_response: true}}\n"
        "  c: http://c\n",
        encoding="utf-8",
    )
    config = load_config(config_file)
    a, b, c = (config.services[name].openapi for name in "abc")
    assert a is not None and (a.spec, a.check_every_response) == ("openapi.yaml", False)
    assert b is not None and (b.spec, b.check_every_response) == ("/openapi.json", True)
    assert c is None


@pytest.mark.parametrize(
    ("openapi", "message"),
    [
        ("{check_every_response: true}", "needs a spec"),
        ("{spec: x.yaml, check_every: true}", "unknown key 'check_every' under services.a.openapi; did you mean 'check_every_response'?"),  # noqa: E501
        ("{spec: x.yaml, check_every_response: 'yes'}", "must be true or false"),
    ],
)
def test_openapi_config_mistakes(tmp_path: Path, openapi: str, message: str) -> None:
    config_file = tmp_path / "seamline.yaml"
    config_file.write_text(f"services:\n  a: {{base_url: 'http://a', openapi: {openapi}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config_file)
    assert message in str(raised.value)


def test_schema_refs_to_other_files(tmp_path: Path) -> None:
    from seamline.core.contract.conformance import Document

    (tmp_path / "money.json").write_text(json.dumps({"type": "number", "minimum": 0}), encoding="utf-8")
    schema = {"properties": {"price": {"$ref": "money.json"}}}
    document = Document(schema, "order.json", tmp_path)
    assert schema_mismatches(schema, {"price": 1}, document) == []
    assert [m.path for m in schema_mismatches(schema, {"price": -1}, document)] == ["$.price"]


def test_every_response_reaches_the_contract_check_which_loads_with_the_first(tmp_path: Path) -> None:
    # A service's `check_every_response: true` holds in a run that has no contract step: the
    # catalog, which both front ends load at start-up, routes each response to the contract area.
    code = (
        "import sys\n"
        "import seamline.steps\n"
        "from seamline.core.context import Context, Runtime\n"
        "from seamline.core.http.hooks import report_response\n"
        "loaded_at_start = 'seamline.core.contract.conformance' in sys.modules\n"
        "report_response(Context(Runtime()), None)  # no config asks for a check: it returns at once\n"
        "print(loaded_at_start, 'seamline.core.contract.conformance' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout.split() == ["False", "True"]
