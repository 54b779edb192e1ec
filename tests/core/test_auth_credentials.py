"""Credentials go into the token request once: a password holding "${...}" is sent as written."""

from __future__ import annotations

from seamline.core.context import Context, MemorySink, Runtime
from seamline.core.http.auth import _fill


def test_a_password_with_a_reference_in_it_is_not_expanded_again() -> None:
    run = Runtime()
    try:
        ctx = Context(run, sink=MemorySink())
        ctx.store("greeting", "expanded-twice")
        template = {"username": "${username}", "password": "${password}", "line": "${username}/${greeting}"}
        body = _fill(template, {"username": "alice", "password": "p${greeting}"}, ctx)
        assert body == {"username": "alice", "password": "p${greeting}", "line": "alice/expanded-twice"}
        assert _fill("${username}:${password}", {"username": "a${greeting}", "password": "x"}, ctx) == "a${greeting}:x"
    finally:
        run.close()
