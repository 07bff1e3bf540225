"""Reminders to take a medicine at chosen times of day, in the patient's time zone.

``times`` holds wall-clock times ("08:00,20:30"); ``zone`` the IANA zone they are meant in. The
reminder job queues one notice per reminder and local time (its dedupe key names both), so each
time is reminded exactly once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class MedicationReminder(SQLModel, table=True):
    __tablename__ = "medication_reminder"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    medication_id: int = Field(foreign_key="medication.id", index=True)
    times: str = Field(max_length=60)  # sorted "HH:MM" joined by commas
    zone: str = Field(max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    removed_at: datetime | None = utc_column(default=None, nullable=True)
