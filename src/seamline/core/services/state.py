"""What the services area keeps in the run: which parallel run this process works for."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ParallelRun"]


@dataclass(frozen=True)
class ParallelRun:
    """The parallel run this process is a worker of: ``key`` names it among all runs on the
    machine, ``owner`` is its main process (pabot, pytest-xdist's controller), which
    started this one and whose end is the run's end. Made by the front end
    (:func:`.shared.worker_of_parent`)."""

    key: str
    owner: int
    owner_started: str  # when the owner started (Linux; "" elsewhere): a reused pid is not it

    @property
    def folder(self) -> Path:
        # Per user, and only theirs: a state file names the URL the tests will talk to.
        return Path(tempfile.gettempdir()) / f"seamline-runs-{os.getuid()}" / self.key
