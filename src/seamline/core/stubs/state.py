"""What one test remembers of its stubs: which ones it has taken over."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["StubState"]


@dataclass
class StubState:
    stubbed: set[str] = field(default_factory=set)
