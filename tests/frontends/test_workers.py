"""`${worker}` in seamline.yaml: each worker of a parallel run reads its own database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.bilingual import DEFAULT_CONFIG, Project, Scenario


def test_a_database_url_names_the_worker(
    project: Project, front_end: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEAMLINE_WORKER", "w7")
    with sqlite3.connect(tmp_path / "shop-w7.db") as connection:
        connection.execute("CREATE TABLE items (sku TEXT PRIMARY KEY)")
        connection.execute("INSERT INTO items VALUES ('only-w7-has-me')")
    project.write_config(
        DEFAULT_CONFIG.format(url=project.demo_url)
        + f"databases:\n  main:\n    url: sqlite:///{tmp_path}/shop-${{worker}}.db\n"
    )
    scenario = Scenario.parse(
        "reads its worker's file", 'Then the "items" table has a row where:\n  | sku |\n  | only-w7-has-me |'
    )
    result = project.run(front_end, scenario)
    assert result[scenario.name].passed, result[scenario.name].message
    assert not (tmp_path / "shop-${worker}.db").exists()
