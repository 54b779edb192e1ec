"""What one test remembers of its databases: the one in use and the last query it ran."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DbState"]


@dataclass
class DbState:
    database_name: str | None = None  # None: the config's default database
    last_query: tuple[str, str | None] | None = None  # (SQL, database) of "I run the query:"
