"""``Seamline``, the one class Robot sees: a hybrid library (catalog phrases as
embedded-argument keywords, plus a few classic keywords) that is also its own listener, for
the test and suite lifecycles.

It keeps the state (the runtime, the suite and test contexts) and hands the work out to the
private modules next to it: ``_bindings`` builds the keywords, ``_as_written`` recovers SQL and
paths as the suite writes them, ``_messages`` tells failures in Seamline's words,
``_robot_variables`` sets Seamline's variables in Robot, and ``_data_rows`` and
``_gherkin_parser_fix`` change a suite when it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from robot.api import logger
from robot.libraries.BuiltIn import BuiltIn

from .._version import installed_version
from ..attachments import allure_results_folders, attach_mismatches, mask_allure_results
from ..core.context import Context, Runtime
from ..core.errors import CheckFailed, SeamlineError, StepArgumentError, UsageError
from ..core.values.secrets import masked_log_records
from ..frontend import curl_of_last_request, failure_message, step_label
from ..steps import CATALOG
from ..steps._user import load_user_phrases
from ._bindings import Binding, classic_bindings, phrase_binding
from ._compat import parse_keyword_names_once, remember_keyword_lookups, variable_setter, when_results_written
from ._data_rows import expand_data_tests
from ._gherkin_parser_fix import adopt_gherkin_parser_blocks
from ._messages import html_table, missing_variable, robot_failure, unknown_step, unknown_variable, where_of
from ._robot_variables import mirror, publish_config_variables, publish_generated

__all__ = ["Seamline"]

_LEVELS = {"INFO", "DEBUG", "TRACE", "WARN", "ERROR", "HTML"}


class _RobotLog:
    def write(self, message: str, level: str) -> None:
        logger.write(message, level if level in _LEVELS else "INFO")  # type: ignore[arg-type]


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
    ROBOT_LIBRARY_VERSION = installed_version()
    ROBOT_LISTENER_API_VERSION = 3
    # Before the listeners of the command line (Robot 7.1+): a test's cleanup requests are
    # logged, and attached to it in Allure, while allure-robotframework still has it open.
    ROBOT_LISTENER_PRIORITY = 1

    def __init__(self, config: str | None = None, env: str | None = None) -> None:
        """``config``: path of seamline.yaml; ``env``: a named environment of it."""
        self.ROBOT_LIBRARY_LISTENER = self
        self.runtime = Runtime(config, env)
        # What Python's logging prints (urllib3's request lines) is masked as Seamline's log is.
        self._restore_log_records = masked_log_records(self.runtime.secrets)
        self._set_variable = variable_setter()
        # The library keywords running, innermost last, as the listener is handed them.
        self._steps: list[Any] = []
        # Robot's failure message of a step that failed before Seamline could run it, and ours.
        self._explained: dict[str, str] = {}
        self._suites: list[dict[str, object]] = []
        self._suite_files: list[object] = []
        self._test: Context | None = None
        self._suite_context: Context | None = None
        self._published = False
        self._allure_folders: list[Path] = []
        self._bindings: dict[str, Binding] = {}
        self._rows: dict[int, dict[str, str]] = {}  # tests made from a data file's rows, by id
        for phrase in CATALOG.values():
            self._add(phrase_binding(phrase, self.context, self.running_step))
        # User phrases become keywords now: Robot asks for the keyword names only once.
        self._phrasebook_error: SeamlineError | None = None
        try:
            user_phrases = load_user_phrases(config)
        except SeamlineError as error:
            self._phrasebook_error = error
            logger.error(f"Seamline: the phrasebook did not load: {error.message}")
            user_phrases = {}
        for phrase in user_phrases.values():
            self._add(phrase_binding(phrase, self.context, self.running_step, tags=["user phrase"]))
        for binding in classic_bindings(self):
            self._add(binding)
        # The catalog's names are Seamline's own: their patterns may be compiled when first used.
        parse_keyword_names_once(phrase.robot_name() for phrase in CATALOG.values())

    def _add(self, binding: Binding) -> None:
        self._bindings[binding.name] = binding

    # -- the hybrid library API ------------------------------------------------------
    # Robot takes the names from get_keyword_names and each keyword from getattr: a function
    # whose ``robot_name`` is the phrase as written. A dynamic library's names are title-cased
    # by Robot 7 ("is Greater Than" inside a pattern, which then warns that "is greater than"
    # does not match it); an explicit ``robot_name`` is kept as it is.

    def get_keyword_names(self) -> list[str]:
        return list(self._bindings)

    def get_keyword_tags(self, name: str) -> list[str]:
        """For tools that list the keywords; Robot itself reads each keyword's ``robot_tags``."""
        return self._bindings[name].tags

    def __getattr__(self, name: str) -> Any:
        bindings = self.__dict__.get("_bindings", {})
        if name not in bindings:
            raise AttributeError(name)
        # Kept as an instance attribute: Robot looks the method up again on every call, which
        # then finds it without coming here.
        keyword = self.__dict__[name] = self._keyword(bindings[name])
        return keyword

    def _keyword(self, binding: Binding) -> Callable[..., Any]:
        def keyword(*args: Any, **named: Any) -> Any:
            try:
                return binding.run(*args, **named)
            except SeamlineError as error:
                self._fail(error, binding.name)
            except UnicodeError as error:
                self._fail(UsageError(str(error)), binding.name)

        keyword.robot_name = binding.name  # type: ignore[attr-defined]
        keyword.robot_tags = binding.tags  # type: ignore[attr-defined]
        # None: no conversion at all, as the phrases take every value as written.
        keyword.robot_types = binding.types or None  # type: ignore[attr-defined]
        keyword.__doc__ = binding.doc
        keyword.__signature__ = binding.signature  # type: ignore[attr-defined]
        keyword.__wrapped__ = binding.origin  # type: ignore[attr-defined]  # libdoc's source and line
        return keyword

    def _fail(self, error: SeamlineError, name: str) -> None:
        running = self.running_step()
        step, where = (str(running.name), where_of(running)) if running is not None else (name, None)
        line, details = failure_message(error, step, where, self.runtime.secrets)
        if isinstance(error, CheckFailed) and error.mismatches:
            # The log shows the mismatches as a table; the text table would only repeat it.
            self.context().log(html_table(error.mismatches, self.runtime.secrets), "HTML")
            details = self.runtime.secrets.mask(error.details)
        if details:
            self.context().log(details, "INFO")
        curl = curl_of_last_request(self.context(), error)
        if curl:
            self.context().log(curl, "INFO")
        attach_mismatches(self.context(), error)
        raised = type(error)(line)
        raise raised from None

    def running_step(self) -> Any:
        """The library keyword Robot is running, as written in the suite (its
        ``running.Keyword``: name, arguments, source, line), or None outside one."""
        return self._steps[-1] if self._steps else None

    # -- contexts ---------------------------------------------------------------------

    def context(self) -> Context:
        """The running test's context; in a suite setup or teardown, the suite's."""
        if self._test is not None:
            return self._test
        if self._suite_context is None:
            source = self._suite_files[-1] if self._suite_files else None
            self._suite_context = self._new_context(in_test=False, source=source)
        return self._suite_context

    def _new_context(self, in_test: bool, name: str = "", source: object = None) -> Context:
        suite = self._suites[-1] if self._suites else {}
        listener = mirror(self._set_variable, in_test)
        path = Path(str(source)) if source else None  # files named in steps are found beside it
        folder = path if path is None or path.is_dir() else path.parent
        return Context(
            self.runtime, suite=suite, sink=_RobotLog(), listener=listener, name=name,
            running_step=self._step_label, folder=folder,
        )

    def _step_label(self) -> str | None:
        running = self.running_step()
        return step_label(str(running.name), where_of(running)) if running is not None else None

    # -- the listener ---------------------------------------------------------------

    def start_suite(self, data: Any, result: Any) -> None:
        self._suites.append({})
        self._suite_context = None
        self._suite_files.append(data.source)  # a suite setup's files are found beside it (a folder: in it)
        remember_keyword_lookups(self)
        if not self._published:
            # Once: the config's variables are global Robot variables.
            self._published = True
            publish_config_variables(self.runtime, self._set_variable)
            when_results_written(self.runtime.secrets.mask_file)
            self._allure_folders = allure_results_folders()  # masked again when the run ends
        publish_generated(self.context(), self._set_variable, in_test=False)
        adopt_gherkin_parser_blocks(data)
        expand_data_tests(data, self._rows, self.runtime.config_folder)

    def end_suite(self, data: Any, result: Any) -> None:
        if self._suite_context is not None:
            failures = self._suite_context.finish()
            if failures and result.status != "FAIL":
                result.status, result.message = "FAIL", "\n".join(failures)
        result.message = self.runtime.secrets.mask(result.message)
        self._suite_context = None
        if self._suites:
            self._suites.pop()
        if self._suite_files:
            self._suite_files.pop()

    def start_test(self, data: Any, result: Any) -> None:
        self._test = self._new_context(in_test=True, name=str(data.name), source=data.source)
        self._steps.clear()
        self._explained.clear()
        publish_generated(self._test, self._set_variable, in_test=True)
        for name, value in self._rows.pop(id(data), {}).items():
            self._test.store(name, value)

    def end_test(self, data: Any, result: Any) -> None:
        context, self._test = self._test, None
        result.message = self._explained.get(result.message, result.message)
        self._explained.clear()
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

    # The listener API v3 hands each keyword call over as written: for the failure message's
    # step and line, and to recover SQL and paths as written.
    def start_library_keyword(self, data: Any, implementation: Any, result: Any) -> None:
        self._steps.append(data)

    def end_library_keyword(self, data: Any, implementation: Any, result: Any) -> None:
        if self._steps:
            self._steps.pop()
        if result.passed and implementation.name in self._bindings and implementation.owner.instance is self:
            # Robot copies a keyword's tags and doc into every call; in output.xml they were a
            # third of a passing run's size. libdoc and editors show them; a failing step keeps them.
            result.doc, result.tags = "", ()
        if result.not_run and BuiltIn().dry_run_active:
            self._check_without_running(data, implementation, result)
        if result.failed and self._test is not None and result.message not in self._explained:
            reference = missing_variable(data)
            if reference is not None:
                self._explained[result.message] = unknown_variable(data, reference, result.message, self._test)
            elif not result.message.startswith("Step '") and self._is_ours(data):
                # Robot failed the step before it ran (`${}`, a wrong argument): say which step.
                self._explained[result.message] = robot_failure(data, result.message)

    def _is_ours(self, step: Any) -> bool:
        return any(binding.matches(str(step.name)) for binding in self._bindings.values())

    def _check_without_running(self, data: Any, implementation: Any, result: Any) -> None:
        """``robot --dryrun`` runs no library keyword: a phrase written without the doc string or
        table it needs fails there with the message a real run would give."""
        binding = self._bindings.get(str(implementation.name))
        if binding is None or binding.phrase is None or data.args:
            return
        missing = binding.phrase.block_missing(None, None)
        if missing is not None:
            line, _ = failure_message(StepArgumentError(missing), str(data.name), where_of(data), self.runtime.secrets)
            result.status, result.message = "FAIL", line

    def end_invalid_keyword(self, data: Any, implementation: Any, result: Any) -> None:
        # No keyword, or several, match the step: one no phrase matches is an unknown step.
        if self._test is None or result.message in self._explained or not str(data.name).strip():
            return
        if not self._is_ours(data):
            self._explained[result.message] = unknown_step(data)

    def log_message(self, message: Any) -> None:
        # Robot's own messages (a failing keyword of another library, a variable it logs) pass here too.
        if self.runtime.secrets:
            message.message = self.runtime.secrets.mask(message.message)

    # output.xml is written as the run goes, before some values are known to be secret (a token
    # stored from a response and only then used as an API key): start_suite asks Robot to hand
    # over the finished file, and xunit's, which are masked then (secrets.mask_file), before
    # log.html and report.html are built from output.xml.

    def close(self) -> None:
        mask_allure_results(self.runtime.secrets, self._allure_folders)
        self._restore_log_records()
        self.runtime.close()
