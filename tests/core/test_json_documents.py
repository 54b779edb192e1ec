"""A received JSON document is parsed with the garbage collector paused when it is big, and
the collector is left as it was found, whether the body parses or not."""

from __future__ import annotations

import gc
import json

import pytest

from seamline.core.values.literals import load_json_document

BIG = json.dumps({"items": [{"sku": f"S{i}", "tags": ["a", "b"]} for i in range(60_000)], "total": 60_000})


def test_a_big_document_parses_as_json_does_and_the_collector_runs_again_after() -> None:
    assert len(BIG) > 1_000_000
    assert gc.isenabled()
    assert load_json_document(BIG.encode()) == json.loads(BIG)
    assert gc.isenabled()


def test_a_big_body_that_is_not_json_fails_and_leaves_the_collector_on() -> None:
    with pytest.raises(ValueError):
        load_json_document(BIG[:-1].encode())
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off() -> None:
    gc.disable()
    try:
        assert load_json_document(BIG)["total"] == 60_000  # type: ignore[index]
        assert not gc.isenabled()
    finally:
        gc.enable()
