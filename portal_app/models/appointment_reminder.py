"""When a patient wants to be reminded of their visits (the lead times), per chart.

One row per chart: the patient (or a proxy with the "appointments" scope) chooses; everyone who
hears about that chart's appointments is reminded at those times, on their own channels
(``notification_preference``). No row: the clinic's default (``services/appointment_reminders``).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field


class AppointmentReminderChoice(SQLModel, table=True):
    __tablename__ = "appointment_reminder_choice"

    patient_id: int = Field(foreign_key="patient.id", primary_key=True)
    lead_hours: str = Field(max_length=40)  # comma-separated hours before the visit, e.g. "72,2"; "" for none
    changed_by: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = created_at_field()
