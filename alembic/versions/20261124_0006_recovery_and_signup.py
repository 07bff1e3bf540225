"""Password reset links (stored hashed), self sign-up requests with their verification codes, and
request counters for throttling per account and per source address.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_password_reset_user_id", "password_reset", ["user_id"])
    op.create_index("ix_password_reset_token_hash", "password_reset", ["token_hash"], unique=True)

    op.create_table(
        "signup_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("contact", sa.String(254), nullable=False),
        sa.Column("mrn", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=True),
        sa.Column("invitation_id", sa.Integer(), sa.ForeignKey("invitation.id"), nullable=True),
        sa.Column("resolved_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_expires_at", UTC_TIME, nullable=True),
        sa.Column("code_used_at", UTC_TIME, nullable=True),
        sa.Column("code_failures", sa.Integer(), nullable=False),
    )
    op.create_index("ix_signup_request_status", "signup_request", ["status"])

    op.create_table(
        "request_counter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bucket_key", sa.String(64), nullable=False),
        sa.Column("window_started_at", UTC_TIME, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_request_counter_bucket_key", "request_counter", ["bucket_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_request_counter_bucket_key", table_name="request_counter")
    op.drop_table("request_counter")
    op.drop_index("ix_signup_request_status", table_name="signup_request")
    op.drop_table("signup_request")
    op.drop_index("ix_password_reset_token_hash", table_name="password_reset")
    op.drop_index("ix_password_reset_user_id", table_name="password_reset")
    op.drop_table("password_reset")
