"""docs/architecture.md names real places: every file and folder it shows exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "src" / "seamline"


def _exists(name: str) -> bool:
    """A path as the page writes it: relative to the package, its core, the source or the root."""
    return any((base / name).exists() for base in (PACKAGE, PACKAGE / "core", ROOT / "src", ROOT))


def test_every_file_the_page_names_exists() -> None:
    named = set(re.findall(r"`([\w/]+\.py)", PAGE)) | set(re.findall(r"^\s+([\w/]+\.py)\s", PAGE, re.MULTILINE))
    assert "core/context.py" in named and "http/exchange.py" in named  # the patterns read the page
    missing = sorted(name for name in named if not _exists(name) and name != "state.py")
    assert missing == []


def test_every_folder_of_the_tree_exists() -> None:
    tree = next(block for block in PAGE.split("```") if block.startswith("\nsrc/seamline/"))
    folders = re.findall(r"^\s+([a-z_]+)/\s", tree, re.MULTILINE)
    assert "services" in folders
    assert [folder for folder in folders if not _exists(folder)] == []


def test_every_dotted_module_the_page_names_exists() -> None:
    dotted = set(re.findall(r"`((?:http|services|waiting|matching|values|db|stubs|messaging|contract)\.\w+)", PAGE))
    assert "services.managed" in dotted
    missing = [name for name in dotted if not (PACKAGE / "core" / (name.replace(".", "/") + ".py")).exists()]
    assert missing == []
