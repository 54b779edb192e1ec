"""A big JSON response is checked, logged and shown in a failure without being pretty-printed
whole: the log and the failure show its beginning and how big it was, in both front ends."""

from __future__ import annotations

import html
import json
import sys
from http.server import BaseHTTPRequestHandler

from tests.bilingual import Project, Scenario
from tests.servers import serving

ITEMS = 40_000
BODY = json.dumps({"items": [{"sku": f"S{i}", "qty": i % 7, "note": "x" * 20} for i in range(ITEMS)], "total": ITEMS})


class _Big(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        data = BODY.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_big_body_is_checked_and_shown_cut_with_its_size(project: Project, front_end: str) -> None:
    passing = Scenario.parse("one field", f'When I GET "/big"\nThen the response field "$.total" is {ITEMS}')
    failing = Scenario.parse("a wrong field", 'When I GET "/big"\nThen the response field "$.total" is 1')
    with serving(_Big) as server:
        project.write_config(f"services:\n  big:\n    base_url: http://127.0.0.1:{server.server_address[1]}\n")
        run = project.run(front_end, passing, failing)
    assert run[passing.name].passed, run.output
    assert not run[failing.name].passed
    # Robot logs each exchange (and the failure's details) in output.xml; pytest shows them with the failure.
    if front_end == "robot":
        shown = html.unescape((project.root / "robot-results" / "output.xml").read_text(encoding="utf-8"))
    else:
        shown = run.output
    assert shown.count(f"the rest of a {len(BODY)}-byte body") >= 2, shown[-3000:]
    assert '"sku": "S0"' in shown  # its beginning, pretty-printed
    assert f"S{ITEMS - 1}" not in shown
    assert len(shown) < 60_000  # the body is 2.4 MB


# Watches the responses of the run it is loaded into (a pytest plugin or a Robot listener):
# with the cyclic garbage collector off, a response is freed only when nothing refers to it.
WATCHER = '''\
import gc
import weakref
from pathlib import Path

from seamline.core.http.exchange import Response

ROBOT_LISTENER_API_VERSION = 3
_before: set[int] = set()
_seen: dict[int, weakref.ref] = {}


def _start():
    gc.collect()
    gc.disable()
    _before.update(id(obj) for obj in gc.get_objects() if type(obj) is Response)


def _note():
    for obj in gc.get_objects():
        if type(obj) is Response and id(obj) not in _before and id(obj) not in _seen:
            _seen[id(obj)] = weakref.ref(obj)


def _report():
    alive = sum(ref() is not None for ref in _seen.values())
    Path("freed.txt").write_text(f"{alive} alive of {len(_seen)}", encoding="utf-8")
    gc.enable()


def pytest_configure(config):
    _start()


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
    _note()


def pytest_sessionfinish(session):
    _report()


def start_suite(data, result):
    if not _before:
        _start()


def end_keyword(data, result):
    _note()


def close():
    _report()
'''


def test_a_finished_test_frees_its_big_body_at_once(project: Project, front_end: str) -> None:
    """A test's last response (a parsed 50 MB body) is freed when the test ends, not left
    for the garbage collector: each collection walks every object the body is made of."""
    scenario = Scenario.parse("two fields", f'When I GET "/big"\nThen the response field "$.total" is {ITEMS}')
    later = Scenario.parse("then another", 'When I GET "/big"\nThen the response status is 200')
    # pytest loads it as a conftest; Robot as a listener, a module of this process to drop after.
    watcher = project.root / ("conftest.py" if front_end == "pytest" else "freed_watcher.py")
    watcher.write_text(WATCHER, encoding="utf-8")
    with serving(_Big) as server:
        project.write_config(f"services:\n  big:\n    base_url: http://127.0.0.1:{server.server_address[1]}\n")
        if front_end == "robot":
            try:
                run = project.run_robot(scenario, later, listener=str(watcher))
            finally:
                sys.modules.pop("freed_watcher", None)
        else:
            run = project.run_pytest(scenario, later)
    assert run[scenario.name].passed and run[later.name].passed, run.output
    assert (project.root / "freed.txt").read_text(encoding="utf-8") == "0 alive of 2"
