"""Tests made from a data file: a test tagged ``data:rows.csv`` becomes one test per row.

Robot has no such thing, so the library's listener rewrites the suite when it starts: each
row's test is a copy of the tagged one, named after the row, and the row's columns become
its variables when it starts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..core.errors import SeamlineError
from ..core.values.data import data_file_of_tags, load_rows
from ._compat import escape

__all__ = ["expand_data_tests"]


def expand_data_tests(suite: Any, rows_of_tests: dict[int, dict[str, str]], config_folder: Path | None = None) -> None:
    """Replace each test of ``suite`` tagged with a data file by one copy per row, recording
    each copy's row in ``rows_of_tests`` by the copy's id. A data file that does not load
    fails its test, not the suite."""
    base = Path(suite.source).parent if suite.source else Path.cwd()
    tests = []
    for test in suite.tests:
        try:
            path = data_file_of_tags(test.tags, base, config_folder)
            if path is None:
                tests.append(test)
                continue
            rows = load_rows(path)
        except SeamlineError as error:
            test.body.clear()
            test.template = None
            test.body.create_keyword("BuiltIn.Fail", args=[f"{test.name}: {error.message}"])
            tests.append(test)
            continue
        for row in rows:
            # Robot expands ${...} in a test's name: a cell's text is named as written, not expanded.
            shown = ", ".join(f"{k}={escape(v)}" for k, v in row.items())
            copy = test.deepcopy(name=f"{test.name} ({shown})")
            if copy.template and not copy.body:
                copy.body.create_keyword(*_templated(copy.template, list(row.values())))
            rows_of_tests[id(copy)] = row
            tests.append(copy)
    suite.tests = tests


def _templated(template: str, values: list[str]) -> tuple[str, list[str]]:
    """The keyword call a template makes of one row (Robot applies templates when it parses,
    before a listener adds rows): embedded arguments go into the name, others are arguments."""
    values_left = iter(values)
    name, count = re.subn(r"\$\{[^}]+\}", lambda _: next(values_left, ""), template)
    return (name, []) if count else (template, values)
