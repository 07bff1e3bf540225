"""Medications: each patient's current and past medicines.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "medication",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=True),
        sa.Column("rxnorm_code", sa.String(20), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instructions", sa.String(500), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("prescriber", sa.String(200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("refills_allowed", sa.Integer(), nullable=True),
        sa.Column("days_supply", sa.Integer(), nullable=True),
        sa.Column("controlled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("patient_id", "source_id", name="uq_medication_patient_source"),
    )
    op.create_index("ix_medication_patient_id", "medication", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_medication_patient_id", table_name="medication")
    op.drop_table("medication")
