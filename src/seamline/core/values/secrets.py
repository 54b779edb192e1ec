"""Masking of secret values in everything Seamline writes."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "Secrets"]

MASK = "***"
# Values this short would mask ordinary words and digits everywhere; they are not worth hiding.
_MIN_SECRET_LENGTH = 3


class Secrets:
    """The set of values that must never appear in a log, a report or the console."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: object) -> None:
        text = str(value)
        if len(text) < _MIN_SECRET_LENGTH or text in self._values:
            return
        # A secret also travels encoded: in a query string or form body, or inside JSON text.
        self._values.update({text, quote(text, safe=""), quote_plus(text), json.dumps(text)[1:-1]})
        self._pattern = None

    def __contains__(self, value: object) -> bool:
        return str(value) in self._values

    def __bool__(self) -> bool:
        return bool(self._values)

    def mask(self, text: str) -> str:
        if not self._values:
            return text
        if self._pattern is None:
            # Longest first, so that a secret containing another is masked whole.
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
        return self._pattern.sub(MASK, text)
