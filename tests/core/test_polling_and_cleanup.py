"""Re-sending until a check holds, service retry policies, and requests sent when a test ends:
all against a stub over real HTTP."""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamline.core.context import Context, MemorySink, Runtime
from seamline.core.errors import CheckFailed, ServiceUnreachable
from seamline.core.http import field_checks, polling
from seamline.core.http.cleanup import send_afterwards
from seamline.core.http.sending import build_request, send_request, use_service
from seamline.core.services.managed import free_port
from seamline.core.stubs import servers
from seamline.core.stubs.servers import StubAnswer, StubRule, StubServers


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Runtime]:
    """Service "api" is the stub "api", on a port chosen here; service "down" has nothing listening."""
    port, closed = free_port(), free_port()
    config = tmp_path / "seamline.yaml"
    config.write_text(
        textwrap.dedent(f"""\
            services:
              api:
                base_url: http://127.0.0.1:{port}
                retry: {{statuses: [503], attempts: 3, interval: 0.05}}
                until: {{timeout: 5, interval: 0.05}}
              plain: http://127.0.0.1:{port}
              down:
                base_url: http://127.0.0.1:{closed}
                retry: {{connection_errors: true, attempts: 2, interval: 0.05}}
                until: {{timeout: 0.5, interval: 0.05}}
            stubs:
              api: {{port: {port}}}
        """),
        encoding="utf-8",
    )
    runtime = Runtime(config)
    yield runtime
    runtime.close()


def _context(run: Runtime) -> tuple[Context, MemorySink]:
    sink = MemorySink()
    ctx = Context(run, sink=sink)
    servers.stub_service(ctx, "api")
    return ctx, sink


def _json(status: int, body: str) -> StubAnswer:
    return StubAnswer(status, body.encode(), "application/json")


def test_resends_until_the_check_holds_logging_attempts_briefly_and_the_last_in_full(run: Runtime) -> None:
    ctx, sink = _context(run)
    server = run.resource(StubServers).get("api")
    server.add_rule(StubRule.parse("GET", "/orders/1", _json(200, '{"status": "pending"}')))
    confirm = threading.Timer(
        0.3, server.add_rule, [StubRule.parse("GET", "/orders/1", _json(200, '{"status": "confirmed"}'))]
    )
    confirm.start()
    polling.send_until(ctx, "GET", "/orders/1", lambda: field_checks.check_field(ctx, "$.status", "is", "confirmed"))
    confirm.join()

    attempts = [line for line in sink.lines if line.startswith("attempt ")]
    assert len(attempts) >= 2
    assert all("\n" not in line for line in attempts)
    assert " -> 200 OK (" in attempts[0]
    assert 'expected "confirmed", actual "pending"' in attempts[0]
    full = [line for line in sink.lines if line.startswith("GET ")]
    assert len(full) == 1 and '"status": "confirmed"' in full[0]  # only the last exchange in full
    assert len(server.received()) == len(attempts) + 1


def test_a_timeout_shows_the_last_response(run: Runtime) -> None:
    ctx, _ = _context(run)
    stub = run.resource(StubServers).get("api")
    stub.add_rule(StubRule.parse("GET", "/orders/1", _json(200, '{"status": "pending"}')))
    with pytest.raises(CheckFailed) as failure:
        polling.send_until(
            ctx, "GET", "/orders/1", lambda: field_checks.check_field(ctx, "$.status", "is", "confirmed"), timeout=0.3
        )
    assert failure.value.message.startswith("still failing after 0.3 s (")
    assert failure.value.message.endswith('response field $.status: expected "confirmed", actual "pending"')
    assert '"status": "pending"' in failure.value.details
    assert "200 OK from GET http://127.0.0.1:" in failure.value.details


def test_a_count_of_attempts_sends_each_once_and_logs_who_re_sent_what(run: Runtime) -> None:
    ctx, sink = _context(run)
    server = run.resource(StubServers).get("api")
    server.add_rule(StubRule.parse("GET", "/busy", _json(503, '{"status": "down"}')))
    check = lambda: field_checks.check_status(ctx, "200")  # noqa: E731
    with pytest.raises(CheckFailed) as failure:
        polling.send_until(ctx, "GET", "/busy", check, attempts=3, interval=0.01)
    url = f"{server.url}/busy"
    assert failure.value.message == (
        f"still failing after 3 attempts, 0.01 s apart: expected status 200, got 503 SERVICE UNAVAILABLE from GET {url}"
    )
    assert len(server.received()) == 3  # the policy (503, 3 attempts) left to the polling: not 9
    assert (
        f"polling GET {url}: each attempt is sent once; the polling re-sends it, also after what the "
        "service's retry policy would re-send (503)" in sink.lines
    )
    assert [line.split(":", 1)[0] for line in sink.lines if line.startswith("attempt ")] == [
        "attempt 1 of 3",
        "attempt 2 of 3",
    ]
    assert not any("re-sending" in line for line in sink.lines)

    server.reset()
    server.add_rule(StubRule.parse("GET", "/busy", _json(200, '{"status": "up"}')))
    polling.send_until(ctx, "GET", "/busy", check, attempts=2, interval=0.01)
    assert sink.lines[-2] == f"polling GET {url}: the check held at attempt 1 of 2"


def test_connection_errors_are_waited_out_only_when_the_service_allows_it(run: Runtime) -> None:
    ctx = Context(run)
    use_service(ctx, "down")
    with pytest.raises(CheckFailed, match=r"^still failing after 0.5 s .*cannot reach service 'down'"):
        polling.send_until(ctx, "GET", "/x", lambda: None)
    use_service(ctx, "plain")
    run.resource(StubServers).stop_all()  # nothing listens on the stub's port any more
    with pytest.raises(ServiceUnreachable, match="cannot reach service 'plain'"):
        polling.send_until(ctx, "GET", "/x", lambda: None, timeout=5)


def test_statuses_of_the_retry_policy_are_resent(run: Runtime) -> None:
    ctx, sink = _context(run)
    server = run.resource(StubServers).get("api")
    server.add_rule(StubRule.parse("GET", "/busy", StubAnswer(503)))
    send_request(ctx, build_request(ctx, "GET", "/busy"))
    assert ctx.http.response().status == 503  # the last attempt's answer stands
    assert len(server.received()) == 3
    assert sum("re-sending" in line for line in sink.lines) == 2
    server.reset()
    use_service(ctx, "plain")  # no retry policy: sent once
    server.add_rule(StubRule.parse("GET", "/busy", StubAnswer(503)))
    send_request(ctx, build_request(ctx, "GET", "/busy"))
    assert len(server.received()) == 1


def test_requests_afterwards_run_last_in_first_out_and_report_failures(run: Runtime) -> None:
    ctx = Context(run)  # the stub is not taken over by the test, so finishing it leaves its record
    server = run.resource(StubServers).get("api")
    server.add_rule(StubRule.parse("DELETE", "/orders/1", StubAnswer(204)))
    server.add_rule(StubRule.parse("DELETE", "/orders/2", StubAnswer(404)))  # already gone: fine
    server.add_rule(StubRule.parse("DELETE", "/orders/3", StubAnswer(500)))
    ctx.store("id", 1)
    send_afterwards(ctx, "DELETE", "/orders/${id}")
    ctx.store("id", 2)  # the value at the time of the step counts
    send_afterwards(ctx, "DELETE", "/orders/${id}")
    ctx.store("id", 3)
    send_afterwards(ctx, "DELETE", "/orders/${id}")
    assert server.received() == []  # nothing before the test ends

    failures = ctx.finish()
    assert [r.path for r in server.received()] == ["/orders/3", "/orders/2", "/orders/1"]
    assert len(failures) == 1
    assert failures[0].startswith("cleanup 'DELETE http://127.0.0.1:")
    assert failures[0].endswith("/orders/3 answered 500 INTERNAL SERVER ERROR")
