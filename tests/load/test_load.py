"""Load mode: .feature scenarios run as Locust users against the real demo shop, in real
Locust processes (headless, a few seconds), read back from Locust's own CSV statistics."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from seamline.load._cli import run_load

FEATURE = '''\
Feature: shoppers

  @weight:3 @browse
  Scenario: browse a product
    Given I store "A1" as "sku"
    When I GET "/products/${sku}"
    Then the response status is 200
    And the response field "$.sku" is "A1"

  @browse @cart
  Scenario: a signed-in user fills the cart
    Given I obtain a token
    When I PUT "/cart" with:
      """
      {"items": [{"sku": "A1", "qty": 1}]}
      """
    Then the response status is 200
    When I GET "/cart"
    Then the response status is 200

  @broken
  Scenario: a check that never holds
    When I GET "/health"
    Then the response status is 418
'''

CONFIG = """\
services:
  shop:
    base_url: http://127.0.0.1:1
    start:
      command: never started under load
      health: /health
auth:
  shop:
    request:
      method: POST
      path: /auth/token
      body: {"username": "${username}", "password": "${password}"}
    token: $.token
    header: usertoken
    prefix: ""
    users:
      alice:
        password: wonderland
"""


@pytest.fixture
def shop_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "seamline.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "shoppers.feature").write_text(FEATURE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEAMLINE_ENV", raising=False)
    return tmp_path


def _seamline_load(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "seamline.cli", "load", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=os.environ.copy())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stats(prefix: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(method, name) -> (requests, failures), from Locust's own <prefix>_stats.csv."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {(row["Type"], row["Name"]): (int(row["Request Count"]), int(row["Failure Count"])) for row in rows}


@pytest.mark.parametrize("processes", [None, "2"], ids=["one-process", "master-and-two-workers"])
def test_a_headless_run_reports_each_request_as_written_and_counts_a_failed_check(
    shop_project: Path, demo_url: str, processes: str | None
) -> None:
    prefix = shop_project / "run"
    locust = ["--headless", "-u", "4", "-r", "4", "-t", "3s", "--csv", str(prefix), "--host", demo_url]
    if processes is not None:  # Locust's own distributed mode: a master and two local workers on loopback
        port = str(_free_port())  # not Locust's default 5557, which another run on the machine may hold
        locust += ["--processes", processes, "--master-bind-port", port, "--master-port", port]
    run = _seamline_load(shop_project, "shoppers.feature", "--wait", "0.05", "--", *locust)
    assert Path(f"{prefix}_stats.csv").exists(), run.stderr[-3000:]

    stats = _stats(prefix)
    names = {key for key in stats if key[1] != "Aggregated"}
    # The path as written, not the URL it became; the token request too.
    assert names == {
        ("GET", "/products/${sku}"), ("POST", "/auth/token"), ("PUT", "/cart"), ("GET", "/cart"), ("GET", "/health")
    }
    assert all(requests > 0 for requests, _ in stats.values()), stats
    assert stats[("GET", "/products/${sku}")][1] == 0
    assert stats[("PUT", "/cart")][1] == 0
    # a token once per virtual user (4 of them, over the processes), reused by its later scenarios
    assert stats[("POST", "/auth/token")] [0] <= 4 < stats[("PUT", "/cart")][0]
    # every GET /health was checked with "status is 418": each is a failure of that request
    assert stats[("GET", "/health")][1] == stats[("GET", "/health")][0]
    with open(f"{prefix}_failures.csv", encoding="utf-8") as file:
        failures = list(csv.DictReader(file))
    assert [(row["Method"], row["Name"]) for row in failures] == [("GET", "/health")]
    assert "Step 'Then the response status is 418' (shoppers.feature:" in failures[0]["Error"]
    with open(f"{prefix}_exceptions.csv", encoding="utf-8") as file:
        assert list(csv.DictReader(file)) == []  # no exception escaped a virtual user
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 1  # Locust's own exit code for a run with failures


def test_the_weight_tag_makes_a_scenario_run_that_many_times_as_often(shop_project: Path, demo_url: str) -> None:
    prefix = shop_project / "weights"
    _seamline_load(
        shop_project, "shoppers.feature", "--tag", "browse", "--",
        "--headless", "-u", "2", "-r", "2", "-t", "3s", "--csv", str(prefix), "--host", demo_url,
    )
    stats = _stats(prefix)
    assert ("GET", "/health") not in stats  # not tagged @browse
    browsed, carts = stats[("GET", "/products/${sku}")][0], stats[("PUT", "/cart")][0]
    assert browsed > 1.5 * carts, (browsed, carts)  # weights 3 and 1


LOCUSTFILE = """\
from locust import constant
from seamline.load import scenarios_as_users

Shoppers = scenarios_as_users("shoppers.feature", tags=["cart"], tokens="run", wait_time=constant(0.05))
"""


def test_a_locustfile_of_ones_own_can_keep_tokens_once_per_run(shop_project: Path, demo_url: str) -> None:
    (shop_project / "locustfile.py").write_text(LOCUSTFILE, encoding="utf-8")
    prefix = shop_project / "own"
    command = [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "-u", "3", "-r", "3", "-t", "3s",
               "--csv", str(prefix), "--host", demo_url]
    run = subprocess.run(command, cwd=shop_project, capture_output=True, text=True, timeout=120)
    stats = _stats(prefix)
    assert run.returncode == 0, run.stderr[-3000:]
    # one token, shared by the three virtual users: those that start while it is on its way wait for it
    assert stats[("POST", "/auth/token")] == (1, 0)
    assert stats[("PUT", "/cart")][0] > 3
    assert ("GET", "/health") not in stats


def test_a_mistake_in_a_locustfile_of_ones_own_ends_locust_with_one_line(shop_project: Path) -> None:
    (shop_project / "locustfile.py").write_text(
        'from seamline.load import scenarios_as_users\nU = scenarios_as_users("shoppers.feature", tags=["nope"])\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "-t", "1s"]
    run = subprocess.run(command, cwd=shop_project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == (
        "seamline load: no scenario is tagged @nope; the tags: @broken, @browse, @cart"
    )


def test_a_tag_no_scenario_has_is_one_line_without_a_traceback(shop_project: Path) -> None:
    run = _seamline_load(shop_project, "shoppers.feature", "--tag", "@checkout", "--", "--headless")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "seamline load: no scenario is tagged @checkout; the tags: @broken, @browse, @cart"
    )


def test_a_scenario_name_no_scenario_has_is_one_line(shop_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_load(["shoppers.feature", "--scenario", "checkout", "--", "--headless"]) == 2
    assert capsys.readouterr().err.strip() == (
        "seamline load: no scenario is named 'checkout'; the scenarios: 'browse a product', "
        "'a signed-in user fills the cart', 'a check that never holds'"
    )


def test_a_locust_option_before_the_separator_is_pointed_after_it(
    shop_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_load(["shoppers.feature", "--headless"]) == 2
    assert capsys.readouterr().err.strip() == (
        "seamline load: --headless is not an option of seamline load; Locust's options go after --, "
        "as in: seamline load shoppers.feature -- --headless"
    )


def test_a_service_seamline_would_start_needs_an_address(
    shop_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_load(["shoppers.feature", "--", "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("seamline load: service 'shop' is started by Seamline (start: in ")
    assert err.endswith("a load test runs against a running system: give its address with --host")
    assert "\n" not in err


def test_a_scenario_with_a_stub_says_what_load_mode_runs(
    shop_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shop_project / "stubbed.feature").write_text(
        'Feature: f\n  Scenario: paid\n    Given the "payments" service is stubbed\n    When I GET "/health"\n',
        encoding="utf-8",
    )
    assert run_load(["stubbed.feature", "--", "--host", "http://127.0.0.1:1"]) == 2
    assert capsys.readouterr().err.strip() == (
        "seamline load: scenario 'paid' (stubbed.feature:2) cannot run under load: Step 'Given the \"payments\" "
        "service is stubbed' (stubbed.feature:3) is a stubs step (a stub lives in the load process, so the system "
        "under test cannot call each virtual user's); under load Seamline runs HTTP requests, response checks, "
        "variables, waiting and auth profiles"
    )


def test_a_worker_whose_master_does_not_answer_says_so(
    shop_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = ["shoppers.feature", "--master-wait", "0", "--", "--worker", "--master-port", str(port), "--host", "x"]
    assert run_load(argv) == 2
    assert capsys.readouterr().err.strip() == (
        f"seamline load: no Locust master answers at 127.0.0.1:{port} (Connection refused) after 0 s: start it "
        "first (seamline load ... -- --master) or give --master-host and --master-port"
    )
