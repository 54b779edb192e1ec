"""Editor settings that `seamline init` writes (docs/editors.md): VS Code checks seamline.yaml
and phrases.yaml against their JSON Schemas (the YAML extension), completes and checks the
steps of .feature files (the "Cucumber (Gherkin) Full Support" extension, which reads step
definitions from a glue file of regular expressions), and runs RobotCode for .robot files
(robot.toml)."""

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


def glue(phrases: Iterable[_Phrase]) -> str:
    """A JavaScript file of step definitions, one per phrase, in the form the Gherkin extension
    reads (``Given(/^...$/)``). Nothing runs it: pytest and Robot use the catalog itself."""
    lines = [
        f"// Seamline's phrases for VS Code's Cucumber (Gherkin) extension: `seamline steps --glue {GLUE_FILE}`",
        "// writes this file again (after a change to phrases.yaml). It is read by the editor, never run.",
        "",
    ]
    for phrase in phrases:
        lines.append(f"// {phrase.template}: {phrase.summary}".replace("\n", " "))
        lines.append(f"Given(/^{_javascript_regex(phrase.regex())}$/, () => {{}});")
    return "\n".join(lines) + "\n"


def _javascript_regex(python: str) -> str:
    # Python's named groups are plain groups for the editor, and "/" would end the literal.
    # re.escape's "\ " is a plain space, which the editor shows as written when it completes.
    return re.sub(r"\(\?P<\w+>", "(", python).replace("\\ ", " ").replace("/", "\\/")


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
