"""Database steps through both front ends, against real databases: a SQLite file, the demo
shop's own SQLite file, and the PostgreSQL and MariaDB servers where their URLs are set."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.bilingual import DEFAULT_CONFIG, Project, Run, Scenario
from tests.servers import server_url, unique_name

FRONT_ENDS = ("robot", "pytest")
EVIL = "x'); DROP TABLE users; --"


def run(project: Project, front_end: str, *scenarios: Scenario) -> Run:
    return project.run_robot(*scenarios) if front_end == "robot" else project.run_pytest(*scenarios)


@dataclass
class Db:
    url: str
    table: str
    engine: sa.Engine

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]


def _use(project: Project, url: str, extra: str = "") -> None:
    project.write_config(DEFAULT_CONFIG.format(url=project.demo_url) + f"databases:\n  main: {url}\n{extra}")


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def database(request: pytest.FixtureRequest, project: Project) -> Iterator[Db]:
    """A table of its own in a database of the project's seamline.yaml; dropped afterwards."""
    url = f"sqlite:///{project.root / 'test.db'}" if request.param == "sqlite" else server_url(request.param)
    _use(project, url)
    engine = sa.create_engine(url)
    table = unique_name("people")
    with engine.begin() as connection:
        connection.execute(
            sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name VARCHAR(100), score DECIMAL(8, 2))")
        )
    try:
        yield Db(url, table, engine)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_sql_row_checks_queries_and_captures(project: Project, database: Db, front_end: str) -> None:
    t = database.table
    scenario = Scenario.parse(
        "people in the table",
        f'''
        Given I run the SQL:
          """
          INSERT INTO {t} (id, name, score) VALUES (1, 'semi;colon', 59.98);
          INSERT INTO {t} (id, name, score) VALUES (2, 'bob', 2)
          """
        And I store "{EVIL}" as "evil"
        And I run the SQL:
          """
          INSERT INTO {t} (id, name, score) VALUES (3, ${{evil}}, 1.5)
          """
        Then the "{t}" table has a row where:
          | id | name       | score |
          | 1  | semi;colon | 59.98 |
          | 2  | bob        | 2.00  |
        And the "{t}" table has a row where:
          | name    | score |
          | ${{evil}} | 1.5   |
        And the "{t}" table has no row where:
          | name | score |
          | bob  | 3     |
        And the "{t}" table has 4 rows
        And within 2 seconds the "{t}" table has 1 rows where:
          | score |
          | null  |
        When I run the query:
          """
          SELECT name, score FROM {t} WHERE score < ${{limit}}
          """
        Then the query returns:
          | name    | score |
          | ${{evil}} | 1.5   |
          | bob     | 2     |
        And I store the value of the query "SELECT id FROM {t} WHERE name = ${{evil}}" as "evil_id"
        And I store the "name" of the "{t}" row as "who" where:
          | id         |
          | ${{evil_id}} |
        When I GET "/products/A1"
        Then the response status is 200
        ''',
    )
    scenario.steps.insert(0, Scenario.parse("x", 'Given I store "3" as "limit"').steps[0])
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {t} (id, name, score) VALUES (4, NULL, NULL)"))
    result = run(project, front_end, scenario)
    assert result["people in the table"].passed, result["people in the table"].message
    assert database.rows(f"SELECT name FROM {t} WHERE id = 3") == [(EVIL,)]  # stored as written, literally
    assert sa.inspect(database.engine).has_table(t)


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_seeded_rows_are_removed_after_the_test_also_when_it_failed(
    project: Project, database: Db, front_end: str
) -> None:
    t = database.table
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {t} (id, name) VALUES (1, 'kept')"))
    passing = Scenario.parse(
        "seeds and passes",
        f"""
        Given the "{t}" table contains:
          | id | name  | score |
          | 10 | ada   | 1.25  |
          | 11 | ${{who}} | null  |
        Then the "{t}" table has 3 rows
        """,
    )
    passing.steps.insert(0, Scenario.parse("x", 'Given I store "grace" as "who"').steps[0])
    failing = Scenario.parse(
        "seeds and fails",
        f"""
        Given the "{t}" table contains:
          | id | name |
          | 20 | eve  |
        Then the "{t}" table has a row where:
          | id | name    |
          | 20 | mallory |
        """,
    )
    result = run(project, front_end, passing, failing)
    assert result["seeds and passes"].passed, result["seeds and passes"].message
    assert not result["seeds and fails"].passed
    assert database.rows(f"SELECT id, name FROM {t} ORDER BY id") == [(1, "kept")]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_failed_row_check_names_the_step_and_logs_the_closest_rows(
    project: Project, database: Db, front_end: str
) -> None:
    t = database.table
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {t} (id, name, score) VALUES (1, 'ada', 2.5), (2, 'bob', 7)"))
    scenario = Scenario.parse(
        "a row that is not there",
        f"""
        Then the "{t}" table has a row where:
          | name | score |
          | ada  | 3.5   |
        """,
    )
    result = run(project, front_end, scenario)
    outcome = result["a row that is not there"]
    assert not outcome.passed
    first = outcome.message.splitlines()[0]
    assert f"Step 'Then the \"{t}\" table has a row where:'" in first
    assert f"table '{t}' has no row where name = ada, score = 3.5" in first
    # pytest shows the details in the failure; Robot keeps its message to one line and logs them.
    details = outcome.message if front_end == "pytest" else _robot_log(project)
    assert "closest rows, differing cells marked *" in details
    assert re.search(r"\| ada +\| \*2\.50?\* +\|", details), details  # the nearest row, its differing cell marked
    assert "parameters:" in details


def _robot_log(project: Project) -> str:
    from robot.api import ExecutionResult

    result = ExecutionResult(str(project.root / "robot-results" / "output.xml"))
    messages: list[str] = []

    def walk(item: object) -> None:
        for child in getattr(item, "body", []):
            if getattr(child, "type", "") == "MESSAGE":
                messages.append(child.message)
            else:
                walk(child)

    for test in result.suite.all_tests:
        walk(test)
    return "\n".join(messages)


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_within_waits_for_a_row_written_later(project: Project, database: Db, front_end: str) -> None:
    t = database.table

    def write_later() -> None:
        with database.engine.begin() as connection:
            connection.execute(sa.text(f"INSERT INTO {t} (id, name) VALUES (5, 'late')"))

    timer = threading.Timer(1.0, write_later)
    waits = Scenario.parse(
        "a row written later",
        f"""
        Then within 20 seconds the "{t}" table has a row where:
          | id | name |
          | 5  | late |
        """,
    )
    never = Scenario.parse(
        "a row never written",
        f"""
        Then within 1 second the "{t}" table has a row where:
          | name  |
          | never |
        """,
    )
    timer.start()
    try:
        result = run(project, front_end, waits, never)
    finally:
        timer.join()
    assert result["a row written later"].passed, result["a row written later"].message
    assert "still failing after 1 s" in result["a row never written"].message


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_an_order_placed_through_the_api_is_in_the_shop_database(
    project: Project, demo_db: Path, front_end: str
) -> None:
    _use(project, f"sqlite:///{demo_db}")
    scenario = Scenario.parse(
        "an order in the orders table",
        '''
        Given I obtain a token
        When I POST "/orders" with:
          """
          {"items": [{"sku": "A1", "qty": 2}]}
          """
        Then the response status is 201
        And I store the response field "$.id" as "order_id"
        And the "orders" table has a row where:
          | id          | status  | total |
          | ${order_id} | pending | 59.98 |
        ''',
    )
    result = run(project, front_end, scenario)
    assert result["an order in the orders table"].passed, result["an order in the orders table"].message


@dataclass
class BadInput:
    name: str
    steps: str
    expected: tuple[str, ...]
    robot_only: bool = False  # Gherkin itself refuses it before a step runs


BAD_INPUT = [
    BadInput(
        "an unknown database",
        'Given I use the database "reports"',
        ("unknown database 'reports'", "known databases: main"),
    ),
    BadInput(
        "an unreachable server",
        'Given I use the database "gone"\nThen the "t" table has 1 rows',
        ("cannot connect to database 'gone' at postgresql+psycopg://nobody@127.0.0.1:9/x",),
    ),
    BadInput(
        "bad SQL",
        'Given I run the SQL:\n"""\nSELEC * FROM {t}\n"""',
        ("database 'main' refused the SQL:", "SQL: SELEC * FROM {t}"),
    ),
    BadInput("an unknown table", 'Then the "no_such_table" table has 1 rows', ("has no table 'no_such_table'",)),
    BadInput(
        "an unknown column",
        'Then the "{t}" table has a row where:\n| nam |\n| ada |',
        ("has no column 'nam'; its columns: id, name, score",),
    ),
    BadInput(
        "a header that names a column twice",
        'Then the "{t}" table has a row where:\n| id | id |\n| 1 | 2 |',
        ("the header row names id more than once",),
    ),
    BadInput(
        "a row longer than its header",
        'Then the "{t}" table has a row where:\n| id | name |\n| 1 |',
        ("row 2 of the data table has 1 cells, its header has 2",),
        robot_only=True,
    ),
    BadInput(
        "a type mismatch",
        'Then the "{t}" table has a row where:\n| id |\n| one |',
        ("column 'id' (INTEGER) holds whole numbers; 'one' is not one",),
    ),
]


BAD_INPUT_RUNS = [(c, f) for c in BAD_INPUT for f in FRONT_ENDS if not (c.robot_only and f == "pytest")]


@pytest.mark.parametrize(("case", "front_end"), BAD_INPUT_RUNS, ids=[f"{c.name}-{f}" for c, f in BAD_INPUT_RUNS])
def test_bad_input_fails_its_test_with_one_line_and_the_next_test_runs(
    project: Project, front_end: str, case: BadInput
) -> None:
    table = unique_name("people")
    url = f"sqlite:///{project.root / 'bad.db'}"
    _use(project, url, "  gone:\n    url: postgresql+psycopg://nobody@127.0.0.1:9/x\n    connect_timeout: 2\n")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, score NUMERIC)"))
    engine.dispose()
    bad = Scenario.parse(case.name, case.steps.replace("{t}", table))
    fine = Scenario.parse(
        "the next test is unaffected",
        f"""
        Given the "{table}" table contains:
          | id | name |
          | 1  | ada  |
        Then the "{table}" table has 1 rows
        """,
    )
    result = run(project, front_end, bad, fine)
    outcome = result[case.name]
    assert not outcome.passed
    first = outcome.message.splitlines()[0]
    assert first.startswith("Step '"), first
    for fragment in case.expected:
        assert fragment.replace("{t}", table) in first, f"{front_end}: {fragment!r} not in {first!r}"
    assert "Traceback" not in outcome.message
    assert result["the next test is unaffected"].passed, result["the next test is unaffected"].message
