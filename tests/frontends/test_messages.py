"""Failure messages in both front ends: bounded in size whatever they quote, about what
really failed, naming the step and its line, binary bodies described and never dumped, and
the last request as curl only where that request is why the test failed."""

from __future__ import annotations

import json
import re
import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.bilingual import Project, Run, Scenario, Step
from tests.servers import serving

BIG = 5_000_000
BIG_CHECK = Scenario.parse("big", 'When I GET "/big"\nThen the response field "$.value" is "y"')
PNG_CHECK = Scenario.parse("png", 'When I GET "/png"\nThen the response body contains "hello"')
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


class _Answers(BaseHTTPRequestHandler):
    """/big: a JSON field of 5 MB; /near: a long text with one letter changed; /png: an image."""

    def do_GET(self) -> None:
        content_type = "application/json"
        if self.path == "/big":
            body = json.dumps({"value": "x" * BIG}).encode()
        elif self.path == "/near":
            body = json.dumps({"value": "a" * 10_000 + "B" + "a" * 10_000}).encode()
        elif self.path == "/png":
            body, content_type = PNG, "image/png"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _written(project: Project, front_end: str, run: Run) -> dict[str, str]:
    """Everything the runner wrote for the run: its console and its report files."""
    files = ["junit.xml"] if front_end == "pytest" else ["robot-results/output.xml", "robot-results/log.html"]
    texts = {"console": run.output}
    for name in files:
        texts[name] = (project.root / name).read_text(encoding="utf-8", errors="replace")
    return texts


def _config(project: Project, url: str, extra: str = "") -> None:
    project.write_config(f"services:\n  shop:\n    base_url: {url}\n{extra}")


# -- point 4: bounded messages ----------------------------------------------------------


def test_a_failing_check_on_a_5_mb_value_writes_kilobytes_not_megabytes(project: Project, front_end: str) -> None:
    with serving(_Answers) as server:
        _config(project, f"http://127.0.0.1:{server.server_port}")
        run = project.run(front_end, BIG_CHECK)
    message = run["big"].message
    assert not run["big"].passed
    first_line = message.splitlines()[0]
    assert first_line.startswith("Step 'Then the response field \"$.value\" is \"y\"' (")
    assert 'expected "y", actual "xxxxx' in first_line and f"({BIG + 2:,} characters)" in first_line
    assert len(first_line) < 700
    assert len(message) < 6_000
    # Old: 5.2 MB on the console and in output.xml and log.html; a few kB now (log.html is
    # Robot's own 240 kB page).
    sizes = {name: len(text) for name, text in _written(project, front_end, run).items()}
    limits = {"console": 30_000, "junit.xml": 30_000, "robot-results/output.xml": 30_000}
    assert all(size < limits.get(name, 400_000) for name, size in sizes.items()), sizes


def test_a_long_value_is_cut_around_its_first_difference(project: Project, front_end: str) -> None:
    expected = "a" * 10_000 + "C" + "a" * 10_000
    with serving(_Answers) as server:
        _config(project, f"http://127.0.0.1:{server.server_port}", f"variables:\n  expected: {expected}\n")
        run = project.run(
            front_end, Scenario.parse("near", 'When I GET "/near"\nThen the response field "$.value" is "${expected}"')
        )
    # (pytest's junit message attribute holds a shortened first line; its text the whole one)
    line = [line for line in run["near"].message.splitlines() if line.startswith("Step ")][-1]
    assert re.search(r"actual \.\.\.a+Ba+\.\.\. \(20,003 characters\)$", line), line
    assert re.search(r"expected \.\.\.a+Ca+\.\.\. \(20,003 characters\),", line), line
    assert len(line) < 1_000


def test_a_100000_character_path_gives_a_failure_of_a_few_kilobytes(project: Project, front_end: str) -> None:
    with serving(_Answers) as server:
        _config(project, f"http://127.0.0.1:{server.server_port}", f"variables:\n  long: {'a' * 100_000}\n")
        run = project.run(front_end, Scenario.parse("long", 'When I GET "/${long}"\nThen the response status is 200'))
    message = run["long"].message
    assert "expected status 200, got 414" in message
    assert "(100,023 characters)" in message  # the URL is cut and says its size
    assert len(message) < 6_000  # old: 300 kB, the URL three times
    sizes = {name: len(text) for name, text in _written(project, front_end, run).items()}
    assert sizes["console"] < 30_000, sizes
    assert sizes.get("robot-results/output.xml", 0) < 30_000, sizes


# -- point 5: the right culprit ---------------------------------------------------------


def test_a_full_url_that_cannot_be_reached_names_its_host_not_the_service(project: Project, front_end: str) -> None:
    run = project.run(front_end, Scenario.parse("gone", 'When I GET "http://127.0.0.1:9/nothing"'), warns=True)
    first_line = run["gone"].message.splitlines()[0]
    assert first_line.endswith(
        "failed: cannot reach 127.0.0.1:9 (GET http://127.0.0.1:9/nothing): connection refused"
    ), first_line
    assert "service 'shop'" not in run["gone"].message


def test_a_failed_tls_handshake_with_a_full_url_does_not_name_the_service(project: Project, front_end: str) -> None:
    # https:// to a server that speaks plain HTTP: the handshake fails; no service is involved.
    with serving(_Answers) as server:
        url = f"https://127.0.0.1:{server.server_port}/big"
        run = project.run(front_end, Scenario.parse("tls", f'When I GET "{url}"'), warns=True)
    first_line = run["tls"].message.splitlines()[0]
    assert f"failed: GET {url}: the TLS handshake failed (" in first_line, first_line
    assert first_line.endswith(
        "if it asks for a client certificate, 127.0.0.1 is no service's URL: "
        "declare a service for it with a client_cert"
    ), first_line
    assert "'shop'" not in run["tls"].message


def test_a_stub_whose_port_is_taken_says_the_os_error(project: Project, front_end: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        project.write_config(
            f"services:\n  shop:\n    base_url: {project.demo_url}\nstubs:\n  payments:\n    port: {port}\n"
        )
        run = project.run(front_end, Scenario.parse("taken", 'Given the "payments" service is stubbed'))
    first_line = run["taken"].message.splitlines()[0]
    assert f"cannot start stub 'payments' on 127.0.0.1:{port}: address already in use (" in first_line, first_line
    assert not first_line.endswith(": 1")


# -- point 9: the step and its line, binary bodies, curl where it belongs ----------------


def test_robot_variable_errors_name_the_step_and_its_line(project: Project) -> None:
    run = project.run_robot(Scenario.parse("empty", 'When I GET "/products/${}"'))
    assert run["empty"].message == (
        "Step 'When I GET \"/products/${}\"' (test.robot:6) failed: Variable '${}' not found."
    )


def test_a_stub_cleanup_failure_names_the_step_that_stubbed_it(project: Project, front_end: str) -> None:
    project.write_config(
        f"services:\n  shop:\n    base_url: {project.demo_url}\nstubs:\n  payments:\n    port: auto\n"
    )
    scenario = Scenario.parse("late", 'Given the "payments" service is stubbed\nWhen I GET "${payments_url}/nothing"')
    run = project.run(front_end, scenario, warns=True)
    where = "test.robot:6" if front_end == "robot" else "features/test.feature:4"
    assert (
        f"Step 'Given the \"payments\" service is stubbed' ({where}) failed when the test ended "
        "(cleanup: stub 'payments'): stub 'payments' received 1 request(s) it had no answer for: 1. GET /nothing"
    ) in run["late"].message, run["late"].message


def test_a_robot_table_aligned_with_extra_spaces_hints_at_the_spacing_rule(project: Project) -> None:
    scenario = Scenario("aligned", [Step('When I POST "/echo" with the form:', table=[["user    ", "alice"]])])
    run = project.run_robot(scenario)
    assert run["aligned"].message == (
        "Step 'When I POST \"/echo\" with the form:' (test.robot:6) failed: the table row '| user' is a piece "
        "of a row: Robot ends a cell at two or more spaces (or a tab), so a row aligned with extra spaces is cut "
        "apart; write each row with single spaces around the pipes (| user | alice |), or give name=value arguments"
    )


def test_a_binary_body_is_described_not_dumped(project: Project, front_end: str) -> None:
    with serving(_Answers) as server:
        _config(project, f"http://127.0.0.1:{server.server_port}")
        run = project.run(front_end, PNG_CHECK)
    assert not run["png"].passed
    description = "(binary body: image/png, 10,248 bytes; starts with 89 50 4e 47 0d 0a 1a 0a 00 01 02"
    for name, text in _written(project, front_end, run).items():
        if name != "console" or front_end == "pytest":  # Robot's console shows the one line only
            assert description in text, name  # in the failure (pytest) and the log (both)
        assert "PNG\r\n" not in text and "!\"#$%&'()*+,-./0123456789" not in text, name


def test_the_curl_command_shows_only_where_a_request_failed_the_test(
    project: Project, front_end: str, tmp_path: Path
) -> None:
    project.write_config(
        f"services:\n  shop:\n    base_url: {project.demo_url}\n"
        f"databases:\n  main:\n    url: sqlite:///{tmp_path / 'm.db'}\n"
    )
    request_first = 'When I GET "/products/A1"\nThen the response status is 200\n'
    run = project.run(
        front_end,
        Scenario.parse(
            "database",
            request_first + 'When I run the SQL:\n"""\nCREATE TABLE t (a INTEGER)\n"""\nThen the "t" table has 1 rows',
        ),
        Scenario.parse("request", request_first + "Then the response status is 404"),
    )
    assert "failed: table 't' has 0 rows, expected 1" in run["database"].message
    assert "curl" not in run["database"].message
    texts = _written(project, front_end, run)
    curl = "the last request, as a curl command:"
    if front_end == "pytest":  # the console: each failure under its test's heading
        # The short summary repeats the whole message when pytest runs on CI (the CI variable is set).
        failures = texts["console"].partition("short test summary info")[0]
        database, _, request = failures.partition(" test_request ")
        assert curl not in database and request.count(curl) == 1, texts["console"][-6000:]
    else:
        assert texts["robot-results/output.xml"].count(curl) == 1  # the request's failure only
