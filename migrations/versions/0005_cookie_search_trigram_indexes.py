"""Trigram indexes for the cookie search (PostgreSQL only)

Revision ID: 0005_cookie_search_trigrams
Revises: 0004_cookie_list_indexes
Create Date: 2026-11-29 09:20:00

See models/search_indexes.py: nothing happens on SQLite, and without the pg_trgm extension
the upgrade goes on with a warning.
"""
from alembic import op

from models import search_indexes

revision = '0005_cookie_search_trigrams'
down_revision = '0004_cookie_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    search_indexes.create(op.get_bind())


def downgrade():
    # The extension stays: other database objects may use it, and it costs nothing unused.
    search_indexes.drop(op.get_bind())
