"""Mistakes in expected documents, schemas and specs fail their own test with one line
that names the step and the cause; the next test runs and passes, in both front ends."""

from __future__ import annotations

import json

import pytest

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario
from tests.frontends.test_bad_input import AFTERWARDS, BadInput

GET = 'When I GET "/products/A1"\n'

CASES = [
    BadInput(
        "invalid JSON in an expected document",
        GET + 'Then the response matches:\n"""\n{"sku": "A1",}\n"""',
        ("the response matches:", "the expected document is not valid JSON", "line 1 column"),
    ),
    BadInput(
        "an unknown marker",
        GET + 'Then the response matches:\n"""\n{"sku": "#strng"}\n"""',
        ("unknown marker '#strng'", "markers: #string", "(at $.sku of the expected value)"),
    ),
    BadInput(
        "an unknown marker in a field check",
        GET + 'Then the response field "$.sku" is "#text"',
        ('the response field "$.sku" is "#text"', "unknown marker '#text'"),
    ),
    BadInput(
        "an invalid regex in a marker",
        GET + 'Then the response field "$" matches:\n"""\n{"sku": "#regex [A-"}\n"""',
        ("invalid regular expression '[A-'",),
    ),
    BadInput(
        "a schema file that does not exist",
        GET + 'Then the response matches the schema "schemas/nope.json"',
        ("no schema or OpenAPI file 'schemas/nope.json': looked beside the test file",),
    ),
    BadInput(
        "a schema that is not a schema",
        GET + 'Then the response matches the schema:\n"""\n{"type": "thing"}\n"""',
        ("the schema is not a valid JSON Schema", "'thing' is not valid"),
    ),
    BadInput(
        "a spec file that does not exist",
        'Given the API spec is "missing-openapi.yaml"',
        ('the API spec is "missing-openapi.yaml"', "no schema or OpenAPI file 'missing-openapi.yaml': looked beside"),
    ),
    BadInput(
        "a spec that is not OpenAPI",
        'Given the API spec is "not-openapi.json"\n' + GET + "Then the response conforms to the API spec",
        ("not-openapi.json is not an OpenAPI document",),
    ),
    BadInput(
        "a path the spec does not have",
        'When I GET "/docs"\nThen the response conforms to the API spec',
        ("the API spec /openapi.json has no path /docs",),
    ),
    BadInput(
        "a method the spec does not have for a path",
        'When I send a PATCH request to "/cart"\nThen the response conforms to the API spec',
        ("the API spec /openapi.json has no PATCH operation for /cart",),
    ),
    BadInput(
        "no spec for the service",
        GET + "Then the response conforms to the API spec",
        ("no API spec for service 'shop'", "openapi: path/or/url"),
        config="services:\n  shop:\n    base_url: {url}\n",
    ),
    BadInput(
        "a bad duration",
        GET + "Then the response time is under 5 parsecs",
        ("cannot read '5 parsecs' as a duration",),
    ),
]


def _config(project: Project, case: BadInput) -> None:
    if case.config is not None:
        project.write_config(case.config.format(url=project.demo_url))
        return
    base_url = f"    base_url: {project.demo_url}\n"
    config = DEFAULT_CONFIG.format(url=project.demo_url)
    project.write_config(config.replace(base_url, base_url + "    openapi: /openapi.json\n", 1))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_fails_one_test_with_one_clear_line(project: Project, front_end: str, case: BadInput) -> None:
    _config(project, case)
    (project.root / "not-openapi.json").write_text(json.dumps({"swagger": "2.0"}), encoding="utf-8")
    scenario = Scenario.parse(case.name, case.steps)
    result = project.run(front_end, scenario, AFTERWARDS)

    outcome = result[case.name]
    assert not outcome.passed, result.output
    first_line = outcome.message.splitlines()[0]
    for fragment in case.expected:
        assert fragment in first_line, f"{front_end}: {fragment!r} not in {first_line!r}"
    assert "Traceback" not in outcome.message
    assert ("test.feature:" if front_end == "pytest" else "test.robot:") in first_line
    assert result[AFTERWARDS.name].passed, result[AFTERWARDS.name].message
