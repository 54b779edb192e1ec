"""Splitting a suite across CI machines: pabot's --shard I/N for Robot, pytest-split's
--splits N --group I for pytest. Each shard of the example suites is run (Robot: dry run;
pytest: collected as the split leaves it) and every test lands in exactly one shard."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHARDS = 3


def _robot_tests(output: Path) -> list[str]:
    return [test.get("name", "") for test in ET.parse(output).getroot().iter("test")]


def _robot(tmp_path: Path, *args: str) -> list[str]:
    outdir = tmp_path / ("-".join(args).replace("/", "-of-") or "all")
    # Whole suites to each shard (as a CI machine runs them, suite setups once); a dry run
    # checks every keyword without sending anything.
    command = [str(BIN / "pabot"), "--processes", "2", *args, "--dryrun", "--outputdir", str(outdir),
               "--log", "NONE", "--report", "NONE", str(ROOT / "robot")]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # pabot starts `robot`
    # Run elsewhere: pabot writes its .pabotsuitenames into the working directory.
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert (outdir / "output.xml").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return _robot_tests(outdir / "output.xml")


def _pytest(*args: str) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:randomly", "--collect-only", "-q", *args, "features/"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.parametrize("runner", ["robot", "pytest"])
def test_every_test_lands_in_exactly_one_shard(runner: str, tmp_path: Path) -> None:
    if runner == "robot":
        everything = _robot(tmp_path)
        shards = [_robot(tmp_path, "--shard", f"{index}/{SHARDS}") for index in range(1, SHARDS + 1)]
    else:
        everything = _pytest()
        shards = [_pytest("--splits", str(SHARDS), "--group", str(index)) for index in range(1, SHARDS + 1)]
    assert len(everything) > SHARDS * 2  # the example suites: enough tests for three shards to mean something
    assert all(shards), [len(shard) for shard in shards]  # no shard is empty
    counted = Counter(test for shard in shards for test in shard)
    assert counted == Counter(everything)  # each test once, none left out, none added
