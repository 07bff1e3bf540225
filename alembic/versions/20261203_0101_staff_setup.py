"""Staff first sign-in: the one-time password's deadline and the set-up's progress.

Revision ID: 0101
Revises: 0501
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0101"
down_revision = "0302"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_setup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("password_set_at", UTC_TIME, nullable=True),
        sa.Column("completed_at", UTC_TIME, nullable=True),
        sa.Column("completed_session_id", sa.Integer(), sa.ForeignKey("user_session.id"), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_staff_setup_user_id", "staff_setup", ["user_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_staff_setup_user_id", table_name="staff_setup")
    op.drop_table("staff_setup")
