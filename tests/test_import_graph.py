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


def _cycles(graph: dict[str, list[str]] | None = None) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    graph = GRAPH if graph is None else graph
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, []):
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

    for module in sorted(graph):
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
    assert "seamline.core.stubs.servers" in GRAPH["seamline.core.services.managed"]  # imported inside a function
    assert len(GRAPH) > 60


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {**GRAPH, "seamline.core.errors": [*GRAPH["seamline.core.errors"], "seamline.core.context"]}
    assert any({"seamline.core.context", "seamline.core.errors"} <= set(cycle) for cycle in _cycles(graph))


def _area(module: str) -> str | None:
    """The core area a module belongs to (``seamline.core.http``); None for the context and the
    areas' state, which every area may import (the test holds each area's state)."""
    parts = module.split(".")
    if parts[:2] != ["seamline", "core"] or len(parts) < 3 or module == "seamline.core.context":
        return None
    if parts[-1] == "state":
        return None
    return ".".join(parts[:3])


def _area_graph() -> dict[str, list[str]]:
    areas: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        area = _area(module)
        if area is None:
            continue
        edges = areas.setdefault(area, set())
        edges.update(a for a in map(_area, targets) if a is not None and a != area)
    return {area: sorted(edges) for area, edges in areas.items()}


def test_no_cycles_between_areas() -> None:
    """Areas depend on each other one way too: the managed services know the stubs and brokers,
    HTTP knows the services, checks of a response know HTTP; none of them the other way."""
    graph = _area_graph()
    assert "seamline.core.services" in graph["seamline.core.http"]  # the graph is not empty by mistake
    assert _cycles(graph) == []


def test_the_context_and_state_modules_import_no_area_logic() -> None:
    """The context holds each area's state; a state module holds data, so importing the context
    never loads an area's logic (which imports the context)."""
    for module in [m for m in GRAPH if m == "seamline.core.context" or m.endswith(".state")]:
        logic = [t for t in GRAPH[module] if _area(t) is not None and _layer(t) != "core basics"]
        data = [t for t in logic if t.endswith(".exchange")]  # an HTTP exchange as plain data
        assert logic == data, f"{module} imports {logic}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_run_one_way(module: str) -> None:
    wrong = [target for target in GRAPH[module] if _layer(target) not in ALLOWED[_layer(module)]]
    assert not wrong, f"{module} ({_layer(module)}) imports {wrong} against the direction front ends -> steps -> core"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.endswith(".state") and m.startswith("seamline.core")))
def test_area_state_imports_no_logic(module: str) -> None:
    """An area's state is plain data the context can hold without importing the area's steps."""
    assert "seamline.core.context" not in GRAPH[module]
