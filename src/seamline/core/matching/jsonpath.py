"""JSONPath through jsonpath-ng's extended parser, each expression compiled once."""

from __future__ import annotations

import functools
from typing import Any

from ..errors import ExpressionError

__all__ = ["compile_path", "find_all"]


@functools.lru_cache(maxsize=1024)
def compile_path(expression: str) -> Any:
    # Imported here: jsonpath-ng builds its parser tables on import, which the CLI never needs.
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

    text = expression.strip()
    if not text:
        raise ExpressionError("empty JSONPath: write one such as $.items[0].sku")
    try:
        return parse(text)
    except Exception as error:  # jsonpath-ng raises several unrelated types for syntax errors
        raise ExpressionError(f"invalid JSONPath {expression!r}: {error}") from None


def find_all(document: object, expression: str) -> list[object]:
    """Every value ``expression`` selects in ``document`` (empty when it selects nothing)."""
    return [match.value for match in compile_path(expression).find(document)]
