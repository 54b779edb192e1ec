"""``seamline load PATHS... [options] -- [Locust's options]``: checks the scenarios, the
configuration and the master, each mistake in one line, then hands over to Locust itself,
so that every Locust option and mode (--headless, --processes, --master, --worker) works as
in any Locust run."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import sys
import time

from ..core.errors import SeamlineError, UsageError

__all__ = ["run_load"]

DEFAULT_MASTER_PORT = 5557


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seamline load",
        description="Run .feature scenarios as a Locust load test: one task a scenario, weighted by @weight:N.",
        epilog="Locust's own options go after --, e.g. seamline load features/ -- --headless -u 10 -r 2 -t 1m "
        "--host http://127.0.0.1:8000",
    )
    parser.add_argument("paths", nargs="*", default=["features"], help=".feature files or folders (default: features)")
    parser.add_argument("--scenario", action="append", default=[], metavar="NAME", help="run only this scenario")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG", help="run only scenarios with this tag")
    parser.add_argument("--wait", metavar="MIN[-MAX]", help="seconds a virtual user waits between scenarios")
    parser.add_argument(
        "--tokens", choices=("user", "run"), default="user",
        help="obtain auth-profile tokens once per virtual user (default) or once per run (per process)",
    )
    parser.add_argument("--config", metavar="PATH", help="seamline.yaml (default: the nearest)")
    parser.add_argument("--env", metavar="NAME", help="an environment of seamline.yaml (default: SEAMLINE_ENV)")
    parser.add_argument(
        "--master-wait", type=float, default=30.0, metavar="SECONDS",
        help="with --worker: how long to wait for the master to answer (default: 30)",
    )
    return parser


def run_load(argv: list[str]) -> int:
    ours, locust_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args, unknown = _parser().parse_known_args(ours)
    if unknown:
        print(f"seamline load: {' '.join(unknown)} is not an option of seamline load; Locust's options go after --, "
              f"as in: seamline load {' '.join(args.paths)} -- {' '.join(unknown)}", file=sys.stderr)
        return 2
    try:
        options = _checked(args, _option(locust_args, "-H", "--host"))
        if "--worker" in locust_args:
            _wait_for_master(locust_args, args.master_wait)
    except SeamlineError as error:
        print(f"seamline load: {error.message}", file=sys.stderr)
        return 2
    spec = importlib.util.find_spec("seamline.load.locustfile")
    assert spec is not None and spec.origin is not None
    environment = {**os.environ, "SEAMLINE_LOAD": json.dumps(options)}
    command = [sys.executable, "-m", "locust", "-f", spec.origin, *locust_args]
    os.execve(sys.executable, command, environment)  # Locust's own exit code and signals


def _checked(args: argparse.Namespace, host: str | None) -> dict[str, object]:
    """The options for the locustfile, after the checks it would make, made here in one line each."""
    if importlib.util.find_spec("locust") is None:
        raise UsageError("load mode runs on Locust, which is not installed: pip install 'seamline[load]'")
    from ..core.config import load_config
    from ..steps._user import load_user_phrases
    from ._plan import Plan
    from ._scenarios import read_scenarios, select

    wait = _wait(args.wait) if args.wait is not None else None
    chosen = select(read_scenarios(args.paths, load_user_phrases(args.config)), args.scenario, args.tag)
    Plan(load_config(args.config, args.env), chosen, args.tokens).config_for(host)
    return {
        "paths": args.paths, "scenarios": args.scenario, "tags": args.tag, "wait": wait,
        "tokens": args.tokens, "config": args.config, "environment": args.env,
    }


def _wait(text: str) -> list[float]:
    low, _, high = text.partition("-")
    try:
        bounds = [float(low), float(high or low)]
    except ValueError:
        raise UsageError(f"--wait {text}: give seconds, one number (2) or a range (0.5-2)") from None
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise UsageError(f"--wait {text}: give seconds from low to high, none negative")
    return bounds


def _option(argv: list[str], short: str, long: str) -> str | None:
    """The value of one of Locust's options as given (``-H x``, ``--host x``, ``--host=x``)."""
    for index, word in enumerate(argv):
        if word in (short, long) and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(long + "="):
            return word.split("=", 1)[1]
    return None


def _wait_for_master(argv: list[str], patience: float) -> None:
    """A worker whose master does not answer says so in one line, instead of Locust's
    "failed to connect" after a minute of silence."""
    host = _option(argv, "--master-host", "--master-host") or "127.0.0.1"
    port_text = _option(argv, "--master-port", "--master-port") or str(DEFAULT_MASTER_PORT)
    if not port_text.isdigit():
        raise UsageError(f"--master-port {port_text}: give a port number")
    deadline = time.monotonic() + patience
    while True:
        try:
            with socket.create_connection((host, int(port_text)), timeout=2):
                return
        except OSError as error:
            if time.monotonic() >= deadline:
                reason = error.strerror or type(error).__name__
                raise UsageError(
                    f"no Locust master answers at {host}:{port_text} ({reason}) after {patience:g} s: start it first "
                    "(seamline load ... -- --master) or give --master-host and --master-port"
                ) from None
            time.sleep(0.5)
