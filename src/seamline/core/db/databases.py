"""Databases: named SQLAlchemy engines, SQL with bound parameters, row checks and seeding.

Every step that writes runs in a transaction of its own that commits, or rolls back when
a statement fails, before the connection goes back to the pool: a failed statement never
leaves the next step a connection in an aborted transaction. A check that only reads runs
on a server's autocommit connection (:meth:`Database.read`). Values from steps and
variables are always bound parameters.

How a table cell compares with a database value: ``null`` is NULL; numbers compare as
exact decimals (``2`` equals 2 and 2.0, ``59.98`` equals DECIMAL 59.98); dates and times
compare in ISO form; a cell in double quotes is that text (``"null"``); everything goes
through :func:`seamline.core.match.equals`, so the matcher's markers work in cells.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from ..config import DatabaseConfig
from ..context import Context, Runtime
from ..errors import CheckFailed, ServiceError, SqlError, StepArgumentError, UsageError
from ..matching.matcher import equals
from ..services.managed import ServiceManager
from ..values.literals import parse_literal
from .sql import BoundStatement, bind_statements, one_line

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Table, TextClause
    from sqlalchemy.engine import Connection, Engine

__all__ = [
    "Database",
    "Databases",
    "QueryResult",
    "check_query",
    "check_query_count",
    "check_rows",
    "check_table_count",
    "query",
    "query_value",
    "row_value",
    "run_sql",
    "run_sql_file",
    "seed",
]

LOGGED_ROWS = 20
CLOSEST_SCAN = 1000
CLOSEST_SHOWN = 3

T = TypeVar("T")


# -- engines ------------------------------------------------------------------------------


class Database:
    """One configured database: its engine (pooled) and the tables already reflected."""

    def __init__(self, config: DatabaseConfig, engine: Engine, reader: Engine | None = None) -> None:
        self.config = config
        self.engine = engine
        # A server's reads: autocommit, no pre-ping (see read). None: reads go through engine.
        self.reader = reader
        self.dialect = engine.dialect.name
        self._tables: dict[str, Table] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.config.name

    def shown_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed at the end, rolled back on any error."""
        with self._connect(self.engine) as connection, connection.begin():
            yield connection

    def read(self, action: Callable[[Connection], T]) -> T:
        """``action`` run on a connection that only reads, and what it returns.

        On a server the connection is in autocommit mode: each SELECT sees the rows committed
        when it runs (also on MariaDB, whose REPEATABLE READ transactions would keep showing
        one snapshot) and costs no BEGIN and COMMIT. It is taken without the pool's pre-ping:
        where the server dropped it (a restart), the read fails on it, SQLAlchemy discards the
        pool's older connections, and the read runs once more on a new one; a read can be
        repeated, a write cannot, so writes keep the pre-ping. SQLite reads in a transaction
        of the engine, whose pool keeps a ``:memory:`` database's one connection."""
        from sqlalchemy import exc

        if self.reader is None:
            with self.transaction() as connection:
                return action(connection)
        try:
            with self._connect(self.reader) as connection:
                return action(connection)
        except exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self._connect(self.reader) as connection:
            return action(connection)

    def _connect(self, engine: Engine) -> Connection:
        from sqlalchemy import exc

        try:
            return engine.connect()
        except exc.DBAPIError as error:
            raise ServiceError(
                f"cannot connect to database {self.name!r} at {self.shown_url()}: {_database_message(error)}"
            ) from None

    def table(self, connection: Connection, name: str) -> Table:
        """The table's columns and key, read from the database once and then kept."""
        with self._lock:
            if name in self._tables:
                return self._tables[name]
        from sqlalchemy import MetaData, Table, exc, inspect

        schema, _, bare = name.rpartition(".")
        try:
            table = Table(bare, MetaData(), schema=schema or None, autoload_with=connection)
        except exc.NoSuchTableError:
            known = ", ".join(sorted(inspect(connection).get_table_names(schema=schema or None))) or "none"
            raise SqlError(f"database {self.name!r} has no table {name!r}; its tables: {known}") from None
        with self._lock:
            self._tables[name] = table
        return table

    def forget_tables(self) -> None:
        """After SQL that may have changed a table's shape, read it again next time."""
        with self._lock:
            self._tables.clear()


class Databases:
    """The databases of a run: an engine for each, created on first use, disposed at the end."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._open: dict[str, Database] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, runtime: Runtime) -> Databases:
        return cls(runtime)

    def get(self, name: str | None) -> Database:
        config = self.runtime.config.database(name)
        with self._lock:
            if config.name not in self._open:
                self._open[config.name] = self._create(config)
            return self._open[config.name]

    def _create(self, config: DatabaseConfig) -> Database:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        if config.service:
            # A managed service creates its database; start it before the first connection.
            self.runtime.resource(ServiceManager).base_url(self.runtime.config.service(config.service))
        try:
            url = make_url(self.runtime.with_worker(config.url))  # a file per worker: sqlite:///shop-${worker}.db
        except ArgumentError:
            raise UsageError(f"database {config.name!r}: {config.url!r} is not a SQLAlchemy URL") from None
        options: dict[str, Any] = {}
        sqlite = url.get_backend_name() == "sqlite"
        if sqlite:
            database = url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                path = Path(database).expanduser()
                base = self.runtime.config.path.parent if self.runtime.config.path else Path.cwd()
                # A relative SQLite path is read from the config file's folder, wherever the run starts.
                url = url.set(database=str(path if path.is_absolute() else base / path))
        else:
            options["connect_args"] = {"connect_timeout": int(config.connect_timeout)}
        try:
            # A server restarted during the run costs a write one retry (the pre-ping), not a failure.
            engine = create_engine(url, **options, **({} if sqlite else {"pool_pre_ping": True}))
            # Reads: autocommit, a dropped connection found by the read itself (Database.read).
            reader = None if sqlite else create_engine(url, **options, isolation_level="AUTOCOMMIT")
        except (NoSuchModuleError, ImportError) as error:
            extra = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}.get(url.get_backend_name())
            hint = f" (pip install 'seamline[{extra}]')" if extra else ""
            raise UsageError(f"database {config.name!r}: no driver for {url.drivername}{hint}: {error}") from None
        if url.password:
            self.runtime.secrets.add(url.password)
        return Database(config, engine, reader)

    def close(self) -> None:
        with self._lock:
            for database in self._open.values():
                database.engine.dispose()
                if database.reader is not None:
                    database.reader.dispose()
            self._open.clear()


def _database(ctx: Context, name: str | None = None) -> Database:
    return ctx.runtime.resource(Databases).get(name or ctx.db.database_name)


def use_database(ctx: Context, name: str) -> None:
    ctx.runtime.config.database(name)  # fails now, with the known names, if it does not exist
    ctx.db.database_name = name


def _database_message(error: Exception) -> str:
    """The database's own words, on one line, without SQLAlchemy's wrapping."""
    original = getattr(error, "orig", None) or error
    args: tuple[Any, ...] = tuple(getattr(original, "args", ()))
    # PyMySQL's errors are (code, message).
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return one_line(args[1], 300)
    lines = [line for line in str(original).splitlines() if line.strip()]
    return one_line(lines[0] if lines else type(original).__name__, 300)


# -- running SQL ----------------------------------------------------------------------------


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    rowcount: int = -1

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=False)) for row in self.rows]


def _execute(
    ctx: Context, db: Database, statements: Sequence[BoundStatement]
) -> list[QueryResult]:
    from sqlalchemy import exc, text

    results: list[QueryResult] = []
    current: BoundStatement | None = None
    try:
        with db.transaction() as connection:
            for current in statements:
                outcome = connection.execute(text(current.sql), current.params)
                if outcome.returns_rows:
                    results.append(QueryResult(list(outcome.keys()), [tuple(r) for r in outcome.fetchall()]))
                else:
                    results.append(QueryResult([], [], outcome.rowcount))
                _log(ctx, db, current, results[-1])
    except exc.StatementError as error:
        assert current is not None
        _log(ctx, db, current, None, "WARN")
        raise _refused(db, error, current) from None
    return results


def _refused(db: Database, error: Exception, statement: BoundStatement | None = None) -> UsageError:
    """The database's own message and the SQL it refused, as one line."""
    from sqlalchemy import exc

    original = getattr(error, "orig", None)
    if not isinstance(error, exc.DBAPIError) or original is None:
        return StepArgumentError(f"cannot send a value to database {db.name!r}: {one_line(str(original or error))}")
    sql = statement.sql if statement else str(getattr(error, "statement", "") or "")
    return SqlError(
        f"database {db.name!r} refused the SQL: {_database_message(error)}; SQL: {one_line(_shown_sql(sql))}",
        details=_describe_statement(statement) if statement else "",
    )


def _statements(
    ctx: Context, db: Database, sql: str, params: Mapping[str, object] | None = None
) -> list[BoundStatement]:
    statements = bind_statements(sql, ctx.variables.get, db.dialect, params)
    if not statements:
        raise StepArgumentError("there is no SQL statement to run (only blanks or comments)")
    return statements


def run_sql(
    ctx: Context, sql: str, database: str | None = None, params: Mapping[str, object] | None = None
) -> list[QueryResult]:
    """Run one or more statements in one transaction; the results of each, in order."""
    db = _database(ctx, database)
    try:
        return _execute(ctx, db, _statements(ctx, db, sql, params))
    finally:
        db.forget_tables()  # the SQL may have created, dropped or altered a table


def run_sql_file(ctx: Context, path: str, database: str | None = None) -> list[QueryResult]:
    file = _find_file(ctx, ctx.variables.expand(path))
    try:
        sql = file.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise StepArgumentError(f"cannot read the SQL file {str(file)!r}: {error}") from None
    return run_sql(ctx, sql, database)


def _find_file(ctx: Context, path: str) -> Path:
    """Beside the test file, else beside seamline.yaml (``Context.locate_file``)."""
    file = ctx.locate_file(path)
    if file is None:
        raise StepArgumentError(ctx.file_not_found("SQL file", path))
    return file


def query(
    ctx: Context, sql: str, database: str | None = None, params: Mapping[str, object] | None = None
) -> QueryResult:
    """Run a query (or several statements) and return the rows of the last statement."""
    results = run_sql(ctx, sql, database, params)
    return results[-1]


def remember_query(ctx: Context, sql: str) -> QueryResult:
    """Run a query now and keep it, so that the checks that follow run it again."""
    result = query(ctx, sql)
    ctx.db.last_query = (sql, ctx.db.database_name)
    return result


def _last_query(ctx: Context) -> QueryResult:
    if ctx.db.last_query is None:
        raise UsageError('no query yet: write the SQL in a "I run the query:" step before checking what it returns')
    sql, database = ctx.db.last_query
    return query(ctx, sql, database)


def query_value(ctx: Context, sql: str) -> object:
    """The first column of the first row a query returns."""
    result = query(ctx, sql)
    if not result.columns:
        raise StepArgumentError(f"the SQL returns no rows to take a value from: {one_line(sql)}")
    if not result.rows:
        raise CheckFailed(f"the query returned no row: {one_line(sql)}")
    return storable(result.rows[0][0])


# -- values ------------------------------------------------------------------------------------


def storable(value: object) -> object:
    """A database value as a variable keeps it: JSON types, so that it reads back into text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_text(bytes(value))
    return value


def _bytes_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.hex()


def _number(value: object) -> int | Decimal | None:
    """Numbers of every kind as int or exact Decimal, so that 2, 2.0 and DECIMAL 2.00 are equal."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest decimal that reads back as this float
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else value
    if isinstance(value, str):
        try:
            return _number(Decimal(value.strip()))
        except InvalidOperation:
            return None
    return None


def actual_value(value: object) -> object:
    """A value read from the database, as the matcher sees it."""
    if value is None or isinstance(value, (bool, str, dict, list)):
        return value
    number = _number(value)
    if number is not None:
        return number
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_text(bytes(value))
    return str(value)


_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def expected_value(cell: object, actual: object) -> object:
    """A cell (text, or a typed variable's value) read as the kind of value it is compared with."""
    if not isinstance(cell, str):
        return actual_value(cell)
    text = cell.strip()
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text.startswith("#"):
        return text  # a marker for the matcher
    if isinstance(actual, bool):
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if isinstance(actual, (int, float, Decimal)):
        lowered = text.lower()
        if isinstance(actual, int) and lowered in ("true", "false"):
            return int(lowered == "true")  # MySQL and SQLite keep booleans as 0 and 1
        number = _number(text)
        return text if number is None else number
    if isinstance(actual, dt.datetime):
        return _iso(text, dt.datetime.fromisoformat)
    if isinstance(actual, dt.date):
        return _iso(text, dt.date.fromisoformat)
    if isinstance(actual, dt.time):
        return _iso(text, dt.time.fromisoformat)
    if isinstance(actual, (dict, list)):
        return parse_literal(text)
    return text


def _iso(text: str, parse: Callable[[str], dt.date | dt.time]) -> str:
    try:
        return parse(text).isoformat()
    except ValueError:
        return text


def cell_matches(cell: object, actual: object) -> bool:
    expected = expected_value(cell, actual)
    if isinstance(expected, str) and expected.startswith("#"):
        # A marker tests a JSON type or pattern: give it the JSON value (a DECIMAL as a number).
        return equals(expected, storable(actual_value(actual)))
    return equals(expected, actual_value(actual))


def _show(value: object) -> str:
    if value is None:
        return "null"
    shown = actual_value(value)
    text = shown if isinstance(shown, str) else str(shown)
    return one_line(text, 60)


# -- data tables ----------------------------------------------------------------------------------


@dataclass
class Conditions:
    """A data table of a step: a header of column names, then rows of cells."""

    header: list[str]
    rows: list[list[object]]

    def pairs(self, row: Sequence[object]) -> list[tuple[str, object]]:
        return list(zip(self.header, row, strict=True))

    def describe(self, row: Sequence[object]) -> str:
        return ", ".join(f"{column} = {_show_cell(cell)}" for column, cell in self.pairs(row))


def _show_cell(cell: object) -> str:
    return cell if isinstance(cell, str) else _show(cell)


def read_table(ctx: Context, table: Sequence[Sequence[object]], single_row: bool = False) -> Conditions:
    """Check the table's shape and expand the variables in its cells (a cell that is one
    ``${name}`` takes the variable's value as it is)."""
    if len(table) < 2:
        raise StepArgumentError("the data table needs a header row of column names and at least one row below it")
    header = [str(name).strip() for name in table[0]]
    if any(not name for name in header):
        raise StepArgumentError(f"the header row has an empty column name: | {' | '.join(header)} |")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise StepArgumentError(f"the header row names {', '.join(duplicates)} more than once")
    rows: list[list[object]] = []
    for number, row in enumerate(table[1:], start=2):
        if len(row) != len(header):
            raise StepArgumentError(
                f"row {number} of the data table has {len(row)} cells, its header has {len(header)} "
                f"(| {' | '.join(header)} |)"
            )
        rows.append([ctx.variables.resolve(cell) if isinstance(cell, str) else cell for cell in row])
    if single_row and len(rows) != 1:
        raise StepArgumentError(f"this step takes one row of conditions below the header, not {len(rows)}")
    return Conditions(header, rows)


# -- row checks --------------------------------------------------------------------------------------

_SKIP = object()


def _column(db: Database, table: Table, name: str) -> Any:
    if name in table.c:
        return table.c[name]
    # MySQL and SQLite column names ignore case, PostgreSQL folds unquoted ones.
    found = [column for column in table.c if column.name.lower() == name.lower()]
    if len(found) == 1:
        return found[0]
    known = ", ".join(column.name for column in table.c)
    raise SqlError(f"table {table.fullname!r} of database {db.name!r} has no column {name!r}; its columns: {known}")


class _ColumnName:
    """``column 'x' (INTEGER)`` for a message: the type is compiled only when a message says it."""

    def __init__(self, column: Any) -> None:
        self.column = column

    def __str__(self) -> str:
        return f"column {self.column.name!r} ({self.column.type})"


def _column_value(cell: object, column: Any, for_insert: bool = False) -> object:
    """A cell as the column's Python type, for a bound parameter; ``_SKIP`` when only the
    matcher can tell (a marker, a type SQLAlchemy does not know)."""
    if isinstance(cell, str):
        text = cell.strip()
        if text == "null":
            return None
        if len(text) >= 2 and text[0] == text[-1] == '"':
            return text[1:-1]
        if text.startswith("#") and not for_insert:
            return _SKIP
    elif cell is None:
        return None
    else:
        text = str(storable(cell))
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return text if for_insert else _SKIP
    where = _ColumnName(column)
    if kind is bool:
        lowered = text.lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise StepArgumentError(f"{where} holds true or false, not {text!r}")
    if kind in (int, float, Decimal):
        if kind is int and text.lower() in ("true", "false"):
            return int(text.lower() == "true")  # MySQL's BOOLEAN is TINYINT
        number = _number(text)
        if kind is int and not isinstance(number, int):
            raise StepArgumentError(f"{where} holds whole numbers; {text!r} is not one")
        if number is None:
            raise StepArgumentError(f"{where} holds numbers; {text!r} is not a number")
        return number if kind is not float else float(number)
    if kind in (dt.datetime, dt.date, dt.time):
        try:
            return kind.fromisoformat(text)
        except ValueError:
            raise StepArgumentError(f"{where} holds {kind.__name__} values; {text!r} is not one in ISO form") from None
    if kind is str:
        return text
    return text if for_insert else _SKIP


def _matching_rows(
    ctx: Context,
    db: Database,
    connection: Connection,
    table_name: str,
    conditions: Conditions,
    row: Sequence[object],
    also: str | None = None,
) -> tuple[list[tuple[Any, ...]], BoundStatement]:
    """The rows that satisfy one row of conditions: the database narrows, the matcher decides.
    ``also`` names a column read after the checked ones, without a condition."""
    table = db.table(connection, table_name)
    columns = [_column(db, table, name) for name in conditions.header]
    values = [_column_value(cell, column) for column, cell in zip(columns, row, strict=True)]
    shape = tuple("skip" if value is _SKIP else "null" if value is None else "value" for value in values)
    selected = (*columns, _column(db, table, also)) if also else tuple(columns)
    statement = _row_statement(table, tuple(column.name for column in selected), shape)
    parameters = {f"cell_{i}": value for i, value in enumerate(values) if shape[i] == "value"}
    outcome = connection.execute(statement, parameters)
    rows = [tuple(r) for r in outcome.fetchall()]
    bound = _sent(outcome)
    matching = [r for r in rows if all(cell_matches(cell, value) for cell, value in zip(row, r, strict=False))]
    return matching, bound


@functools.lru_cache(maxsize=256)
def _row_statement(table: Table, selected: tuple[str, ...], shape: tuple[str, ...]) -> Any:
    """The SELECT of a row check, made once per table, columns and kind of each condition
    (a value, null, or none: a marker only the matcher tells), its values bound at each run:
    building a statement and its cache key cost more than a small query itself."""
    from sqlalchemy import and_, bindparam, select, true, type_coerce
    from sqlalchemy.types import NullType

    clauses: list[Any] = []
    for i, (name, kind) in enumerate(zip(selected, shape, strict=False)):
        column = table.c[name]
        if kind == "null":
            clauses.append(column.is_(None))
        elif kind == "value":
            clauses.append(column == bindparam(f"cell_{i}", type_=column.type))
    # Selected untyped: the raw values, whatever a column's declared type would make of them.
    return select(*[type_coerce(table.c[name], NullType()).label(name) for name in selected]).where(
        and_(true(), *clauses)
    )


def _sent(outcome: Any) -> BoundStatement:
    """The SQL and parameters a statement was executed with, for the log: taken from the
    execution rather than compiled again, which would cost more than the query."""
    context = outcome.context
    parameters = context.compiled_parameters[0] if context.compiled_parameters else {}
    return BoundStatement(str(context.statement), dict(parameters))


def _closest(
    db: Database, connection: Connection, table_name: str, conditions: Conditions, row: Sequence[object]
) -> str:
    """The rows that come nearest to the wanted one, with the cells that differ marked."""
    from sqlalchemy import select, type_coerce
    from sqlalchemy.types import NullType

    table = db.table(connection, table_name)
    columns = [_column(db, table, name) for name in conditions.header]
    statement = select(*[type_coerce(c, NullType()).label(c.name) for c in columns]).limit(CLOSEST_SCAN)
    rows = [tuple(r) for r in connection.execute(statement).fetchall()]
    if not rows:
        return f"the table {table_name!r} is empty"
    scored = sorted(
        rows, key=lambda r: -sum(cell_matches(cell, value) for cell, value in zip(row, r, strict=True))
    )[:CLOSEST_SHOWN]
    shown = [
        [_show(value) if cell_matches(cell, value) else f"*{_show(value)}*" for cell, value in zip(row, r, strict=True)]
        for r in scored
    ]
    scanned = f" (of the first {CLOSEST_SCAN})" if len(rows) == CLOSEST_SCAN else ""
    return f"closest rows{scanned}, differing cells marked *:\n" + _text_table(conditions.header, shown)


def check_rows(
    ctx: Context,
    table_name: str,
    table: Sequence[Sequence[object]],
    present: bool = True,
    database: str | None = None,
) -> None:
    """Each row of the table is (``present``) or is not in the database table."""
    conditions = read_table(ctx, table)
    db = _database(ctx, database)
    name = ctx.variables.expand(table_name)
    passed: list[tuple[BoundStatement, QueryResult]] = []

    def check(connection: Connection) -> None:
        passed.clear()  # a read run again logs its rows once
        for row in conditions.rows:
            matching, bound = _matching_rows(ctx, db, connection, name, conditions, row)
            result = QueryResult(conditions.header, matching)
            if present and not matching:
                raise CheckFailed(
                    f"table {name!r} has no row where {conditions.describe(row)}",
                    details=_describe_statement(bound) + "\n" + _closest(db, connection, name, conditions, row),
                )
            if not present and matching:
                raise CheckFailed(
                    f"table {name!r} has {_rows(len(matching))} where {conditions.describe(row)}, expected none",
                    details=_describe_statement(bound, result),
                )
            passed.append((bound, result))

    try:
        _read(db, check)
    finally:
        for bound, result in passed:
            _log(ctx, db, bound, result)


def check_rows_count(
    ctx: Context, table_name: str, count: int, table: Sequence[Sequence[object]], database: str | None = None
) -> None:
    conditions = read_table(ctx, table, single_row=True)
    db = _database(ctx, database)
    name = ctx.variables.expand(table_name)
    matching, bound = _read(
        db, lambda connection: _matching_rows(ctx, db, connection, name, conditions, conditions.rows[0])
    )
    result = QueryResult(conditions.header, matching)
    if len(matching) != count:
        raise CheckFailed(
            f"table {name!r} has {_rows(len(matching))} where {conditions.describe(conditions.rows[0])}, "
            f"expected {count}",
            details=_describe_statement(bound, result),
        )
    _log(ctx, db, bound, result)


def check_table_count(ctx: Context, table_name: str, count: int, database: str | None = None) -> None:
    from sqlalchemy import func, select

    db = _database(ctx, database)
    name = ctx.variables.expand(table_name)

    def count_rows(connection: Connection) -> tuple[BoundStatement, int]:
        outcome = connection.execute(select(func.count()).select_from(db.table(connection, name)))
        return _sent(outcome), int(outcome.scalar_one())

    bound, actual = _read(db, count_rows)
    if actual != count:
        raise CheckFailed(f"table {name!r} has {_rows(actual)}, expected {count}", details=_describe_statement(bound))
    _log(ctx, db, bound, QueryResult(["count"], [(actual,)]))


def row_value(ctx: Context, column: str, table_name: str, table: Sequence[Sequence[object]]) -> object:
    """The value of a column in the one row that satisfies the conditions."""
    conditions = read_table(ctx, table, single_row=True)
    db = _database(ctx)
    name = ctx.variables.expand(table_name)
    wanted = ctx.variables.expand(column)
    row = conditions.rows[0]

    def find(connection: Connection) -> tuple[list[tuple[Any, ...]], BoundStatement]:
        matching, bound = _matching_rows(ctx, db, connection, name, conditions, row, also=wanted)
        if not matching:
            raise CheckFailed(
                f"table {name!r} has no row where {conditions.describe(row)}",
                details=_describe_statement(bound) + "\n" + _closest(db, connection, name, conditions, row),
            )
        return matching, bound

    matching, bound = _read(db, find)
    result = QueryResult([*conditions.header, wanted], matching)
    if len(matching) > 1:
        raise CheckFailed(
            f"table {name!r} has {len(matching)} rows where {conditions.describe(row)}: add a column to pick one",
            details=_describe_statement(bound, result),
        )
    _log(ctx, db, bound, result)
    return storable(matching[0][-1])


def _read(db: Database, action: Callable[[Connection], T]) -> T:
    """``action`` on a reading connection (:meth:`Database.read`), the SQL it was refused as one line."""
    with _refusals(db):
        return db.read(action)


@contextmanager
def _writing(db: Database) -> Iterator[Connection]:
    with _refusals(db), db.transaction() as connection:
        yield connection


@contextmanager
def _refusals(db: Database) -> Iterator[None]:
    from sqlalchemy import exc

    try:
        yield
    except exc.StatementError as error:
        raise _refused(db, error) from None


# -- the query checks --------------------------------------------------------------------------


def check_query(ctx: Context, table: Sequence[Sequence[object]], ordered: bool = False) -> None:
    """The last query returns exactly these rows (in this order when ``ordered``)."""
    conditions = read_table(ctx, table)
    result = _last_query(ctx)
    positions = []
    for name in conditions.header:
        found = [i for i, column in enumerate(result.columns) if column == name] or [
            i for i, column in enumerate(result.columns) if column.lower() == name.lower()
        ]
        if not found:
            raise SqlError(f"the query returns no column {name!r}; its columns: {', '.join(result.columns)}")
        positions.append(found[0])
    actual = [tuple(row[i] for i in positions) for row in result.rows]
    shown = _text_table(result.columns, [[_show(v) for v in row] for row in result.rows[:LOGGED_ROWS]])
    if len(actual) != len(conditions.rows):
        raise CheckFailed(
            f"the query returned {_rows(len(actual))}, expected {len(conditions.rows)}",
            details=f"returned:\n{shown}",
        )
    unused = list(range(len(actual)))
    for number, row in enumerate(conditions.rows, start=1):
        def holds(index: int, row: Sequence[object] = row) -> bool:
            return all(cell_matches(cell, value) for cell, value in zip(row, actual[index], strict=True))

        candidates = [unused[0]] if ordered else unused
        found_at = next((i for i in candidates if holds(i)), None)
        if found_at is None:
            where = f"row {number}" if ordered else "no returned row has"
            raise CheckFailed(
                f"the query's {where} differs: expected {conditions.describe(row)}"
                if ordered
                else f"the query returned no row where {conditions.describe(row)}",
                details=f"returned:\n{shown}",
            )
        unused.remove(found_at)


def check_query_count(ctx: Context, count: int) -> None:
    result = _last_query(ctx)
    if len(result.rows) != count:
        shown = _text_table(result.columns, [[_show(v) for v in row] for row in result.rows[:LOGGED_ROWS]])
        raise CheckFailed(
            f"the query returned {_rows(len(result.rows))}, expected {count}", details=f"returned:\n{shown}"
        )


# -- seeding -------------------------------------------------------------------------------------------


def seed(ctx: Context, table_name: str, table: Sequence[Sequence[object]], database: str | None = None) -> None:
    """Insert the rows, and delete them again when the test ends (also when it failed).

    Each row is deleted by what identifies that one row: its primary key; else the
    database's own row identity (SQLite's rowid, PostgreSQL's ctid with the inserting
    transaction's xmin, read back with RETURNING; a row the test updated since is followed
    to its newest version, see :class:`_RowVersion`). Never by its values, which rows the
    test did not insert may share. Where there is neither (MariaDB/MySQL without a
    primary key) the seed is refused before anything is inserted."""
    from sqlalchemy import delete, insert, literal_column

    conditions = read_table(ctx, table)
    db = _database(ctx, database)
    name = ctx.variables.expand(table_name)
    identities: list[ColumnElement[bool] | TextClause | _RowVersion] = []
    statements: list[BoundStatement] = []
    with _writing(db) as connection:
        target = db.table(connection, name)
        columns = [_column(db, target, column) for column in conditions.header]
        primary = list(target.primary_key.columns)
        if not primary and db.dialect not in _ROW_IDENTITY:
            raise SqlError(_no_identity(db, name, "it has no primary key", "give the table a primary key"))
        for row in conditions.rows:
            values = {c.name: _column_value(cell, c, for_insert=True) for c, cell in zip(columns, row, strict=True)}
            statement = insert(target).values(**values)
            if db.dialect == "postgresql":
                # The key as the database made it (defaults included), and the row's own identity.
                statement = statement.returning(*primary, *(literal_column(c) for c in _PG_IDENTITY))
            outcome = connection.execute(statement)
            statements.append(_sent(outcome))
            identities.append(_identity(db, name, target, outcome))
        versions = [identity for identity in identities if isinstance(identity, _RowVersion)]
        storage = {oid: _storage(connection, oid) for oid in {version.tableoid for version in versions}}
    _log(ctx, db, statements[0], QueryResult([], [], len(statements)))

    def remove() -> None:
        deleted = 0
        with _writing(db) as connection:
            for identity in reversed(identities):
                if isinstance(identity, _RowVersion):
                    deleted += identity.delete(connection, target, storage[identity.tableoid])
                else:
                    deleted += max(connection.execute(delete(target).where(identity)).rowcount, 0)
        gone = "" if deleted == len(identities) else f" ({len(identities) - deleted} no longer there as seeded)"
        ctx.log(f"deleted {deleted} of the {_rows(len(identities))} seeded into {name!r} (database {db.name!r}){gone}")

    ctx.add_cleanup(f"delete the rows seeded into {name!r}", remove)


# The dialects whose rows have an identity of their own, for tables without a primary key.
_ROW_IDENTITY = ("sqlite", "postgresql")
# PostgreSQL: the row version's place (ctid, unique per table, tableoid for partitions)
# and the transaction that wrote it (xmin), so a place reused after VACUUM is not taken
# for the seeded row.
_PG_IDENTITY = ("tableoid", "ctid", "xmin")  # as _RowVersion holds them


@dataclass(frozen=True)
class _RowVersion:
    """A PostgreSQL row without a primary key as a seed wrote it: where that version of it
    lies (tableoid, ctid) and the transaction that wrote it (xmin).

    An UPDATE writes a new version elsewhere, with a new xmin; the old one keeps a link to
    it until VACUUM removes it. So a version no longer there is followed along those links
    to the row's newest version (``currtid2``, which checks each link's transaction). That
    is done only while the old versions are known to be intact: no VACUUM, VACUUM FULL or
    rewrite of the table since the seed (its storage the same), and no other row now in
    the seeded version's place. Otherwise the row is left, never another deleted."""

    tableoid: str
    ctid: str
    xmin: str

    def delete(self, connection: Connection, target: Table, storage: tuple[object, ...]) -> int:
        """Delete this row, also when updated since; how many rows were deleted (0 or 1)."""
        from sqlalchemy import delete, exc, literal, select, text

        deleted = connection.execute(delete(target).where(self._at(self.ctid, self.xmin))).rowcount
        if deleted or _storage(connection, self.tableoid) != storage:
            return max(deleted, 0)
        if connection.execute(select(literal(1)).select_from(target).where(self._at(self.ctid, None))).first():
            return 0  # another row is in its place: the links from there are not this row's
        try:
            with connection.begin_nested():
                newest = connection.execute(
                    text("SELECT currtid2(CAST(CAST(:oid AS oid) AS regclass)::text, CAST(:ctid AS tid))"),
                    {"oid": self.tableoid, "ctid": self.ctid},
                ).scalar()
        except exc.DBAPIError:  # the place is gone (the table was truncated): nothing to follow
            return 0
        if newest is None or str(newest) == self.ctid:
            return 0
        return max(connection.execute(delete(target).where(self._at(str(newest), None))).rowcount, 0)

    def _at(self, ctid: str, xmin: str | None) -> TextClause:
        from sqlalchemy import text

        where = _PG_PLACE + (" AND xmin = CAST(:seeded_xmin AS xid)" if xmin is not None else "")
        values = {"seeded_tableoid": self.tableoid, "seeded_ctid": ctid}
        return text(where).bindparams(**values, **({"seeded_xmin": xmin} if xmin is not None else {}))


_PG_PLACE = "tableoid = CAST(:seeded_tableoid AS oid) AND ctid = CAST(:seeded_ctid AS tid)"


def _storage(connection: Connection, tableoid: str) -> tuple[object, ...]:
    """What changes when a PostgreSQL table's old row versions may be gone: its file (VACUUM
    FULL, CLUSTER, TRUNCATE) and its count of vacuums."""
    from sqlalchemy import text

    row = connection.execute(
        text(
            "SELECT pg_relation_filenode(CAST(:oid AS oid)), "
            "(SELECT coalesce(vacuum_count, 0) + coalesce(autovacuum_count, 0) FROM pg_stat_all_tables "
            "WHERE relid = CAST(:oid AS oid))"
        ),
        {"oid": tableoid},
    ).one()
    return tuple(row)


def _identity(
    db: Database, name: str, target: Table, outcome: Any
) -> ColumnElement[bool] | TextClause | _RowVersion:
    """What finds the row an INSERT wrote, and no other."""
    from sqlalchemy import and_, bindparam, literal_column

    primary = [c.name for c in target.primary_key.columns]
    returned = outcome.one() if db.dialect == "postgresql" else None
    key = dict(zip(primary, returned or outcome.inserted_primary_key or (), strict=False))
    if primary and len(key) == len(primary) and None not in key.values():
        return and_(*(target.c[k] == v for k, v in key.items()))
    if db.dialect == "sqlite" and outcome.lastrowid is not None:
        # rowid, or one of its other names when a column is called that
        taken = {c.name.lower() for c in target.columns}
        alias = next(a for a in ("rowid", "_rowid_", "oid") if a not in taken)
        return literal_column(alias) == bindparam("seeded_rowid", outcome.lastrowid)
    if returned is not None:
        return _RowVersion(*(str(value) for value in returned[len(primary) :]))
    raise SqlError(
        _no_identity(db, name, "a seeded row's primary key is not known", "give each row's key in the table")
    )


def _no_identity(db: Database, name: str, why: str, remedy: str) -> str:
    system = "MariaDB/MySQL" if db.dialect in ("mysql", "mariadb") else db.dialect
    return (
        f"cannot seed table {name!r} of database {db.name!r}: {why}, and {system} has no row identity to "
        f"delete exactly the seeded rows afterwards; {remedy} (deleting by the values would also delete "
        "equal rows the test did not insert)"
    )


# -- logging ------------------------------------------------------------------------------------------------


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _shown_sql(sql: str) -> str:
    return sql.replace("\\:", ":")


def _describe_statement(statement: BoundStatement, result: QueryResult | None = None) -> str:
    lines = [f"SQL: {_shown_sql(statement.sql)}"]
    if statement.params:
        lines.append("parameters: " + ", ".join(f"{k} = {_show(v)}" for k, v in statement.params.items()))
    if result is not None:
        lines.append(_describe_result(result))
    return "\n".join(lines)


def _describe_result(result: QueryResult) -> str:
    if not result.columns:
        return f"{_rows(result.rowcount)} affected" if result.rowcount >= 0 else "done"
    shown = [[_show(v) for v in row] for row in result.rows[:LOGGED_ROWS]]
    more = f"\n... and {len(result.rows) - LOGGED_ROWS} more rows" if len(result.rows) > LOGGED_ROWS else ""
    return f"{_rows(len(result.rows))}:\n" + _text_table(result.columns, shown) + more


def _log(
    ctx: Context, db: Database, statement: BoundStatement, result: QueryResult | None, level: str = "INFO"
) -> None:
    ctx.log(f"database {db.name!r}\n" + _describe_statement(statement, result), level)


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows under their header, each column as wide as its widest cell."""
    if not header:
        return ""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])
