"""A log line that costs something to make (a whole HTTP exchange) is made only when shown:
pytest keeps a scenario's lines for a failure, Robot shows every line at once."""

from __future__ import annotations

from pathlib import Path

from seamline.core.context import Context, MemorySink, Runtime


class _ShowsEverything:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def write(self, message: str, level: str) -> None:
        self.shown.append(message)


def _runtime(tmp_path: Path) -> Runtime:
    config = tmp_path / "seamline.yaml"
    config.write_text("services:\n  shop: http://127.0.0.1:1\n", encoding="utf-8")
    return Runtime(config)


def test_a_kept_line_is_made_when_read_once_and_masked_with_the_secrets_known_then(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    sink = MemorySink()
    ctx = Context(runtime, sink=sink)
    made: list[int] = []

    def make() -> str:
        made.append(1)
        return "GET /orders with key s3cret"

    ctx.log("first")
    ctx.log_later(make)
    assert len(sink) == 2 and made == []  # counted, not made
    runtime.secrets.add("s3cret")
    assert sink.lines == ["first", "GET /orders with key ***"]
    assert sink.lines[1] == "GET /orders with key ***" and made == [1]  # made once
    runtime.close()


def test_a_sink_that_shows_every_line_gets_it_at_once_masked(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    runtime.secrets.add("s3cret")
    sink = _ShowsEverything()
    Context(runtime, sink=sink).log_later(lambda: "key s3cret")
    assert sink.shown == ["key ***"]
    runtime.close()
