"""Trigram indexes for the cookie search (PostgreSQL only)

Revision ID: 0005_cookie_search_trigrams
Revises: 0004_cookie_list_indexes
Create Date: 2026-11-29 09:20:00

Nothing happens on SQLite; without the right to create the pg_trgm extension the upgrade goes
on with a warning (the search works, reading the whole table). Self-contained: a migration
must not change when the models do.
"""
import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = '0005_cookie_search_trigrams'
down_revision = '0004_cookie_list_indexes'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

INDEXES = {f"ix_cookie_{column}_trgm": column for column in ("name", "domain", "service_fr", "service_en")}


def upgrade():
    create_indexes(op.get_bind())


def downgrade():
    # The extension stays: other database objects may use it, and it costs nothing unused.
    drop_indexes(op.get_bind())


def create_indexes(connection):
    """The extension and the indexes, on a PostgreSQL connection in a transaction; False,
    after a warning, when the extension cannot be had."""
    if connection.dialect.name != "postgresql":
        return False
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        log.warning(
            "pg_trgm is not available (%s): the cookie search works without its indexes, reading "
            "the whole table. A superuser can run CREATE EXTENSION pg_trgm, then flask db downgrade "
            "0004_cookie_list_indexes && flask db upgrade.",
            str(error.orig).strip().splitlines()[0],
        )
        return False
    for name, column in INDEXES.items():
        connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON cookie USING gin ({column} gin_trgm_ops)")
    return True


def drop_indexes(connection):
    if connection.dialect.name == "postgresql":
        for name in INDEXES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
