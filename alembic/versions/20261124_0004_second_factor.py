"""Second factor: authenticator apps, recovery codes, failure counters, verified sessions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "totp_credential",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("confirmed_at", UTC_TIME, nullable=True),
        sa.Column("last_used_step", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_totp_credential_user_id", "totp_credential", ["user_id"], unique=True)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_recovery_code_user_id", "recovery_code", ["user_id"])

    op.create_table(
        "factor_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("factor", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTC_TIME, nullable=True),
        sa.Column("disabled_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("user_id", "factor"),
    )
    op.create_index("ix_factor_failures_user_id", "factor_failures", ["user_id"])

    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("factor_verified_at", UTC_TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("factor_verified_at")
    for table in ("factor_failures", "recovery_code", "totp_credential"):
        op.drop_table(table)
