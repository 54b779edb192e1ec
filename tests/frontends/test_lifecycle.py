"""Variable scopes, managed services and what the logs show, in both front ends."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.bilingual import Project, Scenario
from tests.servers import unique_name


def test_scopes_test_suite_and_run(project: Project, front_end: str) -> None:
    first = Scenario.parse(
        "first stores values",
        """
        Given I store "only here" as "mine"
        And I store "for the suite" as "shared"
        And I keep "shared" for the suite
        And I store "for everyone" as "everywhere"
        And I keep "everywhere" for the run
        And I store "config says ${greeting}" as "greeted"
        When I GET "/echo?v=${greeted}"
        Then the response field "$.query.v" is "config says hello"
        """,
    )
    second = Scenario.parse(
        "second sees the suite and run values",
        """
        When I GET "/echo?a=${shared}&b=${everywhere}"
        Then the response field "$.query.a" is "for the suite"
        And the response field "$.query.b" is "for everyone"
        """,
    )
    third = Scenario.parse(
        "test values do not leak into the next test",
        """
        When I GET "/echo?a=${mine}"
        """,
    )
    config = (project.root / "seamline.yaml").read_text(encoding="utf-8")
    project.write_config(config + "variables:\n  greeting: hello\n")
    result = project.run(front_end, first, second, third)
    assert result[first.name].passed, result[first.name].message
    assert result[second.name].passed, result[second.name].message
    assert not result[third.name].passed
    assert "${mine}" in result[third.name].message or "'${mine}'" in result[third.name].message


def _processes_mentioning(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline and str(os.getpid()) != entry.name:
                found.append(cmdline)
    return found


def test_managed_service_starts_once_on_first_use_and_stops_at_the_end(
    project: Project, front_end: str, tmp_path: Path
) -> None:
    database = tmp_path / f"managed-{front_end}.db"
    project.write_config(
        f"""
        services:
          shop:
            base_url: http://127.0.0.1:${{port}}
            start:
              command: ${{python}} -m seamline.demo --port ${{port}} --db {database}
              health: /health
        """
    )
    scenarios = [
        Scenario.parse(f"order {n}", 'When I GET "/products/A1"\nThen the response status is 200') for n in range(3)
    ]
    result = project.run(front_end, *scenarios)
    assert all(outcome.passed for outcome in result.outcomes.values()), result.output
    assert len(result.outcomes) == 3
    # One shop served all three tests: it wrote one database, and it is gone now.
    assert database.exists()
    assert _processes_mentioning(str(database)) == []


def test_managed_service_that_never_becomes_healthy_is_reported_with_its_output(
    project: Project, front_end: str
) -> None:
    # The sleepy service's command line carries a name of this test's own: other runs of
    # this test (the other front end, a parallel worker) may have theirs running now.
    marker = unique_name("sleepy")
    project.write_config(
        f"""
        services:
          broken:
            base_url: http://127.0.0.1:${{port}}
            start:
              command: ${{python}} -c "import sys; print('cannot open the shop database', flush=True); sys.exit(3)"
          sleepy:
            base_url: http://127.0.0.1:${{port}}
            start:
              command: ${{python}} -c "import time; print('warming up', flush=True); time.sleep(60)" {marker}
              timeout: 1
        """
    )
    exits = Scenario.parse("a service that exits", 'When I GET "/health"')
    hangs = Scenario.parse("a service that never answers", 'Given I use the service "sleepy"\nWhen I GET "/"')
    result = project.run(front_end, exits, hangs)
    exited = result[exits.name].message
    assert "managed service 'broken' exited with code 3 before it became healthy" in exited.splitlines()[0]
    hung = result[hangs.name].message
    assert "managed service 'sleepy' did not answer http://127.0.0.1:" in hung.splitlines()[0]
    assert "within 1 s" in hung.splitlines()[0]
    if front_end == "pytest":
        assert "cannot open the shop database" in exited  # the service's own output
        assert "warming up" in hung
    assert _processes_mentioning(marker) == []


def _tokens(demo_db: Path) -> list[str]:
    with sqlite3.connect(demo_db) as connection:
        return [row[0] for row in connection.execute("select token from tokens")]


def test_logs_show_exchanges_with_secrets_masked(project: Project, front_end: str, demo_db: Path) -> None:
    scenario = Scenario.parse(
        "a token and a failure",
        '''
        Given I obtain a token
        When I PUT "/cart" with:
          """
          {"items": [{"sku": "B2", "qty": 1}]}
          """
        Then the response field "$.total" is 1
        ''',
    )
    result = project.run(front_end, scenario)
    outcome = result[scenario.name]
    assert not outcome.passed
    if front_end == "robot":
        log = (project.root / "robot-results" / "output.xml").read_text(encoding="utf-8")
    else:
        log = result.output
    assert "PUT http" in log and "/cart" in log
    assert "usertoken: ***" in log
    assert '"sku": "B2"' in log  # request body, pretty-printed
    assert "-&gt; 200 OK" in log or "-> 200 OK" in log
    for token in _tokens(demo_db):
        assert token not in log
    assert "wonderland" not in log


def test_runner_option_picks_a_named_environment_and_config_file(project: Project, front_end: str) -> None:
    (project.root / "seamline.yaml").unlink()
    elsewhere = project.root / "conf" / "shop.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(
        "services:\n  shop: http://127.0.0.1:9\n"
        f"environments:\n  local:\n    services:\n      shop: {project.demo_url}\n",
        encoding="utf-8",
    )
    scenario = Scenario.parse("the local environment", 'When I GET "/health"\nThen the response status is 200')
    if front_end == "robot":
        result = project.run_robot(scenario, settings=f"Library    Seamline    config={elsewhere}    env=local")
    else:
        result = project.run_pytest(scenario, args=("--seamline-config", str(elsewhere), "--seamline-env", "local"))
    assert result[scenario.name].passed, result[scenario.name].message


def test_a_run_killed_by_a_signal_leaves_no_managed_service_behind(project: Project, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    marker = tmp_path / "killed-run.db"
    project.write_config(
        f"""
        services:
          shop:
            base_url: http://127.0.0.1:${{port}}
            start:
              command: ${{python}} -m seamline.demo --port ${{port}} --db {marker}
        """
    )
    feature = project.root / "slow.feature"
    feature.write_text(
        'Feature: slow\n  Scenario: slow\n    When I GET "/delay/10"\n', encoding="utf-8"
    )
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-q", str(feature)], cwd=project.root)
    try:
        deadline = time.monotonic() + 30
        while not _processes_mentioning(str(marker)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_mentioning(str(marker)), "the managed shop never started"
        time.sleep(0.5)  # the scenario is waiting on /delay now
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _processes_mentioning(str(marker)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_mentioning(str(marker)) == []
    finally:
        if run.poll() is None:
            run.kill()
