"""The site settings say how long a visitor's choice is kept; each cookie says its path

Revision ID: 0012_consent_duration_path
Revises: 0011_consent_manager
Create Date: 2026-12-03 11:00:00

``site_settings.consent_months`` (6, the CNIL's recommendation and what the policy said until
now) is stated on the policy and used by the consent-manager configurations;
``cookie.path`` ("/", the whole site) is where a consent manager deletes a refused cookie.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_consent_duration_path"
down_revision = "0011_consent_manager"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE … ADD COLUMN, not a batch: on SQLite a batch copies the table and would
    # lose its AUTOINCREMENT (migration 0006: ids are never reused).
    op.add_column("site_settings", sa.Column("consent_months", sa.Integer(), server_default="6", nullable=False))
    op.add_column("cookie", sa.Column("path", sa.String(255), server_default="/", nullable=False))


def downgrade():
    op.drop_column("cookie", "path")
    op.drop_column("site_settings", "consent_months")
