"""A big JSON response is checked, logged and shown in a failure without being pretty-printed
whole: the log and the failure show its beginning and how big it was, in both front ends."""

from __future__ import annotations

import html
import json
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
