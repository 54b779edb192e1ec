"""Editors: `seamline init` writes VS Code settings (the JSON Schemas of seamline.yaml and
phrases.yaml for the YAML extension, a step-glue file for the Gherkin extension, RobotCode's
robot.toml); `seamline steps --glue` rewrites the glue with the phrasebook; `robotcode analyze
code` finds every keyword of the example suites and of a new project."""

from __future__ import annotations

import json
import os
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
    phrasebook_step = 'Given(/^I add ([^\\s"]+) of "([^"]*)" to the cart$/'
    assert phrasebook_step in (project / glue).read_text("utf-8")
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


# Node stands in for the editor: it reads the glue as JavaScript and matches each phrase's
# example (and a line the phrase does not say) against the regular expressions it defines.
_MATCH_EXAMPLES = """
const steps = [];
global.Given = (regex) => steps.push(regex);
require(process.argv[1]);  // node -e SCRIPT FILE: argv[1] is FILE
const lines = JSON.parse(require("fs").readFileSync(0, "utf-8"));
console.log(JSON.stringify(lines.filter((line) => !steps.some((regex) => regex.test(line)))));
"""


def test_the_glue_has_a_step_for_every_phrase_and_the_phrasebook(tmp_path: Path) -> None:
    from seamline._editors import phrases_of

    project = _init(tmp_path)
    (project / "phrases.yaml").write_text(
        (project / "phrases.yaml").read_text("utf-8")
        + '\n- phrase: I look at "{sku}"\n  example: I look at "A1"\n  steps:\n    - I GET "/products/{sku}"\n',
        encoding="utf-8",
    )
    glue = project / "editor" / "steps.js"
    written = _run([str(BIN / "seamline"), "steps", "--glue", str(glue)], cwd=project)
    assert written.returncode == 0, written.stderr
    phrases = phrases_of(project / "seamline.yaml")
    assert f"wrote {glue}: {len(phrases)} phrases" in written.stdout
    examples = [phrase.example.splitlines()[0] for phrase in phrases]  # type: ignore[attr-defined]
    assert 'I look at "A1"' in examples
    unmatched = subprocess.run(
        [shutil.which("node") or "node", "-e", _MATCH_EXAMPLES, str(glue)],
        input=json.dumps([*examples, "I juggle three teapots"]), capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    assert json.loads(unmatched.stdout) == ["I juggle three teapots"]


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
