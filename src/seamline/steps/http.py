"""Phrases that send requests and shape them."""

from __future__ import annotations

from ..core.context import Context
from ..core.waiting.retry import parse_timeout
from ._catalog import phrase


@phrase('I {method} "{path}"', example='I GET "/products/A1"')
def request(ctx: Context, method: str, path: str) -> None:
    """Send a request without a body to a path of the current service (or to a full URL)."""
    from ..core.http import sending

    sending.send(ctx, method, path)


@phrase('I {method} "{path}" with a timeout of {duration}', example='I GET "/delay/3" with a timeout of 1 second')
def request_with_timeout(ctx: Context, method: str, path: str, duration: str) -> None:
    """Send a request without a body that may take at most this long (instead of the service's timeout)."""
    from ..core.http import sending

    sending.send(ctx, method, path, parse_timeout(duration))


@phrase("I do not follow redirects", example="I do not follow redirects")
def do_not_follow_redirects(ctx: Context) -> None:
    """For the rest of the test a redirect (3xx) is the answer: its status and Location header can be checked."""
    from ..core.http import sending

    sending.follow_redirects(ctx, False)


@phrase("I follow redirects", example="I follow redirects")
def follow_redirects(ctx: Context) -> None:
    """For the rest of the test follow redirects (the default unless the service sets follow_redirects: false)."""
    from ..core.http import sending

    sending.follow_redirects(ctx, True)


@phrase('I send a {any_method} request to "{path}"', example='I send a PURGE request to "/cache"')
def request_any_method(ctx: Context, any_method: str, path: str) -> None:
    """Send a request with any method, also one that has no phrase of its own."""
    from ..core.http import sending

    sending.send(ctx, any_method, path)


@phrase('I {method} "{path}" with:', example='I PUT "/cart" with:\n  """\n  {"items": []}\n  """')
def request_with_body(ctx: Context, method: str, path: str, docstring: str) -> None:
    """Send the doc string as the body: JSON if it is JSON, text otherwise, as is if Content-Type is set."""
    from ..core.http import sending

    sending.send_with_body(ctx, method, path, docstring)


@phrase(
    'I {method} "{path}" with a timeout of {duration} and:',
    example='I POST "/orders" with a timeout of 2 seconds and:\n  """\n  {"items": []}\n  """',
)
def request_with_body_and_timeout(ctx: Context, method: str, path: str, duration: str, docstring: str) -> None:
    """Send the doc string as the body (as with `with:`), in at most this long (instead of the service's timeout)."""
    from ..core.http import sending

    sending.send_with_body(ctx, method, path, docstring, parse_timeout(duration))


@phrase('I {method} "{path}" with the form:', example='I POST "/login" with the form:\n  | user | alice |')
def request_with_form(ctx: Context, method: str, path: str, table: list[list[str]]) -> None:
    """Send form fields (application/x-www-form-urlencoded) from a name | value table."""
    from ..core.http import sending

    sending.send_form(ctx, method, path, table)


@phrase(
    'I {method} "{path}" with the multipart form:',
    example='I POST "/upload" with the multipart form:\n  | title | Report |\n  | file | @report.pdf |',
)
def request_with_multipart(ctx: Context, method: str, path: str, table: list[list[str]]) -> None:
    """Send multipart/form-data; a value starting with @ uploads that file, as curl -F does."""
    from ..core.http import sending

    sending.send_multipart(ctx, method, path, table)


@phrase('I set the header "{name}" to "{text}"', example='I set the header "Accept-Language" to "fr"')
def set_header(ctx: Context, name: str, text: str) -> None:
    """Send this header with every later request of the test."""
    from ..core.http import sending

    sending.set_header(ctx, name, text)


@phrase("I set the headers:", example="I set the headers:\n  | Accept | application/json |")
def set_headers(ctx: Context, table: list[list[str]]) -> None:
    """Send these headers (name | value rows) with every later request of the test."""
    from ..core.http import sending

    sending.set_headers(ctx, table)


@phrase('I set the query parameter "{name}" to "{text}"', example='I set the query parameter "page" to "2"')
def set_query_parameter(ctx: Context, name: str, text: str) -> None:
    """Add a query parameter to the next request only (values are URL-encoded)."""
    from ..core.http import sending

    sending.add_query_parameter(ctx, name, text)


@phrase("I set the query parameters:", example="I set the query parameters:\n  | page | 2 |\n  | size | 10 |")
def set_query_parameters(ctx: Context, table: list[list[str]]) -> None:
    """Add query parameters (name | value rows) to the next request only."""
    from ..core.http import sending

    sending.add_query_parameters(ctx, table)


@phrase('I use the service "{service}"', example='I use the service "payments"')
def use_service(ctx: Context, service: str) -> None:
    """Send later requests of the test to another service of seamline.yaml."""
    from ..core.http import sending

    sending.use_service(ctx, service)
