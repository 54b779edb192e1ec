"""What a user installs: the wheel's contents and metadata, the floors CI tries, and imports
that load only what a run uses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"

# Libraries that only some steps need (HTTP, databases, queues, stubs, contracts, the demo).
_HEAVY = {"requests", "urllib3", "sqlalchemy", "jsonschema", "openapi_core", "kombu", "werkzeug", "jsonpath_ng",
          "fastapi", "uvicorn", "httpx"}
_FRAMEWORKS = {"robot", "pytest", "_pytest", "pytest_bdd"}


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(completed.stdout))


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_import_seamline_loads_no_framework_no_library_and_no_metadata() -> None:
    loaded = _loaded_after("import seamline")
    assert _top_level(loaded) & (_HEAVY | _FRAMEWORKS | {"yaml"}) == set()
    assert "importlib.metadata" not in loaded  # __version__ reads it when asked for


def test_the_version_is_read_when_asked_for() -> None:
    from importlib.metadata import version

    import seamline

    assert seamline.__version__ == version("seamline")


def test_import_seamline_for_robot_loads_robot_and_no_step_library() -> None:
    loaded = _top_level(_loaded_after("import Seamline"))
    assert "robot" in loaded
    assert loaded & (_HEAVY | {"pytest", "_pytest", "pytest_bdd"}) == set()



def test_the_robot_library_loads_every_phrase_and_no_area_logic() -> None:
    # Robot needs every phrase's text at start-up; a phrase loads its area when it first runs.
    loaded = _loaded_after("import Seamline")
    assert {"seamline.steps.http", "seamline.steps.db", "seamline.steps.stubs"} <= loaded
    logic = {
        "seamline.core.http.sending", "seamline.core.http.auth", "seamline.core.services.managed",
        "seamline.core.db.sql", "seamline.core.db.databases", "seamline.core.stubs.servers",
        "seamline.core.messaging.queues", "seamline.core.contract.conformance", "seamline.core.matching.jsonpath",
    }  # fmt: skip
    assert loaded & logic == set()

def test_the_pytest_plugin_loads_no_robot_and_no_step_library() -> None:
    # pytest loads it in every run of the environment, feature files or not.
    loaded = _top_level(_loaded_after("import seamline.bdd.plugin"))
    assert loaded & (_HEAVY | {"robot", "yaml"}) == set()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel as pip builds it from the source tree (isolated, with the declared backend).

    Built from a copy of what the project ships: setuptools reuses a ``build/`` folder left in
    the tree, which may still hold modules that have since moved."""
    folder = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "seamline"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "results"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(source)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    (path,) = folder.glob("seamline-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_every_package_and_nothing_else(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    packages = {str(init.parent.relative_to(SOURCE)) for init in (SOURCE / "seamline").rglob("__init__.py")}
    modules = {
        str(path.relative_to(SOURCE))
        for package in packages
        for path in (SOURCE / package).glob("*.py")
    }
    assert {"seamline", "seamline/bdd", "seamline/core", "seamline/demo", "seamline/robot"} <= packages
    assert modules <= set(names), sorted(modules - set(names))
    assert "seamline/py.typed" in names
    assert "Seamline.py" in names
    sources = modules | {"seamline/py.typed", "Seamline.py"}
    extra = [name for name in names if name not in sources and not name.startswith("seamline-")]
    assert extra == []  # no tests, caches, egg-info or stray files
    assert all(name.split("/")[0].endswith(".dist-info") for name in names if name.startswith("seamline-"))


def test_the_wheel_metadata_declares_license_classifiers_and_the_floors_ci_tries(wheel: zipfile.ZipFile) -> None:
    from trove_classifiers import classifiers as known

    info = next(name for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(wheel.read(info).decode("utf-8"))
    assert metadata["License-Expression"] == "MIT"
    declared = metadata.get_all("Classifier") or []
    assert set(declared) - known == set()
    assert {"Framework :: Pytest", "Framework :: Robot Framework :: Library", "Typing :: Typed"} <= set(declared)
    floors = {}
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None:
            floors[requirement.name] = {spec.version for spec in requirement.specifier if spec.operator == ">="}
    pins = {}
    for line in (ROOT / ".ci" / "oldest.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            pins[name.strip()] = pinned.strip()
    assert set(pins) == {"robotframework", "pytest", "pytest-bdd", "pydantic"}
    for name, pinned in pins.items():
        (floor,) = floors[name]
        assert Version(floor) == Version(pinned), (name, floor, pinned)  # 8.1 == 8.1.0
    entry_points = next(name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt"))
    assert "seamline = seamline.bdd.plugin" in wheel.read(entry_points).decode("utf-8")
