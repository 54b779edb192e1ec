from __future__ import annotations

import time

import pytest

from seamline.core.errors import CheckFailed, StepArgumentError, UsageError
from seamline.core.waiting.retry import Patience, parse_duration, parse_timeout, retry_until


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10 seconds", 10.0), ("1 second", 1.0), ("500 ms", 0.5), ("1.5 s", 1.5), ("2 minutes", 120.0), ("3min", 180.0)],
)
def test_durations_in_plain_words(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "10", "ten seconds", "5 fortnights", ""])
def test_unreadable_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(StepArgumentError, match="such as 10 seconds"):
        parse_duration(text)


def test_retries_a_failing_check_until_it_holds() -> None:
    calls = []

    def attempt() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise CheckFailed("not yet")
        return "done"

    seen: list[int] = []
    assert retry_until(attempt, timeout=5, interval=0.01, on_retry=lambda n, _: seen.append(n)) == "done"
    assert len(calls) == 3
    assert seen == [1, 2]


def test_gives_up_with_the_last_failure_when_time_is_up() -> None:
    started = time.monotonic()
    counter = iter(range(1000))

    def attempt() -> None:
        raise CheckFailed(f"attempt {next(counter)} failed", details="the body")

    with pytest.raises(CheckFailed) as caught:
        retry_until(attempt, timeout=0.2, interval=0.05)
    assert time.monotonic() - started < 1.0
    assert caught.value.message.startswith("still failing after 0.2 s (")
    assert "attempts): attempt " in caught.value.message
    assert caught.value.details == "the body"


def test_a_broken_test_is_not_retried() -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        raise UsageError("bad JSONPath")

    with pytest.raises(UsageError):
        retry_until(attempt, timeout=5, interval=0.01)
    assert calls == [1]


# -- keep_trying: the one waiting loop ---------------------------------------------------


def test_keep_trying_stops_after_the_attempts_it_was_given_and_hands_back_the_last() -> None:
    from seamline.core.waiting.retry import GaveUp, NotYet, Patience, keep_trying

    calls: list[int] = []
    retried: list[int] = []

    def attempt() -> str:
        calls.append(1)
        raise NotYet("503 Service Unavailable", f"answer {len(calls)}")

    with pytest.raises(GaveUp) as gave_up:
        keep_trying(attempt, Patience(attempts=3, interval=0), on_retry=lambda n, _: retried.append(n))
    assert len(calls) == 3
    assert retried == [1, 2]  # told before each new attempt, not after the last
    assert gave_up.value.tries == 3
    assert gave_up.value.last.value == "answer 3"


def test_keep_trying_stops_at_its_deadline() -> None:
    from seamline.core.waiting.retry import GaveUp, NotYet, Patience, keep_trying

    def attempt() -> None:
        raise NotYet("not yet")

    started = time.monotonic()
    with pytest.raises(GaveUp) as gave_up:
        keep_trying(attempt, Patience(timeout=0.2, interval=0.05))
    assert 0.15 <= time.monotonic() - started < 2
    assert gave_up.value.tries >= 2


def test_keep_trying_ends_at_once_on_anything_but_not_yet() -> None:
    from seamline.core.waiting.retry import Patience, keep_trying

    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise UsageError("broken step")

    with pytest.raises(UsageError):
        keep_trying(attempt, Patience(attempts=5, interval=0))
    assert calls == [1]


def test_keep_trying_returns_the_first_success() -> None:
    from seamline.core.waiting.retry import NotYet, Patience, keep_trying

    answers = iter([NotYet("no"), NotYet("no"), "yes"])

    def attempt() -> str:
        answer = next(answers)
        if isinstance(answer, NotYet):
            raise answer
        return answer

    assert keep_trying(attempt, Patience(attempts=5, interval=0)) == "yes"


def test_patience_without_a_limit_is_refused() -> None:
    from seamline.core.waiting.retry import Patience

    with pytest.raises(ValueError, match="wait forever"):
        Patience(interval=0.1)


def test_a_count_of_attempts_is_tried_exactly_and_said_so() -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        raise CheckFailed(f"attempt {len(calls)} failed")

    with pytest.raises(CheckFailed) as caught:
        retry_until(attempt, Patience(attempts=3, interval=0.01))
    assert len(calls) == 3
    assert caught.value.message == "still failing after 3 attempts, 0.01 s apart: attempt 3 failed"


def test_a_count_and_a_deadline_say_which_came_first() -> None:
    def attempt() -> None:
        raise CheckFailed("no")

    with pytest.raises(CheckFailed) as caught:
        retry_until(attempt, Patience(timeout=0.1, attempts=1000, interval=0.04))
    assert caught.value.message.startswith("still failing after 0.1 s (")
    assert " of 1000 attempts, 0.04 s apart): no" in caught.value.message


def test_a_negative_duration_is_refused_in_words() -> None:
    with pytest.raises(StepArgumentError, match=r"^'-2 s' is a negative duration: give 0 or more"):
        parse_duration("-2 s")


@pytest.mark.parametrize("text", ["0 seconds", "-1 second", "-500 ms"])
def test_a_timeout_of_no_time_is_refused_as_one_that_cannot_be_met(text: str) -> None:
    with pytest.raises(StepArgumentError, match=rf"^a timeout of '{text}' cannot be met: give a positive duration"):
        parse_timeout(text)
    assert parse_timeout("1.5 s") == 1.5
