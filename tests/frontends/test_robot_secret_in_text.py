"""Robot Framework's ``Secret`` (Robot 7.4+) inside a larger text -- a doc string, a header
value, a table cell (``{"k": "${TOKEN}"}``, ``Bearer ${TOKEN}``) -- is sent as its real value
and masked in every output, as it already is in a URL or SQL argument. Robot itself would
paste ``<secret>`` there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bilingual import Project, Scenario

SECRET = "rf-secret-in-text-31f"

STEPS = '''
When I POST "/echo" with:
  """
  {"k": "${TOKEN}", "n": 1}
  """
I store the response field "$.body.k" as "in_body"
Should Be Equal    ${in_body}    ${TOKEN.value}
I set the header "Authorization" to "Bearer ${TOKEN}"
I set the headers:
  | X-Pair | pair-${TOKEN} |
When I GET "/echo"
I store the response field "$.headers.authorization" as "bearer"
Should Be Equal    ${bearer}    Bearer ${TOKEN.value}
I store the response field "$.headers['x-pair']" as "pair"
Should Be Equal    ${pair}    pair-${TOKEN.value}
When I POST "/echo" with the form:
  | k | form-${TOKEN} |
I store the response field "$.body.k" as "in_form"
Should Be Equal    ${in_form}    form-${TOKEN.value}
Set Request Header    X-Classic    classic-${TOKEN}
When I GET "/echo"
I store the response field "$.headers['x-classic']" as "classic"
Should Be Equal    ${classic}    classic-${TOKEN.value}
Send Request    POST    /echo    {"k": "body-${TOKEN}"}
I store the response field "$.body.k" as "classic_body"
Should Be Equal    ${classic_body}    body-${TOKEN.value}
'''


def test_a_robot_secret_inside_text_is_sent_and_masked(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from robot.version import VERSION

    # Required, not skipped: the Secret type is what this test is about.
    assert tuple(int(part) for part in VERSION.split(".")[:2]) >= (7, 4), f"Robot Framework {VERSION}: needs 7.4+"
    monkeypatch.setenv("SEAMLINE_TEST_ROBOT_SECRET", SECRET)
    scenario = Scenario.parse("a Robot secret inside text", STEPS)
    settings = "Library    Seamline\n\n*** Variables ***\n${TOKEN: Secret}    %{SEAMLINE_TEST_ROBOT_SECRET}"
    result = project.run_robot(scenario, settings=settings, loglevel="DEBUG")
    assert result[scenario.name].passed, result[scenario.name].message
    for name in ("output.xml", "log.html", "report.html"):
        text = (project.root / "robot-results" / name).read_text(encoding="utf-8")
        assert SECRET not in text, f"the secret leaked into {name}"
    assert SECRET not in result.output
    assert "<secret>" not in Path(project.root / "robot-results" / "output.xml").read_text(encoding="utf-8")
