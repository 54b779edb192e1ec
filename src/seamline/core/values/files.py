"""Where a file named in a test is found: one rule for every kind of file.

A file a step or tag names (``@photo.png`` in a multipart form, a ``@data:`` file, a JSON
schema, an SQL file, an OpenAPI document) is looked for beside the test file first, then
beside ``seamline.yaml``; an absolute path (or one starting with ``~``) is used as it is.
The working directory plays no part, so ``cd features && pytest`` finds what ``pytest
features/`` finds. A test without a file of its own (the Python API) looks in the working
directory first.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["find_file", "missing_file", "places_of"]


def places_of(written: str, test_folder: Path | None, config_folder: Path | None) -> list[Path]:
    """Where ``written`` is looked for, in order, without duplicates."""
    path = Path(written).expanduser()
    if path.is_absolute():
        return [path]
    places: list[Path] = []
    for folder in (test_folder or Path.cwd(), config_folder):
        if folder is not None and (folder / path).absolute() not in places:
            places.append((folder / path).absolute())
    return places


def find_file(written: str, test_folder: Path | None, config_folder: Path | None) -> Path | None:
    """The first of :func:`places_of` that is a file, None if none is."""
    return next((place for place in places_of(written, test_folder, config_folder) if place.is_file()), None)


def missing_file(
    what: str, written: str, test_folder: Path | None, config_folder: Path | None, purpose: str = ""
) -> str:
    """One line: the file was not found (``no SQL file 'x.sql'``, ``no file 'a.png' for field
    'photo'``), and where it was looked for."""
    places = places_of(written, test_folder, config_folder)
    if len(places) == 1:
        return f"no {what} {written!r}{purpose}: {places[0]} does not exist"
    first = "beside the test file" if test_folder is not None else "in the working directory"
    looked = [f"{first} ({places[0]})"]
    if config_folder is not None and len(places) > 1:
        looked.append(f"beside seamline.yaml ({places[1]})")
    return f"no {what} {written!r}{purpose}: looked " + " and ".join(looked)
