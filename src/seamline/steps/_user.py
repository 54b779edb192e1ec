"""User phrases: the phrasebook's definitions as catalog phrases, exposed by both front ends.

A user phrase runs its steps through the same catalog as a test does, so it may use
built-in phrases and other user phrases. Everything that can be checked before a test
runs is checked when the phrasebook loads: a step that matches no phrase, a phrase that
reads like a built-in one, a cycle.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.config.phrasebook import PARAMETER, InnerStep, PhraseDefinition, load_phrasebook, substitute
from ..core.context import Context
from ..core.errors import ConfigError, SeamlineError, UsageError
from ..core.values.variables import Scope, WrittenText, fill, to_text
from ._catalog import CATALOG, PLACEHOLDER_PATTERNS, QUOTED_PATTERN, STEP_KEYWORD, Phrase

__all__ = ["UserPhrase", "build_user_phrases", "find_phrase", "load_user_phrases"]

# An unquoted parameter whose name the catalog does not know takes one word or number.
USER_WORD_PATTERN = r'[^\s"]+'
# Values that fit the catalog's unquoted placeholders, tried when checking a phrase's steps.
_SAMPLES = ("1", "x", "GET", "200", "is", "suite", "10 seconds")
_EXAMPLE_VALUES = {
    "method": "GET", "any_method": "GET", "operator": "is", "value": "1", "count": "1",
    "status": "200", "scope": "suite", "duration": "10 seconds",
}


def _run_steps(ctx: Context) -> None:
    """A user phrase (its steps are in the phrasebook)."""


@dataclass(frozen=True, eq=False)
class UserPhrase(Phrase):
    definition: PhraseDefinition | None = None
    # All user phrases, shared, so that one phrase's steps can use another.
    book: Mapping[str, Phrase] = field(default_factory=dict)

    @property
    def source(self) -> PhraseDefinition:
        assert self.definition is not None
        return self.definition

    @property
    def description(self) -> str:
        return self.source.description or f"Defined in {self.source.where}."

    def _pattern(self, match: re.Match[str]) -> str:
        open_quote, name, close_quote = match.groups()
        if open_quote and close_quote:
            return QUOTED_PATTERN
        return PLACEHOLDER_PATTERNS.get(name, USER_WORD_PATTERN)

    def run(
        self,
        ctx: Context,
        arguments: Mapping[str, object],
        docstring: str | None = None,
        table: Sequence[Sequence[str]] | None = None,
    ) -> Any:
        values = {name: _as_text(arguments[name]) for name in self.placeholders}
        # Each argument is text still to expand (what Robot hands over is escaped already): where
        # it lands in a URL it is encoded for its part, as a ${name} is; as the whole path, as written.
        written = {name: v if isinstance(v, WrittenText) else WrittenText(v, {}) for name, v in values.items()}
        for step in self.source.steps:
            filled = fill(step.text, PARAMETER, written)
            text = filled.text
            found = find_phrase(text, self.book)
            if found is None:
                raise UsageError(f"{step.where}: step '{text}' of the phrase '{self.template}' matches no phrase")
            phrase, groups = found
            groups = {**groups, **phrase.written_arguments(filled)}
            ctx.log(f"{step.where}: {text}", "INFO")
            inner_doc = substitute(step.docstring, values) if step.docstring is not None else None
            inner_table = [[substitute(cell, values) for cell in row] for row in step.table] if step.table else None
            try:
                phrase.run(ctx, groups, docstring=inner_doc, table=inner_table)
            except SeamlineError as error:
                # Say which line of the phrasebook failed; the front end adds the test's own step.
                # The error itself goes on, so that what else it carries (mismatches) is kept.
                error.message = f"{step.where} '{text}': {error.message}"
                error.args = (error.message,)
                raise


def _as_text(value: object) -> str:
    if isinstance(value, Scope):
        return value.value
    return to_text(value)


def find_phrase(text: str, book: Mapping[str, Phrase]) -> tuple[Phrase, dict[str, Any]] | None:
    """The phrase a step reads as (user phrases first) and its arguments."""
    for phrase in itertools.chain(book.values(), CATALOG.values()):
        arguments = phrase.match(text)
        if arguments is not None:
            return phrase, arguments
    return None


def load_user_phrases(config_path: str | Path | None = None) -> dict[str, UserPhrase]:
    return build_user_phrases(load_phrasebook(config_path))


def build_user_phrases(definitions: Iterable[PhraseDefinition]) -> dict[str, UserPhrase]:
    book: dict[str, UserPhrase] = {}
    for definition in definitions:
        phrase = UserPhrase(
            template=definition.template,
            func=_run_steps,
            area="user",
            example="",
            placeholders=definition.parameters,
            block=None,
            table_kind="pairs",
            definition=definition,
            book=book,
        )
        phrase = dataclasses.replace(phrase, example=definition.example or _example(phrase))
        _check_reads_apart(phrase)
        book[phrase.template] = phrase
    uses = {template: _check_steps(phrase) for template, phrase in book.items()}
    _check_cycles(book, uses)
    return book


def _example(phrase: UserPhrase) -> str:
    def fill(match: re.Match[str]) -> str:
        open_quote, name, close_quote = match.groups()
        if open_quote and close_quote:
            return f'"{name}"'
        return _EXAMPLE_VALUES.get(name, "1")

    return re.sub(r'("?)\{(\w+)\}("?)', fill, phrase.template)


def _check_reads_apart(phrase: UserPhrase) -> None:
    where = f"{phrase.source.file}:{phrase.source.line}"
    if phrase.match(phrase.example) is None:
        raise ConfigError(f"{where}: the example {phrase.example!r} does not read as the phrase {phrase.template!r}")
    for builtin in CATALOG.values():
        if builtin.template == phrase.template or builtin.match(phrase.example) is not None:
            raise ConfigError(
                f"{where}: phrase {phrase.template!r} is defined twice: it reads as the built-in phrase "
                f"{builtin.template!r}"
            )


def _check_steps(phrase: UserPhrase) -> list[tuple[str, InnerStep]]:
    """Each step matches a phrase for some value of its parameters; returns the user phrases used."""
    known = phrase.match(phrase.example) or {}
    uses: list[tuple[str, InnerStep]] = []
    for step in phrase.source.steps:
        used = list(dict.fromkeys(PARAMETER.findall(step.text)))
        # Every sample for the first three parameters, the example's value for any further ones.
        choices = [[known.get(name, "x"), *(_SAMPLES if i < 3 else ())] for i, name in enumerate(used)]
        found = None
        for values in itertools.product(*choices):
            found = find_phrase(substitute(step.text, dict(zip(used, values, strict=True))), phrase.book)
            if found is not None:
                break
        if found is None:
            templates = [p.template for p in itertools.chain(phrase.book.values(), CATALOG.values())]
            close = difflib.get_close_matches(STEP_KEYWORD.sub("", step.text), templates, n=3, cutoff=0.4)
            hint = "; closest phrases: " + " | ".join(close) if close else ""
            raise ConfigError(
                f"{step.file}:{step.line}: step '{step.text}' of the phrase '{phrase.template}' matches no phrase{hint}"
            )
        if isinstance(found[0], UserPhrase):
            uses.append((found[0].template, step))
    return uses


def _check_cycles(book: Mapping[str, UserPhrase], uses: Mapping[str, list[tuple[str, InnerStep]]]) -> None:
    done: set[str] = set()

    def visit(template: str, path: list[tuple[str, InnerStep | None]]) -> None:
        if template in done:
            return
        for used, step in uses[template]:
            chain = [t for t, _ in path] + [template]
            if used in chain:
                start = book[used].source
                loop = " -> ".join(f"'{t}'" for t in [*chain[chain.index(used):], used])
                raise ConfigError(f"{start.file}:{start.line}: phrases use each other in a cycle: {loop} "
                                  f"(closed at {step.file}:{step.line})")
            visit(used, [*path, (template, step)])
        done.add(template)

    for template in book:
        visit(template, [])
