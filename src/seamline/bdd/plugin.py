"""pytest front end: catalog phrases as pytest-bdd steps, .feature files collected as tests.

Registered through the ``pytest11`` entry point, so ``pytest features/`` runs feature
files with no Python file written by the user.
"""

from __future__ import annotations

import inspect
import os
import re
import signal
import threading
import types
from collections.abc import Callable, Generator, Iterable, Iterator, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import parsers, step
from pytest_bdd.exceptions import GherkinParseError, NoScenariosFound

from ..core.errors import SeamlineError

# The core and the catalog load when a Seamline scenario first needs them: the plugin is
# loaded into every pytest run of the environment, most of which never touch Seamline.
if TYPE_CHECKING:
    from ..core.context import Context, Runtime
    from ..core.values.variables import Filled
    from ..steps import Phrase
    from ._render import OutlineRows

_RUNTIME = pytest.StashKey["Runtime"]()
_CONTEXT = pytest.StashKey["Context"]()
_FAILED_STEP = pytest.StashKey[tuple[str, str]]()  # (step as written, file:line)
_RUNNING_STEP = pytest.StashKey[tuple[str, Any]]()  # the feature file and step running now
_LOGGED = pytest.StashKey[int]()  # how many log lines the scenario had when its steps ended
_UNKNOWN_STEP = pytest.StashKey[str]()
_PREVIOUS_SIGTERM = pytest.StashKey[Any]()
_SCENARIO_NAME = pytest.StashKey[str]()
_FEATURE_FILE = pytest.StashKey[str]()
_FILLED_STEPS = pytest.StashKey[dict[int, "Filled"]]()  # by id of a step: its name as filled from the row
_FILLED_NOW = pytest.StashKey["Filled | None"]()  # the running step's name as filled from the row
_REPORT_FILES = pytest.StashKey[list[Path]]()
_RESTORE_LOG_RECORDS = pytest.StashKey[Callable[[], None]]()
_WORKER_SECRETS = "seamline_secrets"  # a pytest-xdist worker's secrets, in its workeroutput


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seamline")
    group.addoption("--seamline-config", default=None, help="path of seamline.yaml (default: nearest one upward)")
    group.addoption("--seamline-env", default=None, help="named environment of seamline.yaml (default: SEAMLINE_ENV)")
    parser.addini(
        "seamline_features",
        "where Seamline runs .feature files: empty (default) where a seamline.yaml governs them; "
        "folders (relative to the rootdir) to add; true for every one; false for none",
        type="args",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "seamline_data: a scenario that runs once per row of a data file")
    config.addinivalue_line("markers", "seamline_data_error(message): a scenario whose data file is unusable")
    config.stash[_REPORT_FILES] = _report_files(config)
    _make_report_folders(config)
    _stop_on_sigterm(config)


def _runtime(config: pytest.Config) -> Runtime:
    """The run's Runtime, made when a Seamline scenario first needs it (not in a run without one)."""
    runtime = config.stash.get(_RUNTIME, None)
    if runtime is None:
        from ..core.context import Runtime
        from ..core.values.secrets import masked_log_records

        runtime = Runtime(config.getoption("seamline_config"), config.getoption("seamline_env"))
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None:  # a pytest-xdist worker: the run's workers share its services
            from ..core.services.shared import worker_of_parent

            runtime.parallel_run = worker_of_parent("xdist", workerinput.get("testrunuid"))
        config.stash[_RUNTIME] = runtime
        # What Python's logging prints (log_cli, caplog: urllib3's request line) is masked too.
        config.stash[_RESTORE_LOG_RECORDS] = masked_log_records(runtime.secrets)
    return runtime


def _stop_on_sigterm(config: pytest.Config) -> None:
    """SIGTERM ends the run as Ctrl-C does, so that pytest tears the running scenario down and
    its cleanups run (seeded rows deleted, stubs and services stopped), as Robot does on the
    same signal. Left alone where someone else already handles SIGTERM."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt("stopped by SIGTERM")

    config.stash[_PREVIOUS_SIGTERM] = signal.signal(signal.SIGTERM, interrupt)


def _report_files(config: pytest.Config) -> list[Path]:
    """The JUnit XML and cucumber JSON files this process writes at the end of the session,
    and pytest-html's report, as absolute paths (the run may change directory)."""
    if hasattr(config, "workerinput"):
        return []  # the xdist controller writes them
    paths = (
        config.getoption("xmlpath", default=None),
        config.getoption("cucumber_json_path", default=None),
        config.getoption("htmlpath", default=None),
    )
    return [Path(os.path.expandvars(path)).expanduser().absolute() for path in paths if path]


def _make_report_folders(config: pytest.Config) -> None:
    """pytest-bdd writes --cucumberjson at the end of the run, into a folder it does not
    create (pytest's --junitxml does): create it now, as for the JUnit file."""
    path = config.getoption("cucumber_json_path", default=None)
    if not path or hasattr(config, "workerinput"):
        return
    folder = Path(os.path.expandvars(path)).expanduser().absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise pytest.UsageError(f"--cucumberjson {path}: cannot create the folder {folder}: {error}") from None


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A scenario's report is masked when it is made, with the secrets known then; a later
    scenario may make one of its values secret (a token used as an API key). Mask the reports
    again before the terminal prints its summary of failures and passes.

    Under pytest-xdist a worker's reports went to the controller as they were made: the
    worker hands its secrets over too (``workeroutput``), and the controller, which prints the
    summary and writes JUnit XML and cucumber JSON, adds them (pytest_testnodedown)."""
    runtime = session.config.stash.get(_RUNTIME, None)
    workeroutput = getattr(session.config, "workeroutput", None)
    if runtime is not None and isinstance(workeroutput, dict):
        workeroutput[_WORKER_SECRETS] = runtime.secrets.originals()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if runtime is None or not runtime.secrets or reporter is None:
        return
    for reports in getattr(reporter, "stats", {}).values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                _mask_report(runtime, report)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: a worker has finished; the secrets it knew are secrets here."""
    secrets = (getattr(node, "workeroutput", None) or {}).get(_WORKER_SECRETS, [])
    if secrets:
        runtime = _runtime(node.config)
        for secret in secrets:
            runtime.secrets.add(secret)


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_PREVIOUS_SIGTERM, None)
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)
    restore = config.stash.get(_RESTORE_LOG_RECORDS, None)
    if restore is not None:
        restore()
    runtime = config.stash.get(_RUNTIME, None)
    if runtime is not None:
        # JUnit XML and cucumber JSON were written at the session's end (pytest_sessionfinish),
        # from reports masked as each scenario ended: mask them with every secret known now.
        for path in config.stash.get(_REPORT_FILES, []):
            runtime.secrets.mask_file(path)
            if path.suffix == ".html":  # pytest-html's: its extras are files beside it
                for asset in path.parent.glob("assets/*.txt"):
                    runtime.secrets.mask_file(asset)
        from ..attachments import allure_results_folders, mask_allure_results

        mask_allure_results(runtime.secrets, allure_results_folders())  # Allure's, still registered here
        runtime.close()


# -- collection: a .feature file is a module of scenarios -------------------------------


# The feature file being collected: `@data:` tags name files relative to its directory.
_collecting: list[Path] = []
_config_folders: list[Path | None] = []  # and the folder of its seamline.yaml, where they are looked for next


class FeatureFile(pytest.Module):
    """pytest collects the scenarios as it would a test module's functions; the module is
    built here (through `obj`'s public setter) instead of imported from the file."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            line = self.path.read_bytes()[: error.start].count(b"\n") + 1
            reason = f"it is not UTF-8 text (byte 0x{error.object[error.start]:02x}); save it as UTF-8"
            return [UnreadableFeature.from_parent(self, name=self.path.name, line=line, reason=reason)]
        if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
            return []  # an empty file (or comments only): nothing to run yet, as an empty test module
        self._register_tags(text)
        try:
            self.obj = self._module_of_scenarios()
        except NoScenariosFound:
            return []  # a feature with no scenario yet: nothing to run, as an empty test module
        except GherkinParseError as error:
            # One failing test in the file's place: every other file of the run still runs.
            line, reason = _parse_failure(self.path, error)
            return [UnreadableFeature.from_parent(self, name=self.path.name, line=line, reason=reason)]
        return super().collect()

    def _register_tags(self, text: str) -> None:
        """The feature's tags are markers: Seamline owns this file, so ``--strict-markers``
        does not ask the project to declare ``@smoke``. Read from the text (tag lines start
        with ``@``), as pytest-bdd turns the tags of Examples into marks without a hook."""
        tags = {word[1:] for line in text.splitlines() if line.lstrip().startswith("@") for word in line.split()}
        # A tag with ':' (@data:rows.csv, @jira:ABC-1) cannot be a marker name: no mark is made of it.
        for tag in sorted(tag for tag in tags if _marker_name(tag)):
            self.config.addinivalue_line("markers", f"{tag}: a tag of a Seamline feature file")

    def _module_of_scenarios(self) -> types.ModuleType:
        from pytest_bdd import scenarios

        module = types.ModuleType("seamline_feature_" + re.sub(r"\W", "_", self.path.stem))
        module.__file__ = str(self.path)
        # scenarios() adds test functions, and step() its fixture, to the namespace of the code
        # that calls them: the module's. So the one step that runs every phrase is seen by the
        # scenarios of this file only, never by a project's own pytest-bdd tests.
        code = compile("step(any_line)(run_phrase)\nscenarios(path, features_base_dir=base)", str(self.path), "exec")
        names = {
            "scenarios": scenarios, "step": step, "any_line": _ANY_LINE, "run_phrase": seamline_step,
            "path": str(self.path), "base": str(self.path.parent),
        }  # fmt: skip
        _collecting.append(self.path)
        _config_folders.append(_config_folder_for(self.path, self.config))
        try:
            exec(code, names, module.__dict__)
        except SeamlineError as error:
            raise self.CollectError(f"{_relative(str(self.path))}: {error.message}") from None
        finally:
            _collecting.pop()
            _config_folders.pop()
        return module


class UnreadableFeature(pytest.Item):
    """A .feature file that cannot be read or does not parse, as one failing test:
    ``file:line`` and the reason, in one line."""

    def __init__(self, *, line: int, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.line = line
        self.message = _bounded(f"{_relative(str(self.path))}:{line}: the feature file does not parse: {reason}")

    def runtest(self) -> None:
        pytest.fail(self.message, pytrace=False)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.line - 1, 0), f"{self.path.name} (does not parse)"


def _parse_failure(path: Path, error: GherkinParseError) -> tuple[int, str]:
    """The line and the reason of the parser's error, without its own headings."""
    reasons = [re.sub(r"^\(\d+:\d+\): ", "", line.strip()) for line in error.message.splitlines()]
    reasons = [line for line in reasons if line and not line.startswith(("Unknown parsing error", "Parser errors"))]
    reason = "; ".join(reasons) or error.message.strip()
    written = " ".join(error.line_content.split())
    opened = _unclosed_doc_string(path) if "#DocStringSeparator" in reason else None
    if opened is not None:
        # The parser stops at the end of the file; the mistake is where the block opened.
        return opened, f"the doc string opened here is never closed ({reason})"
    return error.line, reason + (f" (line: {written})" if written else "")


def _unclosed_doc_string(path: Path) -> int | None:
    """The line of the doc string separator (\"\"\" or ```) that no later one closes."""
    opened: tuple[int, str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        separator = line.strip()[:3]
        if opened is None and separator in ('"""', "```"):
            opened = (number, separator)
        elif opened is not None and separator == opened[1]:
            opened = None
    return opened[0] if opened else None


def _marker_name(tag: str) -> bool:
    """Whether pytest can register ``tag`` as a marker: its ini lines end a name at ':' or '('."""
    return bool(tag) and not any(character in tag for character in ":()")


def _bounded(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else f"{text[: limit - 30]}... ({len(text)} characters)"


# First: pytest-bdd's own implementation turns any tag into a mark and answers for it, and
# which plugin pluggy asks first otherwise depends on the order the plugins were installed.
@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Callable[..., Any]) -> bool | None:
    """`@data:rows.csv`: the scenario runs once per row, each row's columns its variables."""
    if not _collecting:
        return None  # a project's own scenarios() or @scenario: its tags are its own
    from ..core.errors import UsageError
    from ..core.values.data import TWO_DATA_FILES, data_file_of, load_rows

    feature = _collecting[-1]
    config_folder = _config_folders[-1] if _config_folders else None
    try:
        path = data_file_of(tag, feature.parent, config_folder)
        if path is None:
            # pytest-bdd makes the tag a mark, as usual; not one whose name pytest cannot
            # register (@jira:ABC-1, @slow(2)), which --strict-markers would refuse.
            return True if not _marker_name(tag) else None
        marks = [mark.name for mark in getattr(function, "pytestmark", [])]
        if "seamline_data" in marks or "seamline_data_error" in marks:
            raise UsageError(TWO_DATA_FILES)
        if "parametrize" in marks:
            raise UsageError("a scenario takes its rows from Examples or from a data file, not both")
        rows = load_rows(path)
    except SeamlineError as error:
        # Only this scenario fails (see pytest_runtest_call); the rest of the run goes on.
        pytest.mark.seamline_data_error(f"{_relative(str(feature))}: tag @{tag}: {error.message}")(function)
        return True
    # pytest's own parametrize, on a fixture of ours that the scenario is made to use;
    # pytest_bdd_before_scenario renders <name> in the steps from it, as Examples would.
    ids = ["-".join(row.values()) for row in rows]
    pytest.mark.usefixtures("seamline_row")(function)
    pytest.mark.parametrize("seamline_row", rows, ids=ids)(function)
    pytest.mark.seamline_data(function)
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    """`<name>` in a `@data:` scenario's steps becomes the row's value before any step is
    looked up, so that pytest-bdd's reports show the steps as they ran. An outline's steps,
    which pytest-bdd filled from its Examples row, are filled again from the outline as
    written, the same way: each step then knows where each cell went (see
    pytest_bdd_before_step_call)."""
    if not _ours(request.node):
        return  # a project's own pytest-bdd scenario: not Seamline's to touch
    from ._render import has_placeholders, render_placeholders, render_step

    row: dict[str, object] = {}
    steps = scenario.steps
    if request.node.get_closest_marker("seamline_data") is not None:
        cells: dict[str, str] = request.getfixturevalue("seamline_row")  # from a file: values
        scenario.name = render_placeholders(scenario.name, cells)
        row = dict(cells)
    else:
        outline = next((s for s in feature.scenarios.values() if s.line_number == scenario.line_number), None)
        if outline is not None and outline.examples:
            rows = _outline_rows(request.config, outline)
            if rows is not None:
                row, steps = rows.row_of(scenario), outline.steps
    if row and has_placeholders(steps):
        rendered = [render_step(step, row) for step in steps]
        scenario.steps[:] = [step for step, _ in rendered]
        request.node.stash[_FILLED_STEPS] = {id(step): filled for step, filled in rendered}
    request.node.stash[_SCENARIO_NAME] = scenario.name  # the Context's name, made at the first step
    request.node.stash[_FEATURE_FILE] = str(feature.filename)


_OUTLINES = pytest.StashKey[dict[int, tuple[Any, "OutlineRows | None"]]]()  # by id: the outline and its rows


def _outline_rows(config: pytest.Config, outline: Any) -> OutlineRows | None:
    """The outline's rows, indexed once for all its scenarios; None for an outline whose
    steps have no ``<name>``: pytest-bdd's steps are then the outline's, for every row."""
    from ._render import OutlineRows, has_placeholders

    outlines = config.stash.setdefault(_OUTLINES, {})
    known = outlines.get(id(outline))
    if known is None or known[0] is not outline:
        known = outlines[id(outline)] = (outline, OutlineRows(outline) if has_placeholders(outline.steps) else None)
    return known[1]


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step_call(
    request: pytest.FixtureRequest, step: Any, step_func: Any, step_func_args: dict[str, Any], **_: Any
) -> None:
    """An argument that a row's cell went into is handed over knowing where it went, so that
    a cell in a URL is encoded for its part (``/echo?q=<q>`` with ``a&admin=true`` stays one
    value), as a ``${name}`` is; a cell that is the whole path is used as written."""
    if _ours(request.node):
        request.node.stash[_FILLED_NOW] = request.node.stash.get(_FILLED_STEPS, {}).get(id(step))


def _ours(node: pytest.Item) -> bool:
    """Whether a test is a scenario of a .feature file Seamline collected (not a project's own
    pytest-bdd test, whose hooks run here too)."""
    return node.getparent(FeatureFile) is not None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".feature" or not _governed(file_path, parent.config):
        return None
    return FeatureFile.from_parent(parent, path=file_path)


def _governed(path: Path, config: pytest.Config) -> bool:
    """Whether Seamline runs this .feature file: one named on the command line, one under a
    seamline.yaml (in its folder or above, up to the rootdir, or the one this run reads), or
    under a folder the ``seamline_features`` ini option names. Any other .feature file belongs to someone else
    (a pytest-bdd project of its own, beside Seamline in the same environment)."""
    setting: list[str] = config.getini("seamline_features")
    if [word.lower() for word in setting] in (["true"], ["false"]):
        return setting[0].lower() == "true"
    path = path.resolve()
    # A .feature file named on the command line: only Seamline runs a bare .feature file.
    named_files = {(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args}
    if path in named_files:
        return True
    from ..core.config import find_config  # only where a .feature file is collected

    roots = [(config.rootpath / folder).resolve() for folder in setting]
    named = config.getoption("seamline_config") or os.environ.get("SEAMLINE_CONFIG")
    used = Path(named).expanduser() if named else find_config()
    if used is not None:
        roots.append(used.resolve().parent)
    return any(path.is_relative_to(root) for root in roots) or _governing_config(path, config) is not None


def _governing_config(path: Path, config: pytest.Config) -> Path | None:
    """The seamline.yaml in the folder of ``path`` or above it, up to the rootdir."""
    from ..core.config import CONFIG_NAMES

    rootdir = config.rootpath.resolve()
    for folder in path.resolve().parents:
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        if folder == rootdir:
            break
    return None


def _run_config_is_settled(runtime: Runtime) -> bool:
    """Whether the run's seamline.yaml is named or found from the working directory; if not,
    the collected files' own folders decide (see _adopt_governing_config)."""
    from ..core.config import find_config

    return runtime.config_path is not None or bool(os.environ.get("SEAMLINE_CONFIG")) or find_config() is not None


def _config_folder_for(path: Path, config: pytest.Config) -> Path | None:
    """The folder of the seamline.yaml that governs a feature file being collected, without
    loading the run's config before _adopt_governing_config has chosen it."""
    runtime = _runtime(config)
    if _run_config_is_settled(runtime):
        return runtime.config_folder
    governing = _governing_config(path, config)
    return governing.parent if governing is not None else None


def _adopt_governing_config(config: pytest.Config, ours: list[pytest.Item]) -> None:
    """A run started above a Seamline folder (``pytest`` at the root of a repository that
    holds one) reads that folder's seamline.yaml, as a run started inside it would."""
    if not ours:
        return
    runtime = _runtime(config)
    if _run_config_is_settled(runtime):
        return
    found = sorted({path for item in ours if (path := _governing_config(item.path, config)) is not None})
    if len(found) > 1:
        listed = ", ".join(_relative(str(path)) for path in found)
        raise pytest.UsageError(
            f"Seamline: the collected .feature files belong to {len(found)} seamline.yaml files ({listed}); "
            "run each folder on its own, or name one with --seamline-config"
        )
    if found:
        runtime.config_path = found[0]  # and so its phrases.yaml, loaded next (_phrases)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """A feature file that the project's own ``scenarios()`` or ``@scenario`` binds runs there,
    with the project's steps, and not a second time as Seamline's."""
    bound = [binding for item in items if item.getparent(FeatureFile) is None and (binding := _binding(item))]
    theirs = _bound_files(bound, [item for item in items if item.getparent(FeatureFile) is not None])
    if theirs:
        items[:] = [item for item in items if item.getparent(FeatureFile) is None or item.path.resolve() not in theirs]
    ours = [item for item in items if item.getparent(FeatureFile) is not None]
    _adopt_governing_config(config, ours)
    if ours:  # a broken phrasebook stops a run with Seamline scenarios before any of them runs
        _phrases(config)


# How a project's pytest-bdd test names its scenario: the feature file as given to
# scenario() (resolved where that is possible) and the scenario's name.
_Binding = tuple[str, Path | None, str]


def _binding(item: pytest.Item) -> _Binding | None:
    """The feature file and scenario a pytest-bdd test of a Python module runs. pytest-bdd
    names them in the test function's docstring, "<feature path as given to scenario()>:
    <scenario name>": an absolute path from scenarios(), else one relative to the module, to
    bdd_features_base_dir, or to a features_base_dir= of the call (which nothing keeps)."""
    written, _, scenario = _scenario_doc(item)
    if not written.endswith(".feature"):
        return None
    base_dir = str(item.config.getini("bdd_features_base_dir") or "")
    candidate = ((item.config.rootpath / base_dir) if base_dir else item.path.parent) / written
    return written, (candidate.resolve() if candidate.is_file() else None), scenario


def _bound_files(bound: list[_Binding], ours: list[pytest.Item]) -> set[Path]:
    """The feature files that project tests bind: each one found, or, where a test's base
    folder is unknown, one of ours whose path ends as written and that has that scenario."""
    files = {resolved for _, resolved, _ in bound if resolved is not None}
    for written, resolved, scenario in bound:
        parts = Path(written).parts
        if resolved is None and ".." not in parts:
            files |= {
                path
                for item in ours
                if (path := item.path.resolve()).parts[-len(parts) :] == parts and _scenario_doc(item)[2] == scenario
            }
    return files


def _scenario_doc(item: pytest.Item) -> tuple[str, str, str]:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    return doc.partition(": ")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """A scenario whose data file could not be read fails with that error, without running."""
    mark = item.get_closest_marker("seamline_data_error")
    if mark is not None:
        pytest.fail(str(mark.args[0]), pytrace=False)


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seamline_feature_variables() -> dict[str, object]:
    """Variables of the feature (suite scope): one dictionary per feature file."""
    return {}


@pytest.fixture
def seamline_row() -> dict[str, str]:
    """The row of the scenario's `@data:` file; a scenario with one is parametrized per row."""
    return {}


@pytest.fixture
def seamline_context(
    request: pytest.FixtureRequest, seamline_feature_variables: dict[str, object]
) -> Iterator[Context]:
    """The scenario's Seamline context; its cleanup actions run when the scenario ends."""
    from ..attachments import AttachingSink  # and so its hook: each exchange attached to the reports
    from ..core.context import Context, MemorySink

    runtime = _runtime(request.config)
    name = request.node.stash.get(_SCENARIO_NAME, request.node.name)
    node = request.node
    feature = node.stash.get(_FEATURE_FILE, None)  # files named in steps are found beside it
    folder = Path(feature).parent if feature else None
    sink = AttachingSink() if request.config.getoption("htmlpath", None) else MemorySink()  # pytest-html's
    context = Context(
        runtime, suite=seamline_feature_variables, sink=sink, name=name,
        running_step=lambda: _running_step_label(node), folder=folder,
    )
    request.node.stash[_CONTEXT] = context
    if request.node.get_closest_marker("seamline_data") is not None:
        for name, value in request.getfixturevalue("seamline_row").items():
            context.store(name, value)
    yield context
    failures = context.finish()
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def _add_extras(report: pytest.TestReport, sink: object) -> None:
    attachments = getattr(sink, "attachments", None)
    if attachments:
        from pytest_html import extras  # only where pytest-html writes a report (AttachingSink)

        added = [extras.text(text, name=name) for name, text in attachments]
        report.extras = [*getattr(report, "extras", []), *added]  # type: ignore[attr-defined]  # pytest-html's
        attachments.clear()


# -- steps: one pytest-bdd step that dispatches to the phrases ---------------------------


class _Phrases:
    """The catalog and the phrasebook's phrases, and which one a step's text reads as.

    pytest-bdd tries every registered step on every step of every scenario; registered one
    by one, the phrases made that lookup cost more than the rest of a step. So pytest-bdd
    sees a single step, and the text is matched here, once per distinct text."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        # The last defined wins, as it did with one pytest-bdd step per phrase. Each with the
        # words it starts with (lower case, before its first placeholder): a text that does not
        # start so is not tried against it, and its expression is not compiled in this run.
        self.phrases = [(_leading_words(phrase.template), phrase) for phrase in phrases][::-1]
        self.found: dict[str, tuple[Phrase, dict[str, Any]] | None] = {}

    def find(self, text: str) -> tuple[Phrase, dict[str, Any]] | None:
        if text not in self.found:
            if len(self.found) > 10_000:  # rows of a big outline: each text once, bounded
                self.found.clear()
            # Only an ASCII text's case is its lower(): any other is tried against every
            # phrase, as the expression (case-insensitive in Unicode's terms) reads it.
            lower = text.lower() if text.isascii() else None
            tried = (phrase for words, phrase in self.phrases if lower is None or lower.startswith(words))
            self.found[text] = next(
                ((phrase, match.groupdict()) for phrase in tried if (match := phrase.matcher.fullmatch(text))), None
            )
        return self.found[text]


def _leading_words(template: str) -> str:
    """What a text reading as ``template`` starts with, in lower case: its words before the
    first placeholder; "" (any text) for words in other letters than ASCII's, whose cases a
    regular expression matches in Unicode's terms."""
    words = re.split(r'"?\{', template, maxsplit=1)[0]
    return words.lower() if words.isascii() else ""


_PHRASES = pytest.StashKey[_Phrases]()


def _phrases(config: pytest.Config) -> _Phrases:
    """The phrases of this run: the catalog and the phrasebook the config names, loaded once."""
    phrases = config.stash.get(_PHRASES, None)
    if phrases is None:
        from ..steps import CATALOG
        from ..steps._user import load_user_phrases

        try:
            user_phrases = load_user_phrases(_runtime(config).config_path)
        except SeamlineError as error:
            raise pytest.UsageError(f"Seamline: the phrasebook did not load: {error.message}") from None
        phrases = config.stash[_PHRASES] = _Phrases([*CATALOG.values(), *user_phrases.values()])
    return phrases


_ANY_LINE = parsers.re(r"(?P<seamline_step>.+)")


def seamline_step(
    request: pytest.FixtureRequest,
    seamline_context: Context,
    seamline_step: str,
    docstring: str | None = None,
    datatable: list[list[str]] | None = None,
) -> Any:
    """Runs the phrase the step's text reads as (pytest-bdd passes the doc string or table)."""
    found = _phrases(request.config).find(seamline_step)
    if found is None:
        from ..core.errors import UsageError

        raise UsageError(f"no phrase reads as {seamline_step!r}")  # the report says it as for pytest-bdd's lookup
    phrase, arguments = found
    filled = request.node.stash.get(_FILLED_NOW, None)
    if filled is not None:  # a row's cells in this step: each handed over knowing where it went
        arguments = {**arguments, **phrase.written_arguments(filled)}
    return phrase.run(seamline_context, arguments, docstring=docstring, table=datatable)


# pytest-bdd reads the step function's signature twice for every step it runs; kept on the
# function (Python's own __signature__ protocol), it is not worked out from the code each time.
seamline_step.__signature__ = inspect.signature(seamline_step)  # type: ignore[attr-defined]


# -- failures: one line naming the step and where it is written ------------------------


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, **_: Any) -> None:
    if _ours(request.node):
        # Named (file:line, relative to the working directory) only when asked: by a failure
        # or a cleanup the step registers. Most steps of a passing run are never named.
        request.node.stash[_RUNNING_STEP] = (feature.filename, step)


def _running_step_label(node: pytest.Item) -> str | None:
    """``Step '...' (file:line)`` of the step running now, None outside a step."""
    running = node.stash.get(_RUNNING_STEP, None)
    if running is None:
        return None
    from ..frontend import step_label

    return step_label(*_step_as_written(*running))


def _step_as_written(filename: str, step: Any) -> tuple[str, str]:
    """A step as written (keyword and text) and where: ``file:line``."""
    return f"{step.keyword} {step.name}".strip(), f"{_relative(filename)}:{step.line_number}"


def pytest_bdd_step_error(
    request: pytest.FixtureRequest,
    feature: Any,
    scenario: Any,
    step: Any,
    step_func: Any,
    exception: Exception,
    **_: Any,
) -> None:
    if step_func is not seamline_step:
        return  # a project's own step: its failure is reported as pytest-bdd reports it
    written, where = _step_as_written(feature.filename, step)
    request.node.stash[_FAILED_STEP] = (written, where)
    phrases = request.config.stash.get(_PHRASES, None)
    if phrases is not None and phrases.find(step.name) is None:
        from ..frontend import unknown_step_message

        request.node.stash[_UNKNOWN_STEP] = unknown_step_message(written, where)
    context = request.node.stash.get(_CONTEXT, None)
    if context is not None:
        from ..attachments import attach_mismatches

        attach_mismatches(context, exception)


def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, exception: Exception
) -> None:
    if request.node.getparent(FeatureFile) is None:
        return  # a scenario of a project's own test module: its steps are not Seamline's phrases
    from ..frontend import unknown_step_message

    request.node.stash[_UNKNOWN_STEP] = unknown_step_message(*_step_as_written(feature.filename, step))


def _relative(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except ValueError:
        return filename


# trylast: inside pytest-html's wrapper, which reads report.extras when this one has set them.
@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    context = item.stash.get(_CONTEXT, None)
    sink = context.sink if context is not None else None
    # Counted without reading them: a line made later (an exchange) is made only if shown.
    logged = len(sink) if isinstance(sink, Sized) else 0
    if report.when == "call" and report.failed and logged:
        report.sections.append(("Seamline log", "\n\n".join(getattr(sink, "lines", []))))
    if report.when == "call":
        item.stash[_LOGGED] = logged
    elif report.when == "teardown" and logged > item.stash.get(_LOGGED, logged):
        # What the cleanups logged (a late stub request): shown by -rP, and with a failing teardown.
        title = f"Seamline log teardown of {item.name}"  # -rP prints it with no heading of its own
        report.sections.append((title, "\n\n".join(getattr(sink, "lines", [])[item.stash[_LOGGED] :])))
    if report.failed and call.excinfo is not None:
        _explain_failure(item, report, call.excinfo.value, context)
    if context is not None:
        _add_extras(report, context.sink)
    runtime = item.config.stash.get(_RUNTIME, None)
    if runtime is not None:
        _mask_report(runtime, report)
    if report.when == "teardown" and context is not None:
        # pytest keeps every item to the end of the run: without its context, a scenario's
        # last response (a parsed 50 MB body) is freed now, not walked by each garbage collection.
        del item.stash[_CONTEXT]


def _explain_failure(
    item: pytest.Item, report: pytest.TestReport, error: BaseException, context: Context | None
) -> None:
    unknown = item.stash.get(_UNKNOWN_STEP, None)
    if unknown is not None:
        report.longrepr = unknown
        return
    failed_step = item.stash.get(_FAILED_STEP, None)
    if failed_step is not None and isinstance(error, (SeamlineError, AssertionError)):
        from ..frontend import curl_of_last_request, failure_message

        runtime = _runtime(item.config)
        line, details = failure_message(error, failed_step[0], failed_step[1], runtime.secrets)
        curl = curl_of_last_request(context, error) if context is not None else ""
        report.longrepr = "\n".join(part for part in (line, details, curl) if part)


def _mask_report(runtime: Runtime, report: pytest.TestReport) -> None:
    """Whatever reaches the console, JUnit XML or cucumber JSON passes through the report: mask it there."""
    if not runtime.secrets:
        return
    if report.longrepr is not None:
        text = str(report.longrepr)
        masked = runtime.secrets.mask(text)
        if masked != text:
            report.longrepr = masked
    report.sections = [(title, runtime.secrets.mask(content)) for title, content in report.sections]
