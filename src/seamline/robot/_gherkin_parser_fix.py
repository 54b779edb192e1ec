"""Doc strings and data tables of suites built by robotframework-gherkin-parser (0.3),
repaired so that Seamline takes them as it does in a .robot file.

That parser passes a block as ``&{{<escaped repr of a dict>}}``, an expression its own
escaping breaks before any keyword sees it; the dict is recovered here, when the suite
starts and before its tests run.

Why this stays: Robot cannot evaluate the argument (the escaping broke it), and re-reading
the block from the parser's Gherkin model would need each test mapped back to its pickle
(one per Examples row of an outline, where ``<name>`` is replaced in the block). The two
``ast.literal_eval`` calls are the exact inverse of the parser's ``repr(repr(block))`` and
evaluate literals only, never code.
"""

from __future__ import annotations

import ast
import re
from typing import Any

__all__ = ["adopt_gherkin_parser_blocks"]

_GHERKIN_BLOCK = re.compile(r"^&\{\{(.*)\}\}$", re.DOTALL)


def adopt_gherkin_parser_blocks(suite: Any) -> None:
    """Each step of the suite's tests whose one argument is such a block gets the block's
    lines as arguments instead: a doc string's lines, or a table's ``| a | b |`` rows."""
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
