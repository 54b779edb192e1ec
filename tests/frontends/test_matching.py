"""Documents with markers, JSON Schema, OpenAPI conformance, cookies, content type and
response time, in both front ends, against the demo shop and a deliberately broken
server that answers on loopback with what the shop's spec forbids."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario

# -- a server that breaks the demo shop's spec -----------------------------------------

BROKEN_ANSWERS: dict[str, tuple[int, object, dict[str, str]]] = {
    # The shop's spec: sku is a string, price is required. This breaks both.
    "/products/A1": (200, {"sku": 1, "name": "Widget"}, {}),
    # 500 is not among the statuses the spec declares for GET /products/{sku}.
    "/products/B2": (500, {"error": "boom"}, {}),
    "/login": (200, {"ok": True}, {"Set-Cookie": "session=abc123; Path=/; HttpOnly"}),
}


def _broken_app(environ: dict[str, object], start_response: object) -> object:
    request = Request(environ)
    status, body, headers = BROKEN_ANSWERS.get(request.path, (404, {"error": "no such path"}, {}))
    response = Response(json.dumps(body), status=status, content_type="application/json")
    for name, value in headers.items():
        response.headers.add(name, value)
    if request.path == "/login":
        response.headers.add("Set-Cookie", 'theme="dark"; Max-Age=60')
    return response(environ, start_response)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def broken_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _broken_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def shop_spec(demo_url: str) -> dict[str, object]:
    """The demo shop's own OpenAPI document, as if written for production."""
    with requests.Session() as session:
        session.trust_env = False
        spec: dict[str, object] = session.get(f"{demo_url}/openapi.json", timeout=10).json()
    spec["servers"] = [{"url": "https://shop.example.com/api/v1"}]
    return spec


def _config(project: Project, extra: str = "", shop_openapi: str = "/openapi.json") -> None:
    config = DEFAULT_CONFIG.format(url=project.demo_url).replace(
        f"    base_url: {project.demo_url}\n", f"    base_url: {project.demo_url}\n    openapi: {shop_openapi}\n", 1
    )
    project.write_config(config.replace("auth:\n", extra + "auth:\n", 1))


# -- passing scenarios against the demo shop --------------------------------------------

DOCUMENTS = Scenario.parse(
    "an order matches its documents",
    '''
    Given I obtain a token
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response status is 201
    And the response matches:
      """
      {"id": "#uuid", "status": "pending", "items": "#[1]", "created": "#date-time",
       "total": "#? > 0", "coupon": "#absent"}
      """
    And each item of the response field "$.items" matches:
      """
      {"sku": "#string", "qty": "#integer", "price": "#? > 0 and < 100"}
      """
    And the response field "$.items[0]" is:
      """
      {"sku": "A1", "qty": 2, "name": "#regex [A-Z][a-z]+", "price": 29.99}
      """
    And the response field "$.items" matches:
      """
      "#[1] #object"
      """
    And the response field "$.id" is "#uuid"
    And the response field "$.coupon" is "#absent"
    And the response field "$.created" matches "#date-time"
    And the response field "$.items" contains {"sku": "#string"}
    And I store the response field "$.id" as "order_id"
    When I GET "/orders/${order_id}"
    Then the response is:
      """
      {"id": "${order_id}", "status": "pending",
       "items": [{"sku": "A1", "qty": 2, "name": "Widget", "price": "#number"}],
       "total": 59.98, "created": "#date-time"}
      """
    When I GET "/products"
    Then the response field "$[*].sku" has these items in any order:
      """
      ["C3", "A1"]
      """
    And the response field "$[*].sku" has exactly these items in any order:
      """
      ["D4", "C3", "B2", "A1"]
      """
    And the response matches in any order:
      """
      [{"sku": "D4"}, {"sku": "C3"}, {"sku": "B2"}, {"sku": "A1", "price": "#number"}]
      """
    And the response content type is "application/json"
    And the response time is under 5 seconds
    And the response header "Content-Type" is "#regex application/json.*"
    ''',
)

SCHEMAS = Scenario.parse(
    "products match their schemas",
    '''
    When I GET "/products/A1"
    Then the response matches the schema "schemas/product.json"
    And the response matches the schema:
      """
      {"$schema": "https://json-schema.org/draft/2019-09/schema", "type": "object", "required": ["sku"],
       "properties": {"price": {"type": "number", "exclusiveMinimum": 0}}}
      """
    When I GET "/products"
    Then the response matches the schema "schemas/products.yaml"
    ''',
)

CONTRACT = Scenario.parse(
    "the shop keeps its contract",
    '''
    Given every response must conform to the API spec
    And I obtain a token
    When I PUT "/cart" with:
      """
      {"items": [{"sku": "B2", "qty": 1}]}
      """
    Then the response status is 200
    And the response conforms to the API spec
    When I POST "/orders" with:
      """
      {"items": [{"sku": "B2", "qty": 3}]}
      """
    Then the response status is 201
    When I GET "/products/NOPE"
    Then the response status is 404
    And the response conforms to the API spec
    When I DELETE "/cart"
    Then the response status is 204
    ''',
)

PRODUCTION_SPEC = Scenario.parse(
    "a spec written for production checks the local shop",
    """
    Given the API spec is "production-openapi.json"
    When I GET "/products/A1"
    Then the response conforms to the API spec
    """,
)


def _write_schemas(project: Project) -> None:
    schemas = project.root / "schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "money.json").write_text(json.dumps({"type": "number", "minimum": 0}), encoding="utf-8")
    product = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["sku", "name", "price"],
        "properties": {"sku": {"type": "string", "pattern": "^[A-Z][0-9]$"}, "price": {"$ref": "money.json"}},
    }
    (schemas / "product.json").write_text(json.dumps(product), encoding="utf-8")
    (schemas / "products.yaml").write_text(
        "type: array\nminItems: 1\nitems:\n  type: object\n  required: [sku, price]\n", encoding="utf-8"
    )


def test_documents_schemas_and_the_contract_pass(
    project: Project, front_end: str, shop_spec: dict[str, object]
) -> None:
    _config(project)
    _write_schemas(project)
    (project.root / "production-openapi.json").write_text(json.dumps(shop_spec), encoding="utf-8")
    result = project.run(front_end, DOCUMENTS, SCHEMAS, CONTRACT, PRODUCTION_SPEC)
    for scenario in (DOCUMENTS, SCHEMAS, CONTRACT, PRODUCTION_SPEC):
        outcome = result[scenario.name]
        assert outcome.passed, f"{front_end}: {scenario.name}: {outcome.message}\n{result.output}"


# -- failures list every mismatch --------------------------------------------------------


def _robot_html_messages(project: Project) -> list[str]:
    """The HTML messages of the Robot log (output.xml), unescaped."""
    import xml.etree.ElementTree as ElementTree

    tree = ElementTree.parse(project.root / "robot-results" / "output.xml")
    return [msg.text or "" for msg in tree.iter("msg") if msg.get("html") == "true"]


MISMATCHES = Scenario.parse(
    "an order that is not what was expected",
    '''
    Given I obtain a token
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response matches:
      """
      {"id": "#uuid", "status": "shipped", "items": "#[3]", "total": "#string", "coupon": "#present"}
      """
    ''',
)


def test_a_failed_match_lists_every_mismatch_with_its_path(project: Project, front_end: str) -> None:
    outcome = project.run(front_end, MISMATCHES)[MISMATCHES.name]
    assert not outcome.passed
    first_line = outcome.message.splitlines()[0]
    assert "the response matches:" in first_line
    assert "does not match in 4 places" in first_line
    assert '$.status: expected "shipped", actual "pending"' in first_line
    rows = [
        ("$.status", '"shipped"', '"pending"'),
        ("$.items", "#[3]", "1 item"),
        ("$.total", "#string", "59.98"),
        ("$.coupon", "#present", "(no such field)"),
    ]
    if front_end == "pytest":
        table = outcome.message.splitlines()[1:6]
        assert table[0].split() == ["path", "expected", "actual"]
        assert [tuple(line.split(maxsplit=2)) for line in table[1:]] == rows
    else:
        tables = _robot_html_messages(project)
        assert len(tables) == 1 and tables[0].startswith("<table")
        for row in rows:
            cells = "".join(f"<td><code>{html.escape(cell)}</code></td>" for cell in row)
            assert cells in tables[0], f"{row} is not a row of the table in the Robot log"


BROKEN = Scenario.parse(
    "a response that breaks the spec twice",
    """
    Given I use the service "broken"
    When I GET "/products/A1"
    Then the response conforms to the API spec
    """,
)

UNDECLARED = Scenario.parse(
    "a status the spec does not declare",
    """
    Given I use the service "broken"
    When I GET "/products/B2"
    Then the response conforms to the API spec
    """,
)

AUTOMATIC = Scenario.parse(
    "every response is checked as it arrives",
    """
    Given I use the service "broken"
    And every response must conform to the API spec
    When I GET "/products/A1"
    Then the response status is 200
    """,
)


def test_a_response_that_breaks_the_spec_in_two_places_reports_both(
    project: Project, front_end: str, broken_url: str, shop_spec: dict[str, object]
) -> None:
    (project.root / "shop-openapi.json").write_text(json.dumps(shop_spec), encoding="utf-8")
    _config(project, extra=f"  broken:\n    base_url: {broken_url}\n    openapi: shop-openapi.json\n")
    result = project.run(front_end, BROKEN, UNDECLARED, AUTOMATIC)

    failing_steps = ((BROKEN, "the response conforms to the API spec"), (AUTOMATIC, 'I GET "/products/A1"'))
    for scenario, failing_step in failing_steps:
        outcome = result[scenario.name]
        assert not outcome.passed, f"{front_end}: {scenario.name} passed"
        first_line = outcome.message.splitlines()[0]
        assert failing_step in first_line
        assert "does not conform to the API spec in 2 places" in first_line
        assert '$.sku: expected type: string, actual 1' in first_line
        assert "$.price: expected a required field, actual (no such field)" in first_line

    undeclared = result[UNDECLARED.name]
    assert not undeclared.passed
    declared = ", ".join(sorted(shop_spec["paths"]["/products/{sku}"]["get"]["responses"]))  # type: ignore[index]
    assert declared == "200, 404"  # what the message below names
    assert f"status: expected one the spec declares for this operation: {declared}, actual 500 (not declared)" in (
        undeclared.message.splitlines()[0]
    )


SURVEY = Scenario.parse(
    "a whole flow surveyed in one test",
    """
    Given I use the service "broken"
    And every response must conform to the API spec by the end of the test
    When I GET "/products/A1"
    Then the response status is 200
    When I GET "/products/B2"
    Then the response status is 500
    And I store "went on" as "after"
    """,
)


def test_every_response_by_the_end_of_the_test_fails_once_with_every_nonconformance(
    project: Project, front_end: str, broken_url: str, shop_spec: dict[str, object]
) -> None:
    (project.root / "shop-openapi.json").write_text(json.dumps(shop_spec), encoding="utf-8")
    _config(project, extra=f"  broken:\n    base_url: {broken_url}\n    openapi: shop-openapi.json\n")
    outcome = project.run(front_end, SURVEY, warns=True)[SURVEY.name]
    assert not outcome.passed
    first_line = next(line for line in outcome.message.splitlines() if "did not conform" in line)
    assert (
        ") failed when the test ended: 2 responses of the test did not conform to the API spec: "
        "GET /products/A1: $.price: expected a required field, actual (no such field), $.sku: expected type: "
        "string, actual 1; GET /products/B2: status: expected one the spec declares for this operation: "
        "200, 404, actual 500 (not declared)"
    ) in first_line, outcome.message
    # Once, at the end, named by the step that asked for it: no other step failed on its own.
    step = "every response must conform to the API spec by the end of the test"
    assert f"Step 'And {step}' (" in first_line, first_line
    assert first_line.count("did not conform") == 1, outcome.message
    assert "Step 'When" not in outcome.message and "Step 'Then" not in outcome.message, outcome.message


def test_the_config_switch_checks_every_response(
    project: Project, front_end: str, broken_url: str, shop_spec: dict[str, object]
) -> None:
    (project.root / "shop-openapi.json").write_text(json.dumps(shop_spec), encoding="utf-8")
    broken = (
        f"  broken:\n    base_url: {broken_url}\n"
        "    openapi: {spec: shop-openapi.json, check_every_response: true}\n"
    )
    _config(project, extra=broken)
    checked = Scenario.parse("checked on arrival", 'Given I use the service "broken"\nWhen I GET "/products/A1"')
    unchecked = Scenario.parse("the shop has no switch", 'When I GET "/products/A1"\nThen the response status is 200')
    result = project.run(front_end, checked, unchecked)
    assert not result[checked.name].passed
    assert "$.price: expected a required field" in result[checked.name].message.splitlines()[0]
    assert result[unchecked.name].passed, result[unchecked.name].message


# -- cookies ----------------------------------------------------------------------------

COOKIES = Scenario.parse(
    "cookies the response sets",
    """
    Given I use the service "broken"
    When I GET "/login"
    Then the response cookie "session" is "abc123"
    And the response cookie "session" matches "^[a-z0-9]+$"
    And the response cookie "theme" is "dark"
    And the response cookie "session" exists
    And the response cookie "tracking" does not exist
    """,
)

WRONG_COOKIE = Scenario.parse(
    "a cookie with another value",
    """
    Given I use the service "broken"
    When I GET "/login"
    Then the response cookie "session" contains "xyz"
    """,
)


def test_cookies(project: Project, front_end: str, broken_url: str) -> None:
    _config(project, extra=f"  broken:\n    base_url: {broken_url}\n")
    result = project.run(front_end, COOKIES, WRONG_COOKIE)
    assert result[COOKIES.name].passed, result[COOKIES.name].message
    message = result[WRONG_COOKIE.name].message.splitlines()[0]
    # the value a server set is masked, as Set-Cookie is in the log
    assert 'response cookie session: expected a value that contains "xyz", actual "***"' in message
    assert "(cookies set: session, theme)" in message


# -- checks that fail with one clear line -------------------------------------------------


def test_content_type_and_time_failures(project: Project, front_end: str) -> None:
    content_type = Scenario.parse(
        "not text", 'When I GET "/products/A1"\nThen the response content type is "text/plain"'
    )
    slow = Scenario.parse("too slow", 'When I GET "/delay/0.3"\nThen the response time is under 100 ms')
    result = project.run(front_end, content_type, slow)
    assert "expected content type text/plain, actual application/json" in result[content_type.name].message
    assert not result[slow.name].passed
    assert "expected under 100 ms" in result[slow.name].message.splitlines()[0]
