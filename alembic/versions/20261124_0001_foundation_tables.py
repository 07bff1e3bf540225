"""Foundation tables: patients, users, sign-in sessions, clinic notices, live signals.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mrn", sa.String(32), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("preferred_language", sa.String(8), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_patient_mrn", "patient", ["mrn"], unique=True)
    op.create_index("ix_patient_family_name", "patient", ["family_name"])

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(64), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("preferred_language", sa.String(8), nullable=False),
        sa.Column("password_hash", sa.LargeBinary(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_user_username", "user", ["username"], unique=True)
    op.create_index("ix_user_patient_id", "user", ["patient_id"])

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("handoff_hash", sa.String(64), nullable=True),
        sa.Column("handoff_expires_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_seen_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
    )
    op.create_index("ix_user_session_token_hash", "user_session", ["token_hash"], unique=True)
    op.create_index("ix_user_session_handoff_hash", "user_session", ["handoff_hash"], unique=True)
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])

    op.create_table(
        "clinic_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("message_es", sa.String(500), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=True),
        sa.Column("withdrawn_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_clinic_notice_starts_at", "clinic_notice", ["starts_at"])

    op.create_table(
        "live_signal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("topic", sa.String(120), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sqlite_autoincrement=True,  # ids never reused after pruning (see models/live.py)
    )
    op.create_index("ix_live_signal_created_at", "live_signal", ["created_at"])


def downgrade() -> None:
    for table in ("live_signal", "clinic_notice", "user_session", "user", "patient"):
        op.drop_table(table)
