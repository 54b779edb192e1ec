"""Redirects followed or not, a timeout for one request, and re-sending by count: through both
front ends against the demo shop and a real loopback server that fails a given number of times."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest

from tests.bilingual import Project, Run, Scenario
from tests.servers import serving


class Flaky(BaseHTTPRequestHandler):
    """/flaky/<key>/<n>: 503 for the first n requests with that key, then 200 {"ok": true}."""

    received: ClassVar[Counter[str]] = Counter()
    lock = threading.Lock()

    def do_GET(self) -> None:
        _, _, key, failures = self.path.split("/")
        with self.lock:
            self.received[key] += 1
            number = self.received[key]
        status = 503 if number <= int(failures) else 200
        body = json.dumps({"ok": status == 200, "request": number}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def flaky(project: Project) -> Iterator[str]:
    """Service "flaky" (a retry policy of 4 attempts for 503) beside the demo shop "shop"."""
    with serving(Flaky) as server:
        url = f"http://127.0.0.1:{server.server_port}"
        project.write_config(
            f"""\
            services:
              shop: {project.demo_url}
              flaky:
                base_url: {url}
                retry: {{statuses: [503], attempts: 4, interval: 0.01}}
                until: {{timeout: 5, interval: 0.02}}
              slow_poll:
                base_url: {url}
                until: {{timeout: 5, interval: 2}}
              no_redirects:
                base_url: {project.demo_url}
                follow_redirects: false
            """
        )
        yield url


def _log(project: Project, front_end: str, run: Run) -> str:
    """What Seamline logged: Robot's output.xml, or pytest's console (the log of failed scenarios)."""
    if front_end == "robot":
        return (project.root / "robot-results" / "output.xml").read_text(encoding="utf-8")
    return run.output


def _passed(run: Run, *scenarios: Scenario) -> None:
    for scenario in scenarios:
        assert run[scenario.name].passed, f"{scenario.name}: {run[scenario.name].message}\n{run.output[-3000:]}"


def _one_line(run: Run, name: str) -> str:
    outcome = run[name]
    assert not outcome.passed, run.output[-3000:]
    return outcome.message.splitlines()[0]


# -- redirects ---------------------------------------------------------------------------

FOLLOWED = Scenario.parse(
    "a redirect is followed by default",
    """
    When I GET "/redirect/2"
    Then the response status is 200
    And the response field "$[0].sku" is "A1"
    """,
)
NOT_FOLLOWED = Scenario.parse(
    "a redirect not followed is the answer",
    """
    Given I do not follow redirects
    When I GET "/redirect/1"
    Then the response status is 302
    And the response header "Location" is "/products"
    When I GET "/redirect/2"
    Then the response status is 3xx
    And the response header "Location" is "/redirect/1"
    Given I follow redirects
    When I GET "/redirect/1"
    Then the response status is 200
    """,
)
SERVICE_SETTING = Scenario.parse(
    "a service that does not follow redirects",
    """
    Given I use the service "no_redirects"
    When I GET "/redirect/1"
    Then the response status is 302
    And the response header "Location" is "/products"
    """,
)
NEXT_TEST_FOLLOWS = Scenario.parse(
    "the next test follows redirects again",
    """
    When I GET "/redirect/1"
    Then the response status is 200
    """,
)
HOPS_LOGGED = Scenario.parse(
    "each hop is in the log",
    """
    When I GET "/redirect/2"
    Then the response status is 404
    """,
)
LOOP = Scenario.parse(
    "a redirect loop",
    """
    When I GET "/redirect-loop"
    """,
)


def test_redirects_are_followed_or_not_each_hop_logged(project: Project, flaky: str, front_end: str) -> None:
    scenarios = (FOLLOWED, NOT_FOLLOWED, SERVICE_SETTING, NEXT_TEST_FOLLOWS, HOPS_LOGGED, LOOP)
    run = project.run(front_end, *scenarios, warns=True)
    _passed(run, FOLLOWED, NOT_FOLLOWED, SERVICE_SETTING, NEXT_TEST_FOLLOWS)
    log = _log(project, front_end, run)
    shop = project.demo_url
    assert f"redirected: GET {shop}/redirect/2 -&gt; 302 Found" in log.replace("->", "-&gt;")
    assert f"redirected: GET {shop}/redirect/1 -&gt; 302 Found" in log.replace("->", "-&gt;")
    assert "Location: /products" in log
    # The command sent again by hand follows the redirects as the step did; one not followed does not.
    assert f"curl -L {shop}/redirect/2" in log
    line = _one_line(run, LOOP.name)
    assert f"GET {shop}/redirect-loop: more than 30 redirects, a loop?" in line
    assert "I do not follow redirects" in line
    assert "Traceback" not in run[LOOP.name].message


# -- a timeout for one request ------------------------------------------------------------

TIMED_OUT = Scenario.parse(
    "one request with a short timeout",
    """
    When I GET "/delay/2" with a timeout of 300 ms
    """,
)
IN_TIME = Scenario.parse(
    "one request with a timeout it meets",
    """
    When I GET "/delay/0.1" with a timeout of 5 seconds
    Then the response field "$.delay" is 0.1
    """,
)
ZERO = Scenario.parse("a timeout of zero", 'When I GET "/products" with a timeout of 0 seconds')
NEGATIVE = Scenario.parse("a negative timeout", 'When I GET "/products" with a timeout of -1 second')


def test_one_request_has_its_own_timeout(project: Project, flaky: str, front_end: str) -> None:
    run = project.run(front_end, TIMED_OUT, IN_TIME, ZERO, NEGATIVE, warns=True)
    _passed(run, IN_TIME)
    line = _one_line(run, TIMED_OUT.name)
    assert f"GET {project.demo_url}/delay/2: no answer within 0.3 s (the timeout this step gave the request)" in line
    assert "seamline.yaml" not in line  # the step set it, not the service
    assert "a timeout of '0 seconds' cannot be met: give a positive duration" in _one_line(run, ZERO.name)
    # Not "give 0 or more", as a wait would say: a timeout of 0 is refused too.
    assert _one_line(run, NEGATIVE.name).endswith(
        "a timeout of '-1 second' cannot be met: give a positive duration, such as 1 second"
    )


def test_a_request_with_a_body_has_its_own_timeout(project: Project, front_end: str) -> None:
    project.write_config("stubs:\n  slow: {}\n")
    late = Scenario.parse(
        "a body sent to a slow service",
        """
        Given the "slow" service is stubbed
        And the stub "slow" answers POST "/orders" with 201 after 2 seconds
        When I POST "${slow_url}/orders" with a timeout of 300 ms and:
          \"\"\"
          {"items": []}
          \"\"\"
        """,
    )
    in_time = Scenario.parse(
        "a body sent in time",
        """
        Given the "slow" service is stubbed
        And the stub "slow" answers POST "/orders" with 201 after 100 ms
        When I POST "${slow_url}/orders" with a timeout of 5 seconds and:
          \"\"\"
          {"items": []}
          \"\"\"
        Then the response status is 201
        And the stub "slow" received 1 POST "/orders" request with a body matching:
          \"\"\"
          {"items": []}
          \"\"\"
        """,
    )
    run = project.run(front_end, late, in_time, warns=True)
    _passed(run, in_time)
    line = _one_line(run, late.name)
    assert line.endswith("/orders: no answer within 0.3 s (the timeout this step gave the request)"), line
    assert line.startswith("Step 'When I POST \"${slow_url}/orders\" with a timeout of 300 ms and:' ("), line


# -- re-sending by count -----------------------------------------------------------------


def test_resending_by_count_sends_each_attempt_once(project: Project, flaky: str, front_end: str) -> None:
    key, never = f"count-{front_end}", f"never-{front_end}"
    recovers = Scenario.parse(
        "recovers on the third attempt",
        f"""
        Given I use the service "flaky"
        When I GET "/flaky/{key}/2" up to 3 times, 50 ms apart, until the response status is 200
        Then the response field "$.request" is 3
        """,
    )
    gives_up = Scenario.parse(
        "never recovers",
        f"""
        Given I use the service "flaky"
        When I GET "/flaky/{never}/99" up to 3 times, 10 ms apart, until the response status is 200
        """,
    )
    run = project.run(front_end, recovers, gives_up)
    _passed(run, recovers)
    # The service's policy (4 attempts for 503) would have made each of them 4 requests.
    assert Flaky.received[key] == 3
    assert Flaky.received[never] == 3
    line = _one_line(run, gives_up.name)
    assert line.startswith(f'Step \'When I GET "/flaky/{never}/99" up to 3 times, 10 ms apart')
    assert "still failing after 3 attempts, 0.01 s apart: expected status 200, got 503" in line
    log = _log(project, front_end, run).replace("->", "-&gt;")
    assert f"attempt 1 of 3: GET {flaky}/flaky/{never}/99 -&gt; 503" in log
    assert f"attempt 2 of 3: GET {flaky}/flaky/{never}/99 -&gt; 503" in log
    assert f"polling GET {flaky}/flaky/{never}/99: each attempt is sent once; the polling re-sends it" in log


def test_polling_for_a_time_counts_the_requests_it_really_sent(project: Project, flaky: str, front_end: str) -> None:
    key = f"timed-{front_end}"
    scenario = Scenario.parse(
        "polls for a time",
        f"""
        Given I use the service "flaky"
        When I GET "/flaky/{key}/99" for up to 300 ms until the response status is 200
        """,
    )
    run = project.run(front_end, scenario)
    line = _one_line(run, scenario.name)
    reported = int(line.split("still failing after 0.3 s (", 1)[1].split(" attempts")[0])
    assert reported == Flaky.received[key]  # not multiplied by the service's policy


def test_within_re_sends_the_last_request_once_per_attempt(project: Project, flaky: str, front_end: str) -> None:
    key = f"within-{front_end}"
    scenario = Scenario.parse(
        "checks again within a time",
        f"""
        Given I use the service "flaky"
        When I GET "/flaky/{key}/99"
        Then within 300 ms the response status is 200
        """,
    )
    run = project.run(front_end, scenario)
    line = _one_line(run, scenario.name)
    reported = int(line.split("still failing after 0.3 s (", 1)[1].split(" attempts")[0])
    # The first request went through the service's policy (4 sends); each new look sends once.
    assert Flaky.received[key] == 4 + reported - 1


BAD_COUNTS = [
    (
        'I GET "/posts" up to 0 times, 1 second apart, until the response status is 200',
        "0 attempts cannot succeed: give 1 or more",
    ),
    ('I GET "/posts" up to -2 times, 1 second apart, until the response status is 200', "-2 attempts cannot succeed"),
    (
        'I GET "/posts" up to 2 times, -1 second apart, until the response status is 200',
        "'-1 second' is a negative duration",
    ),
    (
        'I GET "/posts" for up to 1 second until the response status is 200',
        "attempts 2 s apart within 1 s make one attempt: give a shorter interval or a longer time",
    ),
]


def test_bad_counts_and_intervals_fail_in_one_line(project: Project, flaky: str, front_end: str) -> None:
    scenarios = [
        Scenario.parse(f"bad {number}", f'Given I use the service "slow_poll"\nWhen {step}')
        for number, (step, _) in enumerate(BAD_COUNTS)
    ]
    run = project.run(front_end, *scenarios)
    for scenario, (step, cause) in zip(scenarios, BAD_COUNTS, strict=True):
        line = _one_line(run, scenario.name)
        assert cause in line, line
        assert line.startswith(f"Step 'When {step}' ("), line
