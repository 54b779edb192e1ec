"""Phrases that run SQL, check tables and query results, seed rows and store values."""

from __future__ import annotations

from ..core.context import Context
from ._catalog import phrase

ORDER_CHECK = '''the "orders" table has a row where:
  | id          | status  | total |
  | ${order_id} | pending | 59.98 |'''


@phrase('I use the database "{database}"', example='I use the database "reports"')
def use_database(ctx: Context, database: str) -> None:
    """Run the later database steps of the test on another database of seamline.yaml."""
    from ..core.db import databases as db

    db.use_database(ctx, database)


@phrase(
    "I run the SQL:",
    example='I run the SQL:\n  """\n  UPDATE orders SET status = \'paid\' WHERE id = ${order_id};\n  """',
    sql=("docstring",),
)
def run_sql(ctx: Context, docstring: str) -> None:
    """Run statements separated by ; in one transaction (rolled back if one fails); ${name} is a bound value."""
    from ..core.db import databases as db

    db.run_sql(ctx, docstring)


@phrase('I run the SQL file "{path}"', example='I run the SQL file "sql/products.sql"')
def run_sql_file(ctx: Context, path: str) -> None:
    """Run the statements of a file, found beside the test file, then beside seamline.yaml."""
    from ..core.db import databases as db

    db.run_sql_file(ctx, path)


@phrase('the "{table_name}" table has a row where:', example=ORDER_CHECK, table="rows", check=True)
def table_has_row(ctx: Context, table_name: str, table: list[list[str]]) -> None:
    """Check that each row of the data table (header: column names) is in the table; other columns may be anything."""
    from ..core.db import databases as db

    db.check_rows(ctx, table_name, table, present=True)


@phrase(
    'the "{table_name}" table has no row where:',
    example='the "orders" table has no row where:\n  | status    |\n  | cancelled |',
    table="rows",
    check=True,
)
def table_has_no_row(ctx: Context, table_name: str, table: list[list[str]]) -> None:
    """Check that no row of the table matches any row of the data table."""
    from ..core.db import databases as db

    db.check_rows(ctx, table_name, table, present=False)


@phrase(
    'the "{table_name}" table has {count} rows where:',
    example='the "order_items" table has 1 rows where:\n  | order_id    |\n  | ${order_id} |',
    table="rows",
    check=True,
)
def table_has_rows_where(ctx: Context, table_name: str, count: int, table: list[list[str]]) -> None:
    """Check how many rows of the table match the one row of conditions."""
    from ..core.db import databases as db

    db.check_rows_count(ctx, table_name, count, table)


@phrase('the "{table_name}" table has {count} rows', example='the "products" table has 4 rows', check=True)
def table_has_rows(ctx: Context, table_name: str, count: int) -> None:
    """Check the number of rows of the whole table."""
    from ..core.db import databases as db

    db.check_table_count(ctx, table_name, count)


@phrase(
    'the "{table_name}" table contains:',
    example='the "products" table contains:\n  | sku | name  | price |\n  | Z9  | Gizmo | 12.50 |',
    table="rows",
)
def table_contains(ctx: Context, table_name: str, table: list[list[str]]) -> None:
    """Insert these rows; they are deleted again when the test ends, also when it failed."""
    from ..core.db import databases as db

    db.seed(ctx, table_name, table)


@phrase(
    "I run the query:",
    example='I run the query:\n  """\n  SELECT sku, qty FROM order_items WHERE order_id = ${order_id}\n  """',
    sql=("docstring",),
)
def run_query(ctx: Context, docstring: str) -> None:
    """Run a SELECT and log its rows; the query checks that follow run it again."""
    from ..core.db import databases as db

    db.remember_query(ctx, docstring)


@phrase(
    "the query returns:",
    example="the query returns:\n  | sku | qty |\n  | A1  | 2   |",
    table="rows",
    check=True,
)
def query_returns(ctx: Context, table: list[list[str]]) -> None:
    """Check that the query returns exactly these rows, in any order (columns not named may be anything)."""
    from ..core.db import databases as db

    db.check_query(ctx, table, ordered=False)


@phrase(
    "the query returns in order:",
    example="the query returns in order:\n  | sku |\n  | A1  |\n  | B2  |",
    table="rows",
    check=True,
)
def query_returns_in_order(ctx: Context, table: list[list[str]]) -> None:
    """Check that the query returns exactly these rows, in this order."""
    from ..core.db import databases as db

    db.check_query(ctx, table, ordered=True)


@phrase("the query returns {count} rows", example="the query returns 2 rows", check=True)
def query_returns_count(ctx: Context, count: int) -> None:
    """Check the number of rows the query returns."""
    from ..core.db import databases as db

    db.check_query_count(ctx, count)


@phrase(
    'I store the value of the query "{sql}" as "{name}"',
    example='I store the value of the query "SELECT max(id) FROM orders" as "last_order"',
    sql=("sql",),
)
def store_query_value(ctx: Context, sql: str, name: str) -> None:
    """Store the first column of the first row a query returns."""
    from ..core.db import databases as db

    ctx.store(name, db.query_value(ctx, sql))


@phrase(
    'I store the "{column}" of the "{table_name}" row as "{name}" where:',
    example='I store the "id" of the "orders" row as "order_id" where:\n  | user  | status  |\n  | alice | pending |',
    table="rows",
)
def store_row_value(ctx: Context, column: str, table_name: str, name: str, table: list[list[str]]) -> None:
    """Store a column of the one row of the table that matches the conditions."""
    from ..core.db import databases as db

    ctx.store(name, db.row_value(ctx, column, table_name, table))
