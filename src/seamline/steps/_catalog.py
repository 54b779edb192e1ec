"""The phrase catalog: every phrase written once, bound to a core call.

A phrase is a sentence with placeholders: ``I {method} "{path}"``. A placeholder in
double quotes takes any text without a double quote; an unquoted one takes the
vocabulary or the form its name declares in :data:`PLACEHOLDER_PATTERNS`. The front
ends turn each phrase into a Robot keyword and a pytest-bdd step; neither writes a
phrase of its own.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.context import Context
from ..core.errors import CheckFailed, StepArgumentError
from ..core.matching.matcher import OPERATORS
from ..core.values.literals import parse_literal
from ..core.values.variables import Filled, Scope, WrittenText, to_text
from ..core.waiting.retry import parse_duration, retry_until

__all__ = ["CATALOG", "STEP_KEYWORD", "Phrase", "phrase", "response_check"]

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

# Unquoted placeholders, by name: the text each accepts (no capturing groups: Robot forbids them).
PLACEHOLDER_PATTERNS: dict[str, str] = {
    "method": "|".join(HTTP_METHODS),
    "any_method": r"[A-Za-z]+",
    "operator": "|".join(OPERATORS),
    "value": r".+",
    "count": r"\d+",
    "status": r"[0-9xX]+",  # the core says what is wrong with 999 or 2x0
    # A stub's answers in turn ("503 once, then 201 after 2 seconds"); no ":" so that "... and:" is
    # another phrase. The core reads it and says what is wrong with it.
    "answers": r"[^:\"]+",
    "scope": r"test|scenario|suite|feature|global|run",
    "duration": r"-?[0-9.]+ ?[a-zA-Z]+",  # a negative one is refused in words by parse_duration
    "check": r".+",  # the text of a check phrase, run by the step that names it
    "requests": r"requests?",  # "1 ... request", "2 ... requests"
    "attempts": r"-?\d+",  # a count the core refuses in words when it is 0 or negative
    "times": r"times?",  # "1 time", "3 times"
}
WAIT_PREFIX = "within {duration} "
QUOTED_PATTERN = r'[^"]*'
BLOCK_PARAMETERS = ("docstring", "table")
# The word a step may start with; neither front end counts it as part of the phrase.
STEP_KEYWORD = re.compile(r"^(?:given|when|then|and|but|\*)\s+", re.IGNORECASE)
_PLACEHOLDER = re.compile(r'("?)\{(\w+)\}("?)')


def _convert(name: str, value: object) -> object:
    """Turn a placeholder's text into what the core call takes; shared by both front ends."""
    if name == "count":
        try:
            return int(str(value))
        except ValueError:
            raise StepArgumentError(f"{value!r} is not a whole number") from None
    if name == "scope":
        return Scope.parse(str(value))
    if name == "operator":  # vocabulary matches in any case, as Robot's keyword names do
        return str(value).lower()
    if name == "value":
        return value
    if name in ("method", "any_method"):
        return str(value).upper()
    return to_text(value)


@dataclass(frozen=True)
class Phrase:
    template: str
    func: Callable[..., Any]
    area: str
    example: str
    placeholders: tuple[str, ...]
    block: str | None  # "docstring", "table", or None
    table_kind: str  # "pairs" (name | value rows) or "rows" (a header row, then rows)
    waits: bool = False  # the "within {duration} ..." form of a check: retried until it holds
    # A check on something that arrives later (a message): retried for this long even without "within".
    default_wait: Callable[[Context, Mapping[str, object]], float] | None = None
    # What a waiting form does before it checks again: a response check re-sends the request.
    refresh: Callable[[Context], object] | None = None
    # Arguments that hold SQL: a front end whose runner replaces ${name} itself hands them over
    # as written (with the values aside), so that the core binds the values instead of pasting them.
    sql: tuple[str, ...] = ()
    # A one-line check of a response that may follow "until" in "I GET ... until <check>".
    follows_until: bool = False

    @property
    def description(self) -> str:
        text = inspect.getdoc(self.func) or ""
        return f"Repeat until it holds, for up to the given time: {text}" if self.waits else text

    @property
    def summary(self) -> str:
        """The description's whole first paragraph, on one line (what `seamline steps` shows)."""
        return first_paragraph(self.description)

    def _pattern(self, match: re.Match[str]) -> str:
        open_quote, name, close_quote = match.groups()
        return QUOTED_PATTERN if open_quote and close_quote else PLACEHOLDER_PATTERNS[name]

    def regex(self) -> str:
        """The whole phrase as one regular expression with named groups (not compiled)."""
        return self._regex

    @functools.cached_property
    def _regex(self) -> str:
        out, position = [], 0
        for match in _PLACEHOLDER.finditer(self.template):
            out.append(re.escape(self.template[position : match.start()]))
            out.append(f"{match.group(1)}(?P<{match.group(2)}>{self._pattern(match)}){match.group(3)}")
            position = match.end()
        out.append(re.escape(self.template[position:]))
        return "".join(out)

    @functools.cached_property
    def matcher(self) -> re.Pattern[str]:
        """The phrase compiled when first matched; step text matches it case-insensitively, as in Robot."""
        return re.compile(self.regex(), re.IGNORECASE)

    def match(self, step: str) -> dict[str, Any] | None:
        """The arguments of ``step`` (without its Given/When/Then word) if it reads as this phrase."""
        found = self.matcher.fullmatch(STEP_KEYWORD.sub("", step.strip()))
        return found.groupdict() if found else None

    def written_arguments(self, filled: Filled) -> dict[str, str]:
        """The arguments of a step (``filled.text``) that read as this phrase and that a front
        end put values into (a row's cells, a user phrase's arguments), each as a
        ``WrittenText`` naming them, so that a URL encodes each for the part it lands in."""
        start = len(filled.text) - len(filled.text.lstrip())
        keyword = STEP_KEYWORD.match(filled.text[start:])  # Given/When/Then ..., as match() drops it
        start += keyword.end() if keyword else 0
        found = self.matcher.fullmatch(filled.text, start, len(filled.text.rstrip()))
        if found is None:
            return {}
        parts = {name: filled.part(*found.span(name)) for name in found.groupdict() if found.group(name) is not None}
        return {name: part for name, part in parts.items() if isinstance(part, WrittenText)}

    def robot_name(self) -> str:
        """The phrase as a Robot keyword name with embedded arguments, written as the phrase is.

        Robot matches a step to the name without regard to case, then checks each argument
        against its own pattern: a vocabulary pattern (``is not|...``) carries ``(?i)`` so that
        ``Is Not`` passes that check too, as it does in pytest (Robot 8 fails an argument that
        does not match its pattern)."""

        def embedded(match: re.Match[str]) -> str:
            pattern = self._pattern(match)
            if re.search("[A-Za-z]", re.sub(r"\[[^]]*\]|\\.", "", pattern)):  # a letter not in [...] or \d
                pattern = "(?i)" + pattern
            return f"{match.group(1)}${{{match.group(2)}:{pattern}}}{match.group(3)}"

        return _PLACEHOLDER.sub(embedded, self.template)

    def block_missing(self, docstring: str | None, table: Sequence[Sequence[str]] | None) -> str | None:
        """What is wrong when the phrase's doc string or data table is not given; None if nothing."""
        if self.block == "docstring" and docstring is None:
            return 'this step needs a doc string (a """ block) below it'
        if self.block == "table" and not table:
            return "this step needs a data table (| rows |) below it"
        return None

    def run(
        self,
        ctx: Context,
        arguments: Mapping[str, object],
        docstring: str | None = None,
        table: Sequence[Sequence[str]] | None = None,
    ) -> Any:
        placeholders = self.placeholders[1:] if self.waits else self.placeholders
        kwargs = {name: _convert(name, arguments[name]) for name in placeholders}
        missing = self.block_missing(docstring, table)
        if missing is not None:
            raise StepArgumentError(missing)
        if self.block == "docstring":
            kwargs["docstring"] = docstring
        elif self.block == "table":
            kwargs["table"] = [list(row) for row in table or []]
        if "value" in kwargs:
            raw = kwargs["value"]
            kwargs["value"] = parse_literal(ctx.variables.expand(raw) if isinstance(raw, str) else raw)
        if not self.waits and self.default_wait is None:
            return self.func(ctx, **kwargs)
        step = self.template.removeprefix(WAIT_PREFIX)

        def on_retry(attempt: int, failure: CheckFailed) -> None:
            ctx.log(f"attempt {attempt}: {step}: {failure.message}", "DEBUG")

        if self.waits:
            timeout = parse_duration(str(arguments["duration"]))
        else:
            assert self.default_wait is not None
            timeout = self.default_wait(ctx, kwargs)
        refresh, attempts = self.refresh if self.waits else None, 0

        def attempt() -> Any:
            nonlocal attempts
            attempts += 1
            if refresh is not None and attempts > 1:
                refresh(ctx)
            return self.func(ctx, **kwargs)

        return retry_until(attempt, timeout, on_retry=on_retry)


def first_paragraph(text: str) -> str:
    """Up to the first blank line, on one line: a sentence may hold a ':' or a list."""
    return " ".join(re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0].split())


CATALOG: dict[str, Phrase] = {}


def phrase(
    template: str,
    *,
    example: str,
    table: str = "pairs",
    check: bool = False,
    default_wait: Callable[[Context, Mapping[str, object]], float] | None = None,
    refresh: Callable[[Context], object] | None = None,
    sql: tuple[str, ...] = (),
    follows_until: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a step function under ``template``; its parameters name the placeholders.

    A ``check`` also gets a waiting form, ``within {duration} <template>``, which repeats
    it until it holds: for what another process writes a little later. ``default_wait``
    makes the plain form repeat too, for as long as it returns (in seconds); ``refresh``
    runs before each repetition of the waiting form (a response check re-sends its request)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if template in CATALOG:
            raise ValueError(f"phrase defined twice: {template!r}")
        placeholders = tuple(match.group(2) for match in _PLACEHOLDER.finditer(template))
        for match in _PLACEHOLDER.finditer(template):
            quoted = bool(match.group(1) and match.group(3))
            if not quoted and match.group(2) not in PLACEHOLDER_PATTERNS:
                raise ValueError(f"{template!r}: unquoted placeholder {{{match.group(2)}}} has no pattern")
        parameters = list(inspect.signature(func).parameters)[1:]
        blocks = [p for p in parameters if p in BLOCK_PARAMETERS]
        if [p for p in parameters if p not in BLOCK_PARAMETERS] != list(placeholders):
            raise ValueError(f"{template!r}: parameters {parameters} do not follow its placeholders")
        if not inspect.getdoc(func):
            raise ValueError(f"{template!r}: a phrase needs a docstring (its description)")
        registered = Phrase(
            template=template,
            func=func,
            area=func.__module__.rsplit(".", 1)[-1],
            example=example,
            placeholders=placeholders,
            block=blocks[0] if blocks else None,
            table_kind=table,
            default_wait=default_wait,
            refresh=refresh,
            sql=sql,
            follows_until=follows_until,
        )
        CATALOG[template] = registered
        if check:
            waiting = dataclasses.replace(
                registered,
                template=WAIT_PREFIX + template,
                example=WAIT_PREFIX.replace("{duration}", "10 seconds") + example,
                placeholders=("duration", *placeholders),
                waits=True,
                default_wait=None,
                follows_until=False,
            )
            CATALOG[waiting.template] = waiting
        return func

    return register


def response_check(
    template: str, *, example: str, table: str = "pairs", follows_until: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A check of the last response: its waiting form (``within 10 seconds the response ...``)
    sends the last request again before each new look, as long as that request may be repeated.
    ``follows_until``: the check may also end ``I GET "..." until <check>``."""
    return phrase(
        template, example=example, table=table, check=True, refresh=_resend_last_request, follows_until=follows_until
    )


def _resend_last_request(ctx: Context) -> object:
    # Imported when a check first repeats: the catalog loads no area's logic.
    from ..core.http.sending import resend_last_request

    return resend_last_request(ctx)
