"""Editors: `seamline init` writes VS Code settings (the JSON Schemas of seamline.yaml and
phrases.yaml for the YAML extension, a step-glue file for the Gherkin extension, RobotCode's
robot.toml); `seamline steps --glue` rewrites the glue with the phrasebook; `robotcode analyze
code` finds every keyword of the example suites and of a new project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from seamline.core.config.schema import config_json_schema, phrasebook_json_schema

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAMLINE_")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False)


def _init(tmp_path: Path) -> Path:
    created = _run([str(BIN / "seamline"), "init", "shop-tests"], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    return tmp_path / "shop-tests"


def test_init_writes_the_editor_settings(tmp_path: Path) -> None:
    project = _init(tmp_path)
    settings = json.loads((project / ".vscode/settings.json").read_text("utf-8"))
    schemas = {target: path for path, targets in settings["yaml.schemas"].items() for target in targets}
    assert json.loads((project / schemas["seamline.yaml"]).read_text("utf-8")) == config_json_schema()
    assert json.loads((project / schemas["phrases.yaml"]).read_text("utf-8")) == phrasebook_json_schema()
    (glue,) = settings["cucumberautocomplete.steps"]
    assert 'Given(/^I add {qty} of "{sku}" to the cart$/' in (project / glue).read_text("utf-8")
    assert settings["cucumberautocomplete.stepsInvariants"] is True
    extensions = json.loads((project / ".vscode/extensions.json").read_text("utf-8"))["recommendations"]
    assert {"redhat.vscode-yaml", "alexkrechik.cucumberautocomplete", "d-biehl.robotcode"} == set(extensions)
    # RobotCode's settings for the project are the repository's own (checked by CI on robot/).
    assert (project / "robot.toml").read_text("utf-8") == (ROOT / "robot.toml").read_text("utf-8")


def test_init_overwrites_no_editor_setting(tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode/settings.json").write_text("{}\n", encoding="utf-8")
    again = _run([str(BIN / "seamline"), "init"], cwd=tmp_path)
    assert again.returncode == 1
    assert "not overwriting" in again.stderr and "settings.json" in again.stderr
    assert (tmp_path / ".vscode/settings.json").read_text("utf-8") == "{}\n"
    assert not (tmp_path / "seamline.yaml").exists()


# Node stands in for the editor: it reads each step definition of the glue as the Gherkin
# extension does (alexkrechik/VSCucumberAutoComplete, gserver/src/steps.handler.ts, with the
# settings `seamline init` writes), and answers which lines match no step, and each step's label.
_READ_GLUE = r"""
const glue = require("fs").readFileSync(process.argv[1], "utf-8");
const texts = [...glue.matchAll(/^Given\(\/((?:\\.|[^\\/])*)\//gm)].map((found) => found[1]);
// stepsInvariants: a "(a|b)" makes one step per word
const invariants = (text) => {
  const group = text.match(/\([^)()]+\|[^()]+\)/);
  return group ? group[0].slice(1, -1).split("|").flatMap((word) => invariants(text.replace(group[0], word))) : [text];
};
// Cucumber expressions' types, then any other "{name}", read as patterns
const TYPES = { float: "-?\\d*\\.?\\d+", int: "-?\\d+", word: "[^\\s]+", string: "(\"|')[^\\1]*\\1" };
const regex = (text) => new RegExp(Object.entries(TYPES)
  .reduce((result, [type, pattern]) => result.replaceAll(`{${type}}`, pattern), text)
  .replace(/([^\\]|^){(?![\d,])(.*?)}/g, "$1.*"));
const steps = texts.flatMap(invariants).map((text) => ({
  label: text.replace(/\\/g, "").replace(/^\^|\$$/g, ""),  // shown without backslashes
  regex: regex(text),
}));
const lines = JSON.parse(require("fs").readFileSync(0, "utf-8"));
console.log(JSON.stringify({
  unmatched: lines.filter((line) => !steps.some((step) => step.regex.test(line))),
  labels: steps.map((step) => step.label),
}));
"""


def test_the_glue_has_a_step_for_every_phrase_and_the_phrasebook(tmp_path: Path) -> None:
    from seamline._editors import phrases_of

    project = _init(tmp_path)
    # "{string}" and "{int}" are also the extension's own types, which read differently
    (project / "phrases.yaml").write_text(
        (project / "phrases.yaml").read_text("utf-8")
        + '\n- phrase: I look at "{sku}" for {string} seconds, {int} times\n'
        + '  example: I look at "A1" for 2.5 seconds, 3 times\n  steps:\n    - I GET "/products/{sku}"\n',
        encoding="utf-8",
    )
    glue = project / "editor" / "steps.js"
    written = _run([str(BIN / "seamline"), "steps", "--glue", str(glue)], cwd=project)
    assert written.returncode == 0, written.stderr
    phrases = phrases_of(project / "seamline.yaml")
    assert f"wrote {glue}: {len(phrases)} phrases" in written.stdout
    examples = [phrase.example.splitlines()[0] for phrase in phrases]  # type: ignore[attr-defined]
    assert 'I look at "A1" for 2.5 seconds, 3 times' in examples
    read = subprocess.run(
        [shutil.which("node") or "node", "-e", _READ_GLUE, str(glue)],
        input=json.dumps([*examples, "I juggle three teapots", 'I GRAB "/cart"']), capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    answer = json.loads(read.stdout)
    assert answer["unmatched"] == ["I juggle three teapots", 'I GRAB "/cart"']
    # Each label reads as its phrase's template, a choice of words written out as one of its words.
    labels: list[str] = answer["labels"]
    assert not [label for label in labels if re.search(r"[\\()[\]|*+?^$]", label)]
    assert {'the response field "{path}" is not {value}', "I keep \"{name}\" for the suite"} <= set(labels)
    assert 'I look at "{sku}" for {string} seconds, {int} times' in labels
    for phrase in phrases:
        shapes = re.sub(r"\\\{(\w+)\\\}", r"(?:\\{\1\\}|[a-zA-Z ]+)", re.escape(phrase.template))
        assert any(re.fullmatch(shapes, label) for label in labels), phrase.template


def test_the_glue_command_names_a_broken_phrasebook(tmp_path: Path) -> None:
    (tmp_path / "seamline.yaml").write_text("services: {shop: 'http://127.0.0.1:9'}\n", encoding="utf-8")
    (tmp_path / "phrases.yaml").write_text("- phrase: I do\n", encoding="utf-8")
    failed = _run([str(BIN / "seamline"), "steps", "--glue", "steps.js"], cwd=tmp_path)
    assert failed.returncode == 2
    assert failed.stderr.startswith("seamline: the phrasebook did not load:"), failed.stderr
    assert not (tmp_path / "steps.js").exists()


def _analyze(cwd: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "robotcode"), "analyze", "code", *paths], cwd=cwd)


def test_robotcode_finds_every_keyword_of_the_examples() -> None:
    analyzed = _analyze(ROOT, "robot/")
    assert analyzed.returncode == 0, analyzed.stdout + analyzed.stderr
    assert "Errors: 0, Warnings: 0" in analyzed.stdout, analyzed.stdout
    assert "KeywordNotFound" not in analyzed.stdout


def test_robotcode_finds_the_keywords_of_a_new_project_and_names_an_unknown_one(tmp_path: Path) -> None:
    project = _init(tmp_path)
    analyzed = _analyze(project, "robot/")
    assert analyzed.returncode == 0, analyzed.stdout + analyzed.stderr  # the phrasebook's phrase too
    suite = project / "robot" / "typo.robot"
    suite.write_text(
        '*** Settings ***\nLibrary    Seamline\n\n*** Test Cases ***\nA typo\n    When I GRAB "/products"\n',
        encoding="utf-8",
    )
    analyzed = _analyze(project, "robot/")
    assert analyzed.returncode == 1
    assert "robot/typo.robot:6:5: [ERROR] KeywordNotFound: No keyword with name 'When I GRAB \"/products\"'" in (
        analyzed.stdout
    )
