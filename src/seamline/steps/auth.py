"""Phrases that authenticate later requests."""

from __future__ import annotations

from ..core.context import Context
from ._catalog import phrase


@phrase("I obtain a token", example="I obtain a token")
def obtain_token(ctx: Context) -> None:
    """Ask the default auth profile for a token as its default user; later requests carry it."""
    from ..core.http import auth

    auth.obtain_token(ctx)


@phrase('I obtain a token as "{user}"', example='I obtain a token as "bob"')
def obtain_token_as(ctx: Context, user: str) -> None:
    """Ask the default auth profile for a token as the named user of its users."""
    from ..core.http import auth

    auth.obtain_token(ctx, user)


@phrase('I obtain a "{profile}" token as "{user}"', example='I obtain a "partner" token as "acme"')
def obtain_profile_token_as(ctx: Context, profile: str, user: str) -> None:
    """Ask the named auth profile for a token as one of its users."""
    from ..core.http import auth

    auth.obtain_token(ctx, user, profile)


@phrase('I store the token as "{name}"', example='I store the token as "t"')
def store_token(ctx: Context, name: str) -> None:
    """Store the token this test obtained last (without its prefix) as a variable, masked as a secret."""
    from ..core.http import auth

    auth.store_token(ctx, name)


@phrase('I use the bearer token "{token}"', example='I use the bearer token "${token}"')
def use_bearer_token(ctx: Context, token: str) -> None:
    """Send Authorization: Bearer with later requests; the token is masked in every log."""
    from ..core.http import sending

    sending.use_bearer_token(ctx, token)


@phrase(
    'I use basic auth as "{user}" with password "{password}"',
    example='I use basic auth as "alice" with password "${password}"',
)
def use_basic_auth(ctx: Context, user: str, password: str) -> None:
    """Send Authorization: Basic with later requests; the password is masked in every log."""
    from ..core.http import sending

    sending.use_basic_auth(ctx, user, password)


@phrase(
    'I use the API key "{key}" in the header "{header}"',
    example='I use the API key "${api_key}" in the header "X-Api-Key"',
)
def use_api_key(ctx: Context, key: str, header: str) -> None:
    """Send an API key in the named header with later requests; the key is masked in every log."""
    from ..core.http import sending

    sending.use_api_key(ctx, key, header)


@phrase(
    'the credentials may also go to "{url}"',
    example='the credentials may also go to "https://files.example.com"',
)
def allow_credentials_to(ctx: Context, url: str) -> None:
    """Let this test's tokens, keys and auth headers also go to another origin (scheme, host, port)."""
    from ..core.http import sending

    sending.allow_credentials_to(ctx, url)
