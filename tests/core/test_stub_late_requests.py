"""Which test a stub's request belongs to: the holding test's own, or a late one of a test
that has ended (its answer unused while it ran, owed for one request), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from seamline.core.context import Context, MemorySink, Runtime
from seamline.core.errors import CheckFailed
from seamline.core.stubs import servers
from seamline.core.stubs.servers import StubServer

TIMEOUT = 5


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Runtime]:
    config = tmp_path / "seamline.yaml"
    config.write_text("stubs:\n  payments: {}\n", encoding="utf-8")
    runtime = Runtime(config)
    yield runtime
    runtime.close()


def _test(run: Runtime, name: str) -> tuple[Context, MemorySink, StubServer]:
    sink = MemorySink()
    ctx = Context(run, sink=sink, name=name)
    return ctx, sink, servers.stub_service(ctx, "payments")


def _charge(server: StubServer, order: str) -> int:
    return requests.post(f"{server.url}/charges", json={"order_id": order}, timeout=TIMEOUT).status_code


def _answer_charges(ctx: Context, status: str = "201") -> None:
    servers.add_answer(ctx, "payments", "POST", "/charges", status, '{"id": "ch_1"}')


def test_an_unused_answer_is_owed_one_late_request_and_the_next_is_the_current_tests(run: Runtime) -> None:
    a, _, server = _test(run, "A")
    _answer_charges(a)
    assert a.finish() == []  # A ends before its charge arrives

    b, b_log, _ = _test(run, "B")
    assert _charge(server, "from-A") == 201  # A's answer, for A's request
    assert server.received() == []  # not B's: not counted
    servers.check_received_count(b, "payments", 0, "POST", "/charges")
    with pytest.raises(CheckFailed) as failed:
        servers.check_received_count(b, "payments", 1, "POST", "/charges")
    assert failed.value.message.endswith(
        'requests it received: none (not counted, late from earlier tests: 1. POST /charges {"order_id": "from-A"})'
    )
    assert _charge(server, "from-B") == 404  # A was owed one request: this one is B's own
    assert b.finish() == [
        "cleanup 'stub 'payments'' failed: stub 'payments' received 1 request(s) it had no answer for: "
        '1. POST /charges {"order_id": "from-B"}'
    ]
    late = [line for line in b_log.lines if line.startswith("late request")]
    assert late == [
        "late request to stub 'payments' from test 'A', which had ended; it arrived during this test, was given "
        'the answer that test set (201) and is not counted in this test: POST /charges {"order_id": "from-A"}'
    ]


def test_an_answer_used_while_its_test_ran_owes_nothing(run: Runtime) -> None:
    a, _, server = _test(run, "A")
    _answer_charges(a)
    assert _charge(server, "a-1") == 201
    assert a.finish() == []

    b, b_log, _ = _test(run, "B")
    assert _charge(server, "b-1") == 404  # B has no answer and A owes none: B's own, as before
    servers.check_received_count(b, "payments", 1, "POST", "/charges")  # counted as B's
    with pytest.raises(CheckFailed, match=r"received 1 POST /charges request\(s\), expected 0"):
        servers.check_received_count(b, "payments", 0, "POST", "/charges")
    assert len(b.finish()) == 1
    assert not any(line.startswith("late request") for line in b_log.lines)


def test_the_current_tests_answer_wins_over_an_owed_one(run: Runtime) -> None:
    a, _, server = _test(run, "A")
    _answer_charges(a, "201")
    assert a.finish() == []
    b, _, _ = _test(run, "B")
    _answer_charges(b, "402")
    assert _charge(server, "x") == 402
    servers.check_received_count(b, "payments", 1, "POST", "/charges")
    assert b.finish() == []


def test_a_request_between_tests_is_logged_in_the_next_test_that_stubs(run: Runtime) -> None:
    a, _, server = _test(run, "A")
    assert a.finish() == []
    assert _charge(server, "nobody-holds-it") == 404  # no test holds the stub, and A owes nothing

    c, c_log, _ = _test(run, "C")
    assert server.received() == []
    assert c.finish() == []  # nothing of C's own was left unanswered
    assert (
        "late request to stub 'payments' from test 'A', which had ended; it arrived between tests, was answered "
        '404 and is not counted in this test: POST /charges {"order_id": "nobody-holds-it"}'
    ) in c_log.lines


def test_an_owed_answer_expires_after_the_late_window(run: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(servers, "LATE_WINDOW", 0.0)
    a, _, server = _test(run, "A")
    _answer_charges(a)
    assert a.finish() == []
    b, _, _ = _test(run, "B")
    assert _charge(server, "too-late") == 404  # A's answer is no longer owed: B's own request
    assert len(b.finish()) == 1


def test_stubbing_again_in_the_same_test_starts_over_without_owing_to_itself(run: Runtime) -> None:
    a, _, server = _test(run, "A")
    _answer_charges(a)
    servers.stub_service(a, "payments")  # again: no answers, nothing received
    assert _charge(server, "own") == 404
    assert len(a.finish()) == 1
