"""Two lookups Robot Framework repeats on every step, done once instead.

Robot 7 matches a step's name against every embedded-argument keyword of a library, and
re-parses the matched keyword's name, each time the step runs. With a catalog of a
hundred phrases that costs more than the HTTP request the step sends (see
benchmarks/bench_http.py). Both results depend only on the names, so they can be kept.
Each reaches into Robot's internals; where those differ, it does nothing and Robot is
merely slower.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["parse_keyword_names_once", "remember_keyword_lookups"]

_LOOKUP_MEMORY = 4096


def remember_keyword_lookups(library: object) -> None:
    """Let Robot remember which of this library's keywords a step name matches.

    Robot matches a name against every embedded-argument keyword of a library, each time
    the step runs; with a catalog of a hundred phrases that search costs more than the
    HTTP request it leads to. The match depends only on the name and the keywords, so the
    answer is kept per name (up to a bound) in the library's keyword cache, which Robot
    replaces whenever the keywords change. Robot's internals may move: then this does
    nothing and lookups are merely slower.
    """
    try:
        from robot.running.context import EXECUTION_CONTEXTS

        test_library = next(lib for lib in EXECUTION_CONTEXTS.current.namespace.libraries if lib.instance is library)
        finder = test_library.keyword_finder
        remembering = _remembering_cache_class()
    except (AttributeError, ImportError, StopIteration, TypeError):
        return
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
    try:
        from robot.running.arguments.embedded import EmbeddedArguments
    except ImportError:
        return
    from_name = EmbeddedArguments.__dict__.get("from_name")
    if not isinstance(from_name, classmethod) or getattr(from_name.__func__, "seamline_cached", False):
        return
    parse = functools.lru_cache(maxsize=4096)(from_name.__func__)
    parse.seamline_cached = True  # type: ignore[attr-defined]
    EmbeddedArguments.from_name = classmethod(parse)  # type: ignore[arg-type]
