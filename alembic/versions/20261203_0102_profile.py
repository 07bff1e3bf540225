"""Profile: emergency contacts, insurance on file (with card photos), and changes waiting for the clinic's review.

Revision ID: 0102
Revises: 0101
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "emergency_contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("relationship", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("removed_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_emergency_contact_patient_id", "emergency_contact", ["patient_id"])
    op.create_table(
        "insurance_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("plan_name", sa.String(120), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("front_file", sa.String(43), nullable=True),
        sa.Column("back_file", sa.String(43), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_insurance_plan_patient_id", "insurance_plan", ["patient_id"], unique=True)
    op.create_table(
        "profile_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("proposed", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
    )
    op.create_index("ix_profile_change_patient_id", "profile_change", ["patient_id"])
    op.create_index("ix_profile_change_status", "profile_change", ["status"])


def downgrade() -> None:
    op.drop_index("ix_profile_change_status", table_name="profile_change")
    op.drop_index("ix_profile_change_patient_id", table_name="profile_change")
    op.drop_table("profile_change")
    op.drop_index("ix_insurance_plan_patient_id", table_name="insurance_plan")
    op.drop_table("insurance_plan")
    op.drop_index("ix_emergency_contact_patient_id", table_name="emergency_contact")
    op.drop_table("emergency_contact")
