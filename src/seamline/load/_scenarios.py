"""The scenarios of .feature files as a load test runs them: each step bound to its phrase
once, before any virtual user starts, so that a step that cannot run under load is named
before the run, not in the middle of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import UsageError, bounded
from ..frontend import step_label, unknown_step_message
from ..steps import CATALOG, Phrase

__all__ = ["UNSUPPORTED_AREAS", "LoadScenario", "LoadStep", "read_scenarios", "select"]

# The areas whose steps a load test does not run, and why (one line each, shown with the step).
UNSUPPORTED_AREAS: Mapping[str, str] = {
    "stubs": "a stub lives in the load process, so the system under test cannot call each virtual user's",
    "db": "seeding and checking rows per virtual user would race between users and load the database, not the API",
    "messaging": "each virtual user would compete for the same queue's messages",
}
SUPPORTED = "under load Seamline runs HTTP requests, response checks, variables, waiting and auth profiles"

WEIGHT_TAG = "weight:"


@dataclass(frozen=True)
class LoadStep:
    phrase: Phrase
    arguments: dict[str, Any]
    docstring: str | None
    table: Sequence[Sequence[str]] | None
    label: str  # Step '...' (file:line), how a failure names it


@dataclass(frozen=True)
class LoadScenario:
    name: str
    where: str  # file:line
    folder: Path
    tags: frozenset[str]
    weight: int
    steps: tuple[LoadStep, ...] = field(default=())
    problem: str | None = None  # why it cannot run under load: said when it is chosen


def read_scenarios(paths: Iterable[str | Path], phrases: Mapping[str, Phrase] | None = None) -> list[LoadScenario]:
    """Every scenario of the .feature files under ``paths`` (files or folders), steps bound."""
    from pytest_bdd.exceptions import GherkinParseError
    from pytest_bdd.parser import FeatureParser

    catalog = [*CATALOG.values(), *(phrases or {}).values()]
    scenarios: list[LoadScenario] = []
    for file in _feature_files(paths):
        try:
            feature = FeatureParser(str(file.parent), file.name).parse()
        except GherkinParseError as error:
            raise UsageError(bounded(f"{file}: {error}")) from None
        for template in feature.scenarios.values():
            where = f"{file}:{template.line_number}"
            if template.examples and any(example.examples for example in template.examples):
                raise UsageError(
                    f"scenario {template.name!r} ({where}) is a Scenario Outline: under load each scenario is one "
                    "task; write the values into a plain scenario (or ${generators}) to load it"
                )
            tags = frozenset(template.tags)
            try:
                steps = tuple(_bind(step, file, template.name, where, catalog) for step in template.steps)
                problem = None
            except UsageError as error:
                steps, problem = (), error.message  # said only if the scenario is chosen
            scenarios.append(
                LoadScenario(
                    name=template.name,
                    where=where,
                    folder=file.parent,
                    tags=frozenset(tag for tag in tags if not tag.startswith(WEIGHT_TAG)),
                    weight=_weight(tags, where),
                    steps=steps,
                    problem=problem,
                )
            )
    return scenarios


def _feature_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for written in paths:
        path = Path(written)
        if path.is_dir():
            files += sorted(path.rglob("*.feature"))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{written}: no such file or folder (give .feature files or folders holding them)")
    if not files:
        raise UsageError(f"no .feature file in {', '.join(map(str, paths))}")
    return files


def _weight(tags: frozenset[str], where: str) -> int:
    for tag in tags:
        if tag.startswith(WEIGHT_TAG):
            text = tag.removeprefix(WEIGHT_TAG)
            if not text.isdigit() or int(text) < 1:
                raise UsageError(f"@{tag} ({where}): a weight is a whole number of 1 or more, such as @weight:3")
            return int(text)
    return 1


def _bind(step: Any, file: Path, scenario: str, where: str, catalog: Sequence[Phrase]) -> LoadStep:
    written = f"{step.keyword} {step.name}".strip()
    label = step_label(written, f"{file}:{step.line_number}")
    for phrase in catalog:
        arguments = phrase.match(step.name)
        if arguments is None:
            continue
        reason = UNSUPPORTED_AREAS.get(phrase.area)
        if reason is not None:
            raise UsageError(
                f"scenario {scenario!r} ({where}) cannot run under load: {label} is a {phrase.area} step "
                f"({reason}); {SUPPORTED}"
            )
        table = step.datatable.raw() if step.datatable is not None else None
        return LoadStep(phrase, arguments, step.docstring, table, label)
    raise UsageError(unknown_step_message(written, f"{file}:{step.line_number}"))


def select(
    scenarios: Sequence[LoadScenario], names: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[LoadScenario]:
    """The scenarios named (all when none is) that carry one of ``tags`` (any when none is);
    a name or tag that no scenario has is an error, with those that exist, and so is a chosen
    scenario that cannot run under load."""
    known_names = [scenario.name for scenario in scenarios]
    for name in names:
        if name not in known_names:
            raise UsageError(f"no scenario is named {name!r}; the scenarios: {_listed(known_names)}")
    known_tags = sorted({tag for scenario in scenarios for tag in scenario.tags})
    wanted = [tag.removeprefix("@") for tag in tags]
    for tag in wanted:
        if tag not in known_tags:
            shown = _listed(["@" + known for known in known_tags]) if known_tags else "(none)"
            raise UsageError(f"no scenario is tagged @{tag}; the tags: {shown}")
    chosen = [
        scenario
        for scenario in scenarios
        if (not names or scenario.name in names) and (not wanted or scenario.tags & set(wanted))
    ]
    for scenario in chosen:
        if scenario.problem is not None:
            raise UsageError(scenario.problem)
    if not chosen:
        raise UsageError("no scenario has both the names and the tags given")
    return chosen


def _listed(items: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(repr(item) if not item.startswith("@") else item for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
