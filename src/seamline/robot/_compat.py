"""The only place Seamline reaches into Robot Framework's internals; each use is guarded.

Everything else in the Robot front end uses public APIs: the listener API v3, ``BuiltIn()``'s
methods, the hybrid library API. Three things have no public way:

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
  with it and 1.54-1.63 without; and the catalog's keyword names compiled when first matched
  (:func:`parse_keyword_names_once`), not all at library load.

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
import re
from collections.abc import Callable, Iterable
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
        from robot.running.arguments.embedded import EmbeddedArgumentParser, EmbeddedArguments
        from robot.running.context import EXECUTION_CONTEXTS  # noqa: F401
        from robot.running.keywordfinder import KeywordCache
        from robot.variables.scopes import VariableScopes
    except ImportError:
        return False
    return (
        all(hasattr(VariableScopes, method) for method in ("set_global", "set_suite", "set_test"))
        and callable(getattr(KeywordCache, "find", None))
        and isinstance(EmbeddedArguments.__dict__.get("from_name"), classmethod)
        and callable(getattr(EmbeddedArgumentParser, "_compile_regexp", None))
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
            embedded = getattr(self, "embedded", None)
            self.heads = [(_literal_head(kw.name), kw) for kw in embedded] if isinstance(embedded, list) else None

        def find(self, name: str, count: int | None = None) -> Any:
            key = (name, count)
            if key in self.found:
                return self.found[key]
            if self.heads is None:
                found = super().find(name, count)  # raises for a wrong count: nothing is kept then
            else:
                # Robot tries every embedded keyword; only those the name could match are
                # tried (and so compiled), the rest of Robot's search as it is.
                every: list[Any] = self.embedded  # type: ignore[has-type]
                self.embedded = _could_match(name, self.heads)
                try:
                    found = super().find(name, count)
                finally:
                    self.embedded = every
            if len(self.found) < _LOOKUP_MEMORY:
                self.found[key] = found
            return found

    return RememberingKeywordCache


def parse_keyword_names_once(compiled_late: Iterable[str] = ()) -> None:
    """Keep the parse of each embedded-argument keyword name (Robot parses it again for
    every call, when it copies the keyword); the parse depends on the name alone.

    The names in ``compiled_late`` (the catalog's: written by Seamline, tested) get a regular
    expression compiled when Robot first matches a step against it, not when the library
    loads; with :func:`remember_keyword_lookups` trying only the keywords whose first words a
    step has, a run compiles the few it uses instead of the hundred-odd it could."""
    if not use_internals():
        return
    from robot.running.arguments.embedded import EmbeddedArguments

    _COMPILED_LATE.update(compiled_late)
    from_name = EmbeddedArguments.__dict__.get("from_name")
    if not isinstance(from_name, classmethod) or getattr(from_name.__func__, "seamline_cached", False):
        return
    robot_parse = from_name.__func__
    late_parser = _late_parser_class()()

    def parse(cls: type, name: str) -> Any:
        return late_parser.parse(name) if name in _COMPILED_LATE and "${" in name else robot_parse(cls, name)

    cached = functools.lru_cache(maxsize=4096)(parse)
    cached.seamline_cached = True  # type: ignore[attr-defined]
    EmbeddedArguments.from_name = classmethod(cached)  # type: ignore[arg-type]


_COMPILED_LATE: set[str] = set()


class _LatePattern:
    """A keyword name's regular expression, compiled (by Robot's own code) on first use.

    Once compiled, it takes its own place in ``owner`` (the parsed name, Robot's
    ``EmbeddedArguments``): Robot matches a step against it on every call."""

    __slots__ = ("_compile", "_compiled", "owner")

    def __init__(self, compile_: Callable[[], re.Pattern[str]]) -> None:
        self._compile = compile_
        self._compiled: re.Pattern[str] | None = None
        self.owner: Any = None

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = self._compile()
            if self.owner is not None and self.owner.name is self:
                self.owner.name = self._compiled
                self.owner = None
        return self._compiled

    def fullmatch(self, string: str, *args: int) -> re.Match[str] | None:
        return self._pattern().fullmatch(string, *args)

    def __getattr__(self, name: str) -> Any:  # .pattern, .match ...: as the compiled one has them
        return getattr(self._pattern(), name)


@functools.cache
def _late_parser_class() -> type:
    from robot.running.arguments.embedded import EmbeddedArgumentParser

    class LateParser(EmbeddedArgumentParser):  # type: ignore[misc]
        def parse(self, string: str) -> Any:
            embedded = super().parse(string)
            if isinstance(getattr(embedded, "name", None), _LatePattern):
                embedded.name.owner = embedded
            return embedded

        def _compile_regexp(self, pattern: str) -> Any:
            return _LatePattern(functools.partial(super()._compile_regexp, pattern))

    return LateParser


# Whitespace a step name may have where a keyword name has a space (Robot matches it with \s).
_SPACES = str.maketrans({character: " " for character in map(chr, range(128)) if character.isspace()})


def _literal_head(keyword_name: str) -> str | None:
    """The text an embedded-argument keyword's name starts with before its first argument,
    as Robot matches it (spaces normalized, case ignored); None where that test would be
    unsafe (not ASCII, a backslash): such a keyword is always tried."""
    head = " ".join(keyword_name.split()).split("${", 1)[0]
    return head.lower() if head.isascii() and "\\" not in head else None


def _could_match(step_name: str, heads: list[tuple[str | None, Any]]) -> list[Any]:
    """The keywords whose literal head ``step_name`` starts with: a superset of those that
    match it (a step name that is not ASCII tries them all)."""
    if not step_name.isascii():
        return [keyword for _, keyword in heads]
    name = step_name.translate(_SPACES).lower()
    return [keyword for head, keyword in heads if head is None or name.startswith(head)]


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
