"""Appointments: locations, visit types, working hours, exceptions, appointments and their time holds.

Revision ID: 0301
Revises: 0501
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0301"
down_revision = "0401"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "clinic_location",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("directions", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "visit_type",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_es", sa.String(120), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("online_bookable", sa.Boolean(), nullable=False),
        sa.Column("patient_kind", sa.String(16), nullable=False),
        sa.Column("prep_note", sa.String(500), nullable=False),
        sa.Column("prep_note_es", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "working_hours",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("clinician_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("clinic_location.id"), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
    )
    op.create_index("ix_working_hours_clinician_user_id", "working_hours", ["clinician_user_id"])
    op.create_table(
        "schedule_exception",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("clinician_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_schedule_exception_clinician_user_id", "schedule_exception", ["clinician_user_id"])
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("patient_id", sa.Integer(), sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("clinician_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("clinic_location.id"), nullable=False),
        sa.Column("visit_type_id", sa.Integer(), sa.ForeignKey("visit_type.id"), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("blocked_until", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("booked_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("rescheduled_from_id", sa.Integer(), sa.ForeignKey("appointment.id"), nullable=True),
        sa.Column("cancel_reason", sa.String(300), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("cancelled_at", UTC_TIME, nullable=True),
        sa.Column("arrived_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    for column in ("patient_id", "clinician_user_id", "starts_at", "status"):
        op.create_index(f"ix_appointment_{column}", "appointment", [column])
    op.create_table(
        "appointment_hold",
        sa.Column("clinician_user_id", sa.Integer(), sa.ForeignKey("user.id"), primary_key=True),
        sa.Column("starts_at", UTC_TIME, primary_key=True),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointment.id"), nullable=False),
    )
    op.create_index("ix_appointment_hold_appointment_id", "appointment_hold", ["appointment_id"])


def downgrade() -> None:
    op.drop_index("ix_appointment_hold_appointment_id", table_name="appointment_hold")
    op.drop_table("appointment_hold")
    for column in ("status", "starts_at", "clinician_user_id", "patient_id"):
        op.drop_index(f"ix_appointment_{column}", table_name="appointment")
    op.drop_table("appointment")
    op.drop_index("ix_schedule_exception_clinician_user_id", table_name="schedule_exception")
    op.drop_table("schedule_exception")
    op.drop_index("ix_working_hours_clinician_user_id", table_name="working_hours")
    op.drop_table("working_hours")
    op.drop_table("visit_type")
    op.drop_table("clinic_location")
