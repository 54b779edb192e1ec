"""Structural rules of the code base: a framework-free core, and one catalog that both
front ends expose in full."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from seamline.steps import CATALOG

SRC = Path(__file__).resolve().parents[1] / "src" / "seamline"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((SRC / "core").rglob("*.py")), ids=lambda p: p.name)
def test_core_imports_neither_robot_nor_pytest(path: Path) -> None:
    forbidden = _imports(path) & {"robot", "pytest", "pytest_bdd", "_pytest"}
    assert not forbidden, f"{path.name} imports {forbidden}: the core must stay framework-free"


def test_core_and_catalog_load_without_the_frameworks() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import seamline.core.context, seamline.steps\n"
        "bad = [m for m in ('robot', 'pytest', 'pytest_bdd', 'requests', 'jsonpath_ng', 'yaml', 'sqlalchemy')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_robot_library_exposes_every_phrase_and_nothing_else() -> None:
    from seamline.robot import Seamline

    library = Seamline()
    phrase_keywords = {name for name in library.get_keyword_names() if "phrase" in library.get_keyword_tags(name)}
    assert phrase_keywords == {phrase.robot_name() for phrase in CATALOG.values()}


def test_pytest_plugin_registers_one_step_that_reads_every_phrase() -> None:
    """pytest-bdd tries each registered step on each step of a scenario: one step, not one per
    phrase; and it is a step of Seamline's feature files only (none in the plugin's namespace,
    which every pytest-bdd test of the environment sees)."""
    from pytest_bdd.steps import step_function_context_registry

    from seamline.bdd import plugin

    ours = [
        context
        for context in step_function_context_registry.values()
        if getattr(context.step_func, "__module__", "") == "seamline.bdd.plugin"
    ]
    assert {context.step_func for context in ours} <= {plugin.seamline_step}
    assert {context.parser.name for context in ours} <= {plugin._ANY_LINE.name}
    assert not [name for name in vars(plugin) if name.startswith("pytestbdd_stepdef")]
    phrases = plugin._Phrases(CATALOG.values())
    for phrase in CATALOG.values():
        found = phrases.find(phrase.example.splitlines()[0])
        assert found is not None and found[0] is phrase, phrase.template


@pytest.mark.parametrize("phrase", list(CATALOG.values()), ids=lambda p: p.template)
def test_each_example_matches_its_own_phrase_and_no_other(phrase) -> None:  # type: ignore[no-untyped-def]
    line = phrase.example.splitlines()[0]
    matching = [p.template for p in CATALOG.values() if re.fullmatch(p.regex(), line, re.IGNORECASE)]
    assert matching == [phrase.template]


def test_no_phrase_text_is_typed_outside_the_catalog() -> None:
    """Front ends build keyword names and step patterns from the catalog, never by hand."""
    templates = [p.template for p in CATALOG.values() if "{" in p.template]
    for path in (SRC / "robot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for template in templates:
            assert template not in text, f"{path.name} types the phrase {template!r}"
    for path in (SRC / "bdd").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for template in templates:
            assert template not in text, f"{path.name} types the phrase {template!r}"
