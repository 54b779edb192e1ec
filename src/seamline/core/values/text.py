"""Long texts cut to a size a log or a failure message can show."""

from __future__ import annotations

__all__ = ["BODY_LOG_LIMIT", "excerpt"]

BODY_LOG_LIMIT = 4000


def excerpt(text: str, limit: int = BODY_LOG_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n... ({len(text) - limit} more characters)"
