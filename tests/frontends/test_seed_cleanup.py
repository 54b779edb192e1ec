"""Seeding removes exactly the rows it inserted (issue 10, finding 7), in both front ends,
against a SQLite file and the real PostgreSQL and MariaDB servers.

A table without a primary key holds ('dup', 1) twice before the test; the test seeds
('dup', 1) as well. After it both rows it found are still there: the cleanup deletes its
own row by the database's row identity (SQLite's rowid, PostgreSQL's ctid), never by the
values, which the rows of others share. MariaDB/MySQL has no such identity: the seed is
refused with one line that says why and what to do, and nothing is inserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario
from tests.servers import server_url, unique_name


@dataclass
class Keyless:
    kind: str
    table: str
    engine: sa.Engine

    def rows(self) -> list[tuple[object, ...]]:
        with self.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(sa.text(f"SELECT name, n FROM {self.table} ORDER BY name, n"))]


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def keyless(request: pytest.FixtureRequest, project: Project) -> Iterator[Keyless]:
    """A table of this test's own without a primary key, holding ('dup', 1) twice."""
    url = f"sqlite:///{project.root / 'test.db'}" if request.param == "sqlite" else server_url(request.param)
    project.write_config(DEFAULT_CONFIG.format(url=project.demo_url) + f"databases:\n  main: {url}\n")
    engine = sa.create_engine(url)
    table = unique_name("keyless")
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {table} (name VARCHAR(20), n INTEGER)"))
        connection.execute(sa.text(f"INSERT INTO {table} (name, n) VALUES ('dup', 1), ('dup', 1)"))
    try:
        yield Keyless(request.param, table, engine)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def test_cleanup_deletes_only_the_rows_the_seed_inserted(
    project: Project, keyless: Keyless, front_end: str
) -> None:
    t = keyless.table
    seeds = Scenario.parse(
        "seeds a row equal to rows already there",
        f"""
        Given the "{t}" table contains:
          | name | n |
          | dup  | 1 |
          | mine | 2 |
        Then the "{t}" table has 3 rows where:
          | name | n |
          | dup  | 1 |
        """,
    )
    result = project.run(front_end, seeds)
    outcome = result[seeds.name]
    if keyless.kind == "mysql":
        assert not outcome.passed, result.output
        first = outcome.message.splitlines()[0]
        assert (
            f"cannot seed table '{t}' of database 'main': it has no primary key, and MariaDB/MySQL has no row "
            "identity to delete exactly the seeded rows afterwards; give the table a primary key"
        ) in first, first
        assert "Traceback" not in outcome.message
    else:
        assert outcome.passed, outcome.message
    # Both rows that were there before are there after; the seeded ones are gone.
    assert keyless.rows() == [("dup", 1), ("dup", 1)]


def test_a_seeded_row_the_test_changed_is_still_removed_on_sqlite(project: Project, front_end: str) -> None:
    """SQLite's rowid stays with a row that is updated, so the seed removes its row even
    after the test (or the service under test) changed it."""
    url = f"sqlite:///{project.root / 'test.db'}"
    project.write_config(DEFAULT_CONFIG.format(url=project.demo_url) + f"databases:\n  main: {url}\n")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE jobs (name VARCHAR(20), state VARCHAR(20))"))
        connection.execute(sa.text("INSERT INTO jobs (name, state) VALUES ('other', 'done')"))
    scenario = Scenario.parse(
        "seeds a job and moves it on",
        '''
        Given the "jobs" table contains:
          | name | state |
          | mine | new   |
        When I run the SQL:
          """
          UPDATE jobs SET state = 'done' WHERE name = 'mine'
          """
        Then the "jobs" table has 2 rows
        ''',
    )
    result = project.run(front_end, scenario)
    assert result[scenario.name].passed, result[scenario.name].message
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(sa.text("SELECT name, state FROM jobs"))] == [("other", "done")]
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def jobs(request: pytest.FixtureRequest, project: Project) -> Iterator[Keyless]:
    """A table of this test's own holding ('dup', 'new', 1) and ('other', 'new', 1): without a
    primary key on SQLite and PostgreSQL; with one on MariaDB, which has no row identity of its
    own (a seed into a table without a key is refused there, see above)."""
    url = f"sqlite:///{project.root / 'test.db'}" if request.param == "sqlite" else server_url(request.param)
    project.write_config(DEFAULT_CONFIG.format(url=project.demo_url) + f"databases:\n  main: {url}\n")
    engine = sa.create_engine(url)
    table = unique_name("jobs")
    key = "id INTEGER AUTO_INCREMENT PRIMARY KEY, " if request.param == "mysql" else ""
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {table} ({key}name VARCHAR(20), state VARCHAR(20), n INTEGER)"))
        rows = "('dup', 'new', 1), ('other', 'new', 1)"
        connection.execute(sa.text(f"INSERT INTO {table} (name, state, n) VALUES {rows}"))
    try:
        yield Keyless(request.param, table, engine)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def test_seeded_rows_the_test_updated_are_removed_and_no_other(project: Project, jobs: Keyless, front_end: str) -> None:
    """The test seeds ('dup', 'new', 1), equal to a row already there, and ('mine', 'new', 1),
    then updates every row twice, in two transactions: afterwards its two rows are gone (on
    PostgreSQL each now lies elsewhere, with another xmin) and the two it found are left,
    although the seeded 'dup' and the other one are equal by then."""
    t = jobs.table
    scenario = Scenario.parse(
        "seeds rows, then updates them",
        f'''
        Given the "{t}" table contains:
          | name | state | n |
          | dup  | new   | 1 |
          | mine | new   | 1 |
        When I run the SQL:
          """
          UPDATE {t} SET state = 'done'
          """
        And I run the SQL:
          """
          UPDATE {t} SET n = n + 1
          """
        Then the "{t}" table has 2 rows where:
          | name | state | n |
          | dup  | done  | 2 |
        ''',
    )
    result = project.run(front_end, scenario)
    assert result[scenario.name].passed, result[scenario.name].message
    with jobs.engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(sa.text(f"SELECT name, state, n FROM {t} ORDER BY name"))]
    assert rows == [("dup", "done", 2), ("other", "done", 2)], result.output
