"""Checks on the last response that go beyond one field: whole documents with markers,
each item of an array, cookies, the content type and the response time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

from ..context import Context
from ..errors import CheckFailed, StepArgumentError
from ..matching.matcher import Mismatch, accepts_absence, match, render_path
from ..values.literals import describe, parse_json
from ..values.secrets import Secrets
from ..values.text import excerpt
from ..waiting.retry import parse_duration
from .exchange import FAILURE_BODY_LIMIT, Response, response_details, response_line
from .field_checks import check_named_presence, compare_named, field_value, field_values

__all__ = [
    "check_content_type",
    "check_cookie",
    "check_cookie_exists",
    "check_document",
    "check_each_item",
    "check_response_time",
    "cookie_value",
    "expected_document",
    "mismatch_failure",
]

_SUMMARY_COUNT = 3


def expected_document(ctx: Context, text: str, what: str = "expected document") -> object:
    """A doc string as the expected JSON value, after its ${variables} are replaced."""
    return parse_json(ctx.variables.expand(text), what)


def _focus(document: object, root: str, mismatches: Sequence[Mismatch]) -> tuple[str, object] | None:
    """The part of ``document`` holding the first mismatch: the object or array around it."""
    keys = mismatches[0].keys[:-1] if mismatches else ()
    value = document
    for key in keys:
        try:
            value = value[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return render_path(root, keys), value


def mismatch_failure(
    response: Response, subject: str, mismatches: Sequence[Mismatch], document: object = None, root: str = "$"
) -> CheckFailed:
    """A failed check that lists every mismatch: the first few in the one line, all of them
    in a table; a long body is cut around the first one instead of after its beginning."""
    count = len(mismatches)
    summary = "; ".join(str(m) for m in mismatches[:_SUMMARY_COUNT])
    more = f"; and {count - _SUMMARY_COUNT} more" if count > _SUMMARY_COUNT else ""
    places = "1 place" if count == 1 else f"{count} places"
    body = None
    if len(response.content) > FAILURE_BODY_LIMIT:
        focus = _focus(document, root, mismatches)
        if focus is not None and focus[0] != "$":
            shown = excerpt(json.dumps(focus[1], indent=2, ensure_ascii=False), FAILURE_BODY_LIMIT)
            body = f"(a long body: the part at {focus[0]})\n{shown}"
    return CheckFailed(
        f"{subject} in {places}: {summary}{more}",
        details=response_details(response, body),
        mismatches=[(m.path, m.expected, m.actual) for m in mismatches],
        about_last_request=True,
    )


def check_document(
    ctx: Context, text: str, path: str | None = None, *, exact: bool = False, any_order: bool = False
) -> None:
    """The response body (or the value at ``path``) against an expected document with markers."""
    expected = expected_document(ctx, text)
    response = ctx.http.response()
    if path is None:
        actual, root = response.json(), "$"
    else:
        values, many = field_values(ctx, path)
        if not values and not many:
            if accepts_absence(expected):
                return
            missing = Mismatch(path, describe(expected), "(no such field)")
            raise mismatch_failure(response, "the response does not match", [missing])
        actual, root = (values if many else values[0]), ctx.variables.expand(path)
    mismatches = match(expected, actual, exact=exact, any_order=any_order, path=root)
    if mismatches:
        what = "the response" if path is None else f"the response field {root}"
        verb = "is not as expected" if exact else "does not match"
        raise mismatch_failure(response, f"{what} {verb}", mismatches, actual, root)


def check_each_item(ctx: Context, path: str, text: str) -> None:
    """Every item of the array at ``path`` matches the expected document (an empty array passes)."""
    expected = expected_document(ctx, text)
    actual = field_value(ctx, path)
    root = ctx.variables.expand(path)
    response = ctx.http.response()
    if not isinstance(actual, list):
        raise mismatch_failure(response, "each item does not match", [Mismatch(root, "an array", describe(actual))])
    mismatches = [
        mismatch
        for index, item in enumerate(actual)
        for mismatch in match(expected, item, path=f"{root}[{index}]")
    ]
    if mismatches:
        failing = len({m.path.split("]", 1)[0] for m in mismatches})
        raise mismatch_failure(
            response, f"{failing} of {len(actual)} items of {root} do not match", mismatches, actual, root
        )


# -- cookies, content type, time -------------------------------------------------------


def _cookies(response: Response) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for header in response.set_cookies:
        # Only the name=value pair before the first ";": the rest are attributes (Path, Expires ...).
        name, _, value = header.split(";", 1)[0].partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        cookies[name.strip()] = value
    return cookies


def cookie_value(ctx: Context, name: str) -> str | None:
    """The value of a cookie the last response set, or None."""
    return _cookies(ctx.http.response()).get(ctx.variables.expand(name))


def _cookie_failure(response: Response, message: str) -> CheckFailed:
    # A cookie a server sets is a credential as often as not (a session): its value is masked
    # here as the Set-Cookie header is in the log, and only its name is shown.
    values = Secrets()
    for value in _cookies(response).values():
        values.add(value)
    cookies = ", ".join(_cookies(response)) or "none"
    return CheckFailed(
        f"{values.mask(message)} (cookies set: {cookies})", details=response_line(response), about_last_request=True
    )


def check_cookie(ctx: Context, name: str, operator: str, expected: object) -> None:
    fail = partial(_cookie_failure, ctx.http.response())
    compare_named("cookie", "sets", name, cookie_value(ctx, name), operator, expected, fail)


def check_cookie_exists(ctx: Context, name: str, exists: bool) -> None:
    fail = partial(_cookie_failure, ctx.http.response())
    check_named_presence("cookie", "sets", name, cookie_value(ctx, name), exists, fail)


def check_content_type(ctx: Context, expected: str) -> None:
    """The media type, case-insensitive; parameters (charset) count only when the expected value names them."""
    response = ctx.http.response()
    wanted = ctx.variables.expand(expected).strip().lower()
    if not wanted:
        raise StepArgumentError('a content type is needed, such as "application/json"')
    header = response.headers.get("Content-Type", "")
    actual = " ".join(header.lower().split()) if ";" in wanted else response.content_type
    if actual.replace("; ", ";") != wanted.replace("; ", ";"):
        shown = header or "no Content-Type header"
        raise CheckFailed(
            f"expected content type {wanted}, actual {shown}", details=response_line(response), about_last_request=True
        )


def check_response_time(ctx: Context, limit: str) -> None:
    response = ctx.http.response()
    seconds = parse_duration(limit)
    if response.elapsed_ms >= seconds * 1000:
        raise CheckFailed(
            f"the response took {response.elapsed_ms:.0f} ms, expected under {seconds * 1000:g} ms",
            details=response_line(response),
            about_last_request=True,
        )
