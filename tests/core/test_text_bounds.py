"""The one place that bounds what Seamline writes into a message (core/values/text.py), and the
exception tree that applies it to every message and its details."""

from __future__ import annotations

from seamline.core.errors import MESSAGE_LIMIT, CheckFailed, ServiceError, bounded
from seamline.core.values.text import cut_around, describe_bytes, first_difference, is_binary


def test_a_long_value_is_cut_around_where_it_differs_and_says_its_size() -> None:
    actual = "a" * 50_000 + "B" + "a" * 50_000
    shown = cut_around(actual, first_difference(actual, "a" * 100_001), 90)
    assert shown.startswith("...") and "aB" in shown
    assert shown.endswith("... (100,001 characters)")
    assert len(shown) < 130
    assert cut_around("short", 0, 90) == "short"


def test_every_message_and_its_details_are_bounded_where_they_are_raised() -> None:
    error = CheckFailed("expected 1, got " + "x" * 5_000_000 + " at the end", details="y" * 5_000_000)
    assert len(error.message) < MESSAGE_LIMIT + 100 and len(error.details) < MESSAGE_LIMIT + 100
    assert error.message.startswith("expected 1, got xxx") and error.message.endswith(" at the end")
    assert "(4,998,027 of 5,000,027 characters left out)" in error.message
    assert str(ServiceError("short")) == "short"
    assert bounded("fits") == "fits"


def test_binary_bodies_are_told_apart_from_text_and_described() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    assert is_binary(png, "image/png") and is_binary(png, "") and is_binary(b"\x00\x01", "text/plain; x") is False
    assert not is_binary('{"a": "é"}'.encode(), "application/json") and not is_binary(b"plain words", "")
    assert describe_bytes(png, "image/png") == (
        "(binary body: image/png, 264 bytes; starts with 89 50 4e 47 0d 0a 1a 0a 00 01 02 03 04 05 06 07 08 09 "
        "0a 0b 0c 0d 0e 0f ...; base64 iVBORw0KGgoAAQIDBAUGBwgJCgsMDQ4P ...)"
    )
