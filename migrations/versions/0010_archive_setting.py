"""Site settings say whether the archive of published versions is public

Revision ID: 0010_archive_setting
Revises: 0009_reference_categories
Create Date: 2026-12-02 14:00:00

Public by default, as on a new install: visitors can read every published version and what
changed. When false, the archive is in the back office only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_archive_setting"
down_revision = "0009_reference_categories"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE … ADD COLUMN, not a batch: on SQLite a batch copies the table and
    # would lose its AUTOINCREMENT (migration 0006: ids are never reused).
    op.add_column("site_settings", sa.Column("archive_public", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    op.drop_column("site_settings", "archive_public")
