"""Threads the run starts in the background (a stub's server and its request handlers).

The kernel hands a signal sent to the run (Ctrl-C, SIGTERM) to any thread that does not block
it. Python runs its handler in the main thread only, and when another thread took the signal,
CPython (before 3.12) does not wake the main thread: a run waiting on a slow answer went on
to its next steps, and a Ctrl-C was not noticed for as long as they took (cpython#85300). So
the threads Seamline starts block the stop signals, and the main thread takes every one.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["STOP_SIGNALS", "start_background_thread"]

# What stops a run: Ctrl-C, a CI job cancelled (SIGTERM), a terminal closed (SIGHUP).
STOP_SIGNALS = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def start_background_thread(
    target: Callable[..., object], name: str, kwargs: dict[str, Any] | None = None
) -> threading.Thread:
    """Start a daemon thread that never takes a stop signal; the threads it starts inherit that."""
    thread = threading.Thread(target=target, kwargs=kwargs or {}, name=name, daemon=True)
    if not hasattr(signal, "pthread_sigmask"):  # Windows: a signal never lands in another thread
        thread.start()
        return thread
    # Blocked here while the thread starts, as a new thread inherits the mask of the one that
    # starts it: no moment at which the new thread could take a signal. A signal that arrives
    # meanwhile waits and comes to this thread when the mask is restored.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return thread
