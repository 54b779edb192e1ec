"""The only place Seamline reaches into Robot Framework's internals; each use is guarded.

Everything else in the Robot front end uses public APIs: the listener API v3, ``BuiltIn()``'s
methods, the dynamic library API. Three things have no public way:

* setting a Robot variable without Robot writing its value to the log (``Set Test Variable``
  logs ``${token} = ...``); the public fallback does log it, with secrets masked by the
  library's ``log_message`` listener like any other message;
* hearing that output.xml is complete: the listener methods ``output_file`` and
  ``xunit_file`` reach only listeners given on the command line, not a library's (it is out
  of scope by then); a logger registered with Robot's ``LOGGER`` hears it
  (:func:`when_results_written`); the public fallback leaves a value that became secret
  late in output.xml (the log's own messages are masked as they are written);
* the keyword-lookup speed-up (see :func:`remember_keyword_lookups`): kept because it pays,
  ``benchmarks/bench_http.py`` against ``--public-only`` measured Seamline/thin keyword 1.07-1.09
  with it and 1.54-1.63 without.

Robot's own reading of ``${name}`` in a text (``search_variable``), its escaping
(``escape``/``unescape``) and its reading of ``name=value`` (``split_from_equals``) are
documented helpers outside ``robot.api``; they are imported here
too, so that this module is the one list of what Seamline takes from Robot beyond its API.

Each internal is used only on a Robot Framework whose internals were checked to have the expected
shape (:data:`INTERNALS_KNOWN`); otherwise, or with ``SEAMLINE_ROBOT_PUBLIC_ONLY=1`` (which
the project's tests use to run the suites on the fallbacks), Seamline uses the public API.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from robot.libraries.BuiltIn import BuiltIn, RobotNotRunningError
from robot.utils import escape, split_from_equals, unescape
from robot.variables import search_variable
from robot.version import VERSION

from ..core.values.variables import Scope

__all__ = [
    "INTERNALS_KNOWN",
    "SECRET_TYPE",
    "escape",
    "parse_keyword_names_once",
    "remember_keyword_lookups",
    "search_variable",
    "split_from_equals",
    "unescape",
    "use_internals",
    "variable_setter",
    "when_results_written",
]

PUBLIC_ONLY_ENV = "SEAMLINE_ROBOT_PUBLIC_ONLY"

try:  # Robot Framework 7.4 and later: values that Robot itself keeps out of its logs
    from robot.api.types import Secret as _Secret

    SECRET_TYPE: type | None = _Secret
except ImportError:  # older Robot Framework: no such values can reach a keyword
    SECRET_TYPE = None
_LOOKUP_MEMORY = 4096
_BUILTIN = BuiltIn()

VariableSetter = Callable[[str, object, Scope, bool], None]


def _internals_known() -> bool:
    """Robot Framework 7, with the internals this module uses, of the shape it expects."""
    if not VERSION.startswith("7."):
        return False
    try:
        from robot.running.arguments.embedded import EmbeddedArguments
        from robot.running.context import EXECUTION_CONTEXTS  # noqa: F401
        from robot.running.keywordfinder import KeywordCache
        from robot.variables.scopes import VariableScopes
    except ImportError:
        return False
    return (
        all(hasattr(VariableScopes, method) for method in ("set_global", "set_suite", "set_test"))
        and callable(getattr(KeywordCache, "find", None))
        and isinstance(EmbeddedArguments.__dict__.get("from_name"), classmethod)
    )


INTERNALS_KNOWN = _internals_known()


def use_internals() -> bool:
    """Whether this run may use the guarded internals (read when a library is created)."""
    return INTERNALS_KNOWN and os.environ.get(PUBLIC_ONLY_ENV, "") != "1"


def variable_setter() -> VariableSetter:
    """How to set a Robot variable: ``setter(name, value, scope, in_test)``."""
    return _set_quietly if use_internals() else _set_publicly


def _set_quietly(name: str, value: object, scope: Scope, in_test: bool) -> None:
    # Robot's variable scopes directly: nothing is logged, so a secret never reaches the log.
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


def _set_publicly(name: str, value: object, scope: Scope, in_test: bool) -> None:
    # BuiltIn's keywords resolve ${...} in the value: escaped, a value is never expanded again.
    written = escape(value) if isinstance(value, str) else value
    try:
        if scope is Scope.GLOBAL:
            _BUILTIN.set_global_variable(f"${name}", written)
        elif scope is Scope.SUITE or not in_test:
            _BUILTIN.set_suite_variable(f"${name}", written)
        else:
            _BUILTIN.set_test_variable(f"${name}", written)
    except RobotNotRunningError:
        return


def remember_keyword_lookups(library: object) -> None:
    """Let Robot remember which of this library's keywords a step name matches.

    Robot matches a name against every embedded-argument keyword of a library, each time
    the step runs; with a catalog of a hundred phrases that search costs more than the
    HTTP request it leads to. The match depends only on the name and the keywords, so the
    answer is kept per name (up to a bound) in the library's keyword cache, which Robot
    replaces whenever the keywords change.
    """
    if not use_internals():
        return
    from robot.running.context import EXECUTION_CONTEXTS

    try:
        test_library = next(lib for lib in EXECUTION_CONTEXTS.current.namespace.libraries if lib.instance is library)
        finder = test_library.keyword_finder
        remembering = _remembering_cache_class()
    except (AttributeError, StopIteration, TypeError):
        return  # a Robot 7 whose library objects differ: lookups are merely slower
    if not isinstance(finder.cache, remembering):
        finder.cache = remembering(test_library.keywords)


@functools.cache
def _remembering_cache_class() -> type:
    from robot.running.keywordfinder import KeywordCache

    class RememberingKeywordCache(KeywordCache):  # type: ignore[misc]
        def __init__(self, keywords: Any) -> None:
            super().__init__(keywords)
            self.found: dict[tuple[str, int | None], Any] = {}

        def find(self, name: str, count: int | None = None) -> Any:
            key = (name, count)
            if key in self.found:
                return self.found[key]
            found = super().find(name, count)  # raises for a wrong count: nothing is kept then
            if len(self.found) < _LOOKUP_MEMORY:
                self.found[key] = found
            return found

    return RememberingKeywordCache


def parse_keyword_names_once() -> None:
    """Keep the parse of each embedded-argument keyword name (Robot parses it again for
    every call, when it copies the keyword); the parse depends on the name alone."""
    if not use_internals():
        return
    from robot.running.arguments.embedded import EmbeddedArguments

    from_name = EmbeddedArguments.__dict__.get("from_name")
    if not isinstance(from_name, classmethod) or getattr(from_name.__func__, "seamline_cached", False):
        return
    parse = functools.lru_cache(maxsize=4096)(from_name.__func__)
    parse.seamline_cached = True  # type: ignore[attr-defined]
    EmbeddedArguments.from_name = classmethod(parse)  # type: ignore[arg-type]


def when_results_written(callback: Callable[[str], None]) -> None:
    """Call ``callback(path)`` once Robot has closed output.xml (before it builds log.html
    and report.html from it), the xunit file or the debug file: for files written before
    everything in them was known. Nothing happens where Robot has no such logger API, or
    where internals are not to be used (:func:`use_internals`)."""
    if not use_internals():
        return
    try:
        from robot.output import LOGGER
        from robot.output.loggerapi import LoggerApi
    except ImportError:
        return

    class _ResultFiles(LoggerApi):  # type: ignore[misc]
        def result_file(self, kind: str, path: Any) -> None:
            if str(kind).upper() in ("OUTPUT", "XUNIT", "DEBUG") and path is not None:
                callback(str(path))

    LOGGER.register_logger(_ResultFiles())
