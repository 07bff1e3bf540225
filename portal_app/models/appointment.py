"""Appointments, and the pieces of clinicians' time they hold.

The database itself keeps two active appointments off the same clinician at the same moment:
an active appointment holds every ``HOLD_MINUTES`` piece of its clinician's time from its start
to the end of its buffer, one ``appointment_hold`` row each, and (clinician, piece start) is the
primary key. Of twenty patients racing for one time, one inserts the pieces and the others'
inserts collide, whatever process they come from, and however the times overlap (a 30-minute
visit at 9:00 and a 15-minute one at 9:15 share the 9:15 piece). Cancelling or moving a visit
deletes its holds in the same transaction; a reschedule inserts the new holds first, so the old
time is let go only once the new one is secured.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

HOLD_MINUTES = 5  # durations and buffers are whole multiples of it
STATUSES = ("booked", "arrived", "completed", "no_show", "cancelled", "rescheduled")
ACTIVE = ("booked", "arrived")  # statuses that hold the clinician's time


class Appointment(SQLModel, table=True):
    __tablename__ = "appointment"
    # Open times read the active visits holding time in a range (status, then holds ending after its
    # start); with the start and clinician in the index too, that read never touches the table.
    __table_args__ = (Index("ix_appointment_active_hold", "status", "blocked_until", "starts_at", "clinician_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    clinician_user_id: int = Field(foreign_key="user.id", index=True)
    location_id: int = Field(foreign_key="clinic_location.id")
    visit_type_id: int = Field(foreign_key="visit_type.id")
    starts_at: datetime = utc_column(nullable=False, index=True)
    ends_at: datetime = utc_column(nullable=False)
    blocked_until: datetime = utc_column(nullable=False)  # ends_at plus the visit type's buffer
    status: str = Field(default="booked", max_length=16, index=True)  # one of STATUSES
    reason: str | None = Field(default=None, max_length=300)  # the patient's words; never in notices or .ics
    booked_by: int | None = Field(default=None, foreign_key="user.id")
    rescheduled_from_id: int | None = Field(default=None, foreign_key="appointment.id")
    cancel_reason: str | None = Field(default=None, max_length=300)
    cancelled_by: int | None = Field(default=None, foreign_key="user.id")
    cancelled_at: datetime | None = utc_column(default=None, nullable=True)
    arrived_at: datetime | None = utc_column(default=None, nullable=True)
    created_at: datetime = created_at_field()
    # Pre-visit check-in by the patient's side (services/previsit.py): when, and what the desk should ask about.
    previsit_at: datetime | None = utc_column(default=None, nullable=True)
    previsit_flags: str = Field(default="", max_length=60)  # "contact_changed", "insurance_changed", "no_insurance"


class AppointmentHold(SQLModel, table=True):
    """One ``HOLD_MINUTES`` piece of a clinician's time, taken by an active appointment."""

    __tablename__ = "appointment_hold"

    clinician_user_id: int = Field(foreign_key="user.id", primary_key=True)
    starts_at: datetime = utc_column(primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
