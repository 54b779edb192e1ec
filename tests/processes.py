"""Processes a test started, or a run started for it, found by pid."""

from __future__ import annotations

import os
from pathlib import Path

from tests.waiting import wait_while


def pids_in(path: Path) -> list[int]:
    """The pids a service wrote to ``path``, one per start (the tests' start counters)."""
    return [int(line) for line in path.read_text(encoding="utf-8").split()]


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def still_running(pids: list[int], within: float = 30) -> list[int]:
    """The pids still running after a generous while: a keeper stops its service as soon as the
    run's main process ends, but a busy machine may take a moment to let it."""
    wait_while(lambda: any(running(pid) for pid in pids), within)
    return [pid for pid in pids if running(pid)]
