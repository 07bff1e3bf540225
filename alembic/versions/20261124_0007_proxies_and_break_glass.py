"""Proxy access and break-glass: proxy grants, restricted charts and emergency staff access.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("patient") as batch:
        batch.add_column(sa.Column("restricted", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "proxy_grant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("grantee_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("scopes", sa.String(100), nullable=False),
        sa.Column("relationship", sa.String(16), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.Column("revoked_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
    )
    op.create_index("ix_proxy_grant_patient_id", "proxy_grant", ["patient_id"])
    op.create_index("ix_proxy_grant_grantee_user_id", "proxy_grant", ["grantee_user_id"])

    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("ended_early_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_break_glass_staff_user_id", "break_glass", ["staff_user_id"])
    op.create_index("ix_break_glass_patient_id", "break_glass", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_break_glass_patient_id", table_name="break_glass")
    op.drop_index("ix_break_glass_staff_user_id", table_name="break_glass")
    op.drop_table("break_glass")
    op.drop_index("ix_proxy_grant_grantee_user_id", table_name="proxy_grant")
    op.drop_index("ix_proxy_grant_patient_id", table_name="proxy_grant")
    op.drop_table("proxy_grant")
    with op.batch_alter_table("patient") as batch:
        batch.drop_column("restricted")
