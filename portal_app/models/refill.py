"""Refill requests, the steps each one went through, the fills they led to, and auto-refill.

One request is about one medicine (asking for three medicines makes three requests, so one can be
approved and another denied). The rules of its steps live in ``services/refills.py``.

``open_medication_id`` holds the medicine's id while the request is open and is emptied when it
ends (denied, picked up, cancelled): being unique, it lets at most one open request exist per
medicine, even when two arrive at the same moment. ``auto_cycle`` names the supply cycle an
automatic request was made for (the fill it follows), unique per medicine, so the scheduled job
makes exactly one request per cycle, however often and in however many processes it runs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

KINDS = ("refill", "renewal")  # renewal: no refills left, the clinician writes a new prescription
STEPS = ("requested", "approved", "denied", "sent", "ready", "picked_up", "cancelled")
OPEN_STEPS = ("requested", "approved", "sent", "ready")


class RefillRequest(SQLModel, table=True):
    __tablename__ = "refill_request"
    __table_args__ = (UniqueConstraint("medication_id", "auto_cycle", name="uq_refill_request_auto_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    medication_id: int = Field(foreign_key="medication.id", index=True)
    open_medication_id: int | None = Field(default=None, unique=True)  # = medication_id while open
    pharmacy_id: int | None = Field(default=None, foreign_key="pharmacy.id")
    kind: str = Field(default="refill", max_length=16)  # one of KINDS
    status: str = Field(default="requested", max_length=16, index=True)  # one of STEPS
    note: str | None = Field(default=None, max_length=500)  # the patient's note to the care team
    requested_by: int | None = Field(default=None, foreign_key="user.id")  # None: the auto-refill job
    auto_cycle: str | None = Field(default=None, max_length=40)
    quantity: int | None = None  # set at approval
    refills_left: int | None = None  # set at approval: refills left after this fill
    deny_reason: str | None = Field(default=None, max_length=32)  # a code of services/refills.DENY_REASONS
    deny_note: str | None = Field(default=None, max_length=300)  # the reviewer's words to the patient
    refill_used: bool = Field(default=False)  # approval took one of the prescription's refills
    answer_due: datetime = utc_column(nullable=False)  # the clinic's promise to review by
    created_at: datetime = created_at_field()
    updated_at: datetime = utc_column(default=None, nullable=True)


class RefillStep(SQLModel, table=True):
    """One step of a request's timeline: what happened, when, and who did it."""

    __tablename__ = "refill_step"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="refill_request.id", index=True)
    step: str = Field(max_length=16)
    at: datetime = created_at_field()
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(max_length=200)  # "Marie Baptiste, RN", "You", "Automatic refill"
    actor_role: str = Field(max_length=16)


class MedicationFill(SQLModel, table=True):
    """A fill the pharmacy made: the start of a supply cycle (what auto-refill counts from)."""

    __tablename__ = "medication_fill"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    medication_id: int = Field(foreign_key="medication.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="refill_request.id")
    pharmacy_id: int | None = Field(default=None, foreign_key="pharmacy.id")
    filled_on: date
    quantity: int | None = None
    created_at: datetime = created_at_field()


class AutoRefill(SQLModel, table=True):
    """The patient switched automatic refills on (or off) for one medicine, to one pharmacy."""

    __tablename__ = "auto_refill"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    medication_id: int = Field(foreign_key="medication.id", unique=True)
    pharmacy_id: int | None = Field(default=None, foreign_key="pharmacy.id")
    enabled: bool = Field(default=True)
    changed_by: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = created_at_field()
