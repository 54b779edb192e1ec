"""Masking of secret values in everything Seamline writes."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "Secrets", "masked_log_records"]

MASK = "***"
# Values this short would mask ordinary words and digits everywhere; they are not worth hiding.
_MIN_SECRET_LENGTH = 3


class Secrets:
    """The set of values that must never appear in a log, a report or the console."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._originals: list[str] = []  # as added, for another process to add in turn
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: object) -> None:
        text = str(value)
        if len(text) < _MIN_SECRET_LENGTH or text in self._values:
            return
        # A secret also travels encoded: in a query string or form body (as requests, urllib3
        # and RFC 6570 encode it), inside JSON text, and escaped in an XML or HTML report.
        self._originals.append(text)
        forms = {text, quote(text, safe=""), quote(text), quote(text, safe="/:@"), quote_plus(text)}
        forms.add(json.dumps(text)[1:-1])
        encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")  # in a token or basic auth
        forms.update({encoded, encoded.rstrip("=")})
        forms.update([html.escape(form, quote=False) for form in forms] + [html.escape(form) for form in forms])
        self._values.update(form for form in forms if len(form) >= _MIN_SECRET_LENGTH)
        self._pattern = None

    def originals(self) -> list[str]:
        """The secrets as they were added (not their encoded forms), in that order: what a
        parallel worker hands to the process that writes the reports."""
        return list(self._originals)

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

    def mask_file(self, path: str | Path) -> None:
        """Rewrite a report written before some of its values were known to be secret.

        In an XML file only the text and attribute values are masked, never the markup, so
        the file stays well-formed whatever a secret looks like; any other file (JSON) is
        masked as text: every encoded form is masked whole, so its quoting stays intact."""
        if not self._values:
            return
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        is_xml = file.suffix.lower() == ".xml"
        masked = _XML_PIECES.sub(self._mask_xml_piece, text) if is_xml else self.mask(text)
        if masked != text:
            file.write_text(masked, encoding="utf-8")

    def _mask_xml_piece(self, piece: re.Match[str]) -> str:
        tag = piece.group(1)
        if tag is None:
            return self.mask(piece.group(0))
        return _ATTRIBUTE.sub(lambda m: m.group(1) + m.group(2) + self.mask(m.group(3)) + m.group(2), tag)


# An XML file as pieces: a tag (its attribute values masked) or the text between tags.
_XML_PIECES = re.compile(r"(<[^>]*>)|[^<]+")
_ATTRIBUTE = re.compile(r"""(=\s*)(["'])(.*?)\2""", re.DOTALL)


def masked_log_records(secrets: Secrets) -> Callable[[], None]:
    """Mask ``secrets`` in every record Python's logging makes from now on (urllib3's request
    line, a library's debug output), whichever handler prints it: pytest's ``log_cli``,
    caplog, a file. Returns the function that puts the previous record factory back."""
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if secrets:
            try:
                message = record.getMessage()
            except Exception:  # a broken format is logging's own to report
                return record
            masked = secrets.mask(message)
            if masked != message:
                record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)

    def restore() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return restore
