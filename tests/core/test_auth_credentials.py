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


def test_a_token_expires_at_the_earliest_of_its_jwt_exp_the_answer_and_the_profile() -> None:
    import base64
    import json

    from seamline.core.config import AuthProfile
    from seamline.core.http.auth import _expiry

    def jwt(claims: object) -> str:
        return "e30." + base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=") + ".sig"

    plain = AuthProfile(name="p", service=None, path="/t")
    lasting = AuthProfile(name="p", service=None, path="/t", lifetime=60)
    assert _expiry(jwt({"exp": 1500}), {}, plain, now=1000) == 1500
    assert _expiry(jwt({"exp": 1500}), {"expires_in": 100}, plain, now=1000) == 1100
    assert _expiry(jwt({"exp": 1500}), {}, lasting, now=1000) == 1060
    assert _expiry("opaque-token", {}, plain, now=1000) is None
    # Not a JWT after all: three parts that do not decode, or claims that are not an object.
    for token in ("a.b.c", "a.!!!.c", jwt([1, 2]), jwt({"exp": "soon"}), jwt({"exp": True})):
        assert _expiry(token, {}, plain, now=1000) is None, token
