"""The Robot Framework library: catalog phrases as embedded-argument keywords, plus a few
classic keywords, with test and suite lifecycles taken from a library listener."""

from __future__ import annotations

import html
import inspect
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.context import Context, Runtime
from ..core.data import data_file_of, load_rows
from ..core.errors import CheckFailed, SeamlineError, UsageError
from ..core.secrets import Secrets
from ..core.sql import WrittenSql
from ..core.variables import Scope, encode_path_value
from ..frontend import curl_of_last_request, failure_message, unknown_step_message
from ..steps import CATALOG, Phrase
from ..steps._user import load_user_phrases
from ._classic import CLASSIC_COMPONENTS
from ._speedups import parse_keyword_names_once, remember_keyword_lookups

__all__ = ["Seamline"]

_LEVELS = {"INFO", "DEBUG", "TRACE", "WARN", "ERROR", "HTML"}


class _RobotLog:
    def write(self, message: str, level: str) -> None:
        from robot.api import logger

        logger.write(message, level if level in _LEVELS else "INFO")  # type: ignore[arg-type]


def _parse_rows(rows: Sequence[object], cells: dict[str, object], kind: str) -> list[list[str]]:
    """A Robot data table: ``| a | b |`` strings, one row each, or ``name=value`` arguments."""
    table: list[list[str]] = []
    for row in rows:
        text = str(row).strip()
        if text.startswith("|"):
            table.append([cell.strip() for cell in text.strip("|").split("|")])
        else:
            table.append([text])
    if cells:
        if kind == "pairs":
            table += [[name, str(value)] for name, value in cells.items()]
        else:
            table += [list(cells), [str(value) for value in cells.values()]]
    return table


class _Binding:
    """One keyword: how Robot calls it and where it goes."""

    def __init__(self, name: str, arguments: list[str], doc: str, run: Callable[..., Any], tags: list[str]) -> None:
        self.name = name
        self.arguments = arguments
        self.doc = doc
        self.run = run
        self.tags = tags


class Seamline:
    """Seamline: plain-language API integration tests.

    Import with ``Library    Seamline`` and, when the configuration is not the nearest
    ``seamline.yaml`` from the working directory, ``config=path/to/seamline.yaml``;
    ``env=staging`` picks a named environment (default: ``SEAMLINE_ENV``).

    Every phrase of the catalog is a keyword with embedded arguments, so
    ``Given``/``When``/``Then``/``And``/``But`` prefixes work. A doc string is the
    argument after the keyword; a data table is given as ``| a | b |`` rows or as
    ``name=value`` arguments.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LISTENER_API_VERSION = 3

    def __init__(self, config: str | None = None, env: str | None = None) -> None:
        self.ROBOT_LIBRARY_LISTENER = self
        self.runtime = Runtime(config, env)
        parse_keyword_names_once()
        self._suites: list[dict[str, object]] = []
        self._test: Context | None = None
        self._suite_context: Context | None = None
        self._published = False
        self._bindings: dict[str, _Binding] = {}
        self._rows: dict[int, dict[str, str]] = {}  # tests made from a data file's rows, by id
        for phrase in CATALOG.values():
            self._add(self._phrase_binding(phrase))
        # User phrases become keywords now: Robot asks for the keyword names only once.
        self._phrasebook_error: SeamlineError | None = None
        try:
            user_phrases = load_user_phrases(config)
        except SeamlineError as error:
            self._phrasebook_error = error
            _report_load_error(error)
            user_phrases = {}
        for phrase in user_phrases.values():
            binding = self._phrase_binding(phrase)
            binding.tags.append("user phrase")
            self._add(binding)
        for component_class in CLASSIC_COMPONENTS:
            component = component_class(self)
            for _, method in inspect.getmembers(component, inspect.ismethod):
                if hasattr(method, "robot_name"):
                    self._add(self._classic_binding(method))

    def _add(self, binding: _Binding) -> None:
        self._bindings[binding.name] = binding

    # -- the dynamic library API ----------------------------------------------------

    def get_keyword_names(self) -> list[str]:
        return list(self._bindings)

    def get_keyword_arguments(self, name: str) -> list[str]:
        return self._bindings[name].arguments

    def get_keyword_documentation(self, name: str) -> str:
        if name == "__intro__":
            return inspect.getdoc(self) or ""
        if name == "__init__":
            return "``config``: path of seamline.yaml; ``env``: a named environment of it."
        binding = self._bindings.get(name)
        return binding.doc if binding else ""

    def get_keyword_tags(self, name: str) -> list[str]:
        return self._bindings[name].tags

    def run_keyword(self, name: str, args: list[Any], named: dict[str, Any] | None = None) -> Any:
        binding = self._bindings[name]
        try:
            return binding.run(*args, **(named or {}))
        except SeamlineError as error:
            self._fail(error, name, args)
        except UnicodeError as error:
            self._fail(UsageError(str(error)), name, args)

    def _fail(self, error: SeamlineError, name: str, args: list[Any]) -> None:
        step, where = _current_step(name, args)
        line, details = failure_message(error, step, where, self.runtime.secrets)
        if isinstance(error, CheckFailed) and error.mismatches:
            # The log shows the mismatches as a table; the text table would only repeat it.
            self.context().log(_html_table(error.mismatches, self.runtime.secrets), "HTML")
            details = self.runtime.secrets.mask(error.details)
        if details:
            self.context().log(details, "INFO")
        curl = curl_of_last_request(self.context())
        if curl:
            self.context().log(curl, "INFO")
        raised = type(error)(line)
        raise raised from None

    # -- bindings ---------------------------------------------------------------------

    def _phrase_binding(self, phrase: Phrase) -> _Binding:
        arguments = list(phrase.placeholders)
        if phrase.block == "docstring":
            arguments.append("*docstring")
        elif phrase.block == "table":
            arguments += ["*rows", "**cells"]

        encode_path = "path" in phrase.placeholders
        pattern = re.compile(_PREFIX + phrase.regex(), re.IGNORECASE)

        def run(*args: Any, **cells: Any) -> Any:
            values = dict(zip(phrase.placeholders, args, strict=False))
            if encode_path:
                values["path"] = _path_as_written(pattern, values["path"])
            rest = args[len(phrase.placeholders):]
            docstring = "\n".join(str(line) for line in rest) if phrase.block == "docstring" and rest else None
            if phrase.sql:
                docstring = _sql_as_written(pattern, phrase, values, docstring)
            table = _parse_rows(rest, cells, phrase.table_kind) if phrase.block == "table" else None
            return phrase.run(self.context(), values, docstring=docstring, table=table)

        example = "\n".join("| " + line for line in phrase.example.splitlines())
        doc = f"{phrase.description}\n\nExample:\n{example}"
        return _Binding(phrase.robot_name(), arguments, doc, run, [f"area: {phrase.area}", "phrase"])

    def _classic_binding(self, method: Callable[..., Any]) -> _Binding:
        arguments = []
        for parameter in inspect.signature(method).parameters.values():
            if parameter.kind is parameter.VAR_POSITIONAL:
                arguments.append(f"*{parameter.name}")
            elif parameter.kind is parameter.VAR_KEYWORD:
                arguments.append(f"**{parameter.name}")
            elif parameter.default is parameter.empty:
                arguments.append(parameter.name)
            else:
                arguments.append(f"{parameter.name}={parameter.default}")
        return _Binding(method.robot_name, arguments, inspect.getdoc(method) or "", method, ["classic"])  # type: ignore[attr-defined]

    # -- contexts ---------------------------------------------------------------------

    def context(self) -> Context:
        """The running test's context; in a suite setup or teardown, the suite's."""
        if self._test is not None:
            return self._test
        if self._suite_context is None:
            self._suite_context = self._new_context(in_test=False)
        return self._suite_context

    def _new_context(self, in_test: bool) -> Context:
        suite = self._suites[-1] if self._suites else {}
        return Context(self.runtime, suite=suite, sink=_RobotLog(), listener=_mirror(in_test))

    # -- the listener ---------------------------------------------------------------

    def start_suite(self, data: Any, result: Any) -> None:
        self._suites.append({})
        self._suite_context = None
        remember_keyword_lookups(self)
        self._publish_config_variables()
        _publish_generated(self.context(), in_test=False)
        _adopt_gherkin_parser_blocks(data)
        self._expand_data_tests(data)

    def _expand_data_tests(self, suite: Any) -> None:
        """A test tagged `data:rows.csv` becomes one test per row, the row's columns its variables."""
        base = Path(suite.source).parent if suite.source else Path.cwd()
        tests = []
        for test in suite.tests:
            paths = [path for tag in test.tags if (path := data_file_of(str(tag), base)) is not None]
            if not paths:
                tests.append(test)
                continue
            try:
                rows = load_rows(paths[0])
            except SeamlineError as error:
                test.body.clear()
                test.template = None
                test.body.create_keyword("BuiltIn.Fail", args=[f"{test.name}: {error.message}"])
                tests.append(test)
                continue
            for row in rows:
                copy = test.deepcopy(name=f"{test.name} ({', '.join(f'{k}={v}' for k, v in row.items())})")
                if copy.template and not copy.body:
                    copy.body.create_keyword(*_templated(copy.template, list(row.values())))
                self._rows[id(copy)] = row
                tests.append(copy)
        suite.tests = tests

    def end_suite(self, data: Any, result: Any) -> None:
        if self._suite_context is not None:
            failures = self._suite_context.finish()
            if failures and result.status != "FAIL":
                result.status, result.message = "FAIL", "\n".join(failures)
        result.message = self.runtime.secrets.mask(result.message)
        self._suite_context = None
        if self._suites:
            self._suites.pop()

    def start_test(self, data: Any, result: Any) -> None:
        self._test = self._new_context(in_test=True)
        _publish_generated(self._test, in_test=True)
        for name, value in self._rows.pop(id(data), {}).items():
            self._test.store(name, value)

    def end_test(self, data: Any, result: Any) -> None:
        context, self._test = self._test, None
        _explain_unknown_step(data, result)
        if context is not None:
            _explain_unknown_variable(data, result, context)
        if self._phrasebook_error is not None:
            # A broken phrasebook is a broken project: no test of it counts as passed.
            result.status = "FAIL"
            result.message = f"The phrasebook did not load: {self._phrasebook_error.message}\n\n{result.message}"
        failures = context.finish() if context is not None else []
        if failures:
            # The test's own failure comes first; the cleanup's is added, not put in its place.
            message = "\n".join(failures)
            result.message = f"{result.message}\n\nAlso: {message}" if result.message else message
            result.status = "FAIL"
        # Another library's failure (Should Be Equal ${token} ...) may quote a secret.
        result.message = self.runtime.secrets.mask(result.message)

    def log_message(self, message: Any) -> None:
        # Robot's own messages (a failing keyword of another library, a variable it logs) pass here too.
        if self.runtime.secrets:
            message.message = self.runtime.secrets.mask(message.message)

    def close(self) -> None:
        self.runtime.close()

    def sql_as_written(self, sql: str, keyword: str) -> str:
        """The ``sql`` argument of the running classic keyword as the suite writes it (see
        :func:`_sql_as_written`); Robot's text when the keyword was run through another one."""
        from robot.running.context import EXECUTION_CONTEXTS

        context = EXECUTION_CONTEXTS.current
        try:
            data = context.steps[-1][0]
            written = data.args[0]
            called = re.sub(r"[\s_]", "", str(data.name)).lower()
        except (AttributeError, IndexError, TypeError):
            return sql
        if not called.endswith(re.sub(r"[\s_]", "", keyword).lower()):
            return sql
        if not isinstance(written, str):
            return sql
        # Given by name (sql=...), the text after the name is the SQL as written.
        return _written(written.removeprefix("sql="), context.variables)

    def _publish_config_variables(self) -> None:
        """Make the config's variables Robot variables too, so ${name} reads the same in a suite."""
        if self._published:
            return
        self._published = True
        self._publish_generators()
        try:
            variables = self.runtime.config.variables
        except SeamlineError:
            return  # the first step that needs the config reports the error
        for name, value in variables.items():
            _robot_set(name, value, Scope.GLOBAL, in_test=False)


    def _publish_generators(self) -> None:
        """Under pabot, the pool id keeps ${unique} apart between the processes."""
        from robot.libraries.BuiltIn import BuiltIn

        pool = BuiltIn().get_variable_value("${PABOTEXECUTIONPOOLID}")
        if pool is not None and not os.environ.get("SEAMLINE_WORKER"):
            self.runtime.generators.worker = f"pabot{pool}"


_GHERKIN_BLOCK = re.compile(r"^&\{\{(.*)\}\}$", re.DOTALL)


def _adopt_gherkin_parser_blocks(suite: Any) -> None:
    """Doc strings and data tables of a suite built by robotframework-gherkin-parser (0.3),
    given as Seamline takes them in a .robot file.

    That parser passes a block as ``&{{<escaped repr of a dict>}}``, an expression its own
    escaping breaks before any keyword sees it; the dict is recovered here, before the tests run.
    """
    for test in suite.tests:
        for step in test.body:
            args: tuple[Any, ...] = tuple(getattr(step, "args", ()))
            if len(args) != 1 or not isinstance(args[0], str):
                continue
            block = _gherkin_block(args[0])
            if block is None:
                continue
            if "content" in block:
                lines = str(block["content"]).splitlines() or [""]
            else:
                rows = [[str(cell.get("value", "")) for cell in row.get("cells", [])] for row in block.get("rows", [])]
                lines = ["| " + " | ".join(row) + " |" for row in rows]
            # Robot unescapes arguments when it runs them: keep backslashes and '=' as written.
            step.args = tuple(line.replace("\\", "\\\\").replace("=", "\\=") for line in lines)


def _gherkin_block(arg: str) -> dict[str, Any] | None:
    import ast

    match = _GHERKIN_BLOCK.match(arg)
    if match is None:
        return None
    # The parser wrote repr(repr(block))[1:-1], then put a backslash before '=' and between spaces.
    text = re.sub(r"(?<= )\\(?= )", "", match.group(1)).replace("\\=", "=")
    for quote in ("'", '"'):
        try:
            value = ast.literal_eval(ast.literal_eval(quote + text + quote))
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict):
            return value
    return None


def _templated(template: str, values: list[str]) -> tuple[str, list[str]]:
    """The keyword call a template makes of one row (Robot applies templates when it parses,
    before a listener adds rows): embedded arguments go into the name, others are arguments."""
    values_left = iter(values)
    name, count = re.subn(r"\$\{[^}]+\}", lambda _: next(values_left, ""), template)
    return (name, []) if count else (template, values)


def _report_load_error(error: SeamlineError) -> None:
    from robot.api import logger

    logger.error(f"Seamline: the phrasebook did not load: {error.message}")


def _publish_generated(context: Context, in_test: bool) -> None:
    """${unique}, ${now} ... as Robot variables holding this test's values (the suite's, in a
    suite setup), so that Robot, which resolves ${name} itself, reads what Seamline reads."""
    try:
        taken = set(context.variables.names())  # a variable of a generator's name wins
    except SeamlineError:
        taken = set()  # a broken config: the first step that needs it says so
    for name, value in context.variables.generated().items():
        if name not in taken:
            _robot_set(name, value, Scope.TEST, in_test)


def _mirror(in_test: bool) -> Callable[[str, object, Scope], None]:
    def mirror(name: str, value: object, scope: Scope) -> None:
        _robot_set(name, value, scope, in_test)

    return mirror


def _robot_set(name: str, value: object, scope: Scope, in_test: bool) -> None:
    # Robot's own Set Test Variable would write the value to the log; secrets must not reach it.
    from robot.running.context import EXECUTION_CONTEXTS

    current = EXECUTION_CONTEXTS.current
    if current is None:
        return
    variables = current.variables
    robot_name = f"${{{name}}}"
    if scope is Scope.GLOBAL:
        variables.set_global(robot_name, value)
    elif scope is Scope.SUITE or not in_test:
        variables.set_suite(robot_name, value)
    else:
        variables.set_test(robot_name, value)


_PREFIX = r"(?:(?:given|when|then|and|but)\s+)?"


def _html_table(rows: Sequence[tuple[str, str, str]], secrets: Secrets) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td><code>{html.escape(secrets.mask(cell))}</code></td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        '<table border="1" cellspacing="0" cellpadding="3"><tr><th>path</th><th>expected</th><th>actual</th></tr>'
        f"{cells}</table>"
    )


def _path_as_written(pattern: re.Pattern[str], resolved: object) -> object:
    """The path with each Robot variable in it percent-encoded, as the core does for its own.

    Robot resolves variables before the library sees them; the step as written in the
    suite still has them, so the path is rebuilt from it."""
    from robot.running.context import EXECUTION_CONTEXTS
    from robot.variables import search_variable

    context = EXECUTION_CONTEXTS.current
    try:
        written = context.steps[-1][0].name
    except (AttributeError, IndexError):
        return resolved
    if "${" not in written:
        return resolved
    match = pattern.fullmatch(written)
    if match is None or "${" not in match.group("path"):
        return resolved
    text, out = match.group("path"), []
    while found := search_variable(text):
        out += [found.before, encode_path_value(context.variables.replace_scalar(found.match))]
        text = found.after
    return "".join([*out, text])


def _sql_as_written(pattern: re.Pattern[str], phrase: Phrase, values: dict[str, Any], docstring: str | None) -> Any:
    """SQL arguments as the suite writes them, each Robot variable in them a value bound apart.

    Robot has already pasted the variables' values into the arguments; SQL built that way
    would let a value change the statement. So the SQL is rebuilt from the step as
    written, and ``values`` and the returned doc string carry :class:`WrittenSql`."""
    from robot.running.context import EXECUTION_CONTEXTS

    context = EXECUTION_CONTEXTS.current
    try:
        data = context.steps[-1][0]
        match = pattern.fullmatch(str(data.name))
    except (AttributeError, IndexError):
        return docstring
    if match is None:
        return docstring  # run through another keyword (Run Keyword ...): keep Robot's text
    for name in phrase.sql:
        if name in values:
            values[name] = _written(match.group(name), context.variables)
    if "docstring" in phrase.sql and docstring is not None:
        return _written("\n".join(str(arg) for arg in data.args), context.variables)
    return docstring


def _written(text: str, variables: Any) -> WrittenSql:
    from robot.utils import unescape
    from robot.variables import search_variable

    values: dict[str, object] = {}
    out: list[str] = []
    while found := search_variable(text, ignore_errors=True):
        name = f"robot_{len(values) + 1}"
        values[name] = variables.replace_scalar(found.match)
        # Text Robot would unescape; a ${ left in it is literal text for the core as well.
        out += [unescape(found.before).replace("${", "\\${"), f"${{{name}}}"]
        text = found.after
    out.append(unescape(text).replace("${", "\\${"))
    return WrittenSql("".join(out), values)


_UNKNOWN_KEYWORD = re.compile(r"No keyword with name '(.+)' found\.")


def _explain_unknown_step(data: Any, result: Any) -> None:
    """Robot's own message for an unknown keyword, told in Seamline's words: the step,
    its line, and the phrases that read most like it."""
    match = _UNKNOWN_KEYWORD.match(result.message or "")
    if not match:
        return
    written = match.group(1)
    line = next((step.lineno for step in data.body if getattr(step, "name", None) == written), None)
    where = f"{Path(data.source).name}:{line}" if data.source and line else None
    result.message = unknown_step_message(written, where)


_UNKNOWN_VARIABLE = re.compile(r"Variable '(\$\{[^}]+\})' not found\.")


def _explain_unknown_variable(data: Any, result: Any, context: Context) -> None:
    """Robot resolves ${name} before Seamline sees a step, so an unknown name fails with
    Robot's message; it is told the way the core tells it, with the names that exist."""
    match = _UNKNOWN_VARIABLE.match(result.message or "")
    if not match:
        return
    reference = match.group(1)
    step = next((s for s in data.body if reference in " ".join(map(str, [s.name, *s.args]))), None)
    written = str(step.name) if step is not None else reference
    where = f" ({Path(data.source).name}:{step.lineno})" if step is not None and data.source else ""
    known = ", ".join(context.variables.names()) or "none yet"
    result.message = (
        f"Step '{written}'{where} failed: unknown variable {reference}; known variables: {known}"
        + (f"\n{result.message}" if "Did you mean" in result.message else "")
    )


def _current_step(name: str, args: Sequence[Any]) -> tuple[str, str | None]:
    """The step as written in the suite, and its file and line, when Robot can tell."""
    try:
        from robot.running.context import EXECUTION_CONTEXTS

        data = EXECUTION_CONTEXTS.current.steps[-1][0]
        source = data.source
        where = f"{Path(source).name}:{data.lineno}" if source else None
        return str(data.name), where
    except (AttributeError, IndexError, TypeError):
        return name, None
