"""Stub services: a real HTTP server on loopback in place of a third-party service.

Each stub is a werkzeug WSGI server in one thread of its own, started the first time a
run needs it and stopped when the run ends. Tests give it answers (by method, path,
query, headers and body fields) and check what it received; between tests its answers
and its record are cleared while the server, and so its URL, stays the same. That is
what lets a system under test be started once with the stub's URL in its config.

A test holds the stub from the step that stubs it to its end (a *session*: its answers
and what it received). A request may arrive after the test that caused it has ended (an
order's payment, charged by the shop's worker a moment later). Such a *late* request is
told apart from the current test's own requests by the answers: an answer that a test set
and that no request used while it ran stays owed for :data:`LATE_WINDOW` seconds after the
test, and the first request that the current test has no answer for and that such an owed
answer fits is that test's late request. It gets that answer, counts in no check and fails
no test: it is logged in the test where it lands, with the name of the test that set the
answer. So is a request that arrives while no test holds the stub. Any other request the
current test has no answer for is its own and fails it, as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..config import StubConfig
from ..context import Context, Runtime
from ..errors import CheckFailed, ServiceError, StepArgumentError, UsageError
from ..matching.jsonpath import compile_path, find_all
from ..matching.matcher import equals, matches_document
from ..threads import start_background_thread
from ..values.literals import describe, parse_json, parse_literal
from ..values.text import describe_bytes, excerpt, is_binary
from .answers import StubAnswer, describe_answers, in_turn, parse_answer, parse_answers

if TYPE_CHECKING:
    from werkzeug.serving import ThreadedWSGIServer

__all__ = [
    "LATE_WINDOW",
    "LateRequest",
    "RecordedRequest",
    "StubAnswer",
    "StubRule",
    "StubServer",
    "StubServers",
    "add_answer",
    "add_answers_in_turn",
    "check_answered_count",
    "check_received_body",
    "check_received_count",
    "check_received_with",
    "describe_requests",
    "restrict_answer",
    "stub_service",
]

_REQUEST_LINE_LIMIT = 200

LATE_WINDOW = 60.0
"""Seconds after a test ends during which an answer it set and never used is owed a late request."""


@dataclass
class StubRule:
    """Answers, given in turn, and the requests they are for; unset conditions match anything."""

    method: str
    path: str
    answers: tuple[StubAnswer, ...]
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, object] = field(default_factory=dict)
    step: str = ""  # the step that set the answers, for the message when they run out
    given: int = 0  # requests answered so far

    @classmethod
    def parse(cls, method: str, path_and_query: str, *answers: StubAnswer, step: str = "") -> StubRule:
        """``/charges?currency=EUR`` answers requests to /charges that have (at least) that parameter."""
        parts = urlsplit(path_and_query)
        if parts.scheme or parts.netloc:
            raise StepArgumentError(f"a stub answers a path such as /charges, not a full URL ({path_and_query!r})")
        path = parts.path or "/"
        if not path.startswith("/"):
            path = "/" + path
        return cls(method.upper(), path, answers, query=parse_qsl(parts.query, keep_blank_values=True), step=step)

    @property
    def exhausted(self) -> bool:
        """Every answer was given as often as it says (never, when the last one has no count)."""
        return self.given >= self._total

    @property
    def _total(self) -> float:
        return sum(float("inf") if a.times is None else a.times for a in self.answers)

    def next_answer(self) -> StubAnswer:
        """The answer for the next request, counted as given; only while not exhausted."""
        position = self.given
        self.given += 1
        for answer in self.answers:
            if answer.times is None or position < answer.times:
                return answer
            position -= answer.times
        raise AssertionError("next_answer() of an exhausted stub rule")

    def add_condition(self, kind: str, name: str, value: object) -> None:
        if kind == "header":
            self.headers[name.lower()] = str(value)
        elif kind == "query":
            self.query.append((name, str(value)))
        elif kind == "field":
            compile_path(name)  # a bad JSONPath fails the step now, not the request later
            self.fields[name] = value
        else:
            raise StepArgumentError(f"unknown stub condition {kind!r}: use header NAME, query NAME or field $.PATH")

    def targets(self, request: RecordedRequest) -> bool:
        """The request goes to this rule's method and path, with (at least) its query."""
        return (
            request.method == self.method
            and request.path == self.path
            and all(any(k == name and equals(value, v) for k, v in request.query) for name, value in self.query)
        )

    def accepts(self, request: RecordedRequest) -> bool:
        if not self.targets(request):
            return False
        # Header and query values may be markers (#uuid, #regex ...), as a field's value may.
        if any(not equals(value, request.headers.get(name)) for name, value in self.headers.items()):
            return False
        if self.fields:
            document = request.json()
            if document is _NOT_JSON:
                return False
            for path, expected in self.fields.items():
                found = find_all(document, path)
                if len(found) != 1 or not equals(expected, found[0]):
                    return False
        return True

    def describe(self) -> str:
        return f"{self.method} {self.path}{_query_text(self.query)}"

    def ran_out(self, request: RecordedRequest) -> str:
        """One line: this rule's answers ran out before ``request``."""
        given = "its answer" if self.given == 1 else f"its {self.given} answers"
        return f"the answers of step '{self.step}' ran out: it gave {given}, then {request.describe()} arrived"


_NOT_JSON = object()


def _query_text(pairs: list[tuple[str, str]]) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else ""


@dataclass(frozen=True)
class RecordedRequest:
    """A request a stub received, and whether one of its answers was for it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    expected: bool
    answer: StubAnswer | None = None  # what the stub answered; None: 404, it had no answer
    ran_out: str = ""  # why it had none, when an answer's turns had run out

    def json(self) -> object:
        """The body as JSON, or a marker object when it is not JSON; parsed once, as every
        answer's conditions and every check may ask."""
        return self._document

    @functools.cached_property
    def _document(self) -> object:
        try:
            return json.loads(self.body)
        except ValueError:
            return _NOT_JSON

    def is_json(self) -> bool:
        return self.json() is not _NOT_JSON

    def describe(self) -> str:
        """One line: method, path with query, and the start of the body."""
        body = self.body.decode("utf-8", errors="replace").strip()
        if is_binary(self.body, self.headers.get("content-type", "")):
            body = describe_bytes(self.body, self.headers.get("content-type", ""))
        elif self.is_json():
            body = json.dumps(self.json(), ensure_ascii=False)
        shown = excerpt(" ".join(body.split()), _REQUEST_LINE_LIMIT) if body else ""
        return f"{self.method} {self.path}{_query_text(self.query)}" + (f" {shown}" if shown else "")


@dataclass(frozen=True)
class LateRequest:
    """A request that reached the stub after the test that caused it had ended."""

    request: RecordedRequest
    test: str  # the test whose answer it got, or that last held the stub; "" when unknown
    answer: StubAnswer | None  # that test's answer, or None (it was answered 404)
    between_tests: bool  # it arrived while no test held the stub

    def describe(self, stub: str) -> str:
        """One line for the log of the test where it lands."""
        origin = f" from test {self.test!r}" if self.test else ""
        when = "between tests" if self.between_tests else "during this test"
        answered = (
            f"given the answer that test set ({self.answer.what})" if self.answer is not None else "answered 404"
        )
        return (
            f"late request to stub {stub!r}{origin}, which had ended; it arrived {when}, was {answered} "
            f"and is not counted in this test: {self.request.describe()}"
        )


@dataclass
class _Session:
    """One test's hold on a stub: its answers and the requests it received."""

    test: str
    rules: list[StubRule] = field(default_factory=list)
    received: list[RecordedRequest] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # id() of the rules that answered a request
    late: list[RecordedRequest] = field(default_factory=list)  # earlier tests' requests that landed here
    ended: float = 0.0  # time.monotonic() when the test ended

    def owed(self) -> list[StubRule]:
        return [rule for rule in self.rules if id(rule) not in self.used]


def describe_requests(requests: Iterable[RecordedRequest]) -> str:
    """The requests a stub received, for a failure message; 'none' when there were none."""
    lines = [f"{index}. {request.describe()}" for index, request in enumerate(requests, 1)]
    return "; ".join(lines) if lines else "none"


class StubServer:
    """One stubbed service: a werkzeug server on 127.0.0.1 and the answers it gives."""

    def __init__(self, config: StubConfig) -> None:
        self.name = config.name
        self._port = config.port or 0
        # The test holding the stub (a nameless one until a test stubs it), the tests that
        # held it before and still owe answers, and late requests not yet logged.
        self._session: _Session | None = _Session("")
        self._ended: list[_Session] = []
        self._late: list[LateRequest] = []
        self._last_test = ""
        self._lock = threading.Lock()
        self._server: ThreadedWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()  # open client connections, each with its thread

    @property
    def url(self) -> str:
        if self._server is None:
            raise ServiceError(f"stub {self.name!r} is not running")
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

        connections = self._connections

        class QuietHandler(WSGIRequestHandler):
            # One request per connection (werkzeug closes each after its answer), so that a
            # handler thread never waits on an idle keep-alive connection and stop() can join it.
            protocol_version = "HTTP/1.0"

            def setup(self) -> None:
                super().setup()
                connections.add(self.connection)

            def finish(self) -> None:
                connections.discard(self.connection)
                super().finish()

            # The record of received requests is the stub's log; werkzeug's access log would repeat it.
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass

        # Bound here, not by werkzeug: werkzeug prints the OS error to stderr and exits with 1.
        try:
            listening = socket.create_server(("127.0.0.1", self._port))
        except OSError as error:
            raise ServiceError(
                f"cannot start stub {self.name!r} on 127.0.0.1:{self._port}: "
                f"{os.strerror(error.errno).lower() if error.errno else error}{_port_hint(error)}"
            ) from None
        with listening:
            # A thread per request, so that a delayed answer does not hold back the others.
            server = ThreadedWSGIServer(
                "127.0.0.1", self._port, self._app, handler=QuietHandler,
                fd=listening.fileno(),  # werkzeug serves a copy of the socket
            )
        # socketserver then joins every handler thread when the server closes: none is left behind.
        server.daemon_threads = False
        server.block_on_close = True
        self._server = server
        self._stopping.clear()
        # Its handler threads inherit its blocked stop signals: Ctrl-C reaches the run's main thread.
        self._thread = start_background_thread(
            server.serve_forever, name=f"seamline-stub-{self.name}", kwargs={"poll_interval": 0.1}
        )

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._stopping.set()  # a delayed answer in progress gives up waiting
        if server is not None:
            server.shutdown()
            # A client that connected and sent nothing (yet) would keep its handler thread reading
            # forever, and server_close() joins every handler thread: end those reads first.
            for connection in list(self._connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            server.server_close()
        if thread is not None:
            thread.join(5)

    # -- answers and record -----------------------------------------------------------

    def take_over(self, test: str) -> None:
        """``test`` holds the stub from now on, with no answers and nothing received; the
        test that held it before ends its hold (its unused answers stay owed)."""
        with self._lock:
            self._end_session()
            self._session = _Session(test)
            self._last_test = test

    def clear(self) -> None:
        """The holding test starts over: no answers, nothing received (owed answers stay owed)."""
        with self._lock:
            self._session = _Session(self._session.test if self._session else self._last_test)

    def release(self) -> list[RecordedRequest]:
        """The holding test ends: its requests that no answer was for, and no test holds the stub."""
        with self._lock:
            unexpected = [r for r in self._session.received if not r.expected] if self._session else []
            self._end_session()
            return unexpected

    def _end_session(self) -> None:
        now = time.monotonic()
        session, self._session = self._session, None
        if session is not None and session.owed():
            session.ended = now
            self._ended.append(session)
        self._ended = [s for s in self._ended if now - s.ended <= LATE_WINDOW]

    def take_late(self) -> list[LateRequest]:
        """The late requests that arrived since last asked, oldest first."""
        with self._lock:
            late, self._late = self._late, []
            return late

    def add_rule(self, rule: StubRule) -> None:
        with self._lock:
            self._holding().rules.append(rule)

    def latest_rule(self) -> StubRule | None:
        with self._lock:
            rules = self._session.rules if self._session else []
            return rules[-1] if rules else None

    def _holding(self) -> _Session:
        if self._session is None:
            self._session = _Session("")
        return self._session

    def reset(self) -> None:
        """Forget everything: answers, requests received, owed answers and late requests."""
        with self._lock:
            self._session = _Session("")
            self._ended.clear()
            self._late.clear()

    def received(self) -> list[RecordedRequest]:
        """The requests of the holding test (late requests of earlier tests are not among them)."""
        with self._lock:
            return list(self._session.received) if self._session else []

    def unexpected(self) -> list[RecordedRequest]:
        return [request for request in self.received() if not request.expected]

    def late_here(self) -> list[RecordedRequest]:
        """Late requests of earlier tests that arrived while the holding test held the stub."""
        with self._lock:
            return list(self._session.late) if self._session else []

    def _answer_for(self, recorded: RecordedRequest) -> tuple[StubAnswer | None, RecordedRequest]:
        """Which answer a request gets, and where it is recorded; called under the lock."""
        session = self._session
        ran_out: StubRule | None = None
        if session is not None:
            # The newest answer wins, so a test can override a general answer with a specific one;
            # one whose turns have run out no longer answers, and an older one that fits may.
            fitting = [r for r in reversed(session.rules) if r.accepts(recorded)]
            rule = next((r for r in fitting if not r.exhausted), None)
            if rule is not None:
                session.used.add(id(rule))
                answer = rule.next_answer()
                recorded = dataclasses.replace(recorded, expected=True, answer=answer)
                session.received.append(recorded)
                return answer, recorded
            ran_out = fitting[0] if fitting else None
        now = time.monotonic()
        for ended in reversed(self._ended):
            if now - ended.ended > LATE_WINDOW:
                continue
            owed = next((r for r in reversed(ended.owed()) if r.accepts(recorded) and not r.exhausted), None)
            if owed is not None:
                ended.used.add(id(owed))  # owed one request: the next is not taken for this test's
                answer = owed.next_answer()
                recorded = dataclasses.replace(recorded, answer=answer)
                self._late.append(LateRequest(recorded, ended.test, answer, session is None))
                if session is not None:
                    session.late.append(recorded)
                return answer, recorded
        if session is None:
            self._late.append(LateRequest(recorded, self._last_test, None, True))
        else:
            if ran_out is not None:
                recorded = dataclasses.replace(recorded, ran_out=ran_out.ran_out(recorded))
            session.received.append(recorded)
        return None, recorded

    # -- the WSGI application -----------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        from werkzeug.wrappers import Request, Response

        incoming = Request(environ)
        recorded = RecordedRequest(
            method=incoming.method.upper(),
            path=incoming.path,
            query=list(parse_qsl(incoming.query_string.decode("latin-1"), keep_blank_values=True)),
            headers={name.lower(): value for name, value in incoming.headers.items()},
            body=incoming.get_data(),
            expected=False,
        )
        with self._lock:
            answer, recorded = self._answer_for(recorded)
        if answer is None:
            why = recorded.ran_out or f"stub {self.name!r} has no answer for {recorded.method} {recorded.path}"
            response = Response(json.dumps({"error": why}), status=404, content_type="application/json")
            return response(environ, start_response)
        # Waited outside the lock, so other requests are answered meanwhile; a stop cuts it short.
        if answer.delay and self._stopping.wait(answer.delay):
            answer = dataclasses.replace(answer, closes=True)
        if answer.closes:
            # No status line, no headers: the client sees the connection closed under it.
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            raise ConnectionAbortedError(f"stub {self.name!r} closes the connection, as told")
        response = Response(answer.body, status=answer.status, content_type=answer.content_type)
        return response(environ, start_response)


class StubServers:
    """The run's stub servers by name, each started on first use."""

    def __init__(self, configs: Callable[[str], StubConfig]) -> None:
        self._configs = configs
        self._servers: dict[str, StubServer] = {}

    @classmethod
    def open(cls, runtime: Runtime) -> StubServers:
        return cls(runtime.config.stub)

    def close(self) -> None:
        self.stop_all()

    def get(self, name: str) -> StubServer:
        server = self._servers.get(name)
        if server is None:
            server = StubServer(self._configs(name))
            server.start()
            self._servers[name] = server
        return server

    def started(self, name: str) -> StubServer | None:
        return self._servers.get(name)

    def stop_all(self) -> None:
        while self._servers:
            _, server = self._servers.popitem()
            server.stop()


# -- steps' core calls -------------------------------------------------------------------


def _port_hint(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return " (another program listens there: stop it, or give the stub another port or port: auto)"
    return ""


def _stub_url_variable(name: str) -> str:
    return f"{name}_url"


def stub_service(ctx: Context, name: str) -> StubServer:
    """Take over a stub for this test: no answers, nothing received; its URL as ${<name>_url}.

    When the test ends, requests it had no answer for fail the test; late requests of earlier
    tests that landed since the stub was last released are logged."""
    name = ctx.variables.expand(name)
    server = ctx.runtime.resource(StubServers).get(name)
    if name in ctx.stubs.stubbed:
        server.clear()  # stubbed again by the same test: it starts over
    else:
        server.take_over(ctx.name)
        ctx.stubs.stubbed.add(name)
        ctx.add_cleanup(f"stub {name!r}", lambda: _finish_stub(ctx, server))
    ctx.store(_stub_url_variable(name), server.url)
    return server


def _finish_stub(ctx: Context, server: StubServer) -> None:
    # Logged when the test ends, with everything that arrived since the last test released the
    # stub: the late requests that landed between tests and during this one.
    for late in server.take_late():
        # Given the answer its own test set, a late call is what an asynchronous system does: noted.
        # With no answer (404), the system under test met a failure: a warning.
        ctx.log(late.describe(server.name), "INFO" if late.answer is not None else "WARN")
    unexpected = server.release()
    ran_out = [request.ran_out for request in unexpected if request.ran_out]
    if ran_out:
        more = f" ({len(unexpected) - 1} more request(s) it had no answer for)" if len(unexpected) > 1 else ""
        raise CheckFailed(f"stub {server.name!r}: {ran_out[0]}; it was answered 404{more}")
    if unexpected:
        raise CheckFailed(
            f"stub {server.name!r} received {len(unexpected)} request(s) it had no answer for: "
            f"{describe_requests(unexpected)}"
        )


def _stubbed(ctx: Context, name: str) -> StubServer:
    name = ctx.variables.expand(name)
    server = ctx.runtime.resource(StubServers).started(name)
    if server is None or name not in ctx.stubs.stubbed:
        known = ", ".join(sorted(ctx.stubs.stubbed)) or "none"
        raise UsageError(
            f"the {name!r} service is not stubbed in this test (stubbed: {known}); "
            f'begin with: Given the "{name}" service is stubbed'
        )
    return server


def add_answer(ctx: Context, name: str, method: str, path: str, answers: str, body: str | None = None) -> None:
    """Answers given in turn (``503 once, then 201``), each with ``body`` when there is one."""
    server = _stubbed(ctx, name)
    text = ctx.variables.expand(answers)
    plan = parse_answers(text, *_body(ctx, body))
    path = ctx.variables.expand(path)
    step = f'the stub "{server.name}" answers {method} "{path}" with {text}' + (" and:" if body is not None else "")
    _add_rule(ctx, server, StubRule.parse(method, path, *plan, step=step), body)


def add_answers_in_turn(ctx: Context, name: str, method: str, path: str, table: list[list[str]]) -> None:
    """A table of answers in turn: a header row naming the columns ``answer`` and (optional) ``body``."""
    server = _stubbed(ctx, name)
    header = [cell.strip().lower() for cell in table[0]]
    if "answer" not in header or not set(header) <= {"answer", "body"} or len(table) < 2:
        raise StepArgumentError(
            f"a table of stub answers has a header row | answer | body | and a row per answer; got {table[0]}"
        )
    plan = []
    for row in table[1:]:
        cells = dict(zip(header, row, strict=False))
        body = cells.get("body") or None
        plan.append(parse_answer(ctx.variables.expand(cells.get("answer", "")), *_body(ctx, body)))
    path = ctx.variables.expand(path)
    step = f'the stub "{server.name}" answers {method} "{path}" in turn with: ({len(plan)} rows)'
    _add_rule(ctx, server, StubRule.parse(method, path, *in_turn(plan), step=step), None)


def _add_rule(ctx: Context, server: StubServer, rule: StubRule, body: str | None) -> None:
    server.add_rule(rule)
    answers = describe_answers(rule.answers)
    ctx.log(f"stub {server.name!r} answers {rule.describe()} with {answers}" + (f":\n{body}" if body else ""))


def _body(ctx: Context, body: str | None) -> tuple[bytes, str | None]:
    """An answer's body and its content type (JSON if it is JSON)."""
    if body is None:
        return b"", None
    text = ctx.variables.expand(body)
    if text.lstrip().startswith(("{", "[")):
        parse_json(text, "stub answer")  # a typo in the document fails now, with its position
        return text.encode("utf-8"), "application/json"
    return text.encode("utf-8"), "text/plain; charset=utf-8"


def restrict_answer(ctx: Context, name: str, table: list[list[str]]) -> None:
    """Conditions on the stub's latest answer: ``header NAME | value``, ``query NAME | value``,
    ``field $.path | value`` (a JSON value, as in checks); values may be markers (``#uuid``)."""
    server = _stubbed(ctx, name)
    rule = server.latest_rule()
    if rule is None:
        raise UsageError(f"the stub {server.name!r} has no answer yet to put conditions on")
    _add_conditions(ctx, rule, table)


def _add_conditions(ctx: Context, rule: StubRule, table: list[list[str]]) -> None:
    for row in table:
        if len(row) != 2 or len(row[0].split(None, 1)) != 2:
            raise StepArgumentError(
                "each condition row is 'header NAME | value', 'query NAME | value' or "
                f"'field $.PATH | value'; got {row}"
            )
        kind, what = row[0].split(None, 1)
        value = ctx.variables.expand(row[1])
        rule.add_condition(kind.lower(), ctx.variables.expand(what), parse_literal(value) if kind == "field" else value)


def _requests_to(server: StubServer, method: str, path: str) -> list[RecordedRequest]:
    wanted = StubRule.parse(method, path, StubAnswer(200))
    return [request for request in server.received() if wanted.targets(request)]


def check_received_with(
    ctx: Context, name: str, count: int, method: str, path: str, table: list[list[str]]
) -> None:
    """Exactly ``count`` requests to the path with these headers, query parameters or body
    fields (the rows of an answer's conditions, markers such as ``#uuid`` allowed)."""
    server = _stubbed(ctx, name)
    path = ctx.variables.expand(path)
    wanted = StubRule.parse(method, path, StubAnswer(200))
    _add_conditions(ctx, wanted, table)
    found = [request for request in server.received() if wanted.accepts(request)]
    conditions = "; ".join(f"{row[0]} {ctx.variables.expand(row[1])}" for row in table if len(row) == 2)
    if len(found) != count:
        raise CheckFailed(
            f"stub {server.name!r} received {len(found)} {method} {path} request(s) with {conditions}, "
            f"expected {count}; requests it received: {_received_text(server)}"
        )
    ctx.log(f"stub {server.name!r} received {count} {method} {path} request(s) with {conditions}: {_answered(found)}")


def check_answered_count(ctx: Context, name: str, count: int, method: str, path: str, status: str) -> None:
    """Exactly ``count`` requests to the path that the stub answered with ``status``."""
    server = _stubbed(ctx, name)
    path = ctx.variables.expand(path)
    code = parse_answer(status).status
    requests = _requests_to(server, method, path)
    found = [r for r in requests if r.answer is not None and not r.answer.closes and r.answer.status == code]
    if len(found) != count:
        raise CheckFailed(
            f"stub {server.name!r} answered {len(found)} {method} {path} request(s) with {code}, expected {count}; "
            f"what it answered: {_answered(requests)}"
        )
    ctx.log(f"stub {server.name!r} answered {count} {method} {path} request(s) with {code}: {_answered(requests)}")


def _answered(requests: list[RecordedRequest]) -> str:
    """Each request and what the stub answered to it, on one line; 'none' when there were none."""
    shown = [f"{i}. {r.describe()} -> {r.answer.what if r.answer else 404}" for i, r in enumerate(requests, 1)]
    return "; ".join(shown) or "none"


def check_received_count(
    ctx: Context, name: str, count: int, method: str, path: str, body: str | None = None
) -> None:
    """Exactly ``count`` requests to the path; with ``body``, count only those whose JSON body
    matches it (so that a late request of an earlier test's order is not counted)."""
    server = _stubbed(ctx, name)
    path = ctx.variables.expand(path)
    found = _requests_to(server, method, path)
    what = f"{method} {path} request(s)"
    if body is not None:
        expected = parse_json(ctx.variables.expand(body), "expected body")
        found = [r for r in found if (d := r.json()) is not _NOT_JSON and matches_document(expected, d)]
        what += f" with a body matching {describe(expected)}"
    if len(found) != count:
        raise CheckFailed(
            f"stub {server.name!r} received {len(found)} {what}, expected {count}; "
            f"requests it received: {_received_text(server)}"
        )


def check_received_body(ctx: Context, name: str, method: str, path: str, docstring: str) -> None:
    server = _stubbed(ctx, name)
    path = ctx.variables.expand(path)
    expected = parse_json(ctx.variables.expand(docstring), "expected body")
    for request in _requests_to(server, method, path):
        document = request.json()
        if document is _NOT_JSON:
            continue
        if matches_document(expected, document):
            return
    raise CheckFailed(
        f"stub {server.name!r} received no {method} {path} request with a body matching {describe(expected)}; "
        f"requests it received: {_received_text(server)}"
    )


def _received_text(server: StubServer) -> str:
    text = describe_requests(server.received())
    late = server.late_here()
    return text + (f" (not counted, late from earlier tests: {describe_requests(late)})" if late else "")
