"""Pictures of a real failing run for the documentation site, made again with one command:

    .venv/bin/python scripts/screenshots.py            # needs Chromium: apt-get install -y chromium

It runs scripts/failing-run/ with Robot Framework against the demo shop (a run that fails on
purpose), opens the log.html it wrote in headless Chromium at the failing test, and writes
small PNGs into docs/img/; the Allure report of a pytest run (needs Allure's command
line: `npm install allure-commandline`); and phrase completion in an editor, as the set-up of
docs/editors.md gives it (``editor_completion`` below says what that needs). Each picture's
maker is a function that makes its report and returns the shots of it; `--only NAME` runs one.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "img"
# Chromium started as the machine's closed network wants it: no background calls home.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
]


@dataclass(frozen=True)
class Shot:
    """One picture: a page (a file URL, with a fragment to open a test), its size, its name."""

    name: str
    url: str
    width: int = 1280
    height: int = 900
    # pixels cut off the top: the statistics above the execution log say little in a picture
    crop_top: int = 0
    # a picture its maker took itself (an editor, typed into): optimised, not taken again
    raw: Path | None = None


def robot_failing_run(results: Path) -> list[Shot]:
    """log.html and report.html of a Robot run of scripts/failing-run/ that fails."""
    robot = Path(sys.executable).with_name("robot")
    completed = subprocess.run(
        [str(robot), "--outputdir", str(results), str(ROOT / "scripts" / "failing-run" / "checkout.robot")],
        cwd=ROOT, capture_output=True, text=True,
    )
    # 1 failed test is the point; anything else (0: it passed, >1: more broke) is not the picture we want
    if completed.returncode != 1:
        raise SystemExit(f"the failing run should fail exactly one test, robot exited {completed.returncode}:\n"
                         f"{completed.stdout[-3000:]}{completed.stderr[-2000:]}")
    log = (results / "log.html").as_uri()
    return [
        Shot("robot-log-failure", f"{log}#s1-t1", width=1100, height=1250, crop_top=300),
        Shot("robot-report", (results / "report.html").as_uri(), width=1100, height=560),
    ]


EDITOR_TOOL = ROOT / "scripts" / "editor-completion"
# Where VS Code keeps an installed extension; the Cucumber extension ships its server built.
VSCODE_EXTENSIONS = ("~/.vscode/extensions", "~/.vscode-server/extensions", "~/.vscode-oss/extensions")


def cucumber_server() -> Path:
    """The language server of the "Cucumber (Gherkin) Full Support" extension: named by
    SEAMLINE_CUCUMBER_SERVER, or found in an installed VS Code extension."""
    named = os.environ.get("SEAMLINE_CUCUMBER_SERVER")
    found = [Path(named)] if named else sorted(
        server for folder in VSCODE_EXTENSIONS
        for server in Path(folder).expanduser().glob("alexkrechik.cucumberautocomplete-*/gserver/out/server.js")
    )
    if not found or not found[-1].is_file():
        raise SystemExit(
            "no server of the Cucumber (Gherkin) Full Support extension: install the extension in VS Code, "
            "or build it (see docs/developers.md) and set SEAMLINE_CUCUMBER_SERVER=.../gserver/out/server.js"
        )
    return found[-1]


def editor_completion(results: Path) -> list[Shot]:
    """Phrase completion in a project that `seamline init` made: the Monaco editor (VS Code's
    editor component) in headless Chromium types the start of a step, and its completion list
    holds what the real language servers answer with the project's .vscode/settings.json: the
    Cucumber extension's for a .feature file, RobotCode's for a .robot file. Needs Node.js and
    `npm ci` in scripts/editor-completion/, the Cucumber extension's server (``cucumber_server``)
    and RobotCode's language server in this virtualenv (`pip install "robotcode[languageserver]"`)."""
    node = shutil.which("node")
    if node is None or not (EDITOR_TOOL / "node_modules").is_dir():
        raise SystemExit(f"the editor pictures need Node.js and `npm ci` in {EDITOR_TOOL.relative_to(ROOT)}/")
    if importlib.util.find_spec("robotcode.language_server") is None:
        raise SystemExit('no RobotCode language server here: pip install "robotcode[languageserver]"')
    bin_dir = Path(sys.executable).parent
    project = results / "editor-project"
    subprocess.run([str(bin_dir / "seamline"), "init", str(project)], check=True, capture_output=True, text=True)
    # First the glue that init wrote, with the Cucumber extension's server: every phrase's example
    # is a defined step, and every completion reads as the phrase (check.mjs).
    every_phrase = project / "checks" / "every-phrase.feature"
    every_phrase.parent.mkdir()
    every_phrase.write_text(_every_phrase_feature(project / "seamline.yaml"), encoding="utf-8")
    server = str(cucumber_server())
    subprocess.run(
        [node, str(EDITOR_TOOL / "check.mjs"), "--project", str(project), "--cucumber-server", server,
         "--feature", str(every_phrase)],
        check=True, timeout=300,
    )  # fmt: skip
    shots = results / "editor-shots"
    subprocess.run(
        [node, str(EDITOR_TOOL / "shoot.mjs"), "--project", str(project), "--out", str(shots),
         "--chromium", chromium(), "--cucumber-server", server, "--robotcode", str(bin_dir / "robotcode")],
        check=True, timeout=600,
    )  # fmt: skip
    # shoot.mjs names its pictures (SHOTS there)
    return [Shot(png.stem, png.as_uri(), raw=png) for png in sorted(shots.glob("*.png"))]


def _every_phrase_feature(config: Path) -> str:
    """A scenario of every phrase's example (the catalog's and the phrasebook's), each its own step."""
    from seamline._editors import phrases_of

    lines = ["Feature: every phrase", "", "  Scenario: each phrase's example"]
    for phrase in phrases_of(config):
        step, *block = phrase.example.splitlines()  # type: ignore[attr-defined]
        lines += [f"    Given {step}", *(f"    {line}" for line in block)]
    return "\n".join(lines) + "\n"


def allure_report(results: Path) -> list[Shot]:
    """Allure's report of a pytest run of features/cart.feature, at its first scenario: each
    step with its attachments. Needs Allure's command line (Java 17): on PATH, or
    `npm install allure-commandline` here (node_modules/.bin/allure)."""
    allure = shutil.which("allure") or shutil.which("allure", path=str(ROOT / "node_modules" / ".bin"))
    if allure is None:
        raise SystemExit("no Allure command line found: npm install allure-commandline (needs Java 17)")
    alluredir = results / "allure-results"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "features/cart.feature",
         "--alluredir", str(alluredir)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    subprocess.run(
        [allure, "generate", "--clean", "-o", str(results / "allure-report"), str(alluredir)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    # The report reads its data over HTTP: served on a free loopback port until the script ends.
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(results / "allure-report"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    nodes = [json.loads((results / "allure-report" / "data" / "suites.json").read_text("utf-8"))]
    while nodes:
        node = nodes.pop()
        if node.get("name") == "a signed-in user fills the cart" and "parentUid" in node:
            page = f"http://127.0.0.1:{server.server_port}/#suites/{node['parentUid']}/{node['uid']}/"
            return [Shot("allure-scenario", page, height=620)]
        nodes += node.get("children", [])
    raise SystemExit("the Allure report has no scenario 'a signed-in user fills the cart'")


MAKERS: list[Callable[[Path], list[Shot]]] = [robot_failing_run, allure_report, editor_completion]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no Chromium found: apt-get install -y chromium")


def take(shot: Shot, browser: str, work: Path) -> Path:
    if shot.raw is not None:
        return shot.raw
    raw = work / f"{shot.name}.raw.png"
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}", f"--window-size={shot.width},{shot.height}",
         "--virtual-time-budget=10000", f"--screenshot={raw}", shot.url],
        check=True, capture_output=True, timeout=120,
    )
    return raw


def optimise(raw: Path, target: Path, crop_top: int) -> None:
    """A palette PNG: pages of text need few colours, and the file shrinks several times."""
    from PIL import Image

    with Image.open(raw) as image:
        page = image.crop((0, crop_top, image.width, image.height)).convert("RGB")
        page.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="where the PNGs go (default docs/img)")
    parser.add_argument("--only", action="append", choices=[maker.__name__ for maker in MAKERS],
                        help="make only these pictures (repeatable; default all)")
    args = parser.parse_args(argv)
    browser = chromium()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="seamline-shots-") as folder:
        work = Path(folder)
        for maker in MAKERS:
            if args.only and maker.__name__ not in args.only:
                continue
            for shot in maker(work / "results"):
                target = args.out / f"{shot.name}.png"
                optimise(take(shot, browser, work), target, shot.crop_top)
                print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
                      f"({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
