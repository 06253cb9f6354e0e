"""Published versions of the policy, their renderings, and review requests

Revision ID: 0008_policy_versions
Revises: 0007_login_attempt_steps
Create Date: 2026-12-02 10:00:00

Version 1 of an existing site is published from its inventory by the application itself
(`flask setup`, or the first visit to the policy): a migration does not render pages.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_policy_versions"
down_revision = "0007_login_attempt_steps"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_by", sa.String(length=255), nullable=False),
        sa.Column("note_fr", sa.Text(), nullable=False),
        sa.Column("note_en", sa.Text(), nullable=True),
        sa.Column("cookie_count", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("previous_digest", sa.String(length=64), nullable=True),
        sa.Column("waivers", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["published_by_id"], ["user.id"], name=op.f("fk_policy_version_published_by_id_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["site_settings.id"], name=op.f("fk_policy_version_site_id_site_settings"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_version")),
        sa.UniqueConstraint("site_id", "number", name=op.f("uq_policy_version_site_id_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("policy_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_version_site_id"), ["site_id"], unique=False)
    op.create_table(
        "policy_rendering",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("gzip", sa.LargeBinary(), nullable=False),
        sa.Column("brotli", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rendered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["policy_version.id"], name=op.f("fk_policy_rendering_version_id_policy_version"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_rendering")),
        sa.UniqueConstraint("version_id", "lang", "kind", name=op.f("uq_policy_rendering_version_id_lang_kind")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("policy_rendering", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_rendering_version_id"), ["version_id"], unique=False)
    op.create_table(
        "review_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["site_settings.id"], name=op.f("fk_review_request_site_id_site_settings"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["version_id"], ["policy_version.id"], name=op.f("fk_review_request_version_id_policy_version"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_request")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_request_site_id"), ["site_id"], unique=False)


def downgrade():
    op.drop_table("review_request")
    op.drop_table("policy_rendering")
    op.drop_table("policy_version")
