"""What one test remembers of its queues: messages taken off and not yet matched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MessagingState"]


@dataclass
class MessagingState:
    # Messages taken off each queue (by the name the test uses) and not yet matched by a check.
    received: dict[str, list[Any]] = field(default_factory=dict)
    last_message: object | None = None
