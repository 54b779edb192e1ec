"""A managed service's free port and its process (issue 11, finding 9).

The port Seamline chooses for a managed service is claimed from the choice until the service
stops, so a parallel worker choosing a free port in the meantime cannot take it; the service
starts without ``preexec_fn`` (unsafe beside the run's threads) and still stops when the run
is killed outright.
"""

from __future__ import annotations

import ast
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import seamline
from seamline.core.context import Runtime
from seamline.core.services.managed import ServiceManager
from tests.waiting import wait_while

_CONFIG = """\
services:
  shop:
    base_url: http://127.0.0.1:${{port}}
    start:
      command: ${{python}} -m seamline.demo --port ${{port}} --db {db}
      health: /health
"""


def _claimed_by_another_process(port: int) -> bool:
    """What a parallel worker finds when it tries to claim ``port``."""
    code = f"from seamline.core.services.managed import claim_port; print(claim_port({port}) is None)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return completed.stdout.strip() == "True"


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_the_chosen_port_is_claimed_from_the_choice_until_the_service_stops(tmp_path: Path) -> None:
    config = tmp_path / "seamline.yaml"
    config.write_text(_CONFIG.format(db=tmp_path / "shop.db"), encoding="utf-8")
    runtime = Runtime(config)
    try:
        url = runtime.resource(ServiceManager).base_url(runtime.config.services["shop"])
        port = int(url.rsplit(":", 1)[1])
        assert _accepts(port)
        assert _claimed_by_another_process(port)  # another worker's choice skips it
    finally:
        runtime.close()
    assert not _claimed_by_another_process(port)  # given back when the service stopped


def test_a_killed_run_still_stops_its_managed_service(tmp_path: Path) -> None:
    config = tmp_path / "seamline.yaml"
    config.write_text(_CONFIG.format(db=tmp_path / "shop.db"), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys, time
        from seamline.core.context import Runtime
        from seamline.core.services.managed import ServiceManager
        runtime = Runtime({str(config)!r})
        print(runtime.resource(ServiceManager).base_url(runtime.config.services["shop"]), flush=True)
        time.sleep(60)
        """
    )
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert run.stdout is not None
        port = int(run.stdout.readline().strip().rsplit(":", 1)[1])
        assert _accepts(port)
        run.send_signal(signal.SIGKILL)  # no time for the run to stop anything itself
        run.wait(timeout=10)
        wait_while(lambda: _accepts(port), 10)
        assert not _accepts(port), "the managed service outlived the killed run"
    finally:
        if run.poll() is None:
            run.kill()


def test_no_process_is_started_with_a_preexec_fn() -> None:
    """preexec_fn runs Python between fork and exec: unsafe while stub threads run."""
    package = Path(seamline.__file__).parent
    calls = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in package.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.keyword) and node.arg == "preexec_fn"
    ]
    assert calls == []
