"""Inventory ids are never reused (SQLite AUTOINCREMENT)

Revision ID: 0006_ids_never_reused
Revises: 0005_cookie_search_trigrams
Create Date: 2026-12-02 08:00:00

Without AUTOINCREMENT, SQLite gives a new row the highest id plus one, so the id of the
newest record deleted went to the next record created, and the history's versions of the
deleted record named the new one. On SQLite each inventory table is rebuilt with
AUTOINCREMENT, keeping its rows and their ids (batch mode copies them; migrations/env.py turns
foreign keys off meanwhile), and its counter starts above every id the history has seen, so
that no id of a deleted record is handed out again. PostgreSQL's sequences never go back:
nothing to do there. Self-contained: a migration must not change when the models do.
"""

from alembic import op
from sqlalchemy import text

revision = "0006_ids_never_reused"
down_revision = "0005_cookie_search_trigrams"
branch_labels = None
depends_on = None

# table -> the record kind's name in record_change.model
TABLES = {
    "provider": "provider",
    "category": "category",
    "purpose": "purpose",
    "cookie": "cookie",
    "site_settings": "settings",
}


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for table, kind in TABLES.items():
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
        highest = connection.execute(
            text(
                f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
                " coalesce((SELECT max(record_id) FROM record_change WHERE model = :kind), 0))"
            ),
            {"kind": kind},
        ).scalar_one()
        if not highest:
            continue
        updated = connection.execute(
            text("UPDATE sqlite_sequence SET seq = max(seq, :highest) WHERE name = :table"),
            {"highest": highest, "table": table},
        )
        if updated.rowcount == 0:
            connection.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :highest)"),
                {"highest": highest, "table": table},
            )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in reversed(TABLES):
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
