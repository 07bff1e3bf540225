"""What a patient tells the clinic about their medicines: "I no longer take this" or "I take
something not listed". Reports wait for a nurse or clinician; they never change the list directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

KINDS = ("stopped", "not_listed")


class MedicationReport(SQLModel, table=True):
    __tablename__ = "medication_report"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    kind: str = Field(max_length=16)  # one of KINDS
    medication_id: int | None = Field(default=None, foreign_key="medication.id")  # "stopped": which one
    medicine_name: str | None = Field(default=None, max_length=200)  # "not_listed": as the patient wrote it
    note: str | None = Field(default=None, max_length=500)
    reported_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = utc_column(default=None, nullable=True)
