"""A mistake in seamline.yaml fails the test that needs the config with one line: the step
and its file, then seamline.yaml:line, the key's path and the closest known key (or what is
allowed instead). The next test of the run is not affected."""

from __future__ import annotations

import pytest

from tests.bilingual import Project, Scenario

TYPOS = """\
services:
  shop:
    base_url: {url}
    timout: 5
databases:
  main:
    url: sqlite:///shop.db
    conect_timeout: 3
"""

# (config, line, the one line's message) for each kind of mistake of issue 9's "Bad input".
MISTAKES = {
    "duplicate key": (
        "services:\n  shop:\n    base_url: {url}\n    timeout: 5\n    timeout: 6\n",
        5, "duplicate key 'timeout' under services.shop (first on line 4)",
    ),
    "wrong type": (
        "services:\n  shop:\n    base_url: {url}\n    verify_tls: nope\n",
        4, "services.shop.verify_tls must be true or false, not 'nope'",
    ),
    "out of range": (
        "services:\n  shop:\n    base_url: {url}\n    timeout: -1\n",
        4, "services.shop.timeout must be a positive number of seconds, not -1",
    ),
    "unknown reference": (
        "services:\n  shop:\n    base_url: {url}\ndatabases:\n  main:\n    url: sqlite:///x.db\n    service: shp\n",
        7, "databases.main.service 'shp' is not among the services; did you mean 'shop'?",
    ),
}  # fmt: skip

SCENARIO = 'When I GET "/products/A1"\nThen the response status is 200'


def test_a_config_typo_fails_the_test_with_one_line(project: Project, front_end: str) -> None:
    path = project.write_config(TYPOS.format(url=project.demo_url))
    scenario = Scenario.parse("a typo in the config", SCENARIO)
    result = project.run(front_end, scenario)
    outcome = result[scenario.name]
    assert not outcome.passed, result.output
    first_line = outcome.message.splitlines()[0]
    # the first mistake of the file, not both
    assert f"{path}:4: unknown key 'timout' under services.shop; did you mean 'timeout'?" in first_line
    assert "conect_timeout" not in outcome.message
    assert ("test.feature:" if front_end == "pytest" else "test.robot:") in first_line
    assert "Traceback" not in outcome.message


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_kind_of_config_mistake_is_one_line_in_both_runners(
    project: Project, front_end: str, mistake: str
) -> None:
    text, line, message = MISTAKES[mistake]
    path = project.write_config(text.format(url=project.demo_url))
    first, second = Scenario.parse("needs the config", SCENARIO), Scenario.parse("needs none", 'I store "x" as "y"')
    result = project.run(front_end, first, second)
    outcome = result[first.name]
    assert not outcome.passed, result.output
    assert f"{path}:{line}: {message}" in outcome.message.splitlines()[0]
    assert len(outcome.message.splitlines()[0]) < 400 and "Traceback" not in outcome.message
    assert result[second.name].passed, result.output  # the next test is unaffected
