"""Phrases that stand in for third-party services and check what they were sent."""

from __future__ import annotations

from ..core.context import Context
from ._catalog import phrase


@phrase('the "{stub}" service is stubbed', example='the "payments" service is stubbed')
def stubbed(ctx: Context, stub: str) -> None:
    """Answer for a third-party service with a real HTTP server on loopback; its URL is stored as
    ${<name>_url} (and is ${stub:<name>} in a managed service's start command). It starts with no
    answers; a request it has no answer for gets 404 and fails the test at its end, unless it is an
    earlier test's late request (one its unused answer fits), which is logged and fails nothing."""
    from ..core.stubs import servers

    servers.stub_service(ctx, stub)


@phrase(
    'the stub "{stub}" answers {method} "{path}" with {answers}',
    example='the stub "payments" answers POST "/charges" with 503 once, then 201',
)
def answers(ctx: Context, stub: str, method: str, path: str, answers: str) -> None:
    """Answer requests to a path (a query in it must be among the request's) with a status and no
    body; or with several answers in turn: `503 twice, then a closed connection, then 201 after
    2 seconds`. Each answer is a status or `a closed connection` (the stub drops it unanswered),
    `once`, `twice` or `N times`, and `after N seconds`; the last answer without a count is given
    from then on. When the answers run out, the request gets an older answer that fits, or 404 and
    the test fails at its end naming this step."""
    from ..core.stubs import servers

    servers.add_answer(ctx, stub, method, path, answers)


@phrase(
    'the stub "{stub}" answers {method} "{path}" with {answers} and:',
    example='the stub "payments" answers POST "/charges" with 201 and:\n  """\n  {"id": "ch_1"}\n  """',
)
def answers_with_body(ctx: Context, stub: str, method: str, path: str, answers: str, docstring: str) -> None:
    """Answer with a status (or answers in turn, as above) and the doc string as the body (JSON if it
    is JSON). The newest answer that fits a request is the one given."""
    from ..core.stubs import servers

    servers.add_answer(ctx, stub, method, path, answers, docstring)


@phrase(
    'the stub "{stub}" answers {method} "{path}" in turn with:',
    example='the stub "payments" answers POST "/charges" in turn with:\n'
    '  | answer   | body                  |\n'
    '  | 503 once | {"error": "down"}     |\n'
    '  | 201      | {"id": "ch_1"}        |',
    table="rows",
)
def answers_in_turn(ctx: Context, stub: str, method: str, path: str, table: list[list[str]]) -> None:
    """Answers in turn, one row each, with a body of its own: columns `answer` (as in the phrase
    above: `503 once`, `201 after 2 seconds`, `a closed connection`) and `body`."""
    from ..core.stubs import servers

    servers.add_answers_in_turn(ctx, stub, method, path, table)


@phrase(
    'the stub "{stub}" gives that answer only to requests with:',
    example='the stub "payments" gives that answer only to requests with:\n  | field $.amount | 0 |',
)
def answer_conditions(ctx: Context, stub: str, table: list[list[str]]) -> None:
    """Limit the stub's latest answer to requests with these headers, query parameters or body
    fields: rows `header NAME | text`, `query NAME | text`, `field $.PATH | value`."""
    from ..core.stubs import servers

    servers.restrict_answer(ctx, stub, table)


@phrase(
    'the stub "{stub}" received {count} {method} "{path}" {requests}',
    example='the stub "payments" received 1 POST "/charges" request',
    check=True,
)
def received_count(ctx: Context, stub: str, count: int, method: str, path: str, requests: str) -> None:
    """Check how many requests to a path the stub received in this test (`1 ... request`, `2 ... requests`;
    late requests of earlier tests are not counted); a failure lists every request it received."""
    from ..core.stubs import servers

    servers.check_received_count(ctx, stub, count, method, path)


@phrase(
    'the stub "{stub}" received {count} {method} "{path}" {requests} with a body matching:',
    example='the stub "payments" received 1 POST "/charges" request with a body matching:\n'
    '  """\n  {"order_id": "${order_id}", "amount": 59.98}\n  """',
    check=True,
)
def received_count_with_body(
    ctx: Context, stub: str, count: int, method: str, path: str, requests: str, docstring: str
) -> None:
    """Check how many requests to a path had a JSON body with (at least) these fields; requests
    with other bodies (another test's order arriving late) are not counted."""
    from ..core.stubs import servers

    servers.check_received_count(ctx, stub, count, method, path, docstring)


@phrase(
    'the stub "{stub}" received {count} {method} "{path}" {requests} with:',
    example='the stub "payments" received 2 POST "/charges" requests with:\n'
    '  | header Idempotency-Key | order-${order_id} |',
    check=True,
)
def received_count_with(
    ctx: Context, stub: str, count: int, method: str, path: str, requests: str, table: list[list[str]]
) -> None:
    """Check how many requests to a path had these headers, query parameters or body fields (rows
    as for an answer's conditions: `header NAME | text`, `query NAME | text`, `field $.PATH | value`;
    markers such as `#uuid` allowed)."""
    from ..core.stubs import servers

    servers.check_received_with(ctx, stub, count, method, path, table)


@phrase(
    'the stub "{stub}" answered {count} {method} "{path}" {requests} with {status}',
    example='the stub "payments" answered 1 POST "/charges" request with 201',
    check=True,
)
def answered_count(ctx: Context, stub: str, count: int, method: str, path: str, requests: str, status: str) -> None:
    """Check how many requests to a path the stub answered with a status (so, with answers in turn,
    how many got through); a failure lists what it answered to each."""
    from ..core.stubs import servers

    servers.check_answered_count(ctx, stub, count, method, path, status)


@phrase(
    'the stub "{stub}" received a {method} "{path}" request with a body matching:',
    example='the stub "payments" received a POST "/charges" request with a body matching:\n'
    '  """\n  {"amount": 59.98}\n  """',
    check=True,
)
def received_body(ctx: Context, stub: str, method: str, path: str, docstring: str) -> None:
    """Check that one of the requests to a path had a JSON body with (at least) these fields."""
    from ..core.stubs import servers

    servers.check_received_body(ctx, stub, method, path, docstring)
