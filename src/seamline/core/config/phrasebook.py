"""The phrasebook: phrases a team defines in YAML, each standing for a few other steps.

::

    # phrases.yaml, next to seamline.yaml (or a `phrases:` list in seamline.yaml)
    - phrase: I add {qty} of "{sku}" to the cart
      description: Put one product in the cart, replacing what it held.
      example: I add 2 of "A1" to the cart
      steps:
        - I obtain a token
        - I PUT "/cart" with: |
            {"items": [{"sku": "{sku}", "qty": {qty}}]}
        - the response status is 200

A step is a line, or a mapping from the line to its doc string (a text) or data table
(a list of rows, or a mapping of name: value pairs). ``{name}`` in a step is the
parameter of that name; ``${name}`` stays a variable. This module reads and checks the
files (YAML, duplicates, undeclared parameters) and reports each mistake with file and
line; matching the steps against the catalog happens in :mod:`seamline.steps`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .loading import LocatedDict, LocatedList, closest, find_config, read_yaml

__all__ = [
    "PARAMETER",
    "PHRASEBOOK_NAMES",
    "PHRASE_KEYS",
    "InnerStep",
    "PhraseDefinition",
    "load_phrasebook",
    "substitute",
]

PHRASEBOOK_NAMES = ("phrases.yaml", "phrases.yml")
# {name} in a step, but not ${name} (a variable) and not {4} (a regex quantifier).
PARAMETER = re.compile(r"(?<!\$)\{([A-Za-z_]\w*)\}")
_TEMPLATE_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# The keys of a phrase, as schema.PhraseModel declares them (a test keeps the two equal).
PHRASE_KEYS = ("phrase", "description", "example", "steps")


@dataclass(frozen=True)
class InnerStep:
    text: str
    file: Path
    line: int
    docstring: str | None = None
    table: tuple[tuple[str, ...], ...] | None = None

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}"


@dataclass(frozen=True)
class PhraseDefinition:
    template: str
    parameters: tuple[str, ...]
    steps: tuple[InnerStep, ...]
    file: Path
    line: int
    description: str = ""
    example: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}"


def substitute(text: str, values: dict[str, str]) -> str:
    """Put parameter values into a step's text; unknown names stay as written."""
    return PARAMETER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# -- lines of the YAML ------------------------------------------------------------------------


def _key_line(mapping: Any, key: object, default: int) -> int:
    return mapping.key_line(key, default) if isinstance(mapping, LocatedDict) else default


def _item_line(items: Any, index: int, default: int) -> int:
    return items.item_line(index, default) if isinstance(items, LocatedList) else default


def _first_line(value: Any, default: int) -> int:
    return getattr(value, "line", default)


# -- the files ----------------------------------------------------------------------------


def _config_file(config_path: str | Path | None) -> Path | None:
    named = config_path or os.environ.get("SEAMLINE_CONFIG") or None
    if named:
        file = Path(named).expanduser()
        return file if file.is_file() else None
    return find_config()


def load_phrasebook(config_path: str | Path | None = None) -> list[PhraseDefinition]:
    """Every user phrase: phrases.yaml beside seamline.yaml, then those of its `phrases:` key.

    A seamline.yaml that does not load gives no phrases here: the first step that needs
    the configuration reports that error, with its line."""
    config = _config_file(config_path)
    if config is None:
        return []
    config = config.resolve()
    sources: list[tuple[Path, Any]] = []
    for name in PHRASEBOOK_NAMES:
        if (config.parent / name).is_file():
            sources.append((config.parent / name, None))
    try:
        raw = read_yaml(config)
    except ConfigError:
        raw = None
    section = raw.get("phrases") if isinstance(raw, dict) else None
    if section is not None:
        if not isinstance(section, list):
            line = _key_line(raw, "phrases", 1)
            raise ConfigError(f"{config}:{line}: 'phrases' must be a list of phrases or file names")
        for index, item in enumerate(section):
            if isinstance(item, str):
                file = (config.parent / item).resolve()
                if not file.is_file():
                    line = _item_line(section, index, 1)
                    raise ConfigError(f"{config}:{line}: phrase file {item!r} does not exist")
                if all(file != known for known, _ in sources):
                    sources.append((file, None))
            else:
                sources.append((config, item))  # a located mapping: it knows its own line

    definitions: list[PhraseDefinition] = []
    for file, inline in sources:
        if inline is not None:
            definitions.append(_definition(inline, file))
            continue
        content = read_yaml(file)
        if isinstance(content, dict) and "phrases" in content:
            content = content["phrases"]
        if content is None:
            continue
        if not isinstance(content, list):
            raise ConfigError(f"{file}:1: a phrase file is a list of phrases (- phrase: ... steps: ...)")
        definitions += [_definition(item, file, _item_line(content, i, 1)) for i, item in enumerate(content)]
    _check_duplicates(definitions)
    return definitions


def _check_duplicates(definitions: list[PhraseDefinition]) -> None:
    seen: dict[str, PhraseDefinition] = {}
    for definition in definitions:
        key = " ".join(_TEMPLATE_PLACEHOLDER.sub("{}", definition.template).lower().split())
        if key in seen:
            first = seen[key]
            raise ConfigError(
                f"{definition.file}:{definition.line}: phrase {definition.template!r} is defined twice "
                f"(first at {first.file}:{first.line})"
            )
        seen[key] = definition


def _definition(item: Any, file: Path, default_line: int = 1) -> PhraseDefinition:
    if not isinstance(item, dict) or "phrase" not in item:
        line = _first_line(item, default_line)
        raise ConfigError(f"{file}:{line}: each phrase is a mapping with 'phrase' and 'steps'")
    template = item["phrase"]
    line = _key_line(item, "phrase", _first_line(item, default_line))
    where = f"{file}:{line}"
    for key in item:
        if key not in PHRASE_KEYS:
            raise ConfigError(
                f"{file}:{_key_line(item, key, line)}: unknown key {key!r} under the phrase {template!r}"
                f"{closest(key, PHRASE_KEYS)}"
            )
    if not isinstance(template, str) or not template.strip():
        raise ConfigError(f"{where}: 'phrase' must be the text of the phrase")
    parameters: list[str] = []
    for match in _TEMPLATE_PLACEHOLDER.finditer(template):
        name = match.group(1)
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ConfigError(f"{where}: {{{name}}} is not a parameter name (letters, digits and _)")
        if name in parameters:
            raise ConfigError(f"{where}: parameter {{{name}}} appears twice in {template!r}")
        parameters.append(name)
    raw_steps = item.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ConfigError(f"{where}: phrase {template!r} needs 'steps', a list of the steps it stands for")
    steps = tuple(_step(raw, file, _item_line(raw_steps, index, line)) for index, raw in enumerate(raw_steps))
    for step in steps:
        texts = [step.text, step.docstring or "", *(cell for row in step.table or () for cell in row)]
        for text in texts:
            for used in PARAMETER.findall(text):
                if used not in parameters:
                    declared = ", ".join(f"{{{p}}}" for p in parameters) or "none"
                    raise ConfigError(
                        f"{file}:{step.line}: parameter {{{used}}} is not declared by the phrase "
                        f"{template!r} (declared: {declared}); write ${{{used}}} for a variable"
                    )
    example = item.get("example")
    return PhraseDefinition(
        template=" ".join(str(template).split()),
        parameters=tuple(parameters),
        steps=steps,
        file=file,
        line=line,
        description=" ".join(str(item.get("description") or "").split()),
        example=str(example) if example is not None else None,
    )


def _step(raw: Any, file: Path, line: int) -> InnerStep:
    """A step of a phrase; ``line`` is where its list item starts."""
    if isinstance(raw, str):
        return InnerStep(" ".join(raw.split()), file, line)
    if isinstance(raw, dict) and len(raw) == 1:
        ((text, block),) = raw.items()
        line = _key_line(raw, text, line)
        # YAML takes the colon of `I PUT "/cart" with: |` as its own; the step keeps it.
        text = " ".join(str(text).split()) + ":"
        if isinstance(block, str):
            return InnerStep(text, file, line, docstring=str(block).rstrip("\n"))
        if isinstance(block, dict):
            rows = tuple((str(name), _cell(value)) for name, value in block.items())
            return InnerStep(text, file, line, table=rows)
        if isinstance(block, list) and all(isinstance(row, list) for row in block):
            return InnerStep(text, file, line, table=tuple(tuple(_cell(c) for c in row) for row in block))
        raise ConfigError(
            f"{file}:{line}: below {text!r} goes a doc string (a text), or a table "
            "(a list of rows, or name: value pairs)"
        )
    raise ConfigError(f"{file}:{line}: a step is a line of text, or 'line: doc string or table'")


def _cell(value: object) -> str:
    if isinstance(value, str):
        return str(value)
    import json

    return json.dumps(value)
