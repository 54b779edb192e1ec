"""The phrase list as the documentation site shows it (docs/reference/phrases.md), generated from the catalog."""

from __future__ import annotations

from ._catalog import CATALOG, WAIT_PREFIX

__all__ = ["phrase_reference"]

# Areas in reading order; an area not named here comes last under its module name.
AREA_TITLES = {
    "http": "Requests",
    "auth": "Authentication",
    "graphql": "GraphQL",
    "values": "Storing values",
    "checks": "Checks",
    "matching": "Documents, cookies and time",
    "contract": "Contracts",
    "db": "Databases",
    "waiting": "Waiting for a result",
    "stubs": "Stub services",
    "messaging": "Message queues",
    "cleanup": "Cleanup",
}


def phrase_reference() -> str:
    """Markdown: a table per area, one row per phrase with its one-line description."""
    areas: dict[str, list[str]] = {}
    for phrase in CATALOG.values():
        if phrase.waits:
            continue  # listed with the check it repeats
        description = " ".join(phrase.description.split()).replace("|", "\\|")
        if WAIT_PREFIX + phrase.template in CATALOG:
            description += " Also as `within {duration} ...`: repeated until it holds."
        template = phrase.template.replace("|", "\\|")
        areas.setdefault(phrase.area, []).append(f"| `{template}` | {description} |")
    order = [*[a for a in AREA_TITLES if a in areas], *sorted(set(areas) - set(AREA_TITLES))]
    out: list[str] = []
    for area in order:
        out += [f"#### {AREA_TITLES.get(area, area.title())}", "", "| Phrase | What it does |", "| --- | --- |"]
        out += areas[area]
        out.append("")
    return "\n".join(out)
