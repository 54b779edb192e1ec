"""The cost of a row check through Seamline against the same query in plain SQLAlchemy.

Both run in this process, on the same database and table, one after the other, in
alternating rounds; the figure is the median time per check of each, and their
difference. SQLite in a temporary file always; PostgreSQL and MariaDB too when
SEAMLINE_TEST_POSTGRES_URL / SEAMLINE_TEST_MYSQL_URL are set::

    .venv/bin/python benchmarks/bench_db.py [--checks 2000] [--rows 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from seamline.core.context import Context, MemorySink, Runtime
from seamline.core.db import databases as db

ROUNDS = 5


def _per_call(action: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - start) / count


def bench(label: str, url: str, checks: int, rows: int, folder: Path) -> None:
    table = f"bench_orders_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, status VARCHAR(20), total DECIMAL(10, 2))")
        )
        connection.execute(
            sa.text(f"INSERT INTO {table} (id, status, total) VALUES (:id, :status, :total)"),
            [{"id": i, "status": "pending" if i % 2 else "paid", "total": f"{i % 100}.98"} for i in range(rows)],
        )
    config = folder / f"{label}.yaml"
    config.write_text(f"databases:\n  main: {url}\n", encoding="utf-8")
    runtime = Runtime(config)
    ctx = Context(runtime, sink=MemorySink())
    target = rows // 2 + 1
    conditions = [["id", "status", "total"], [str(target), "pending", f"{target % 100}.98"]]
    plain_sql = sa.text(
        f"SELECT id, status, total FROM {table} WHERE id = :id AND status = :status AND total = :total"
    ).bindparams(sa.bindparam("total", type_=sa.Numeric(10, 2)))  # SQLite's driver cannot bind a Decimal itself

    params = {"id": target, "status": "pending", "total": Decimal(f"{target % 100}.98")}

    def through_seamline() -> None:
        ctx.sink = MemorySink()  # a test's log, as the pytest front end keeps it; not growing across calls
        db.check_rows(ctx, table, conditions)

    def plain() -> None:
        with engine.connect() as connection:
            found = connection.execute(plain_sql, params).fetchall()
        assert len(found) == 1

    try:
        through_seamline()
        plain()  # warm both: engines, reflection, statement caches
        seamline_times, plain_times = [], []
        for _ in range(ROUNDS):
            seamline_times.append(_per_call(through_seamline, checks // ROUNDS))
            plain_times.append(_per_call(plain, checks // ROUNDS))
        ours, theirs = statistics.median(seamline_times), statistics.median(plain_times)
        print(
            f"{label:<10} row check through Seamline {ours * 1e6:8.0f} µs   plain SQLAlchemy {theirs * 1e6:8.0f} µs   "
            f"overhead {(ours - theirs) * 1e6:7.0f} µs ({ours / theirs:.1f}x)   [{rows} rows, {checks} checks each]"
        )
    finally:
        runtime.close()
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        targets = {"sqlite": f"sqlite:///{Path(folder) / 'bench.db'}"}
        for label, variable in (("postgresql", "SEAMLINE_TEST_POSTGRES_URL"), ("mariadb", "SEAMLINE_TEST_MYSQL_URL")):
            if os.environ.get(variable):
                targets[label] = os.environ[variable]
        for label, url in targets.items():
            bench(label, url, args.checks, args.rows, Path(folder))


if __name__ == "__main__":
    main()
