"""Scans of the live site, as database-backed jobs with their results

Revision ID: 0013_scans
Revises: 0012_consent_duration_path
Create Date: 2026-12-03 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_scans"
down_revision = "0012_consent_duration_path"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("requested_by", sa.String(254)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("heartbeat_at", sa.DateTime()),
        sa.Column("progress", sa.JSON()),
        sa.Column("result", sa.JSON()),
        sa.Column("counts", sa.JSON()),
        sa.Column("error", sa.JSON()),
        sa.Column("reviewed", sa.JSON()),
        sa.Column("pages", sa.Integer(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_scan_status", "scan", ["status"])
    op.create_index("ix_scan_created_at", "scan", ["created_at"])


def downgrade():
    op.drop_index("ix_scan_created_at", "scan")
    op.drop_index("ix_scan_status", "scan")
    op.drop_table("scan")
