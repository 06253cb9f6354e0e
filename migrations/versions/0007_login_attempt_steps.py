"""Login attempts name their step: the password or the two-factor code

Revision ID: 0007_login_attempt_steps
Revises: 0006_ids_never_reused
Create Date: 2026-12-02 09:00:00

Two-factor codes are limited like passwords, in the same table; the attempts recorded before
were all at the password step.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_login_attempt_steps"
down_revision = "0006_ids_never_reused"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step", sa.String(length=10), server_default="password", nullable=False))


def downgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_column("step")
