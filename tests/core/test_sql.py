"""Splitting SQL scripts and binding ${name} references: no database needed."""

from __future__ import annotations

import pytest

from seamline.core.db.sql import WrittenSql, bind_statements, split_statements
from seamline.core.errors import StepArgumentError


def test_semicolons_inside_strings_identifiers_and_comments_do_not_split() -> None:
    script = """
        INSERT INTO t VALUES ('a;b', 'it''s; fine');  -- a comment; with a semicolon
        SELECT "odd;name" FROM t;
        /* block; comment */ SELECT 2;
        -- only a comment;
    """
    assert split_statements(script) == [
        "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
        '-- a comment; with a semicolon\n        SELECT "odd;name" FROM t',
        "/* block; comment */ SELECT 2",
    ]


def test_dollar_quoted_bodies_are_one_statement_in_postgresql() -> None:
    script = """
        CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
        DO $$ BEGIN PERFORM 1; END $$;
        SELECT f();
    """
    statements = split_statements(script, "postgresql")
    assert len(statements) == 3
    assert statements[0].endswith("$body$ LANGUAGE plpgsql")
    assert statements[1] == "DO $$ BEGIN PERFORM 1; END $$"


def test_a_trigger_body_is_one_statement() -> None:
    script = (
        "CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = CASE WHEN 1 THEN 2 END; DELETE FROM z; END;"
        " SELECT 3"
    )
    assert split_statements(script) == [script.split("; SELECT")[0], "SELECT 3"]


def test_mysql_backslash_escapes_and_hash_comments() -> None:
    script = "INSERT INTO t VALUES ('a\\';b'); # note; here\nSELECT 1"
    assert split_statements(script, "mysql") == ["INSERT INTO t VALUES ('a\\';b')", "# note; here\nSELECT 1"]


def test_references_become_bound_parameters_also_when_quoted_alone() -> None:
    values = {"sku": "A1", "qty": 2}
    [statement] = bind_statements("UPDATE t SET qty = ${qty} WHERE sku = '${sku}' OR alt = ${sku}", values.__getitem__)
    assert statement.sql == "UPDATE t SET qty = :seamline_1 WHERE sku = :seamline_2 OR alt = :seamline_2"
    assert statement.params == {"seamline_1": 2, "seamline_2": "A1"}


def test_a_value_that_looks_like_sql_stays_a_value() -> None:
    evil = "x'); DROP TABLE users; --"
    [statement] = bind_statements("INSERT INTO users (name) VALUES (${name})", {"name": evil}.__getitem__)
    assert "DROP" not in statement.sql
    assert statement.params == {"seamline_1": evil}


def test_a_reference_inside_longer_quoted_text_is_refused() -> None:
    with pytest.raises(StepArgumentError, match=r"\$\{name\} is inside the quoted text"):
        bind_statements("SELECT * FROM t WHERE name LIKE '%${name}%'", lambda name: "x")


def test_colons_in_text_stay_text_and_escaped_references_stay_literal() -> None:
    [statement] = bind_statements(r"SELECT '10:30 :x', a::text, '\${kept}' FROM t WHERE b = :y", lambda n: 1)
    assert statement.sql == r"SELECT '10:30 \:x', a::text, '\${kept}' FROM t WHERE b = \:y"
    assert statement.params == {}


def test_written_sql_carries_values_the_front_end_took_aside() -> None:
    written = WrittenSql("SELECT ${robot_1}", {"robot_1": 42})
    [statement] = bind_statements(written, lambda name: pytest.fail(f"looked up {name}"))
    assert statement.params == {"seamline_1": 42}


def test_explicit_parameters_go_to_the_statements_that_use_them() -> None:
    statements = bind_statements("SELECT :a; SELECT :b", lambda n: None, params={"a": 1, "b": 2})
    assert [s.params for s in statements] == [{"a": 1}, {"b": 2}]
    assert [s.sql for s in statements] == ["SELECT :a", "SELECT :b"]
