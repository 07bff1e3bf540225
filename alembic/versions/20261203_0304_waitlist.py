"""Wait list for earlier appointments: the requests and the claim-link offers made from them.

Revision ID: 0304
Revises: 0303
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0304"
down_revision = "0303"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waitlist_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointment.id"), nullable=False),
        sa.Column("visit_type_id", sa.Integer(), sa.ForeignKey("visit_type.id"), nullable=False),
        sa.Column("clinician_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("not_before", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("asked_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_waitlist_request_patient_id", "waitlist_request", ["patient_id"])
    op.create_index("ix_waitlist_request_appointment_id", "waitlist_request", ["appointment_id"], unique=True)
    op.create_index("ix_waitlist_request_status", "waitlist_request", ["status"])
    op.create_table(
        "waitlist_offer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("waitlist_request.id"), nullable=False),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("clinician_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_appointment_id", sa.Integer(), sa.ForeignKey("appointment.id"), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_waitlist_offer_time", "waitlist_offer", ["request_id", "clinician_user_id", "starts_at"],
                    unique=True)
    op.create_index("ix_waitlist_offer_starts_at", "waitlist_offer", ["starts_at"])
    op.create_index("ix_waitlist_offer_token_hash", "waitlist_offer", ["token_hash"], unique=True)
    op.create_index("ix_waitlist_offer_status", "waitlist_offer", ["status"])


def downgrade() -> None:
    op.drop_table("waitlist_offer")
    op.drop_table("waitlist_request")
