"""On PostgreSQL the cookie search can be answered from indexes (trigram indexes for the
texts, arrays for the provider and purpose matches), and a database user who may not create
the pg_trgm extension still gets a working search."""

import importlib.util
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from admin.views import cookie_search_clause
from models import Cookie, db, search_indexes

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "versions" / "0005_cookie_search_trigram_indexes.py"


def _migration():
    """Migration 0005 itself: what `flask db upgrade` runs on PostgreSQL."""
    spec = importlib.util.spec_from_file_location("migration_0005", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


migration = _migration()


def plan(conn, statement):
    compiled = statement.compile(dialect=conn.dialect)
    return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))


@pytest.mark.only_on("postgresql")
@pytest.mark.parametrize("word", ["sessionid", "_ga", "Opendatasoft", "souvenir"])
def test_every_alternative_of_a_search_can_use_an_index(app, word):
    with db.engine.connect() as conn, conn.begin() as transaction:
        assert migration.create_indexes(conn)
        # With few rows the planner reads the table anyway; forbid that to see what it could use.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        text = plan(conn, select(func.count()).select_from(Cookie).where(cookie_search_clause(word)))
        transaction.rollback()
    assert "BitmapOr" in text, text
    for name in search_indexes.NAMES:
        assert name in text, text
    assert "Seq Scan on cookie " not in text, text


@pytest.mark.only_on("postgresql")
def test_without_the_right_to_create_the_extension_the_search_still_works(editor_client, caplog):
    with db.engine.connect() as conn, conn.begin() as transaction:
        migration.drop_indexes(conn)
        conn.exec_driver_sql("DROP EXTENSION IF EXISTS pg_trgm")
        conn.exec_driver_sql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cookie_charte_limited') "
            "THEN CREATE ROLE cookie_charte_limited NOLOGIN; END IF; END $$"
        )
        conn.exec_driver_sql("SET LOCAL ROLE cookie_charte_limited")
        with caplog.at_level(logging.WARNING, logger="migration_0005"):
            assert migration.create_indexes(conn) is False
        assert "pg_trgm is not available" in caplog.text
        # The transaction is still usable: the migration goes on.
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        transaction.rollback()
    assert "sessionid" in editor_client.get("/admin/cookie/?search=sessionid").get_data(as_text=True)


@pytest.mark.only_on("sqlite")
def test_sqlite_gets_no_trigram_index(app):
    with db.engine.connect() as conn:
        assert migration.create_indexes(conn) is False
        assert search_indexes.present(conn) == set()
