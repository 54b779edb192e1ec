"""A typo in seamline.yaml fails the test that needs the config with one line: the
step and its file, then seamline.yaml:line, the key's path and the closest known key."""

from __future__ import annotations

import pytest

from tests.bilingual import Project, Scenario

CONFIG = """\
services:
  shop:
    base_url: {url}
    timout: 5
databases:
  main:
    url: sqlite:///shop.db
    conect_timeout: 3
"""


@pytest.mark.parametrize("front_end", ["robot", "pytest"])
def test_a_config_typo_fails_the_test_with_one_line(project: Project, front_end: str) -> None:
    path = project.write_config(CONFIG.format(url=project.demo_url))
    scenario = Scenario.parse("a typo in the config", 'When I GET "/products/A1"\nThen the response status is 200')
    result = project.run_robot(scenario) if front_end == "robot" else project.run_pytest(scenario)
    outcome = result[scenario.name]
    assert not outcome.passed, result.output
    first_line = outcome.message.splitlines()[0]
    # the first mistake of the file, not both
    assert f"{path}:4: unknown key 'timout' under services.shop; did you mean 'timeout'?" in first_line
    assert "conect_timeout" not in outcome.message
    assert ("test.feature:" if front_end == "pytest" else "test.robot:") in first_line
    assert "Traceback" not in outcome.message
