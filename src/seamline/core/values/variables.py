"""Variables in three scopes and their ``${name}`` expansion."""

from __future__ import annotations

import difflib
import enum
import json
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from urllib.parse import quote

from ..errors import VariableError
from .generators import GENERATORS, Generators
from .secrets import Secrets

__all__ = [
    "Filled",
    "Generated",
    "Scope",
    "Variables",
    "WrittenText",
    "encode_url_value",
    "escape",
    "fill",
    "fill_generated",
    "names_generators",
    "to_text",
]

# ``${name}``; a backslash before the dollar keeps the text as it is.
_REFERENCE = re.compile(r"(\\?)\$\{([^{}]+)\}")
# A URL's start up to its host and port: a value there is part of the authority.
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


class Scope(enum.Enum):
    TEST = "test"
    SUITE = "suite"
    GLOBAL = "global"

    @classmethod
    def parse(cls, word: str) -> Scope:
        """Accept the words of both front ends: scenario/test, feature/suite, run/global."""
        aliases = {
            "test": cls.TEST, "scenario": cls.TEST,
            "suite": cls.SUITE, "feature": cls.SUITE,
            "global": cls.GLOBAL, "run": cls.GLOBAL,
        }
        try:
            return aliases[word.strip().lower()]
        except KeyError:
            raise VariableError(
                f"unknown scope {word!r}: use test (or scenario), suite (or feature) or global (or run)"
            ) from None


def to_text(value: object) -> str:
    """How a value reads when written into text: strings as they are, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def escape(text: str) -> str:
    """``text`` such that expanding it gives it back: each ``${name}`` in it escaped."""
    return _REFERENCE.sub(lambda match: "\\" + match.group(0), text) if "${" in text else text


class WrittenText(str):
    """Text in which a front end has put variables' values itself (Robot Framework does,
    before Seamline sees a step), such that they are not expanded a second time.

    As a string it is that text with each ``${`` of the values escaped (:func:`escape`);
    ``template`` is the text as written with a ``${name}`` where each value went, and
    ``values`` those values, for whoever must know where a value landed (a URL encodes
    each value for its part).

    A value that is itself a ``WrittenText`` is text still to be expanded (a user phrase's
    argument, an Examples cell), put in as it is: its own values stay apart in it."""

    template: str
    values: Mapping[str, object]

    def __new__(cls, template: str, values: Mapping[str, object]) -> WrittenText:
        def put(match: re.Match[str]) -> str:
            name = match.group(2).strip()
            if match.group(1) or name not in values:
                return match.group(0)
            return _put(values[name])

        written = super().__new__(cls, _REFERENCE.sub(put, template))
        written.template = template
        written.values = dict(values)
        return written


def _put(value: object) -> str:
    """A value as it is put into text that will be expanded: escaped, unless it is such text."""
    return value if isinstance(value, WrittenText) else escape(to_text(value))


@dataclass(frozen=True)
class Filled:
    """Text in which a front end put values in place of its placeholders (``<name>`` of an
    Examples row, ``{name}`` of a user phrase), and where each went."""

    text: str
    spans: tuple[tuple[int, int, object], ...]  # start, end, value

    def part(self, start: int, end: int) -> str:
        """``text[start:end]`` (a step's argument); a :class:`WrittenText` naming the values
        put into it, so that a URL encodes each for the part it lands in."""
        inside = [(s, e, value) for s, e, value in self.spans if start <= s and e <= end]
        if not inside:
            return self.text[start:end]
        out: list[str] = []
        values: dict[str, object] = {}
        position = start
        for s, e, value in inside:
            name = f"<{len(values) + 1}>"  # its values come first, before any variable of that name
            out += [self.text[position:s], f"${{{name}}}"]
            values[name] = value
            position = e
        out.append(self.text[position:end])
        return WrittenText("".join(out), values)


def fill(template: str, placeholder: re.Pattern[str], values: Mapping[str, object]) -> Filled:
    """``template`` with each ``placeholder`` (its first group the name) whose name has a value
    replaced by it: a value escaped, text still to expand (a :class:`WrittenText`) as it is.
    A name without a value stays as written."""
    out: list[str] = []
    spans: list[tuple[int, int, object]] = []
    length = position = 0
    for match in placeholder.finditer(template):
        if match.group(1) not in values:
            continue
        value = values[match.group(1)]
        before, text = template[position : match.start()], _put(value)
        spans.append((length + len(before), length + len(before) + len(text), value))
        out += [before, text]
        length += len(before) + len(text)
        position = match.end()
    out.append(template[position:])
    return Filled("".join(out), tuple(spans))


class Generated(str):
    """A value of seamline.yaml that names generators (``cfg-${unique}@x``), read once per
    test (or once per run, for what lasts the run) by :func:`fill_generated`.

    As a string it is the text as written, each value read with ``${env:...}`` already in it
    and escaped (:func:`escape`), so that an environment variable's value is never expanded.
    ``secret`` says the filled value is a secret too."""

    secret: bool

    def __new__(cls, text: str, secret: bool = False) -> Generated:
        generated = super().__new__(cls, text)
        generated.secret = secret
        return generated


def names_generators(text: str) -> bool:
    """Whether ``text`` holds an unescaped ``${name}`` of a generator (``${unique}`` ...)."""
    return "${" in text and any(
        not match.group(1) and match.group(2).strip() in GENERATORS for match in _REFERENCE.finditer(text)
    )


def fill_generated(value: object, lookup: Callable[[str], object], secrets: Secrets | None = None) -> object:
    """``value`` (a config value: text, or mappings and lists of them) with the generators of
    each :class:`Generated` text read through ``lookup``; any other ``${name}`` stays as
    written for whoever expands it next, and text that names no generator is returned as
    it is. A filled secret is added to ``secrets``."""
    if isinstance(value, Generated):

        def put(match: re.Match[str]) -> str:
            name = match.group(2).strip()
            if match.group(1):
                return match.group(0)[1:]
            return to_text(lookup(name)) if name in GENERATORS else match.group(0)

        filled = _REFERENCE.sub(put, value)
        if value.secret and secrets is not None:
            secrets.add(filled)
        return filled
    if isinstance(value, dict):
        return {key: fill_generated(item, lookup, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_generated(item, lookup, secrets) for item in value]
    return value


def encode_url_value(value: object, url_so_far: str) -> str:
    """A variable's value as it goes into a URL after ``url_so_far``: percent-encoded for the
    part it lands in (RFC 6570's ``{var}``), so that it cannot end that part or start
    another; in a path, a value of dots only is encoded too (``..`` would climb up)."""
    text = to_text(value)
    if "#" in url_so_far or "?" in url_so_far:  # fragment, query name or query value
        return quote(text, safe="")
    if _AUTHORITY.fullmatch(url_so_far):  # host or port: not a user, path or query
        return quote(text, safe=":[]")
    encoded = quote(text, safe="")
    return encoded.replace(".", "%2E") if encoded and not encoded.strip(".") else encoded


def _written_as_is(value: object, url_so_far: str) -> bool:
    """A value that begins the URL and is itself a URL or a path (``${base_url}``, ``${path}``,
    ``/articles?tag=dragons``), or a path right after the host (``${base}${path}``), is used as
    written; any other value is encoded for its part, also at the start (``${sku}/reviews``
    with ``A1?admin=true`` stays one segment)."""
    text = to_text(value)
    if _AUTHORITY.fullmatch(url_so_far.strip()):  # ${base_url}${path}: the whole path
        return text.startswith("/")
    if url_so_far.strip():
        return False
    return text.startswith("/") or _ABSOLUTE_URL.match(text) is not None


_ABSOLUTE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

ScopeListener = Callable[[str, object, Scope], None]


class Variables:
    """Test variables over suite variables over global variables.

    ``listener`` is told of every value stored, so that a front end can mirror it
    (Robot Framework makes each one a Robot variable as well). ``defaults`` gives the
    configuration's variables, below all scopes; it is only called when a name is not
    found above it, so a test that needs no config never loads one.
    """

    def __init__(
        self,
        suite: MutableMapping[str, object],
        global_: MutableMapping[str, object],
        secrets: Secrets,
        listener: ScopeListener | None = None,
        defaults: Callable[[], Mapping[str, object]] | None = None,
        generators: Generators | None = None,
    ) -> None:
        self.test: dict[str, object] = {}
        self.generators = generators
        self._generated: dict[str, str] | None = None
        self.suite = suite
        self.global_ = global_
        self.secrets = secrets
        self.listener = listener
        self.defaults = defaults

    def _scopes(self) -> tuple[Mapping[str, object], ...]:
        return (self.test, self.suite, self.global_)

    def _all_scopes(self) -> tuple[Mapping[str, object], ...]:
        return (*self._scopes(), self.defaults()) if self.defaults else self._scopes()

    def __contains__(self, name: str) -> bool:
        return any(name in scope for scope in self._all_scopes())

    def names(self) -> list[str]:
        return sorted({name for scope in self._all_scopes() for name in scope})

    def get(self, name: str) -> object:
        for scope in self._scopes():
            if name in scope:
                return scope[name]
        if self.defaults is not None:
            defaults = self.defaults()
            if name in defaults:
                return self.fill_generated(defaults[name])
        # A stored variable wins over a generator of the same name.
        if self.generators is not None and name in self.generators:
            return self.generated()[name]
        known = ", ".join(self.names()) or "none yet"
        close = difflib.get_close_matches(name, list(GENERATORS), n=1, cutoff=0.75)
        hint = f"; did you mean the generator ${{{close[0]}}}?" if close else ""
        raise VariableError(
            f"unknown variable ${{{name}}}{hint}; known variables: {known}; generators: {', '.join(GENERATORS)}"
        )

    def generated(self) -> dict[str, str]:
        """This test's generated values, drawn on first use (see core.generators)."""
        if self._generated is None:
            self._generated = self.generators.values() if self.generators is not None else {}
        return self._generated

    def fill_generated(self, value: object) -> object:
        """A config value with this test's generated values in it (:func:`fill_generated`):
        ``${unique_email}`` in seamline.yaml reads what it reads in the test's steps."""
        return fill_generated(value, self.get, self.secrets)

    def set(self, name: str, value: object, scope: Scope = Scope.TEST, secret: bool = False) -> None:
        name = name.strip()
        if not name or "{" in name or "}" in name:
            raise VariableError(f"invalid variable name {name!r}")
        if secret:
            self.secrets.add(to_text(value))
        target = {Scope.TEST: self.test, Scope.SUITE: self.suite, Scope.GLOBAL: self.global_}[scope]
        target[name] = value
        # A wider scope must not be shadowed by an older, narrower value of the same name.
        if scope is not Scope.TEST:
            self.test.pop(name, None)
        if scope is Scope.GLOBAL:
            self.suite.pop(name, None)
        if self.listener is not None:
            self.listener(name, value, scope)

    def promote(self, name: str, scope: Scope) -> None:
        self.set(name, self.get(name), scope)

    def expand(self, text: str) -> str:
        """Replace every ``${name}`` with its value's text."""
        if "${" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                return match.group(0)[1:]
            return to_text(self.get(match.group(2).strip()))

        return _REFERENCE.sub(replace, text)

    def expand_url(self, text: str) -> str:
        """Replace every ``${name}`` in a URL or path, each value encoded for the part of the
        URL it lands in (:func:`encode_url_value`): a value cannot add a query parameter or
        change the path. A variable that begins the text (the whole path, the whole URL, a
        base URL as in ``${payments_url}/charges``) is used as written."""
        template, given = (text.template, text.values) if isinstance(text, WrittenText) else (text, {})
        if "${" not in template:
            return template
        out: list[str] = []
        position = 0
        for match in _REFERENCE.finditer(template):
            out.append(template[position : match.start()])
            position = match.end()
            if match.group(1):
                out.append(match.group(0)[1:])
                continue
            name = match.group(2).strip()
            value = given[name] if name in given else self.get(name)
            so_far = "".join(out)
            if isinstance(value, WrittenText):  # text still to expand: its own values by part
                text = self.expand(value)
                out.append(self.expand_url(value) if _written_as_is(text, so_far) else encode_url_value(text, so_far))
            else:
                out.append(to_text(value) if _written_as_is(value, so_far) else encode_url_value(value, so_far))
        out.append(template[position:])
        return "".join(out)

    def resolve(self, text: str) -> object:
        """Like :meth:`expand`, but text that is exactly one ``${name}`` gives the value itself."""
        match = _REFERENCE.fullmatch(text.strip())
        if match and not match.group(1):
            return self.get(match.group(2).strip())
        return self.expand(text)
