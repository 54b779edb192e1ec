"""The test helper itself: the pytest half of a bilingual test runs in this process, and
one inner run leaves nothing behind that the next one would see."""

from __future__ import annotations

import os
import sys

from tests.bilingual import Project, Scenario, pytest_here

KEEPS = Scenario.parse(
    "keeps a value for the run",
    """
    Given I store "from the first run" as "kept"
    And I keep "kept" for the run
    """,
)
READS = Scenario.parse("reads the kept value", 'When I GET "/echo?v=${kept}"')

CONFTEST = """\
import os
from pathlib import Path


def pytest_sessionfinish(session):
    Path(__file__).with_name("pid.txt").write_text(str(os.getpid()))
"""


def test_each_inner_pytest_run_is_a_new_session_in_this_process(project: Project) -> None:
    (project.root / "features").mkdir()
    (project.root / "features" / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    first = project.run_pytest(KEEPS)
    assert first[KEEPS.name].passed, first.output
    assert (project.root / "features" / "pid.txt").read_text() == str(os.getpid())
    # A value kept for the run lives in the run's Runtime: a new session has a new one.
    second = project.run_pytest(READS)
    assert not second[READS.name].passed
    assert "unknown variable ${kept}" in second[READS.name].message
    # The project's conftest module went with its session.
    root = str(project.root.resolve())
    left = [name for name, module in list(sys.modules.items()) if str(getattr(module, "__file__", "")).startswith(root)]
    assert left == []


def test_a_rewritten_feature_file_runs_as_it_now_reads(project: Project) -> None:
    # pytest-bdd caches parsed feature files by path for the whole process.
    passes = Scenario.parse("one name", 'When I GET "/products/A1"\nThen the response status is 200')
    fails = Scenario.parse("one name", 'When I GET "/products/A1"\nThen the response status is 404')
    assert project.run_pytest(passes)["one name"].passed
    outcome = project.run_pytest(fails)["one name"]
    assert not outcome.passed
    assert "404" in outcome.message


def test_steps_of_a_phrasebook_stay_with_the_run_that_loaded_it(project: Project) -> None:
    import seamline.bdd.plugin as plugin

    step_fixtures = sorted(name for name in vars(plugin) if name.startswith("pytestbdd_stepdef"))
    looks = Scenario.parse("uses a user phrase", 'When I look at "A1"\nThen the response status is 200')
    (project.root / "phrases.yaml").write_text(
        '- phrase: I look at "{sku}"\n  steps:\n    - I GET "/products/{sku}"\n', encoding="utf-8"
    )
    with_book = project.run_pytest(looks)
    assert with_book[looks.name].passed, with_book[looks.name].message
    (project.root / "phrases.yaml").unlink()
    without_book = project.run_pytest(looks)
    assert not without_book[looks.name].passed
    assert "matches no phrase" in without_book[looks.name].message
    # One step reads every phrase, the phrasebook's too; it lives in each feature file's module,
    # so no run adds a step the plugin's namespace (seen by every pytest-bdd test) would keep.
    assert sorted(name for name in vars(plugin) if name.startswith("pytestbdd_stepdef")) == step_fixtures == []


def test_pytest_here_gives_the_exit_code_and_the_console(project: Project) -> None:
    feature = "Feature: x\n  Scenario: y\n    When I GIT nowhere\n"
    (project.root / "broken.feature").write_text(feature, encoding="utf-8")
    completed = pytest_here("-q", "broken.feature", cwd=project.root)
    assert completed.returncode == 1
    assert "1 failed" in completed.output
    assert os.getcwd() == str(project.root)  # back where the test was
