"""Notifications outbox and web push subscriptions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.String(1000), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("not_before", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("claimed_by", sa.String(120), nullable=True),
        sa.Column("claimed_until", UTC_TIME, nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
    )
    # The idempotency key: one row per notice, whoever queues it and however often.
    op.create_index("ix_outbox_message_dedupe_key", "outbox_message", ["dedupe_key"], unique=True)
    op.create_index("ix_outbox_message_user_id", "outbox_message", ["user_id"])
    op.create_index("ix_outbox_message_patient_id", "outbox_message", ["patient_id"])
    # The sender's two questions: pending rows now due, and claims that expired.
    op.create_index("ix_outbox_message_status_next_attempt_at", "outbox_message", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_message_status_claimed_until", "outbox_message", ["status", "claimed_until"])

    op.create_table(
        "push_subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("endpoint", sa.String(1000), nullable=False),
        sa.Column("p256dh", sa.String(100), nullable=False),
        sa.Column("auth", sa.String(50), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_push_subscription_user_id", "push_subscription", ["user_id"])
    op.create_index("ix_push_subscription_endpoint", "push_subscription", ["endpoint"], unique=True)


def downgrade() -> None:
    for table in ("push_subscription", "outbox_message"):
        op.drop_table(table)
