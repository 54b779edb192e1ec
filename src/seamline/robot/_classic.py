"""Classic keywords with ordinary arguments, one class per area, for suites that prefer them.

They return values (the phrases store them); all share the library's context.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ..core.context import Context
from ._as_written import classic_url_as_written, sql_as_written

__all__ = ["CLASSIC_COMPONENTS"]

F = TypeVar("F", bound=Callable[..., Any])


def keyword(name: str) -> Callable[[F], F]:
    def mark(func: F) -> F:
        func.robot_name = name  # type: ignore[attr-defined]
        return func

    return mark


class RunningLibrary(Protocol):
    """What a component needs of the library (declared here so that it need not import the
    library, which imports the components)."""

    def context(self) -> Context: ...

    def running_step(self) -> Any: ...


class _Component:
    def __init__(self, library: RunningLibrary) -> None:
        self.library = library


class HttpKeywords(_Component):
    @keyword("Send Request")
    def send_request(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> int:
        """Send ``method`` to ``path`` with an optional ``body`` (a text, or a dictionary or list
        sent as JSON) and extra ``headers`` for this request only. Returns the status code."""
        from ..core.http import sending

        ctx = self.library.context()
        # Each value in the path encoded for the part of the URL it lands in, as in the phrases.
        path = classic_url_as_written(self.library.running_step(), path, "Send Request", ctx.runtime.secrets)
        saved = dict(ctx.http.headers)
        ctx.http.headers.update(headers or {})
        try:
            if body is None:
                response = sending.send(ctx, method, path)
            else:
                text = body if isinstance(body, str) else json.dumps(body)
                response = sending.send_with_body(ctx, method, path, text)
        finally:
            ctx.http.headers = saved
        return response.status

    @keyword("Set Request Header")
    def set_request_header(self, name: str, value: str) -> None:
        """Send the header with every later request of the test."""
        from ..core.http import sending

        sending.set_header(self.library.context(), name, value)


class ResponseKeywords(_Component):
    @keyword("Get Response Field")
    def get_response_field(self, path: str) -> object:
        """Return the value at a JSONPath of the last response body."""
        from ..core.http import field_checks

        return field_checks.field_value(self.library.context(), path)

    @keyword("Get Response Header")
    def get_response_header(self, name: str) -> str | None:
        """Return a header of the last response, or None."""
        from ..core.http import field_checks

        return field_checks.header_value(self.library.context(), name)

    @keyword("Get Response Status")
    def get_response_status(self) -> int:
        """Return the status code of the last response."""
        return self.library.context().http.response().status

    @keyword("Get Response Body")
    def get_response_body(self) -> object:
        """Return the last response body: parsed JSON when it is JSON, text otherwise."""
        response = self.library.context().http.response()
        return response.json() if "json" in response.content_type else response.text


def _conditions(columns: dict[str, object]) -> list[list[object]]:
    return [list(columns), list(columns.values())]


class DatabaseKeywords(_Component):
    """A ``${variable}`` written in SQL is a bound parameter, never pasted into the SQL.
    ``database`` picks a database of seamline.yaml (default: the current one)."""

    @keyword("Query")
    def query(self, sql: str, database: str | None = None) -> list[dict[str, object]]:
        """Run a query and return its rows as dictionaries (column name: value)."""
        from ..core.db import databases as db

        ctx = self.library.context()
        written = sql_as_written(self.library.running_step(), sql, "Query", ctx.runtime.secrets)
        return db.query(ctx, written, database).dicts()

    @keyword("Execute SQL")
    def execute_sql(self, sql: str, database: str | None = None) -> int:
        """Run statements in one transaction; return the number of rows the last one changed."""
        from ..core.db import databases as db

        ctx = self.library.context()
        written = sql_as_written(self.library.running_step(), sql, "Execute SQL", ctx.runtime.secrets)
        return db.run_sql(ctx, written, database)[-1].rowcount

    @keyword("Row Should Exist")
    def row_should_exist(self, table: str, database: str | None = None, **columns: object) -> None:
        """Fail unless the table has a row with these column values (``status=paid``)."""
        from ..core.db import databases as db

        db.check_rows(self.library.context(), table, _conditions(columns), True, database)

    @keyword("Row Should Not Exist")
    def row_should_not_exist(self, table: str, database: str | None = None, **columns: object) -> None:
        """Fail if the table has a row with these column values."""
        from ..core.db import databases as db

        db.check_rows(self.library.context(), table, _conditions(columns), False, database)

    @keyword("Row Count Should Be")
    def row_count_should_be(self, table: str, count: int, database: str | None = None, **columns: object) -> None:
        """Fail unless ``count`` rows of the table have these column values (all rows when none are given)."""
        from ..core.db import databases as db

        ctx = self.library.context()
        if columns:
            db.check_rows_count(ctx, table, int(count), _conditions(columns), database)
        else:
            db.check_table_count(ctx, table, int(count), database)


CLASSIC_COMPONENTS: tuple[type[_Component], ...] = (HttpKeywords, ResponseKeywords, DatabaseKeywords)
