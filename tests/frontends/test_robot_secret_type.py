"""Robot Framework's own secret values (``${token: Secret}``, Robot 7.4+) work wherever a
phrase or classic keyword takes a value: the value is sent, and masked in every output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario

SECRET = "rf-secret-7c1e9"

STEPS = """
I use the bearer token "${TOKEN}"
When I GET "/echo"
Then the response status is 200
I store the response field "$.headers.authorization" as "sent"
Should Be Equal    ${sent}    Bearer ${TOKEN.value}
Set Request Header    X-Api-Key    ${TOKEN}
When I GET "/echo"
I store the response field "$.headers['x-api-key']" as "key"
Should Be Equal    ${key}    ${TOKEN.value}
When I GET "/echo?k=${TOKEN}&n=1"
I store the response field "$.query.k" as "in_url"
Should Be Equal    ${in_url}    ${TOKEN.value}
"""


def test_a_robot_secret_is_sent_and_masked(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMLINE_TEST_ROBOT_SECRET", SECRET)
    scenario = Scenario.parse("a Robot secret", STEPS)
    settings = "Library    Seamline\n\n*** Variables ***\n${TOKEN: Secret}    %{SEAMLINE_TEST_ROBOT_SECRET}"
    result = project.run_robot(scenario, settings=settings, loglevel="DEBUG")
    assert result[scenario.name].passed, result[scenario.name].message
    outputs = [project.root / "robot-results" / name for name in ("output.xml", "log.html", "report.html")]
    for path in outputs:
        assert SECRET not in Path(path).read_text(encoding="utf-8"), f"the secret leaked into {path.name}"
    assert SECRET not in result.output
