"""Requests per second of ``seamline load`` against a hand-written Locust user doing the same
calls, on the demo shop, one Locust process each, in one run.

Run:  python benchmarks/bench_load.py [--users N] [--seconds S] [--repetitions R]

The demo shop (``running_demo``) serves in a thread of this process, which otherwise only
waits. Each variant is a headless Locust run of one process, ``-u N -r N -t S``, no wait
time, whose steady requests per second are read from Locust's own per-second CSV history
(``--csv-full-history``, the Aggregated rows) after a warm-up of WARM_UP seconds:

* seamline   ``seamline load`` on a scenario of three steps: ``I GET "/products/A1"``, ``the
             response status is 200``, ``the response field "$.sku" is "A1"``;
* httpuser   a hand-written ``HttpUser`` (requests, as Seamline uses): the same GET with
             ``catch_response``, the status and ``response.json()["sku"]`` checked;
* fasthttp   the same on ``FastHttpUser`` (geventhttpclient), for what Locust's faster
             client would change.

Variants run in turn, ``--repetitions`` times interleaved, and the best of each is kept, so a
burst of load from elsewhere on the machine hits them alike. The ratio is seamline / httpuser
(the issue's goal: >= 0.8). On a shared machine, compare figures from one run only.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from seamline.demo import running_demo

TARGET_RATIO = 0.8

FEATURE = """\
Feature: bench
  Scenario: one product
    When I GET "/products/A1"
    Then the response status is 200
    And the response field "$.sku" is "A1"
"""

CONFIG = "services:\n  shop:\n    base_url: http://127.0.0.1:1\n"

LOCUSTFILE = """\
from locust import HttpUser
from locust.contrib.fasthttp import FastHttpUser


def one_product(user):
    with user.client.get("/products/A1", catch_response=True) as response:
        if response.status_code != 200:
            response.failure(f"status {response.status_code}")
        elif response.json()["sku"] != "A1":
            response.failure("sku")


class Plain(HttpUser):
    tasks = [one_product]


class Fast(FastHttpUser):
    tasks = [one_product]
"""


WARM_UP = 3  # seconds left out at the start of each run: spawning, first connections, lazy imports


def _rps(prefix: Path) -> tuple[float, int, int]:
    """Steady requests per second: the growth of the total request count from WARM_UP seconds
    into the run to its last second, from Locust's own per-second history."""
    with open(f"{prefix}_stats_history.csv", encoding="utf-8") as file:
        rows = [(int(r["Timestamp"]), int(r["Total Request Count"]), int(r["Total Failure Count"]))
                for r in csv.DictReader(file) if r["Name"] == "Aggregated"]
    start = next(row for row in rows if row[0] >= rows[0][0] + WARM_UP)
    end = rows[-1]
    return (end[1] - start[1]) / max(end[0] - start[0], 1), end[1], end[2]


def _locust(variant: str, workdir: Path, url: str, users: int, seconds: int, run: int) -> tuple[float, int, int]:
    prefix = workdir / f"{variant}-{run}"
    timing = ["--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", str(prefix),
              "--host", url, "--only-summary", "--csv-full-history"]
    if variant == "seamline":
        command = [sys.executable, "-m", "seamline.cli", "load", "bench.feature", "--", *timing]
    else:
        command = [sys.executable, "-m", "locust", "-f", "handwritten.py", *timing,
                   "Plain" if variant == "httpuser" else "Fast"]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, env=os.environ.copy())
    if not Path(f"{prefix}_stats.csv").exists():
        sys.exit(f"{variant}: Locust wrote no statistics:\n{done.stderr[-2000:]}")
    return _rps(prefix)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    variants = ("seamline", "httpuser", "fasthttp")
    best: dict[str, tuple[float, int, int]] = {}
    ratios: list[float] = []  # seamline / httpuser within each repetition: the two ran seconds apart
    with tempfile.TemporaryDirectory() as folder, running_demo(db_path=Path(folder) / "shop.db") as url:
        workdir = Path(folder)
        (workdir / "bench.feature").write_text(FEATURE, encoding="utf-8")
        (workdir / "seamline.yaml").write_text(CONFIG, encoding="utf-8")
        (workdir / "handwritten.py").write_text(LOCUSTFILE, encoding="utf-8")
        for run in range(args.repetitions):
            for variant in variants:
                measured = _locust(variant, workdir, url, args.users, args.seconds, run)
                print(f"  run {run + 1} {variant:9} {measured[0]:8.1f} req/s ({measured[1]} requests, "
                      f"{measured[2]} failed)", flush=True)
                if variant not in best or measured[0] > best[variant][0]:
                    best[variant] = measured
                if variant == "seamline":
                    ours = measured[0]
                elif variant == "httpuser":
                    ratios.append(ours / measured[0])
    print(f"\n{'variant':10} {'req/s':>8}  x httpuser")
    for variant in variants:
        print(f"{variant:10} {best[variant][0]:8.1f}  {best[variant][0] / best['httpuser'][0]:.2f}")
    ratio = best["seamline"][0] / best["httpuser"][0]
    print(f"\nseamline load / hand-written HttpUser: {ratio:.2f} best of each (goal >= {TARGET_RATIO}); "
          f"within each repetition: {', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
