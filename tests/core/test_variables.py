from __future__ import annotations

import re

import pytest

from seamline.core.errors import VariableError
from seamline.core.values.secrets import Secrets
from seamline.core.values.variables import Scope, Variables, WrittenText, fill


def make(defaults: dict[str, object] | None = None) -> Variables:
    return Variables({}, {}, Secrets(), defaults=(lambda: defaults) if defaults is not None else None)


def test_narrower_scopes_win_and_wider_ones_replace_them() -> None:
    variables = make({"x": "config"})
    assert variables.get("x") == "config"
    variables.set("x", "global", Scope.GLOBAL)
    variables.set("x", "suite", Scope.SUITE)
    variables.set("x", "test")
    assert variables.get("x") == "test"
    variables.set("x", "global again", Scope.GLOBAL)
    assert variables.get("x") == "global again"  # the older test and suite values are gone


def test_expand_writes_text_as_is_and_other_values_as_json() -> None:
    variables = make()
    variables.set("sku", "A1")
    variables.set("qty", 2)
    variables.set("items", [{"sku": "A1"}])
    assert variables.expand('{"sku": "${sku}", "qty": ${qty}, "all": ${items}}') == (
        '{"sku": "A1", "qty": 2, "all": [{"sku": "A1"}]}'
    )


def test_resolve_keeps_the_type_of_a_lone_variable() -> None:
    variables = make()
    variables.set("qty", 2)
    assert variables.resolve("${qty}") == 2
    assert variables.resolve("n=${qty}") == "n=2"


def test_paths_get_values_percent_encoded() -> None:
    variables = make()
    variables.set("name", "a b?c#d%")
    assert variables.expand_url("/items/${name}") == "/items/a%20b%3Fc%23d%25"
    assert variables.expand("/items/${name}") == "/items/a b?c#d%"


def test_each_value_is_encoded_for_its_part_of_the_url() -> None:
    variables = make()
    for name, value in {"v": "../x", "dots": "..", "q": "a&b=c", "f": "x/y#z", "host": "h:8080"}.items():
        variables.set(name, value)
    assert variables.expand_url("/a/${v}/${dots}?${q}=${q}#${f}") == (
        "/a/..%2Fx/%2E%2E?a%26b%3Dc=a%26b%3Dc#x%2Fy%23z"
    )
    assert variables.expand_url("http://${host}/${v}") == "http://h:8080/..%2Fx"


def test_a_variable_that_begins_the_url_is_used_as_written() -> None:
    variables = make()
    variables.set("path", "/echo?tag=a%20b&x=1")
    variables.set("base", "http://127.0.0.1:9/api")
    variables.set("v", "a/b")
    assert variables.expand_url("${path}") == "/echo?tag=a%20b&x=1"
    assert variables.expand_url("${base}/items/${v}") == "http://127.0.0.1:9/api/items/a%2Fb"
    assert variables.expand_url(r"/\${v}/${v}") == "/${v}/a%2Fb"


def test_a_leading_value_that_is_no_url_or_path_is_one_segment() -> None:
    variables = make()
    variables.set("sku", "A1?admin=true#")
    variables.set("host", "http://127.0.0.1:18111")
    variables.set("p", "/articles?tag=x")
    assert variables.expand_url("${sku}/reviews") == "A1%3Fadmin%3Dtrue%23/reviews"
    assert variables.expand_url("${host}${p}") == "http://127.0.0.1:18111/articles?tag=x"


def test_a_backslash_keeps_a_reference_literal() -> None:
    assert make().expand(r"costs \${price}") == "costs ${price}"


def test_unknown_variable_lists_the_known_ones() -> None:
    variables = make({"currency": "EUR"})
    variables.set("sku", "A1")
    with pytest.raises(VariableError, match=r"unknown variable \$\{skew\}; known variables: currency, sku"):
        variables.expand("${skew}")


def test_secret_values_are_masked() -> None:
    secrets = Secrets()
    variables = Variables({}, {}, secrets)
    variables.set("token", "abc123xyz", secret=True)
    assert secrets.mask("Authorization: Bearer abc123xyz") == "Authorization: Bearer ***"


def test_listener_hears_every_store() -> None:
    heard: list[tuple[str, object, Scope]] = []
    variables = Variables({}, {}, Secrets(), listener=lambda *args: heard.append(args))
    variables.set("a", 1)
    variables.promote("a", Scope.SUITE)
    assert heard == [("a", 1, Scope.TEST), ("a", 1, Scope.SUITE)]


@pytest.mark.parametrize(("word", "scope"), [("scenario", Scope.TEST), ("feature", Scope.SUITE), ("run", Scope.GLOBAL)])
def test_scope_words_of_both_front_ends(word: str, scope: Scope) -> None:
    assert Scope.parse(word) is scope


def test_unknown_scope_word() -> None:
    with pytest.raises(VariableError, match="unknown scope 'forever'"):
        Scope.parse("forever")


def test_query_parameter_values_are_expanded_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from seamline.core.context import Context, Runtime
    from seamline.core.http import sending
    from seamline.core.http.sending import build_request

    monkeypatch.chdir(tmp_path)
    (tmp_path / "seamline.yaml").write_text("services:\n  shop: http://127.0.0.1:9\n", encoding="utf-8")
    ctx = Context(Runtime())
    ctx.variables.set("odd", r"\${not_a_variable}")  # a value that reads like a reference
    sending.add_query_parameters(ctx, [["q", "${odd}"]])
    sending.add_query_parameter(ctx, "r", "${odd}")
    request = build_request(ctx, "GET", "/echo")
    assert request.params == [("q", r"\${not_a_variable}"), ("r", r"\${not_a_variable}")]


def test_values_a_front_end_filled_in_are_encoded_for_their_part_of_the_url() -> None:
    """A row's cells (``<q>``) or a user phrase's arguments put into a step's text: the part of
    the text that is the URL knows where each went. A plain value is a value (encoded, never
    expanded); a WrittenText is text still to expand, used as written when it is the whole path."""
    variables = make()
    variables.set("v", "../health")
    cells = {"q": "a&admin=true", "ref": "${v}", "path": WrittenText("/products/${v}", {})}
    placeholder = re.compile(r"<(.+?)>")
    filled = fill('GET "/echo?q=<q>&r=<ref>&k=<unknown>"', placeholder, cells)
    assert filled.text == 'GET "/echo?q=a&admin=true&r=\\${v}&k=<unknown>"'
    start = filled.text.index('"') + 1
    url = filled.part(start, len(filled.text) - 1)
    assert isinstance(url, WrittenText)
    assert variables.expand_url(url) == "/echo?q=a%26admin%3Dtrue&r=%24%7Bv%7D&k=<unknown>"
    whole = fill('"<path>"', placeholder, cells)
    assert variables.expand_url(whole.part(1, len(whole.text) - 1)) == "/products/..%2Fhealth"
    inside = fill('"/items/<path>"', placeholder, cells)
    assert variables.expand_url(inside.part(1, len(inside.text) - 1)) == "/items/%2Fproducts%2F..%2Fhealth"
    assert fill('"/x"', placeholder, cells).part(1, 3) == "/x"  # nothing filled in: plain text
