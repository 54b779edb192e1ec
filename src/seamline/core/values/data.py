"""Rows of test data from a CSV or JSON file: one test (scenario) per row.

A CSV file has a header row naming the columns; a JSON file holds a list of objects.
Every row must have every column, so a mistake in the file shows at collection time,
with its line, not as a strange failure halfway through a run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError
from .files import find_file, missing_file

__all__ = ["DATA_TAG", "TWO_DATA_FILES", "data_file_of", "data_file_of_tags", "load_rows"]

# The tag that ties a test or scenario to its rows: `@data:products.csv` / `[Tags]    data:products.csv`.
DATA_TAG = "data:"


def data_file_of(tag: str, base: Path, config_folder: Path | None = None) -> Path | None:
    """The file a ``data:`` tag names: beside the test file (in ``base``), else beside
    seamline.yaml (:mod:`.files`); in neither, an error naming both places."""
    if not tag.lower().startswith(DATA_TAG):
        return None
    written = tag[len(DATA_TAG):].strip()
    found = find_file(written, base, config_folder)
    if found is None:
        raise ConfigError(missing_file("data file", written, base, config_folder))
    return found.resolve()


TWO_DATA_FILES = "a scenario takes its rows from one data file: it has two @data: tags"


def data_file_of_tags(tags: Iterable[str], base: Path, config_folder: Path | None = None) -> Path | None:
    """The one data file a test's tags name, None when they name none."""
    paths = [path for tag in tags if (path := data_file_of(str(tag), base, config_folder)) is not None]
    if len(paths) > 1:
        raise UsageError(TWO_DATA_FILES)
    return paths[0] if paths else None


def load_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigError(f"data file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            rows = _csv_rows(path)
        elif suffix == ".json":
            rows = _json_rows(path)
        else:
            raise ConfigError(f"{path}: a data file is .csv (with a header row) or .json (a list of objects)")
    except (OSError, UnicodeError) as error:
        # Unreadable, or not UTF-8: a mistake in the test data, reported like the others.
        raise ConfigError(f"{path}: cannot read the data file: {error}") from None
    if not rows:
        raise ConfigError(f"{path}: no rows of data")
    return rows


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        lines = _csv_lines(reader, path)
        header = next(lines, None)
        if not header or not all(name.strip() for name in header):
            raise ConfigError(f"{path}:1: the first row must name every column")
        names = [name.strip() for name in header]
        rows = []
        for cells in lines:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines between rows are allowed
            if len(cells) != len(names):
                missing = names[len(cells):]
                extra = len(cells) - len(names)
                what = f"missing column(s) {', '.join(missing)}" if missing else f"{extra} cell(s) too many"
                raise ConfigError(
                    f"{path}:{reader.line_num}: {what}: the row has {len(cells)} cell(s), "
                    f"the header names {len(names)} ({', '.join(names)})"
                )
            rows.append(dict(zip(names, (cell.strip() for cell in cells), strict=True)))
    return rows


def _csv_lines(reader: Any, path: Path) -> Iterator[list[str]]:
    """The reader's rows; a line the csv module cannot read is reported with its number."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ConfigError(f"{path}:{reader.line_num}: {error}") from None
        yield cells


def _json_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ConfigError(f"{path}:1: a JSON data file holds a list of objects, one per row")
    if not data:
        return []
    names = list(data[0])
    rows = []
    for index, item in enumerate(data):
        missing = [name for name in names if name not in item]
        if missing:
            raise ConfigError(
                f"{path}:{_object_line(text, index)}: missing column(s) {', '.join(missing)}: "
                f"the first row has {', '.join(names)}"
            )
        rows.append({name: value if isinstance(value, str) else json.dumps(value) for name, value in item.items()})
    return rows


def _object_line(text: str, index: int) -> int:
    """The line on which the index-th object of a JSON list starts."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    for _ in range(index + 1):
        while text[position] in " \t\r\n,":
            position += 1
        start = position
        _, position = decoder.raw_decode(text, position)
    return text.count("\n", 0, start) + 1
