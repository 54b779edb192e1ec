from __future__ import annotations

import pytest

from seamline.core.errors import ExpressionError
from seamline.core.matching.jsonpath import compile_path, find_all
from seamline.core.values.secrets import Secrets

DOC = {"items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}], "total": 59.98}


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("$.items[0].sku", ["A1"]),
        ("$.items[*].sku", ["A1", "B2"]),
        ("$.items[?(@.qty > 1)].sku", ["A1"]),
        ("$.items.`len`", [2]),
        ("$.missing", []),
    ],
)
def test_extended_jsonpath(path: str, values: list[object]) -> None:
    assert find_all(DOC, path) == values


def test_expressions_are_compiled_once() -> None:
    assert compile_path("$.items[0].qty") is compile_path("$.items[0].qty")


@pytest.mark.parametrize("path", ["$.[[", "", "$.items[?(@.qty >]"])
def test_invalid_expression(path: str) -> None:
    with pytest.raises(ExpressionError, match="JSONPath"):
        compile_path(path)


def test_longest_secret_is_masked_whole() -> None:
    secrets = Secrets()
    secrets.add("abc")
    secrets.add("abcdef")
    assert secrets.mask("x abcdef y abc") == "x *** y ***"


def test_very_short_values_are_not_treated_as_secrets() -> None:
    secrets = Secrets()
    secrets.add("1")
    assert secrets.mask("1 2 3") == "1 2 3"


def test_encoded_forms_of_a_secret_are_masked_too() -> None:
    secrets = Secrets()
    secrets.add('p@ss w0rd/"x"')
    assert secrets.mask("q=p%40ss+w0rd%2F%22x%22") == "q=***"
    assert secrets.mask("/p%40ss%20w0rd%2F%22x%22") == "/***"
    assert secrets.mask('{"password": "p@ss w0rd/\\"x\\""}') == '{"password": "***"}'


def test_base64_of_a_secret_is_masked_and_basic_auth_masks_its_pair() -> None:
    import base64

    from seamline.core.context import Context, MemorySink, Runtime
    from seamline.core.http.sending import use_basic_auth

    secrets = Secrets()
    secrets.add("hunter2pw")
    encoded = base64.b64encode(b"hunter2pw").decode()
    assert secrets.mask(f"token={encoded}") == "token=***"
    run = Runtime()
    try:
        use_basic_auth(Context(run, sink=MemorySink()), "alice", "hunter2pw")
        pair = base64.b64encode(b"alice:hunter2pw").decode()
        assert run.secrets.mask(f"seen {pair} alone") == "seen *** alone"
    finally:
        run.close()
