"""The database core against real databases: a SQLite file everywhere, and the machine's
PostgreSQL and MariaDB servers where their URLs are set (tests/servers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from seamline.core.context import Context, MemorySink, Runtime
from seamline.core.db import databases as db
from seamline.core.errors import CheckFailed, ConfigError, ServiceError, SqlError, StepArgumentError
from seamline.core.values.variables import Scope
from tests.servers import server_url, unique_name

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
    url = f"sqlite:///{tmp_path / 'test.db'}" if request.param == "sqlite" else server_url(request.param)
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
        yield Database(request.param, runtime, table)
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
