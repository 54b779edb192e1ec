"""Asynchronous flows in both front ends: stubbed third parties, message queues, re-sending
until a check holds, and undo actions at the end of a test."""

from __future__ import annotations

import socket
import textwrap
import threading

import pytest

from seamline.core.services.managed import free_port
from tests.bilingual import DEMO_AUTH, Project, Scenario
from tests.servers import server_url, unique_name


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _delete_queue(url: str, name: str) -> None:
    from kombu import Connection, Queue

    with Connection(url, connect_timeout=5) as connection:
        Queue(name)(connection.default_channel).delete()


# -- stubs -----------------------------------------------------------------------------

STUB_ANSWERS = Scenario.parse(
    "a stub answers by path, query, header and body, and is checked",
    '''
    Given the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201 and:
      """
      {"id": "ch_1", "status": "succeeded"}
      """
    And the stub "payments" answers POST "/charges" with 402 and:
      """
      {"error": "declined"}
      """
    And the stub "payments" gives that answer only to requests with:
      | field $.amount | 0 |
      | header X-Currency | EUR |
    When I POST "${payments_url}/charges" with:
      """
      {"amount": 59.98}
      """
    Then the response status is 201
    And the response field "$.id" is "ch_1"
    Given I set the header "X-Currency" to "EUR"
    When I POST "${payments_url}/charges?mode=test" with:
      """
      {"amount": 0}
      """
    Then the response status is 402
    And the stub "payments" received 2 POST "/charges" requests
    And the stub "payments" received 1 POST "/charges?mode=test" request
    And the stub "payments" received a POST "/charges" request with a body matching:
      """
      {"amount": 59.98}
      """
    And within 1 second the stub "payments" received 0 GET "/charges" requests
    ''',
)

STUB_RESET = Scenario.parse(
    "the next test starts with an empty stub and its unexpected request is reported",
    '''
    Given the "payments" service is stubbed
    When I POST "${payments_url}/charges" with:
      """
      {"amount": 1}
      """
    Then the response status is 404
    And the stub "payments" received 1 POST "/charges" request
    ''',
)

STUB_WRONG_COUNT = Scenario.parse(
    "a verification failure lists the requests received",
    '''
    Given the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201
    When I POST "${payments_url}/charges" with:
      """
      {"amount": 59.98}
      """
    Then the stub "payments" received 1 POST "/refunds" request
    ''',
)


def test_stubs_answer_record_and_reset(project: Project, front_end: str) -> None:
    project.write_config(f"services:\n  shop: {project.demo_url}\n")
    result = project.run(front_end, STUB_ANSWERS, STUB_RESET, STUB_WRONG_COUNT)
    assert result[STUB_ANSWERS.name].passed, result[STUB_ANSWERS.name].message + result.output

    reset = result[STUB_RESET.name]
    assert not reset.passed  # every step held; the request nothing answered fails it at the end
    assert "stub 'payments' received 1 request(s) it had no answer for: 1. POST /charges {\"amount\": 1}" in (
        reset.message
    )
    assert "Traceback" not in reset.message

    wrong = result[STUB_WRONG_COUNT.name]
    first_line = wrong.message.splitlines()[0]
    assert 'the stub "payments" received 1 POST "/refunds" request' in first_line
    assert (
        "stub 'payments' received 0 POST /refunds request(s), expected 1; "
        'requests it received: 1. POST /charges {"amount": 59.98}'
    ) in first_line


# -- queues ----------------------------------------------------------------------------

QUEUE_ROUND_TRIP = Scenario.parse(
    "a message goes out and comes back",
    '''
    When I publish to the "orders" queue:
      """
      {"type": "order.created", "order_id": "o-1", "total": 59.98}
      """
    And I publish to the "orders" queue:
      """
      {"type": "left.over"}
      """
    Then the "orders" queue receives a message matching:
      """
      {"type": "order.created"}
      """
    And I store the message field "$.order_id" as "order_id"
    When I publish to the "orders" queue:
      """
      {"type": "order.confirmed", "order_id": "${order_id}"}
      """
    Then within 5 seconds the "orders" queue receives a message matching:
      """
      {"order_id": "o-1", "type": "order.confirmed"}
      """
    ''',
)

QUEUE_PURGED = Scenario.parse(
    "the queue was purged when the last test ended",
    '''
    Then within 0.5 seconds the "orders" queue receives a message matching:
      """
      {"type": "left.over"}
      """
    ''',
)


@pytest.mark.parametrize("broker", ["memory", "amqp", "redis"])
def test_queues_publish_receive_and_purge(project: Project, front_end: str, broker: str) -> None:
    url = "memory://" if broker == "memory" else server_url(broker)
    queue = unique_name("seamline_orders")
    project.write_config(
        f'services:\n  shop: {project.demo_url}\nbrokers:\n  events: "{url}"\nqueues:\n  orders: {{name: {queue}}}\n'
    )
    try:
        result = project.run(front_end, QUEUE_ROUND_TRIP, QUEUE_PURGED)
    finally:
        if broker != "memory":
            _delete_queue(url, queue)
    assert result[QUEUE_ROUND_TRIP.name].passed, result[QUEUE_ROUND_TRIP.name].message + result.output
    purged = result[QUEUE_PURGED.name]
    assert not purged.passed
    assert f"no message on queue '{queue}' matches" in purged.message
    assert "messages received in this test and not yet matched: none" in purged.message


# -- orders against the demo shop, started by Seamline with the stub's and broker's URLs ----

ORDER_CONFIRMED = Scenario.parse(
    "an order is paid, confirmed and announced",
    '''
    Given I obtain a token
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201 and:
      """
      {"id": "ch_1", "status": "succeeded"}
      """
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 2}]}
      """
    Then the response status is 201
    And the response field "$.status" is "pending"
    And I store the response field "$.id" as "order_id"
    When I GET "/orders/${order_id}" until the response field "$.status" is "confirmed"
    Then the stub "payments" received 1 POST "/charges" request
    And the stub "payments" received a POST "/charges" request with a body matching:
      """
      {"order_id": "${order_id}", "amount": 59.98}
      """
    And the "orders" queue receives a message matching:
      """
      {"type": "order.created", "order_id": "${order_id}"}
      """
    And the "orders" queue receives a message matching:
      """
      {"type": "order.confirmed", "order_id": "${order_id}"}
      """
    ''',
)

ORDER_FAILED = Scenario.parse(
    "a payment failure marks the order failed and the message still goes out",
    '''
    Given I obtain a token
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 503
    When I POST "/orders" with:
      """
      {"items": [{"sku": "B2", "qty": 1}]}
      """
    And I store the response field "$.id" as "order_id"
    Then I GET "/orders/${order_id}" for up to 10 seconds until the response field "$.status" is "failed"
    And the stub "payments" received 3 POST "/charges" requests
    And the "orders" queue receives a message matching:
      """
      {"type": "order.created", "order_id": "${order_id}"}
      """
    And the "orders" queue receives a message matching:
      """
      {"type": "order.failed", "order_id": "${order_id}"}
      """
    ''',
)


def _managed_shop_config(project: Project, broker_url: str, queue: str, shop_port: int, stub_port: int) -> None:
    project.write_config(
        textwrap.dedent(f"""\
            services:
              shop:
                base_url: http://127.0.0.1:${{port}}
                until: {{timeout: 10, interval: 0.1}}
                start:
                  command: >-
                    ${{python}} -m seamline.demo --port ${{port}} --payments-url ${{stub:payments}}
                    --broker-url ${{broker:events}} --queue {queue} --settle-delay 0.2
                  port: {shop_port}
            stubs:
              payments: {{port: {stub_port}}}
            brokers:
              events: "{broker_url}"
            queues:
              orders: {{name: {queue}}}
        """)
        + DEMO_AUTH
    )


@pytest.mark.parametrize("broker", ["filesystem", "amqp", "redis"])
def test_order_flows_against_the_managed_demo_shop(project: Project, front_end: str, broker: str) -> None:
    url = "filesystem://" if broker == "filesystem" else server_url(broker)
    queue = unique_name("seamline_orders")
    shop_port, stub_port = free_port(), free_port()
    _managed_shop_config(project, url, queue, shop_port, stub_port)
    threads_before = set(threading.enumerate())
    try:
        result = project.run(front_end, ORDER_CONFIRMED, ORDER_FAILED)
    finally:
        if broker != "filesystem":
            _delete_queue(url, queue)
    for scenario in (ORDER_CONFIRMED, ORDER_FAILED):
        assert result[scenario.name].passed, f"{scenario.name}: {result[scenario.name].message}\n{result.output}"
    # No thread, process or server outlives the run: the shop, the stub and (in this process,
    # where Robot ran) every thread Seamline started are gone.
    assert not _port_open(shop_port), "the managed demo shop still answers"
    assert not _port_open(stub_port), "the payments stub still answers"
    leftover = {t.name for t in set(threading.enumerate()) - threads_before}
    assert not leftover, f"threads left running: {leftover}"


# -- cleanup ---------------------------------------------------------------------------

CLEANS_UP_AFTER_FAILURE = Scenario.parse(
    "a failing test still deletes its order",
    '''
    Given I obtain a token
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 1}]}
      """
    And I store the response field "$.id" as "order_id"
    And I keep "order_id" for the suite
    And I DELETE "/orders/${order_id}" afterwards
    And I GET "/status/500" afterwards
    Then the response field "$.status" is "shipped"
    ''',
)

ORDER_IS_GONE = Scenario.parse(
    "the order is gone",
    """
    Given I obtain a token
    When I GET "/orders/${order_id}"
    Then the response status is 404
    """,
)


def test_undo_actions_run_after_a_failure_and_report_their_own(project: Project, front_end: str) -> None:
    project.write_config(f"services:\n  shop: {project.demo_url}\n" + DEMO_AUTH)
    result = project.run(front_end, CLEANS_UP_AFTER_FAILURE, ORDER_IS_GONE)
    failed = result[CLEANS_UP_AFTER_FAILURE.name]
    assert not failed.passed
    own = 'response field $.status: expected "shipped", actual "pending"'
    # The cleanup's failure names the step that registered it, and where it is written.
    where = "test.robot:12" if front_end == "robot" else "features/test.feature:12"
    cleanup = f"""Step 'And I GET "/status/500" afterwards' ({where}) failed when the test ended (cleanup: GET http://"""
    if front_end == "robot":
        assert failed.message.splitlines()[0].endswith(own)  # the test's own failure comes first
        assert "Also: " + cleanup in failed.message
        assert "/status/500): GET http" in failed.message
    else:
        # pytest reports the test's failure, and the cleanup's as an error at teardown.
        assert own in result.output
        assert cleanup in result.output and "answered 500 Internal Server Error" in result.output
    assert result[ORDER_IS_GONE.name].passed, result[ORDER_IS_GONE.name].message


# -- bad input -------------------------------------------------------------------------

BAD_INPUT = [
    (
        "a stub that is never called",
        'Given the "payments" service is stubbed\nThen the stub "payments" received 1 POST "/charges" request',
        "received 0 POST /charges request(s), expected 1; requests it received: none",
    ),
    (
        "a stub that was not stubbed",
        'Given the stub "paymnets" answers POST "/charges" with 201',
        "the 'paymnets' service is not stubbed in this test (stubbed: none)",
    ),
    (
        "a stub name that the config does not have",
        'Given the "paymnts" service is stubbed',
        "unknown stub 'paymnts'",
    ),
    (
        "a timeout that expires",
        'When I GET "/products/A1" for up to 0.5 seconds until the response field "$.name" is "Gizmo"',
        'still failing after 0.5 s (',
    ),
    (
        "an until without a check",
        'When I GET "/products/A1" until the moon is full',
        "after 'until' comes a check such as: the response status is 200; 'the moon is full' is none",
    ),
    (
        "an unreachable broker",
        'When I publish to the "down" queue:\n"""\n{"type": "x"}\n"""',
        "cannot reach broker 'down' at amqp://guest:**@127.0.0.1:9//: connection refused",
    ),
    (
        "a message that is not JSON",
        'When I publish to the "orders" queue:\n"""\nhello\n"""\n'
        'Then within 0.3 seconds the "orders" queue receives a message matching:\n"""\n{"type": "x"}\n"""',
        "messages received in this test and not yet matched: 1. 'hello' (not JSON)",
    ),
    (
        "an expected message that is not JSON",
        'Then the "orders" queue receives a message matching:\n"""\n{type: x}\n"""',
        "the expected message is not valid JSON",
    ),
    (
        "a duration that cannot be parsed",
        'When I GET "/products/A1" for up to 5 fortnights until the response status is 200',
        "cannot read '5 fortnights' as a duration",
    ),
]


def test_bad_input_fails_with_one_line_naming_the_step(project: Project, front_end: str) -> None:
    project.write_config(
        f"services:\n  shop: {project.demo_url}\n"
        "brokers:\n  local: memory://\n  down: {url: 'amqp://guest:guest@127.0.0.1:9//', connect_timeout: 1}\n"
        "queues:\n  orders: {broker: local}\n  down: {broker: down}\n"
        "stubs:\n  payments: {}\n"
    )
    scenarios = [Scenario.parse(name, steps) for name, steps, _ in BAD_INPUT]
    result = project.run(front_end, *scenarios)
    for (name, _steps, expected), scenario in zip(BAD_INPUT, scenarios, strict=True):
        outcome = result[name]
        assert not outcome.passed, name
        first_line = outcome.message.splitlines()[0]
        assert expected in first_line, f"{front_end}: {name}: {expected!r} not in {first_line!r}"
        assert "Traceback" not in outcome.message
        failing_step = scenario.steps[-1].text.split(" ", 1)[1]
        assert failing_step in first_line, f"{name}: the step is not named in {first_line!r}"
    timeout = result["a timeout that expires"].message
    assert 'response field $.name: expected "Gizmo", actual "Widget"' in timeout.splitlines()[0]
    if front_end == "pytest":
        assert '"name": "Widget"' in timeout  # the last response, below the one line


WITHIN_RESENDS = Scenario.parse(
    "within in front of a response check sends the request again",
    '''
    Given I obtain a token
    And the "payments" service is stubbed
    And the stub "payments" answers POST "/charges" with 201
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 1}]}
      """
    And I store the response field "$.id" as "order_id"
    When I GET "/orders/${order_id}"
    Then the response field "$.status" is "pending"
    And within 10 seconds the response field "$.status" is "confirmed"
    ''',
)

WITHIN_AFTER_POST = Scenario.parse(
    "within does not send a POST twice",
    '''
    Given I obtain a token
    When I POST "/orders" with:
      """
      {"items": [{"sku": "A1", "qty": 1}]}
      """
    Then within 2 seconds the response status is 200
    ''',
)


def test_within_in_front_of_a_response_check_sends_the_request_again(project: Project, front_end: str) -> None:
    _managed_shop_config(project, "filesystem://", unique_name("seamline_orders"), free_port(), free_port())
    result = project.run(front_end, WITHIN_RESENDS, WITHIN_AFTER_POST)
    assert result[WITHIN_RESENDS.name].passed, result[WITHIN_RESENDS.name].message
    refused = result[WITHIN_AFTER_POST.name]
    assert not refused.passed
    assert "a POST is not sent twice" in refused.message.splitlines()[0]
