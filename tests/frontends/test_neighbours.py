"""Seamline installed beside a pytest-bdd project of its own: the plugin runs only the
.feature files a seamline.yaml governs (or the `seamline_features` ini option names), and
never one that the project's own scenarios() or @scenario binds."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

LOGIN_FEATURE = """\
Feature: Login
  Scenario: a known user signs in
    Given I am on the login page
    When I sign in as "alice"
    Then I see "Welcome alice"
"""

# The project's own steps; its own scenarios() collects login.feature.
LOGIN_TESTS = '''\
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("login.feature")


@given("I am on the login page", target_fixture="page")
def page():
    return {"text": ""}


@when(parsers.parse('I sign in as "{user}"'))
def sign_in(page, user):
    page["text"] = f"Welcome {user}"


@then(parsers.parse('I see "{text}"'))
def see(page, text):
    assert page["text"] == text
'''

# Inside the Seamline folder: a file the project binds with @scenario and its own steps.
OWN_FEATURE = """\
Feature: Own steps
  Scenario: counted by the project
    Given a counter at 1
    Then the counter is 1
"""

OWN_TESTS = '''\
from pytest_bdd import given, parsers, scenario, then


@scenario("own.feature", "counted by the project")
def test_counted():
    pass


@given(parsers.parse("a counter at {n:d}"), target_fixture="counter")
def counter(n):
    return n


@then(parsers.parse("the counter is {n:d}"))
def counter_is(counter, n):
    assert counter == n
'''

SHOP_FEATURE = """\
Feature: Shop
  @smoke
  Scenario: a product is there
    When I look at "A1"
    Then the response status is 200
"""

# The Seamline folder's phrasebook: read with its seamline.yaml, though pytest starts above it.
PHRASES = """\
- phrase: I look at "{sku}"
  steps:
    - I GET "/products/{sku}"
"""


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a process of its own, as a user runs it, with Seamline installed."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SEAMLINE_", "PYTEST_"))}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-rA", *args]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _neighbour_project(root: Path, demo_url: str) -> None:
    (root / "neighbour").mkdir()
    (root / "neighbour" / "login.feature").write_text(LOGIN_FEATURE, encoding="utf-8")
    (root / "neighbour" / "test_login.py").write_text(LOGIN_TESTS, encoding="utf-8")
    shop = root / "shop"
    shop.mkdir()
    (shop / "seamline.yaml").write_text(f"services:\n  shop:\n    base_url: {demo_url}\n", encoding="utf-8")
    (shop / "cart.feature").write_text(SHOP_FEATURE, encoding="utf-8")
    (shop / "phrases.yaml").write_text(PHRASES, encoding="utf-8")
    (shop / "own.feature").write_text(OWN_FEATURE, encoding="utf-8")
    (shop / "test_own.py").write_text(OWN_TESTS, encoding="utf-8")


def test_a_pytest_bdd_project_passes_unchanged_beside_a_seamline_folder(tmp_path: Path, demo_url: str) -> None:
    _neighbour_project(tmp_path, demo_url)
    alone = _pytest(tmp_path, "-p", "no:seamline", "neighbour")
    assert alone.returncode == 0 and "1 passed" in alone.stdout, alone.stdout + alone.stderr
    # With Seamline: the neighbour's file runs once, with its own steps; the Seamline folder
    # runs its .feature file; the file the Seamline folder's own test module binds runs there only.
    both = _pytest(tmp_path, "--strict-markers")
    output = both.stdout + both.stderr
    assert both.returncode == 0, output
    assert "3 passed" in output, output
    passed = sorted(line.split()[1] for line in both.stdout.splitlines() if line.startswith("PASSED"))
    assert passed == [
        "neighbour/test_login.py::test_a_known_user_signs_in",
        "shop/cart.feature::test_a_product_is_there",
        "shop/test_own.py::test_counted",
    ], output


def test_features_outside_a_seamline_folder_run_when_named(tmp_path: Path, demo_url: str) -> None:
    (tmp_path / "elsewhere").mkdir()
    feature = SHOP_FEATURE.replace('I look at "A1"', 'I GET "/products/A1"')
    (tmp_path / "elsewhere" / "cart.feature").write_text(feature, encoding="utf-8")
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "seamline.yaml"
    config.write_text(f"services:\n  shop:\n    base_url: {demo_url}\n", encoding="utf-8")
    ignored = _pytest(tmp_path, f"--seamline-config={config}", "elsewhere")
    assert "no tests ran" in ignored.stdout, ignored.stdout + ignored.stderr
    # Named on the command line, a .feature file is Seamline's: nothing else runs a bare one.
    named_file = _pytest(tmp_path, f"--seamline-config={config}", "elsewhere/cart.feature")
    assert named_file.returncode == 0 and "1 passed" in named_file.stdout, named_file.stdout + named_file.stderr
    (tmp_path / "pytest.ini").write_text(
        textwrap.dedent("""\
            [pytest]
            seamline_features = elsewhere
            """),
        encoding="utf-8",
    )
    named = _pytest(tmp_path, f"--seamline-config={config}", "elsewhere")
    assert named.returncode == 0 and "1 passed" in named.stdout, named.stdout + named.stderr


def test_a_file_bound_through_a_base_folder_of_its_own_runs_once(tmp_path: Path, demo_url: str) -> None:
    # seamline.yaml at the root governs every .feature file below it; the project's @scenario
    # names its file relative to a features_base_dir of its own, not to the test module.
    (tmp_path / "seamline.yaml").write_text(f"services:\n  shop:\n    base_url: {demo_url}\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "own.feature").write_text(OWN_FEATURE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    module = OWN_TESTS.replace('"counted by the project")', '"counted by the project", features_base_dir="specs")')
    (tmp_path / "tests" / "test_own.py").write_text(module, encoding="utf-8")
    run = _pytest(tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "1 passed" in output, output
    assert [line.split()[1] for line in run.stdout.splitlines() if line.startswith("PASSED")] == [
        "tests/test_own.py::test_counted"
    ], output


def test_tags_that_cannot_be_marker_names_pass_strict_markers(tmp_path: Path, demo_url: str) -> None:
    (tmp_path / "seamline.yaml").write_text(f"services:\n  shop:\n    base_url: {demo_url}\n", encoding="utf-8")
    (tmp_path / "tagged.feature").write_text(
        "@api @jira:SHOP-12\nFeature: tagged\n  @smoke @slow(2)\n  Scenario: a product\n"
        '    When I GET "/products/A1"\n    Then the response status is 200\n',
        encoding="utf-8",
    )
    strict = _pytest(tmp_path, "--strict-markers", "-W", "error::pytest.PytestUnknownMarkWarning")
    assert strict.returncode == 0 and "1 passed" in strict.stdout, strict.stdout + strict.stderr
    selected = _pytest(tmp_path, "--strict-markers", "-m", "smoke and api")
    assert selected.returncode == 0 and "1 passed" in selected.stdout, selected.stdout + selected.stderr


def test_a_neighbours_failures_read_as_pytest_bdd_writes_them(tmp_path: Path) -> None:
    # Seamline's one-line failures and "matches no phrase" are for its own scenarios; a project's
    # missing step and failing assertion keep pytest-bdd's error and the step's traceback.
    # A tag of the project's own that looks like Seamline's (@data:) stays the project's.
    (tmp_path / "login.feature").write_text(
        LOGIN_FEATURE.replace('I see "Welcome alice"', 'I see "Goodbye"')
        .replace("  Scenario:", "  @data:users.csv\n  Scenario:")
        + '\n  Scenario: a user leaves\n    Given I am on the login page\n    Then I log out\n',
        encoding="utf-8",
    )
    (tmp_path / "test_login.py").write_text(LOGIN_TESTS, encoding="utf-8")
    alone = _pytest(tmp_path, "-p", "no:seamline")
    beside = _pytest(tmp_path)
    for run in (alone, beside):
        output = run.stdout + run.stderr
        assert "2 failed" in output, output
        assert "StepDefinitionNotFoundError: Step definition is not found: Then \"I log out\"" in output, output
        assert "assert page[\"text\"] == text" in output and "test_login.py:" in output, output
    assert "matches no phrase" not in beside.stdout and "failed: AssertionError" not in beside.stdout, beside.stdout
    assert "tag @data:users.csv" not in beside.stdout, beside.stdout
