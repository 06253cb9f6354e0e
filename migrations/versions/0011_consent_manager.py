"""Site settings say how visitors reopen the site's consent manager

Revision ID: 0011_consent_manager
Revises: 0010_archive_setting
Create Date: 2026-12-02 20:00:00

``consent_manager`` names the manager whose call the embedded policy's "change my choice"
button makes ("none" until set); ``consent_settings_url`` is a page of the site where visitors
change their choice, which the policy links to.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_consent_manager"
down_revision = "0010_archive_setting"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE … ADD COLUMN, not a batch: on SQLite a batch copies the table and would
    # lose its AUTOINCREMENT (migration 0006: ids are never reused).
    op.add_column(
        "site_settings", sa.Column("consent_manager", sa.String(20), server_default="none", nullable=False)
    )
    op.add_column("site_settings", sa.Column("consent_settings_url", sa.String(500), nullable=True))


def downgrade():
    op.drop_column("site_settings", "consent_settings_url")
    op.drop_column("site_settings", "consent_manager")
