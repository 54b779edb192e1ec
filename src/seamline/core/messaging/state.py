"""What one test remembers of its queues: messages taken off and not yet matched, and the
last one a check matched."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..values.text import excerpt

__all__ = ["NOT_JSON", "Message", "MessagingState"]

_MESSAGE_LINE_LIMIT = 300
NOT_JSON = object()  # what Message.json() gives for a body that is not JSON


@dataclass(frozen=True)
class Message:
    queue: str
    body: str
    content_type: str | None

    def json(self) -> object:
        try:
            return json.loads(self.body)
        except ValueError:
            return NOT_JSON

    def describe(self) -> str:
        document = self.json()
        if document is NOT_JSON:
            return f"{excerpt(self.body, _MESSAGE_LINE_LIMIT)!r} (not JSON)"
        return excerpt(json.dumps(document, ensure_ascii=False), _MESSAGE_LINE_LIMIT)


@dataclass
class MessagingState:
    # Messages taken off each queue (by the name the test uses) and not yet matched by a check.
    received: dict[str, list[Message]] = field(default_factory=dict)
    last_message: Message | None = None
