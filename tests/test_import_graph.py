"""The import graph of ``src/seamline``, built from the source: no cycles, and imports run one
way only: front ends -> steps -> core areas -> core basics.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a cycle that
only a lazy import hides is still two modules that cannot be understood apart.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "seamline"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imported(module: str, path: Path) -> Iterator[str]:
    """The modules of the tree that ``module`` imports, anywhere in its source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # `from package import module` imports that module; `from module import name` the module.
            targets = [f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in MODULES]
            targets = targets or [origin]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target:
                yield target

GRAPH = {module: sorted(set(_imported(module, path)) - {module}) for module, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def _layer(module: str) -> str:
    if module.startswith("seamline.demo"):
        return "demo"
    if module in ("seamline.core.errors",) or module.startswith(("seamline.core.values", "seamline.core.config")):
        return "core basics"
    if module.startswith("seamline.core"):
        return "core"
    if module.startswith("seamline.steps"):
        return "steps"
    return "front end"  # seamline.robot, seamline.bdd, the CLI and what they share


# Which layers each layer may import: front ends -> steps -> core areas -> core basics.
ALLOWED = {
    "front end": {"front end", "steps", "core", "core basics", "demo"},  # `seamline demo` starts the shop
    "steps": {"steps", "core", "core basics"},
    "core": {"core", "core basics"},
    "core basics": {"core basics"},
    "demo": {"demo"},  # the demo shop stands alone: it is what the examples test, not part of Seamline
}


def test_the_graph_is_read_from_the_source() -> None:
    """The graph sees relative, absolute, lazy and package imports (else the rules prove nothing)."""
    assert "seamline.core.context" in GRAPH["seamline.core.http.sending"]  # from ..context import Context
    assert "seamline.core.http.sending" in GRAPH["seamline.steps.http"]  # from ..core.http import sending
    assert "seamline.core.stubs.servers" in GRAPH["seamline.core.http.managed"]  # imported inside a function
    assert len(GRAPH) > 60


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    GRAPH["seamline.core.errors"] = ["seamline.core.context"]
    try:
        assert ["seamline.core.context", "seamline.core.errors"] in [c for c in _cycles() if len(c) == 2] or any(
            {"seamline.core.context", "seamline.core.errors"} <= set(c) for c in _cycles()
        )
    finally:
        GRAPH["seamline.core.errors"] = []


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_run_one_way(module: str) -> None:
    wrong = [target for target in GRAPH[module] if _layer(target) not in ALLOWED[_layer(module)]]
    assert not wrong, f"{module} ({_layer(module)}) imports {wrong} against the direction front ends -> steps -> core"


def test_context_imports_only_basics_and_the_areas_state() -> None:
    """The run and the test hold each area's state; they never import an area's logic, which
    imports them."""
    logic = [
        target
        for target in GRAPH["seamline.core.context"]
        if _layer(target) != "core basics" and not target.endswith(".state")
    ]
    assert logic == []


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.endswith(".state") and m.startswith("seamline.core")))
def test_area_state_imports_no_logic(module: str) -> None:
    """An area's state is plain data the context can hold without importing the area's steps."""
    assert "seamline.core.context" not in GRAPH[module]
