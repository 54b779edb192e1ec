"""``python -m seamline.demo``: serve the demo shop in the foreground.

``seamline demo ...`` dispatches to :func:`main` with the same arguments.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from seamline.demo._server import DB_FILE_NAME, base_url, bind_socket, build_server
from seamline.demo._users import DEFAULT_USERS, USERS_ENV_VAR, parse_users

__all__ = ["main"]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _users_argument(text: str) -> dict[str, str]:
    try:
        return parse_users(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m seamline.demo",
        description="Serve the Seamline demo shop.",
        epilog=f"Users can also be given as {USERS_ENV_VAR}=name:password,... (--users wins).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="SQLite file, created if missing (default: a temporary file removed at exit)",
    )
    parser.add_argument(
        "--users",
        type=_users_argument,
        metavar="NAME:PASSWORD,...",
        help="replace the default users "
        + ",".join(f"{name}:{pw}" for name, pw in DEFAULT_USERS.items()),
    )
    parser.add_argument(
        "--payments-url",
        metavar="URL",
        help="payment service orders are charged at (POST URL/charges); without one, orders stay pending",
    )
    parser.add_argument(
        "--broker-url",
        metavar="URL",
        help="kombu broker for order events: amqp://..., redis://..., or filesystem:///folder",
    )
    parser.add_argument("--queue", default="orders", help="queue order events go to (default: orders)")
    parser.add_argument(
        "--settle-delay",
        type=float,
        default=0.3,
        metavar="SECONDS",
        help="how long after an order is placed its payment is taken (default: 0.3)",
    )
    parser.add_argument(
        "--payment-attempts",
        type=int,
        default=3,
        metavar="N",
        help="how often a charge is tried when the payment service is down or fails (default: 3)",
    )
    parser.add_argument(
        "--payment-backoff",
        type=float,
        default=0.2,
        metavar="SECONDS",
        help="wait before the first retry of a charge, doubled before each next one (default: 0.2)",
    )
    parser.add_argument(
        "--payment-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long one charge attempt may take (default: 5)",
    )
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="warning")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    users: dict[str, str] | None = args.users
    if users is None and os.environ.get(USERS_ENV_VAR):
        try:
            users = parse_users(os.environ[USERS_ENV_VAR])
        except ValueError as exc:
            parser.error(f"{USERS_ENV_VAR}: {exc}")

    try:
        with ExitStack() as stack:
            status = _serve(args, users, stack)
    except KeyboardInterrupt:  # Ctrl-C before the server took over the signal
        return 130
    return status


def _serve(args: argparse.Namespace, users: dict[str, str] | None, stack: ExitStack) -> int:
    db_path: Path = args.db
    if db_path is None:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="seamline-demo-"))
        db_path = Path(tmp) / DB_FILE_NAME
    try:
        sock = stack.enter_context(bind_socket(args.host, args.port))
    except OSError as exc:
        print(f"demo shop: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1

    from seamline.demo._app import PaymentRetry, create_app  # slow import, after the cheap checks

    try:
        retry = PaymentRetry(args.payment_attempts, args.payment_backoff, args.payment_timeout)
    except ValueError as exc:
        print(f"demo shop: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(
            db_path,
            users,
            payments_url=args.payments_url,
            broker_url=args.broker_url,
            queue=args.queue,
            settle_delay=args.settle_delay,
            payment_retry=retry,
        )
    except sqlite3.Error as exc:
        print(f"demo shop: cannot open database {db_path}: {exc}", file=sys.stderr)
        return 1
    stack.callback(app.state.store.close)

    url = base_url(args.host, sock)
    server = build_server(
        app,
        log_level=args.log_level,
        configure_logging=True,
        on_started=lambda: print(f"Demo shop listening on {url}", flush=True),
    )

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # Covers signals that arrive before uvicorn installs its own handlers.
        # uvicorn also re-raises the signal after its graceful shutdown; with
        # the default SIGTERM action that would kill the process before the
        # temporary database is removed.
        server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.signal(signum, request_stop)
        stack.callback(signal.signal, signum, previous)

    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn's way of reporting a failed startup
        return 1
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
