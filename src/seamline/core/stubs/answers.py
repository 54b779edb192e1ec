"""What a stub answers, in turn: ``503 once, then a closed connection, then 201 after 2 seconds``.

One answer is a status (or a connection the stub closes without answering), how many requests
it is for (``once``, ``twice``, ``3 times``; the last answer without a count is for every
request from then on) and how long the stub waits before it answers (``after 2 seconds``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..errors import StepArgumentError
from ..waiting.retry import parse_duration

__all__ = ["CLOSED", "StubAnswer", "describe_answers", "in_turn", "parse_answer", "parse_answers"]

CLOSED = "a closed connection"
_TURNS = re.compile(r",?\s+then\s+", re.IGNORECASE)
_WHAT = rf"(?P<what>\S+|{CLOSED})"
_COUNT = r"(?P<count>once|twice|-?\d+ times?)"
_DELAY = r"after (?P<delay>-?\S+(?: ?[a-z]+)?)"
# The count and the delay are both optional, in either order: "503 twice after 1 s", "503 after 1 s twice".
_ANSWER = (
    re.compile(rf"{_WHAT}(?:\s+{_COUNT})?(?:\s+{_DELAY})?", re.IGNORECASE),
    re.compile(rf"{_WHAT}\s+{_DELAY}\s+{_COUNT}", re.IGNORECASE),
)
_FORM = (
    "write each answer as a status or 'a closed connection', then 'once', 'twice' or 'N times', "
    "then 'after N seconds' (both optional), and join answers with ', then'"
)


@dataclass(frozen=True)
class StubAnswer:
    """One answer; ``times`` None means for every request from then on."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    delay: float = 0.0  # seconds the stub waits before it answers (or closes)
    closes: bool = False  # the stub closes the connection without answering
    times: int | None = None

    @property
    def what(self) -> str:
        """The status, or that the connection is closed."""
        return CLOSED if self.closes else str(self.status)

    def describe(self) -> str:
        text = self.what
        if self.times is not None:
            text += {1: " once", 2: " twice"}.get(self.times, f" {self.times} times")
        if self.delay:
            text += f" after {self.delay:g} s"
        return text


def describe_answers(answers: tuple[StubAnswer, ...]) -> str:
    return ", then ".join(answer.describe() for answer in answers)


def parse_answers(text: str, body: bytes = b"", content_type: str | None = None) -> tuple[StubAnswer, ...]:
    """The answers ``text`` gives in turn, each with ``body``; a bad one is a one-line error."""
    return in_turn([_parse_one(part.strip(), text, body, content_type) for part in _TURNS.split(text.strip())])


def parse_answer(text: str, body: bytes = b"", content_type: str | None = None) -> StubAnswer:
    """One answer (a row of a table of answers): ``503 twice after 1 second``."""
    if len(_TURNS.split(text.strip())) > 1:
        raise StepArgumentError(f"one answer per row, not {text!r}: the rows are the answers in turn")
    return _parse_one(text.strip(), text, body, content_type)


def in_turn(answers: list[StubAnswer]) -> tuple[StubAnswer, ...]:
    """``503, then 201``: an answer before another is given once unless it says how often."""
    last = len(answers) - 1
    return tuple(a if i == last or a.times is not None else replace(a, times=1) for i, a in enumerate(answers))


def _parse_one(part: str, text: str, body: bytes, content_type: str | None) -> StubAnswer:
    found = _ANSWER[0].fullmatch(part) or _ANSWER[1].fullmatch(part)
    if not found:
        raise StepArgumentError(f"cannot read the stub answer {part!r} in {text!r}: {_FORM}")
    what, count, delay = found["what"].lower(), found["count"], found["delay"]
    closes = what == CLOSED
    status = 0 if closes else _status(what, text)
    seconds = 0.0
    if delay is not None:
        if delay.startswith("-"):
            raise StepArgumentError(
                f"a stub cannot answer before it is asked: the delay {delay!r} in {text!r} is negative"
            )
        seconds = parse_duration(delay)
    return StubAnswer(
        status,
        b"" if closes else body,
        None if closes else content_type,
        delay=seconds,
        closes=closes,
        times=None if count is None else _times(count, text),
    )


def _status(text: str, whole: str) -> int:
    code = int(text) if text.isdigit() else 0
    if not 100 <= code <= 599:
        where = "" if text == whole else f" in {whole!r}"
        raise StepArgumentError(f"a stub answers with a status code such as 200 or 503, not {text!r}{where}")
    return code


def _times(text: str, whole: str) -> int:
    word = text.lower()
    count = {"once": 1, "twice": 2}.get(word) or int(word.split()[0])
    if count < 1:
        raise StepArgumentError(f"a stub answer is given at least once, not {text!r} (in {whole!r})")
    return count
