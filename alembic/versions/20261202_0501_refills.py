"""Refills: pharmacies, refill requests and their steps, fills, auto-refill, reminders, reports;
and the medication columns the tracker needs (strength, dose, daily units, refills used, eligible).

Revision ID: 0501
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0501"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("medication") as batch:
        batch.add_column(sa.Column("strength", sa.String(60), nullable=True))
        batch.add_column(sa.Column("dose", sa.String(100), nullable=True))
        batch.add_column(sa.Column("daily_units", sa.Float(), nullable=True))
        batch.add_column(sa.Column("refills_used", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("auto_refill_eligible", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "pharmacy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("mail_order", sa.Boolean(), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("removed_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_pharmacy_patient_id", "pharmacy", ["patient_id"])
    op.create_table(
        "refill_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("medication_id", sa.Integer(), sa.ForeignKey("medication.id"), nullable=False),
        sa.Column("open_medication_id", sa.Integer(), nullable=True),
        sa.Column("pharmacy_id", sa.Integer(), sa.ForeignKey("pharmacy.id"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("auto_cycle", sa.String(40), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("refills_left", sa.Integer(), nullable=True),
        sa.Column("deny_reason", sa.String(32), nullable=True),
        sa.Column("deny_note", sa.String(300), nullable=True),
        sa.Column("refill_used", sa.Boolean(), nullable=False),
        sa.Column("answer_due", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("medication_id", "auto_cycle", name="uq_refill_request_auto_cycle"),
        sa.UniqueConstraint("open_medication_id"),
    )
    op.create_index("ix_refill_request_patient_id", "refill_request", ["patient_id"])
    op.create_index("ix_refill_request_medication_id", "refill_request", ["medication_id"])
    op.create_index("ix_refill_request_status", "refill_request", ["status"])
    op.create_table(
        "refill_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("refill_request.id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("actor_label", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
    )
    op.create_index("ix_refill_step_request_id", "refill_step", ["request_id"])
    op.create_table(
        "medication_fill",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("medication_id", sa.Integer(), sa.ForeignKey("medication.id"), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("refill_request.id"), nullable=True),
        sa.Column("pharmacy_id", sa.Integer(), sa.ForeignKey("pharmacy.id"), nullable=True),
        sa.Column("filled_on", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_medication_fill_patient_id", "medication_fill", ["patient_id"])
    op.create_index("ix_medication_fill_medication_id", "medication_fill", ["medication_id"])
    op.create_table(
        "auto_refill",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("medication_id", sa.Integer(), sa.ForeignKey("medication.id"), nullable=False),
        sa.Column("pharmacy_id", sa.Integer(), sa.ForeignKey("pharmacy.id"), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("changed_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("medication_id"),
    )
    op.create_index("ix_auto_refill_patient_id", "auto_refill", ["patient_id"])
    op.create_table(
        "medication_reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("medication_id", sa.Integer(), sa.ForeignKey("medication.id"), nullable=False),
        sa.Column("times", sa.String(60), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("removed_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_medication_reminder_patient_id", "medication_reminder", ["patient_id"])
    op.create_index("ix_medication_reminder_medication_id", "medication_reminder", ["medication_id"])
    op.create_table(
        "medication_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("medication_id", sa.Integer(), sa.ForeignKey("medication.id"), nullable=True),
        sa.Column("medicine_name", sa.String(200), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("reported_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("reviewed_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("reviewed_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_medication_report_patient_id", "medication_report", ["patient_id"])


def downgrade() -> None:
    for table, columns in (
        ("medication_report", ["patient_id"]),
        ("medication_reminder", ["medication_id", "patient_id"]),
        ("auto_refill", ["patient_id"]),
        ("medication_fill", ["medication_id", "patient_id"]),
        ("refill_step", ["request_id"]),
        ("refill_request", ["status", "medication_id", "patient_id"]),
        ("pharmacy", ["patient_id"]),
    ):
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("medication") as batch:
        for column in ("auto_refill_eligible", "refills_used", "daily_units", "dose", "strength"):
            batch.drop_column(column)
