"""Each mistake fails its own test with one clear line naming the step and the cause;
the next test runs and passes, in both front ends."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.bilingual import Project, Scenario

AFTERWARDS = Scenario.parse(
    "the next test is unaffected",
    """
    When I GET "/products/A1"
    Then the response status is 200
    """,
)


@dataclass
class BadInput:
    name: str
    steps: str
    expected: tuple[str, ...]
    config: str | None = None
    pytest_only: tuple[str, ...] = ()
    robot_only: tuple[str, ...] = ()
    warns: bool = False  # Seamline logs the failed exchange as a warning (Robot: WARN in output.xml)


CASES = [
    BadInput(
        "a step that matches no phrase",
        'When I GIT "/products"',
        ("matches no phrase", 'I {method} "{path}"'),
    ),
    BadInput(
        "a status that is no status",
        'When I GET "/products/A1"\nThen the response status is 999',
        ("the response status is 999", "a status is a number such as 200 or a class such as 2xx, not '999'"),
    ),
    BadInput(
        "an invalid JSONPath",
        'When I GET "/products/A1"\nThen the response field "$.[[" is 1',
        ('the response field "$.[[" is 1', "invalid JSONPath '$.[['"),
    ),
    BadInput(
        "a JSONPath that matches nothing",
        'When I GET "/products/A1"\nThen the response field "$.colour" is "red"',
        ("the response has no field at $.colour",),
    ),
    BadInput(
        "a response that is not JSON",
        'When I GET "/openapi.json"\nAnd I set the header "Accept" to "text/html"\nWhen I GET "/docs"\n'
        'Then the response field "$.x" is 1',
        ("is not JSON (text/html",),
    ),
    BadInput(
        "an unknown variable",
        'Given I store "A1" as "sku"\nWhen I GET "/products/${skew}"',
        ("unknown variable ${skew}", "known variables:", "sku"),
    ),
    BadInput(
        "an unknown service",
        'Given I use the service "payments"',
        ("unknown service 'payments'", "known services: shop"),
    ),
    BadInput(
        "an unknown auth profile",
        'Given I obtain a "partner" token as "acme"',
        ("unknown auth profile 'partner'", "known profiles: shop"),
    ),
    BadInput(
        "an unknown user",
        'Given I obtain a token as "carol"',
        ("has no user 'carol'", "known users: alice, bob, mallory"),
    ),
    BadInput(
        "a token request that fails",
        'Given I obtain a token as "mallory"',
        ("token request of auth profile 'shop' for user 'mallory' failed: 401",),
        warns=True,
    ),
    BadInput(
        "invalid JSON in a doc string",
        'When I POST "/echo" with:\n"""\n{"sku": "A1",}\n"""',
        ("the request body is not valid JSON", "line 1 column"),
    ),
    BadInput(
        "an unreachable service",
        'Given I use the service "gone"\nWhen I GET "/anything"',
        ("cannot reach service 'gone' at http://127.0.0.1:9/anything",),
        config="services:\n  shop:\n    base_url: {url}\n  gone:\n    base_url: http://127.0.0.1:9\n",
        warns=True,
    ),
    BadInput(
        "a timeout",
        'Given I use the service "slow"\nWhen I GET "/delay/3"',
        ("no answer within 0.5 s", "service 'slow'"),
        config="services:\n  shop:\n    base_url: {url}\n  slow:\n    base_url: {url}\n    timeout: 0.5\n",
        warns=True,
    ),
    BadInput(
        "a malformed config file",
        'When I GET "/products/A1"',
        ("seamline.yaml:3: invalid YAML", "expected the node content"),
        config="services:\n  shop: [\n",
    ),
    BadInput(
        "no config file at all",
        'When I GET "/products/A1"',
        ("no service is configured", "no seamline.yaml found"),
        config="",
    ),
]


def _scenario(case: BadInput) -> Scenario:
    lines = case.steps.replace('"""\n', '"""\n').splitlines()
    return Scenario.parse(case.name, "\n".join(lines))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_fails_one_test_with_one_clear_line(project: Project, front_end: str, case: BadInput) -> None:
    if case.config is not None:
        if case.config:
            project.write_config(case.config.format(url=project.demo_url))
        else:
            (project.root / "seamline.yaml").unlink()
    scenario = _scenario(case)
    fine = AFTERWARDS if case.config is None else None
    scenarios = (scenario, fine) if fine else (scenario,)
    result = project.run(front_end, *scenarios, warns=case.warns)

    outcome = result[case.name]
    assert not outcome.passed, result.output
    first_line = outcome.message.splitlines()[0]
    expected = case.robot_only or case.expected if front_end == "robot" else case.pytest_only or case.expected
    for fragment in expected:
        assert fragment in first_line, f"{front_end}: {fragment!r} not in {first_line!r}"
    assert "Traceback" not in outcome.message
    assert ("test.feature:" if front_end == "pytest" else "test.robot:") in first_line  # file and line
    if fine is not None:
        assert result[fine.name].passed, result[fine.name].message
