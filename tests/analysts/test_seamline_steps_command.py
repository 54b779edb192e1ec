"""`seamline steps` (issue 11, finding 8): each phrase's whole first paragraph, and a reader
that stops early (`seamline steps | head`) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from seamline.cli import main


def test_each_phrase_shows_its_whole_first_paragraph(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["steps", "compare a field"]) == 0
    shown = capsys.readouterr().out
    assert (
        "    Compare a field: is, is not, contains, does not contain, matches, does not match, is greater than, "
        "is less than, is at least, is at most. ``2`` is a number, ``\"2\"`` a text.\n"
    ) in shown, shown
    assert main(["steps", "bearer"]) == 0
    shown = capsys.readouterr().out
    assert "    Send Authorization: Bearer with later requests; the token is masked in every log.\n" in shown, shown


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """The command writes into a pipe nobody reads any more, as `| head` leaves it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "seamline.cli", "steps"], stdout=write_end, stderr=subprocess.PIPE, check=False
        )
    finally:
        os.close(write_end)
    errors = completed.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
    assert errors == ""
    assert completed.returncode == 0
