"""The wait list for earlier appointments, and the offers made from it.

A ``WaitlistRequest`` says "tell me if an earlier time opens" about one booked visit (one request
per visit; asking again after cancelling re-opens the same row at the back of the line). When a
matching time is open, the job writes a ``WaitlistOffer`` per waiting request it picks: a claim
link whose token is kept only as a SHA-256, valid until ``expires_at``. (request, clinician,
start) is unique, so two scheduler processes, or a run after a restart, can never offer the same
time to the same request twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

REQUEST_STATUSES = ("waiting", "moved", "cancelled", "ended")  # ended: the visit itself changed or passed
OFFER_STATUSES = ("open", "claimed", "gone", "withdrawn")  # gone: another patient took the time


class WaitlistRequest(SQLModel, table=True):
    __tablename__ = "waitlist_request"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    appointment_id: int = Field(foreign_key="appointment.id", unique=True, index=True)  # the visit to move earlier
    visit_type_id: int = Field(foreign_key="visit_type.id")
    clinician_user_id: int | None = Field(default=None, foreign_key="user.id")  # None: any clinician
    not_before: date | None = Field(default=None)  # clinic-zone date: no earlier than this day
    status: str = Field(default="waiting", max_length=16, index=True)  # one of REQUEST_STATUSES
    asked_by: int | None = Field(default=None, foreign_key="user.id")
    asked_at: datetime = created_at_field()  # the place in line (first come, first served)
    closed_at: datetime | None = utc_column(default=None, nullable=True)


class WaitlistOffer(SQLModel, table=True):
    __tablename__ = "waitlist_offer"
    __table_args__ = (Index("ix_waitlist_offer_time", "request_id", "clinician_user_id", "starts_at", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="waitlist_request.id")
    patient_id: int = Field(foreign_key="patient.id")
    clinician_user_id: int = Field(foreign_key="user.id")
    starts_at: datetime = utc_column(nullable=False, index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    status: str = Field(default="open", max_length=16, index=True)  # one of OFFER_STATUSES
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column(nullable=False)
    claimed_appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    closed_at: datetime | None = utc_column(default=None, nullable=True)
