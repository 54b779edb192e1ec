"""Editor settings that `seamline init` writes (docs/editors.md): VS Code checks seamline.yaml
and phrases.yaml against their JSON Schemas (the YAML extension), completes and checks the
steps of .feature files (the "Cucumber (Gherkin) Full Support" extension, which reads step
definitions from a glue file, each phrase written there as it reads), and runs RobotCode for
.robot files (robot.toml)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

__all__ = ["EDITOR_FILES", "GLUE_FILE", "editor_files", "glue", "phrases_of", "write_glue"]

# Where init puts the glue file, and `seamline steps --glue` rewrites it.
GLUE_FILE = ".vscode/seamline-steps.js"
CONFIG_SCHEMA = ".vscode/seamline.schema.json"
PHRASEBOOK_SCHEMA = ".vscode/phrases.schema.json"

# The RobotCode settings of `robotcode analyze code` and of the editor; the repository's own
# robot.toml says the same.
ROBOT_TOML = """\
# RobotCode: the Robot Framework support of VS Code and `robotcode analyze code robot/` (CI).
# Seamline's phrases store variables while a test runs (`I store the response field "$.id"
# as "id"`), which static analysis cannot see: an unknown ${variable} is a hint, not an error.
# An unknown keyword stays an error: every phrase is a keyword of `Library    Seamline`.
[tool.robotcode-analyze.modifiers]
hint = ["VariableNotFound"]

[tool.robotcode-analyze.code]
exit-code-mask = ["hint"]
"""


class _Phrase(Protocol):
    @property
    def template(self) -> str: ...

    @property
    def summary(self) -> str: ...

    def regex(self) -> str: ...


# How the Gherkin extension (alexkrechik/VSCucumberAutoComplete, gserver/src/steps.handler.ts)
# reads a step definition `Given(/^TEXT$/)`: the completion's label is TEXT without its
# backslashes; the step's regular expression is TEXT with each "{name}" read as ".*", which the
# completion inserts as a tab stop; with `stepsInvariants`, a "(a|b)" is one step per word.
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_GROUP = re.compile(r"\(\?P<(\w+)>([^()]*)\)")  # the catalog's groups hold no parentheses
_WORDS = re.compile(r"[A-Za-z ]+(?:\|[A-Za-z ]+)+")  # a vocabulary: "is|is not|..."
_PLURAL = re.compile(r"([A-Za-z]+)\?")  # "requests?"
# The extension reads these as Cucumber expressions' types ({string} wants quotes of its own): a
# placeholder so named is written "{\string}", whose backslash hides it and the label drops.
_CUCUMBER_TYPES = {"int", "float", "word", "string", "stringInDoubleQuotes"}


def glue(phrases: Iterable[_Phrase]) -> str:
    """A JavaScript file of step definitions, one per phrase, in the form the Gherkin extension
    reads (``Given(/^...$/)``). Nothing runs it: pytest and Robot use the catalog itself."""
    lines = [
        f"// Seamline's phrases for VS Code's Cucumber (Gherkin) extension: `seamline steps --glue {GLUE_FILE}`",
        "// writes this file again (after a change to phrases.yaml). It is read by the editor, never run.",
    ]
    # The extension takes the first definition a step matches (for its go-to and its counts of
    # use): the ones with the most words of their own come first, "{name}" matching anything.
    for phrase in sorted(phrases, key=lambda phrase: -len(_PLACEHOLDER.sub("", phrase.template))):
        summary = phrase.summary.replace("\n", " ").replace("*/", "*\\/")
        lines += ["", "/**", f" * {summary}", " */", f"Given(/^{_step_text(phrase)}$/, () => {{}});"]
    return "\n".join(lines) + "\n"


def _step_text(phrase: _Phrase) -> str:
    """The phrase as the Gherkin extension's step-definition text: its template, with each
    vocabulary as "(a|b)" and any other placeholder kept as "{name}"."""
    patterns = dict(_GROUP.findall(phrase.regex()))
    out, position = [], 0
    for match in _PLACEHOLDER.finditer(phrase.template):
        out.append(_escape(phrase.template[position : match.start()]))
        out.append(_placeholder(match.group(1), patterns.get(match.group(1), "")))
        position = match.end()
    out.append(_escape(phrase.template[position:]))
    return "".join(out)


def _placeholder(name: str, pattern: str) -> str:
    if _WORDS.fullmatch(pattern):
        return f"({pattern})"
    if plural := _PLURAL.fullmatch(pattern):
        return f"({plural.group(1)[:-1]}|{plural.group(1)})"
    return f"{{\\{name}}}" if name in _CUCUMBER_TYPES else f"{{{name}}}"


def _escape(text: str) -> str:
    # Literal text: "/" would end the literal, and the other characters mean something in a regex.
    return re.sub(r"[\\^$.*+?()[\]{}|/]", r"\\\g<0>", text)


def vscode_settings() -> dict[str, object]:
    return {
        "yaml.schemas": {
            f"./{CONFIG_SCHEMA}": ["seamline.yaml", "seamline.yml"],
            f"./{PHRASEBOOK_SCHEMA}": ["phrases.yaml", "phrases.yml"],
        },
        "cucumberautocomplete.steps": [GLUE_FILE],
        "cucumberautocomplete.syncfeatures": "features/**/*.feature",
        "cucumberautocomplete.strictGherkinCompletion": False,
        "cucumberautocomplete.smartSnippets": True,
        # A phrase with a choice of words ("is|is not|...") is completed as one step per word.
        "cucumberautocomplete.stepsInvariants": True,
        # Steps are completed inside quotes too ("I GET "/...").
        "[feature]": {"editor.quickSuggestions": {"other": True, "comments": False, "strings": True}},
        # RobotCode and the Python extension: the project's virtualenv, where Seamline is installed.
        "python.defaultInterpreterPath": "${workspaceFolder}/.venv/bin/python",
    }


EXTENSIONS = {"recommendations": ["redhat.vscode-yaml", "alexkrechik.cucumberautocomplete", "d-biehl.robotcode"]}


EDITOR_FILES = (
    ".vscode/settings.json", ".vscode/extensions.json", CONFIG_SCHEMA, PHRASEBOOK_SCHEMA, GLUE_FILE, "robot.toml"
)


def phrases_of(config: str | Path | None) -> list[_Phrase]:
    """The catalog's phrases and those of the phrasebook ``config`` names (default: the nearest
    seamline.yaml's); a phrasebook that does not load raises its SeamlineError."""
    from .steps import CATALOG
    from .steps._user import load_user_phrases

    return [*CATALOG.values(), *load_user_phrases(config).values()]


def editor_files(phrases: Iterable[_Phrase]) -> dict[str, str]:
    """The editor files of a project whose phrases (the catalog's and its phrasebook's) are given."""
    from .core.config.schema import config_json_schema, phrasebook_json_schema

    texts = (
        json.dumps(vscode_settings(), indent=2) + "\n",
        json.dumps(EXTENSIONS, indent=2) + "\n",
        json.dumps(config_json_schema(), indent=2) + "\n",
        json.dumps(phrasebook_json_schema(), indent=2) + "\n",
        glue(phrases),
        ROBOT_TOML,
    )
    return dict(zip(EDITOR_FILES, texts, strict=True))


def write_glue(path: Path, phrases: Iterable[_Phrase]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(glue(phrases), encoding="utf-8")
