"""Indexes for the speed targets: open times read the active visits holding time in a range, and the
care team's queue lists a pool's open threads urgent first, then by the promised reply time.

Revision ID: 0403
Revises: 0604
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0403"
down_revision = "0604"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_appointment_active_hold", "appointment",
                    ["status", "blocked_until", "starts_at", "clinician_user_id"])
    op.create_index("ix_message_thread_queue_order", "message_thread",
                    ["pool_id", "status", sa.text("urgent DESC"), "reply_due", "id"])


def downgrade() -> None:
    op.drop_index("ix_message_thread_queue_order", table_name="message_thread")
    op.drop_index("ix_appointment_active_hold", table_name="appointment")
