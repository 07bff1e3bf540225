"""Invitations and activations: activation codes (stored hashed), activation progress, and failed
redemptions per source address.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.Column("voided_at", UTC_TIME, nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("channel_note", sa.String(64), nullable=False),
    )
    op.create_index("ix_invitation_patient_id", "invitation", ["patient_id"])
    op.create_index("ix_invitation_code_hash", "invitation", ["code_hash"], unique=True)

    op.create_table(
        "activation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invitation_id", sa.Integer(), sa.ForeignKey("invitation.id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("consent_version", sa.String(32), nullable=True),
        sa.Column("consent_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_activation_invitation_id", "activation", ["invitation_id"], unique=True)

    op.create_table(
        "activation_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_key", sa.String(64), nullable=False),
        sa.Column("window_started_at", UTC_TIME, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_activation_failures_source_key", "activation_failures", ["source_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_activation_failures_source_key", table_name="activation_failures")
    op.drop_table("activation_failures")
    op.drop_index("ix_activation_invitation_id", table_name="activation")
    op.drop_table("activation")
    op.drop_index("ix_invitation_code_hash", table_name="invitation")
    op.drop_index("ix_invitation_patient_id", table_name="invitation")
    op.drop_table("invitation")
