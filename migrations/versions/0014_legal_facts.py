"""The legal facts the policy states, as fields (issue 11)

Revision ID: 0014_legal_facts
Revises: 0013_scans
Create Date: 2026-12-03 17:00:00

A cookie's legal basis ("" = its category's default) and whether its lifetime is extended on
each visit; how long a purpose's data is kept; a provider's role and transfer safeguard; the
site's data protection officer and the complaint page (the CNIL's by default).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_legal_facts"
down_revision = "0013_scans"
branch_labels = None
depends_on = None

CNIL_COMPLAINT_URL = "https://www.cnil.fr/fr/adresser-une-plainte"


def upgrade():
    # Plain ADD COLUMN, not a batch: on SQLite a batch copies the table and would lose its
    # AUTOINCREMENT (migration 0006).
    op.add_column("cookie", sa.Column("legal_basis", sa.String(30), server_default="", nullable=False))
    op.add_column("cookie", sa.Column("lifetime_extended", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("purpose", sa.Column("retention_months", sa.Integer()))
    op.add_column("provider", sa.Column("role", sa.String(20), server_default="", nullable=False))
    op.add_column("provider", sa.Column("transfer_safeguard", sa.String(20), server_default="", nullable=False))
    op.add_column("provider", sa.Column("transfer_safeguard_url", sa.String(500)))
    op.add_column("site_settings", sa.Column("dpo_name", sa.String(200)))
    op.add_column("site_settings", sa.Column("dpo_contact", sa.String(500)))
    op.add_column("site_settings", sa.Column("complaint_url", sa.String(500)))
    op.execute(sa.text("UPDATE site_settings SET complaint_url = :url").bindparams(url=CNIL_COMPLAINT_URL))


def downgrade():
    for table, column in (
        ("site_settings", "complaint_url"),
        ("site_settings", "dpo_contact"),
        ("site_settings", "dpo_name"),
        ("provider", "transfer_safeguard_url"),
        ("provider", "transfer_safeguard"),
        ("provider", "role"),
        ("purpose", "retention_months"),
        ("cookie", "lifetime_extended"),
        ("cookie", "legal_basis"),
    ):
        op.drop_column(table, column)
