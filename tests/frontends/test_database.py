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

from tests.bilingual import DEFAULT_CONFIG, FRONT_ENDS, Project, Scenario
from tests.servers import server_url, unique_name

EVIL = "x'); DROP TABLE users; --"


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
    result = project.run(front_end, scenario)
    assert result["people in the table"].passed, result["people in the table"].message
    assert database.rows(f"SELECT name FROM {t} WHERE id = 3") == [(EVIL,)]  # stored as written, literally
    assert sa.inspect(database.engine).has_table(t)


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
    result = project.run(front_end, passing, failing)
    assert result["seeds and passes"].passed, result["seeds and passes"].message
    assert not result["seeds and fails"].passed
    assert database.rows(f"SELECT id, name FROM {t} ORDER BY id") == [(1, "kept")]


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
    result = project.run(front_end, scenario)
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
        result = project.run(front_end, waits, never)
    finally:
        timer.join()
    assert result["a row written later"].passed, result["a row written later"].message
    assert "still failing after 1 s" in result["a row never written"].message


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
    result = project.run(front_end, scenario)
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
    result = project.run(front_end, bad, fine, warns=True)  # refused SQL is logged as a warning
    outcome = result[case.name]
    assert not outcome.passed
    first = outcome.message.splitlines()[0]
    assert first.startswith("Step '"), first
    for fragment in case.expected:
        assert fragment.replace("{t}", table) in first, f"{front_end}: {fragment!r} not in {first!r}"
    assert "Traceback" not in outcome.message
    assert result["the next test is unaffected"].passed, result["the next test is unaffected"].message


# -- SQL files, ordered query checks, switching databases ------------------------------------------


def test_a_sql_file_and_the_query_in_order(project: Project, database: Db, front_end: str) -> None:
    t = database.table
    (project.root / "sql").mkdir()
    (project.root / "sql" / "people.sql").write_text(
        f"-- people; a ; in a comment does not split\n"
        f"INSERT INTO {t} (id, name, score) VALUES (1, 'ada', 3.5);\n"
        f"INSERT INTO {t} (id, name, score) VALUES (2, ${{who}}, 1.25);\n"
        f"INSERT INTO {t} (id, name, score) VALUES (3, 'semi;colon', 2)\n",
        encoding="utf-8",
    )
    from_file = Scenario.parse(
        "rows from a SQL file, in order",
        f'''
        Given I store "grace" as "who"
        And I run the SQL file "sql/people.sql"
        When I run the query:
          """
          SELECT name, score FROM {t} ORDER BY score
          """
        Then the query returns in order:
          | name       | score |
          | grace      | 1.25  |
          | semi;colon | 2     |
          | ada        | 3.5   |
        ''',
    )
    out_of_order = Scenario.parse(
        "rows in another order",
        f'''
        When I run the query:
          """
          SELECT name FROM {t} ORDER BY id
          """
        Then the query returns:
          | name       |
          | semi;colon |
          | grace      |
          | ada        |
        And the query returns in order:
          | name       |
          | ada        |
          | semi;colon |
          | grace      |
        ''',
    )
    missing = Scenario.parse("a SQL file that is not there", 'Given I run the SQL file "sql/nowhere.sql"')
    result = project.run(front_end, from_file, out_of_order, missing)
    assert result["rows from a SQL file, in order"].passed, result["rows from a SQL file, in order"].message
    assert database.rows(f"SELECT id, name FROM {t} ORDER BY id") == [(1, "ada"), (2, "grace"), (3, "semi;colon")]
    # `returns:` ignores the order; `returns in order:` fails at the first row out of place.
    first = result["rows in another order"].message.splitlines()[0]
    assert "Step 'And the query returns in order:'" in first, first
    assert "the query's row 2 differs: expected name = semi;colon" in first, first
    first = result["a SQL file that is not there"].message.splitlines()[0]
    assert "no SQL file 'sql/nowhere.sql'" in first, first


def test_use_the_database_switches_the_later_steps_of_the_test(
    project: Project, database: Db, front_end: str
) -> None:
    t = database.table
    _use(project, database.url, "  other: sqlite:///other.db\n")
    other = sa.create_engine(f"sqlite:///{project.root / 'other.db'}")
    with other.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, name VARCHAR(100))"))
        connection.execute(sa.text(f"INSERT INTO {t} (id, name) VALUES (1, 'on other'), (2, 'also on other')"))
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {t} (id, name) VALUES (1, 'on main')"))
    switching = Scenario.parse(
        "switching databases",
        f'''
        Then the "{t}" table has 1 rows
        Given I use the database "other"
        Then the "{t}" table has 2 rows
        And the "{t}" table has a row where:
          | id | name     |
          | 1  | on other |
        When I run the SQL:
          """
          INSERT INTO {t} (id, name) VALUES (3, 'written on other')
          """
        And I run the query:
          """
          SELECT name FROM {t} WHERE id = 1
          """
        Then the query returns:
          | name     |
          | on other |
        Given I use the database "main"
        Then the "{t}" table has no row where:
          | name             |
          | written on other |
        And the "{t}" table has a row where:
          | id | name    |
          | 1  | on main |
        ''',
    )
    next_test = Scenario.parse(
        "the next test starts on the default database",
        f"""
        Then the "{t}" table has 1 rows
        And the "{t}" table has a row where:
          | name    |
          | on main |
        """,
    )
    try:
        result = project.run(front_end, switching, next_test)
        with other.connect() as connection:
            on_other = [tuple(r) for r in connection.execute(sa.text(f"SELECT id, name FROM {t} ORDER BY id"))]
    finally:
        other.dispose()
    for name in ("switching databases", "the next test starts on the default database"):
        assert result[name].passed, result[name].message
    assert on_other == [(1, "on other"), (2, "also on other"), (3, "written on other")]
    assert database.rows(f"SELECT id, name FROM {t}") == [(1, "on main")]


def test_robot_classic_database_keywords(project: Project, database: Db) -> None:
    t = database.table
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {t} (id, name, score) VALUES (1, 'ada', 2.5), (2, 'bob', 7)"))
    a_row_that_exists = Scenario.parse("a row that exists", f"Row Should Not Exist    {t}    name=bob")
    a_wrong_count = Scenario.parse("a wrong count", f"Row Count Should Be    {t}    5")
    a_wrong_count_where = Scenario.parse("a wrong count where", f"Row Count Should Be    {t}    2    name=ada")
    classic = Scenario.parse(
        "classic keywords",
        f"""
        ${{changed}}=    Execute SQL    INSERT INTO {t} (id, name, score) VALUES (3, 'carol', 2.5), (4, 'dave', 2.5)
        Should Be Equal As Integers    ${{changed}}    2
        ${{changed}}=    Execute SQL    UPDATE {t} SET score = 9 WHERE score = 2.5
        Should Be Equal As Integers    ${{changed}}    3
        Row Should Not Exist    {t}    score=2.5
        Row Should Not Exist    {t}    name=erin
        Row Should Not Exist    {t}    name=bob    score=9
        Row Count Should Be    {t}    4
        Row Count Should Be    {t}    3    score=9
        Row Count Should Be    {t}    0    name=erin
        ${{who}}=    Set Variable    erin
        Execute SQL    INSERT INTO {t} (id, name) VALUES (5, ${{who}})    database=main
        Row Count Should Be    {t}    1    name=erin    database=main
        ${{evil}}=    Set Variable    x'); DELETE FROM {t}; --
        Execute SQL    database=main    sql=INSERT INTO {t} (id, name) VALUES (6, ${{evil}})
        Row Count Should Be    {t}    1    name=${{evil}}
        """,
    )
    result = project.run_robot(a_row_that_exists, a_wrong_count, a_wrong_count_where, classic)
    assert result["classic keywords"].passed, result["classic keywords"].message
    expected = {
        "a row that exists": f"table '{t}' has 1 row where name = bob, expected none",
        "a wrong count": f"table '{t}' has 2 rows, expected 5",
        "a wrong count where": f"table '{t}' has 1 row where name = ada, expected 2",
    }
    for name, fragment in expected.items():
        outcome = result[name]
        assert not outcome.passed
        assert fragment in outcome.message.splitlines()[0], (name, outcome.message)
    assert database.rows(f"SELECT id, name FROM {t} WHERE score = 9 ORDER BY id") == [
        (1, "ada"), (3, "carol"), (4, "dave"),
    ]
    assert database.rows(f"SELECT id FROM {t} WHERE name = 'erin'") == [(5,)]
    # Given by name after another named argument, the SQL was still bound, not pasted.
    assert database.rows(f"SELECT count(*) FROM {t}") == [(6,)]


# -- the closest rows of a failed row check --------------------------------------------------------


def test_the_closest_rows_are_capped(project: Project, database: Db, front_end: str) -> None:
    from seamline.core.db.databases import CLOSEST_SCAN, CLOSEST_SHOWN

    t = database.table
    rows = [{"id": 0, "name": "ada", "score": 9.5}]
    rows += [{"id": i, "name": f"p{i}", "score": i} for i in range(1, CLOSEST_SCAN + 5)]
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {t} (id, name, score) VALUES (:id, :name, :score)"), rows)
    scenario = Scenario.parse(
        "a row among many",
        f"""
        Then the "{t}" table has a row where:
          | name | score |
          | ada  | 3.5   |
        """,
    )
    result = project.run(front_end, scenario)
    outcome = result["a row among many"]
    assert not outcome.passed
    details = outcome.message if front_end == "pytest" else _robot_log(project)
    heading = f"closest rows (of the first {CLOSEST_SCAN}), differing cells marked *:"
    assert heading in details, details
    # (the JUnit failure's one-line message cuts the table short; its text has all of it)
    lines = details.rsplit(heading, 1)[1].strip().splitlines()
    shown = []
    for line in lines[2:]:  # below the header and its rule
        if not line.startswith("|"):
            break
        shown.append(line)
    assert len(shown) == CLOSEST_SHOWN, details
    assert re.fullmatch(r"\| ada +\| \*9\.50?\* +\|", shown[0]), shown  # the nearest row first


# -- SQL injection: a value that would drop a table if it were ever pasted into the SQL ------------


def test_a_value_that_would_drop_a_table_is_stored_and_compared_as_written(
    project: Project, database: Db
) -> None:
    t = database.table
    victim = unique_name("users")
    evil = f"x'); DROP TABLE {victim}; --"
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {victim} (id INTEGER PRIMARY KEY, name VARCHAR(100))"))
        connection.execute(sa.text(f"INSERT INTO {victim} (id, name) VALUES (1, 'keep me')"))
    # '${evil}' in quotes: pasted into the SQL, the value would close the literal and drop the table.
    scenario = Scenario.parse(
        "a value that would drop a table",
        f'''
        Given I store "{evil}" as "evil"
        When I run the SQL:
          """
          INSERT INTO {t} (id, name) VALUES (1, '${{evil}}');
          INSERT INTO {t} (id, name) VALUES (2, ${{evil}})
          """
        Then the "{t}" table has a row where:
          | id | name      |
          | 1  | ${{evil}} |
          | 2  | ${{evil}} |
        Given the "{t}" table contains:
          | id | name      |
          | 3  | ${{evil}} |
        When I run the query:
          """
          SELECT id, name FROM {t} WHERE name = ${{evil}} ORDER BY id
          """
        Then the query returns in order:
          | id | name   |
          | 1  | {evil} |
          | 2  | {evil} |
          | 3  | {evil} |
        And the "{victim}" table has 1 rows
        ''',
    )
    try:
        result = project.run_pytest(scenario)
        still_there = sa.inspect(database.engine).has_table(victim)
        kept = database.rows(f"SELECT id, name FROM {victim}") if still_there else []
    finally:
        with database.engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {victim}"))
    assert still_there, f"{victim} was dropped: a value reached the SQL as text"
    assert result["a value that would drop a table"].passed, result["a value that would drop a table"].message
    assert kept == [(1, "keep me")]
    assert database.rows(f"SELECT id, name FROM {t} ORDER BY id") == [(1, evil), (2, evil)]  # seeded row 3 removed
