"""Where the banner's settings are, in the site owner's words (issue 11)

Revision ID: 0015_consent_settings_where
Revises: 0014_legal_facts
Create Date: 2026-12-04 19:00:00

For a site whose banner reopens from a link with no page of its own: the policy says where it
is, in French and English, instead of promising a control it does not render.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_consent_settings_where"
down_revision = "0014_legal_facts"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch: on SQLite a batch copies the table and would lose its
    # AUTOINCREMENT (migration 0006).
    op.add_column("site_settings", sa.Column("consent_settings_where_fr", sa.String(300)))
    op.add_column("site_settings", sa.Column("consent_settings_where_en", sa.String(300)))


def downgrade():
    op.drop_column("site_settings", "consent_settings_where_en")
    op.drop_column("site_settings", "consent_settings_where_fr")
