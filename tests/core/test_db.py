"""The database core against real databases: a SQLite file everywhere, and the machine's
PostgreSQL and MariaDB servers where their URLs are set (tests/servers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from seamline.core.context import Context, MemorySink, Runtime
from seamline.core.db import databases as db
from seamline.core.errors import CheckFailed, ConfigError, ServiceError, SqlError, StepArgumentError
from seamline.core.values.variables import Scope
from tests.servers import server_url, unique_name
from tests.waiting import wait_while

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

EVIL = "x'); DROP TABLE users; --"


@dataclass
class Database:
    kind: str
    runtime: Runtime
    table: str  # a table of its own for this test, dropped afterwards

    def context(self) -> Context:
        return Context(self.runtime, sink=MemorySink())


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from _database(request.param, tmp_path)


@pytest.fixture(params=["postgres", "mysql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The ``database`` fixture on the servers only."""
    yield from _database(request.param, tmp_path)


def _database(kind: str, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'test.db'}" if kind == "sqlite" else server_url(kind)
    config = tmp_path / "seamline.yaml"
    config.write_text(f"databases:\n  main: {url}\n", encoding="utf-8")
    runtime = Runtime(config)
    table = unique_name("people")
    setup = Context(runtime, sink=MemorySink())
    db.run_sql(
        setup,
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name VARCHAR(100), score DECIMAL(10, 2),"
        " born DATE, active BOOLEAN)",
    )
    try:
        yield Database(kind, runtime, table)
    finally:
        db.run_sql(Context(runtime, sink=MemorySink()), f"DROP TABLE IF EXISTS {table}")
        runtime.close()


def rows(table: str, *lines: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in (table, *lines)]


def test_values_compare_by_kind_decimals_exactly_dates_in_iso_and_null(database: Database) -> None:
    ctx = database.context()
    db.run_sql(
        ctx,
        f"INSERT INTO {database.table} (id, name, score, born, active) VALUES (1, 'ada', 59.98, '1815-12-10', true);"
        f" INSERT INTO {database.table} (id, name) VALUES (2, NULL)",
    )
    db.check_rows(
        ctx, database.table, rows("id | name | score | born       | active", "1  | ada  | 59.98 | 1815-12-10 | true")
    )
    db.check_rows(ctx, database.table, rows("id | name | score", "2 | null | null"))
    db.check_rows(ctx, database.table, rows("name | score", "ada | 59.980"))  # the same decimal
    with pytest.raises(CheckFailed, match=r"no row where name = ada, score = 59\.99"):
        db.check_rows(ctx, database.table, rows("name | score", "ada | 59.99"))
    with pytest.raises(CheckFailed, match="no row where id = 1, born = 1815-12-11"):
        db.check_rows(ctx, database.table, rows("id | born", "1 | 1815-12-11"))
    db.check_rows(ctx, database.table, rows("name", '"null"'), present=False)  # the text, not NULL
    db.check_rows_count(ctx, database.table, 1, rows("name", "null"))
    db.check_table_count(ctx, database.table, 2)


def test_matching_markers_work_in_cells(database: Database) -> None:
    ctx = database.context()
    db.run_sql(ctx, f"INSERT INTO {database.table} (id, name, score, born) VALUES (1, 'Widget-7', 59.98, '2024-05-01')")
    header = "id | name                 | score   | born     | active"
    db.check_rows(ctx, database.table, rows(header, r"1  | #regex ^Widget-\d+$ | #number | #notnull | #null"))
    with pytest.raises(CheckFailed, match="no row where"):
        db.check_rows(ctx, database.table, rows("id | score", "1 | #null"))


def test_a_failed_row_check_shows_the_query_and_the_closest_rows(database: Database) -> None:
    ctx = database.context()
    db.run_sql(ctx, f"INSERT INTO {database.table} (id, name, score) VALUES (1, 'ada', 1.5), (2, 'bob', 2.5)")
    with pytest.raises(CheckFailed) as failure:
        db.check_rows(ctx, database.table, rows("name | score", "bob | 3.5"))
    details = failure.value.details
    assert "parameters:" in details and "bob" in details
    closest = details.split("closest rows", 1)[1].splitlines()
    best = [cell.strip() for cell in closest[3].split("|")[1:3]]
    assert best[0] == "bob" and best[1] in ("*2.5*", "*2.50*"), details  # best match first, the differing cell marked


def test_a_value_that_looks_like_sql_is_stored_and_matched_literally(database: Database) -> None:
    ctx = database.context()
    ctx.store("evil", EVIL)
    db.run_sql(ctx, f"INSERT INTO {database.table} (id, name) VALUES (1, ${{evil}})")
    db.seed(ctx, database.table, [["id", "name"], ["2", EVIL]])
    db.check_rows_count(ctx, database.table, 2, rows("name", "${evil}"))
    assert db.query_value(ctx, f"SELECT count(*) FROM {database.table} WHERE name = '${{evil}}'") == 2
    ctx.finish()
    db.check_table_count(database.context(), database.table, 1)


def test_a_failed_statement_rolls_back_its_step_and_leaves_the_connection_usable(database: Database) -> None:
    ctx = database.context()
    with pytest.raises(SqlError, match=r"refused the SQL: .*; SQL: INSERT INTO nowhere_at_all"):
        db.run_sql(
            ctx, f"INSERT INTO {database.table} (id, name) VALUES (1, 'kept?'); INSERT INTO nowhere_at_all VALUES (1)"
        )
    # The first statement was rolled back with the step, and the next step works at once
    # (in PostgreSQL: no "current transaction is aborted").
    db.check_table_count(ctx, database.table, 0)
    db.run_sql(ctx, f"INSERT INTO {database.table} (id, name) VALUES (1, 'ok')")
    db.check_table_count(ctx, database.table, 1)


def test_seeded_rows_are_deleted_at_the_end_of_the_test_even_after_a_failure(database: Database) -> None:
    ctx = database.context()
    db.run_sql(ctx, f"INSERT INTO {database.table} (id, name) VALUES (1, 'before')")
    db.seed(ctx, database.table, rows("id | name | score", "10 | seeded | 1.25", "11 | also | null"))
    db.check_rows(ctx, database.table, rows("name | score", "seeded | 1.25"))
    with pytest.raises(CheckFailed):
        db.check_table_count(ctx, database.table, 99)
    assert ctx.finish() == []
    db.check_table_count(database.context(), database.table, 1)


def test_queries_checks_and_captured_values(database: Database) -> None:
    ctx = database.context()
    db.seed(ctx, database.table, rows("id | name | score", "1 | ada | 2", "2 | bob | 3"))
    db.remember_query(ctx, f"SELECT name, score FROM {database.table} ORDER BY id DESC")
    db.check_query(ctx, rows("name | score", "ada | 2", "bob | 3"))  # any order
    with pytest.raises(CheckFailed, match="row 1 differs"):
        db.check_query(ctx, rows("name", "ada", "bob"), ordered=True)
    db.check_query(ctx, rows("name", "bob", "ada"), ordered=True)
    db.check_query_count(ctx, 2)
    with pytest.raises(CheckFailed, match="returned 2 rows, expected 1"):
        db.check_query(ctx, rows("name", "ada"))
    assert db.query_value(ctx, f"SELECT max(score) FROM {database.table}") == 3
    ctx.store("who", "bob", Scope.TEST)
    assert db.row_value(ctx, "id", database.table, rows("name", "${who}")) == 2
    with pytest.raises(CheckFailed, match="2 rows where"):
        db.row_value(ctx, "id", database.table, rows("active", "null"))
    ctx.finish()


def test_bad_input_gives_one_clear_line_and_the_database_stays_usable(database: Database) -> None:
    ctx = database.context()
    cases: list[tuple[type[Exception], str, object]] = [
        (SqlError, "refused the SQL", lambda: db.run_sql(ctx, "SELEC 1")),
        (SqlError, "has no table 'no_such_table'", lambda: db.check_table_count(ctx, "no_such_table", 1)),
        (SqlError, f"table '{database.table}' of database 'main' has no column 'nam'; its columns: id, name",
         lambda: db.check_rows(ctx, database.table, rows("nam", "ada"))),
        (StepArgumentError, "row 2 of the data table has 1 cells, its header has 2",
         lambda: db.check_rows(ctx, database.table, rows("id | name", "1"))),
        (StepArgumentError, "column 'id' (INTEGER) holds whole numbers; 'abc' is not one",
         lambda: db.check_rows(ctx, database.table, rows("id", "abc"))),
        (StepArgumentError, "holds date values; '2024-13-01' is not one in ISO form",
         lambda: db.seed(ctx, database.table, rows("id | born", "1 | 2024-13-01"))),
        (ConfigError, "unknown database 'other'", lambda: db.query(ctx, "SELECT 1", "other")),
    ]
    for kind, message, action in cases:
        with pytest.raises(kind) as raised:
            action()  # type: ignore[operator]
        assert message in str(raised.value), str(raised.value)
        assert "\n" not in raised.value.message  # type: ignore[attr-defined]
    assert db.query_value(ctx, "SELECT 1") == 1


def test_an_unreachable_server_is_a_one_line_service_error(tmp_path: Path) -> None:
    config = tmp_path / "seamline.yaml"
    config.write_text(
        "databases:\n  gone:\n    url: postgresql+psycopg://app:${env:SEAMLINE_TEST_DB_PW:-s3cret-pw}@127.0.0.1:9/x\n"
        "    connect_timeout: 2\n",
        encoding="utf-8",
    )
    runtime = Runtime(config)
    try:
        with pytest.raises(ServiceError, match=r"cannot connect to database 'gone' at postgresql\+psycopg://app:\*\*\*@"):
            db.query(Context(runtime, sink=MemorySink()), "SELECT 1")
        assert "s3cret-pw" in runtime.secrets  # masked in every log
    finally:
        runtime.close()


def test_postgresql_function_bodies_are_not_split() -> None:
    runtime = Runtime(None)
    ctx = _context_for(runtime, server_url("postgres"))
    function = unique_name("seamline_f")
    try:
        db.run_sql(
            ctx,
            f"CREATE FUNCTION {function}(a int) RETURNS int AS $body$ BEGIN RETURN a + 1; END; $body$ LANGUAGE plpgsql;"
            f" SELECT 1;",
        )
        ctx.store("n", 41)
        assert db.query_value(ctx, f"SELECT {function}(${{n}})") == 42
    finally:
        db.run_sql(ctx, f"DROP FUNCTION IF EXISTS {function}(int)")
        runtime.close()


def _context_for(runtime: Runtime, url: str) -> Context:
    from seamline.core.config import Config, DatabaseConfig

    runtime._config = Config(databases={"main": DatabaseConfig("main", url)}, default_database="main")
    return Context(runtime, sink=MemorySink())


def test_a_seeded_row_whose_place_vacuum_gave_to_another_row_leaves_that_row_alone(tmp_path: Path) -> None:
    """PostgreSQL, a table without a primary key: the seeded row is updated and deleted, VACUUM
    frees its place and another row's old version lands there, linked to that row's newest
    version. The cleanup must not follow that link: the other row stays, the log says why."""
    from sqlalchemy import create_engine, text

    url = server_url("postgres")
    config = tmp_path / "seamline.yaml"
    config.write_text(f"databases:\n  main: {url}\n", encoding="utf-8")
    runtime = Runtime(config)
    table = unique_name("keyless")
    sink = MemorySink()
    ctx = Context(runtime, sink=sink)
    outside = create_engine(url, isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
    try:
        db.run_sql(ctx, f"CREATE TABLE {table} (name VARCHAR(20), n INTEGER) WITH (autovacuum_enabled = false)")
        db.seed(ctx, table, rows("name | n", "mine | 1"))
        db.run_sql(ctx, f"UPDATE {table} SET n = 2 WHERE name = 'mine'")
        db.run_sql(ctx, f"DELETE FROM {table} WHERE name = 'mine'")
        with outside.connect() as connection:
            connection.execute(text(f"VACUUM {table}"))
            place = connection.execute(text(f"INSERT INTO {table} VALUES ('other', 1) RETURNING ctid")).scalar()
            connection.execute(text(f"UPDATE {table} SET n = 5 WHERE name = 'other'"))
        assert str(place) == "(0,1)", f"the other row did not take the seeded place: {place}"
        assert ctx.finish() == []
        assert "(1 no longer there as seeded)" in sink.lines[-1], sink.lines
        with outside.connect() as connection:
            left = connection.execute(text(f"SELECT name, n FROM {table}")).all()
        assert [tuple(row) for row in left] == [("other", 5)]
    finally:
        with outside.connect() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        outside.dispose()
        runtime.close()


def test_row_checks_of_one_shape_share_a_statement_and_each_shape_gets_its_own(database: Database) -> None:
    """A row check binds its values into a statement made once per table, columns and kind of
    each condition: the same statement for new values, another where a cell is null or a marker."""
    ctx = database.context()
    db.run_sql(ctx, f"INSERT INTO {database.table} (id, name) VALUES (1, 'ada'), (2, 'bob'), (3, NULL)")
    before = db._row_statement.cache_info()
    for number, name in (("1", "ada"), ("2", "bob")):
        db.check_rows(ctx, database.table, rows("| id | name |", f"| {number} | {name} |"))
    after = db._row_statement.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    db.check_rows(ctx, database.table, rows("| id | name |", "| 3 | null |"))
    db.check_rows(ctx, database.table, rows("| id | name |", "| 2 | #string |"))
    with pytest.raises(CheckFailed, match="has no row where id = 1, name = bob"):
        db.check_rows(ctx, database.table, rows("| id | name |", "| 1 | bob |"))
    with pytest.raises(CheckFailed, match="has no row where id = 3, name = #string"):
        db.check_rows(ctx, database.table, rows("| id | name |", "| 3 | #string |"))
    assert db._row_statement.cache_info().misses - after.misses == 2  # null, and the marker left to the matcher


def test_every_read_sees_the_rows_another_connection_committed_just_before(database: Database) -> None:
    """Reads share no snapshot with an earlier read (MariaDB's REPEATABLE READ would keep one
    for a whole transaction): each check, count and captured value sees the latest commit."""
    ctx = database.context()
    other = ctx.runtime.resource(db.Databases).get(None)
    db.check_table_count(ctx, database.table, 0)
    db.check_rows(ctx, database.table, rows("id | name", "1 | ada"), present=False)
    with other.transaction() as connection:  # the pool of the writing steps, not of the reads
        connection.exec_driver_sql(f"INSERT INTO {database.table} (id, name) VALUES (1, 'ada'), (2, 'ada')")
    db.check_rows(ctx, database.table, rows("id | name", "1 | ada"))
    db.check_rows_count(ctx, database.table, 2, rows("name", "ada"))
    db.check_table_count(ctx, database.table, 2)
    with other.transaction() as connection:
        connection.exec_driver_sql(f"UPDATE {database.table} SET name = 'bob' WHERE id = 2")
    assert db.row_value(ctx, "name", database.table, rows("id", "2")) == "bob"


_SESSION = {"postgres": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}
_END_SESSION = {"postgres": "SELECT pg_terminate_backend({})", "mysql": "KILL {}"}
_SESSION_EXISTS = {
    "postgres": "SELECT count(*) FROM pg_stat_activity WHERE pid = {}",
    "mysql": "SELECT count(*) FROM information_schema.processlist WHERE id = {}",
}


def _session(connection: Connection, kind: str) -> int:
    """The server's number of the session on this connection."""
    return int(connection.exec_driver_sql(_SESSION[kind]).scalar_one())


def _end_session(runtime: Runtime, kind: str, number: int) -> None:
    """End a session from the server's side, as a server restart does."""
    from sqlalchemy import create_engine

    outside = create_engine(runtime.resource(db.Databases).get(None).engine.url, isolation_level="AUTOCOMMIT")
    try:
        with outside.connect() as connection:
            connection.exec_driver_sql(_END_SESSION[kind].format(number))
            # Both servers end the session after they answer: wait until it is gone.
            exists = _SESSION_EXISTS[kind].format(number)
            wait_while(lambda: connection.exec_driver_sql(exists).scalar(), 10)
            gone = connection.exec_driver_sql(exists).scalar() == 0
            assert gone, f"session {number} still there 10 s after it was ended"
    finally:
        outside.dispose()


def test_a_check_on_a_connection_the_server_dropped_runs_again_on_a_new_one(server: Database) -> None:
    sink = MemorySink()
    ctx = Context(server.runtime, sink=sink)
    target = ctx.runtime.resource(db.Databases).get(None)
    db.run_sql(ctx, f"INSERT INTO {server.table} (id, name) VALUES (1, 'ada')")
    db.check_rows(ctx, server.table, rows("id | name", "1 | ada"))
    before = target.read(lambda connection: _session(connection, server.kind))
    _end_session(server.runtime, server.kind, before)
    logged = len(sink.lines)
    db.check_rows(ctx, server.table, rows("id | name", "1 | ada", "1 | ada"))
    assert len(sink.lines) == logged + 2, sink.lines[logged:]  # each row logged once, not again for the retry
    after = target.read(lambda connection: _session(connection, server.kind))
    assert after != before  # the dropped connection was replaced, not found alive


def test_a_write_after_the_server_dropped_its_connection_reconnects(server: Database) -> None:
    ctx = server.context()
    target = ctx.runtime.resource(db.Databases).get(None)
    with target.transaction() as connection:  # the pool of the writing steps, keeping this connection
        session = _session(connection, server.kind)
    _end_session(server.runtime, server.kind, session)
    db.run_sql(ctx, f"INSERT INTO {server.table} (id, name) VALUES (2, 'bob')")
    with target.transaction() as connection:
        assert _session(connection, server.kind) != session
    db.check_table_count(ctx, server.table, 1)


def test_statements_of_one_read_each_see_the_latest_commit(server: Database) -> None:
    """A read is not a transaction: on MariaDB its second SELECT would otherwise see the
    first one's snapshot, without the row committed in between."""
    ctx = server.context()
    target = ctx.runtime.resource(db.Databases).get(None)
    count = f"SELECT count(*) FROM {server.table}"

    def read(connection: Connection) -> tuple[int, int]:
        first = connection.exec_driver_sql(count).scalar()
        with target.transaction() as other:
            other.exec_driver_sql(f"INSERT INTO {server.table} (id, name) VALUES (1, 'ada')")
        return first, connection.exec_driver_sql(count).scalar()

    assert target.read(read) == (0, 1)
