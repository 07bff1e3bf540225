"""A patient's medicines: what they take now and took before.

Filled by the EHR import (FHIR MedicationRequest / MedicationStatement, ``source_id`` being the
EHR's id so that importing again updates instead of adding) and by the clinic. The refill tracker
(requests, pharmacies, auto-refill) builds on this table; the health record reads it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

STATUSES = ("active", "on_hold", "stopped", "completed")


class Medication(SQLModel, table=True):
    __tablename__ = "medication"
    __table_args__ = (UniqueConstraint("patient_id", "source_id", name="uq_medication_patient_source"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    source_id: str | None = Field(default=None, max_length=128)  # the EHR's resource id, when imported
    rxnorm_code: str | None = Field(default=None, max_length=20)
    name: str = Field(max_length=200)  # as prescribed: "Lisinopril 10 MG Oral Tablet"
    instructions: str | None = Field(default=None, max_length=500)  # how and when, in the prescriber's words
    reason: str | None = Field(default=None, max_length=200)  # what it is for
    status: str = Field(default="active", max_length=16)  # one of STATUSES
    started_on: date | None = None
    ended_on: date | None = None
    prescriber: str | None = Field(default=None, max_length=200)
    quantity: int | None = None  # units dispensed per fill
    refills_allowed: int | None = None  # fills after the first, as prescribed
    days_supply: int | None = None  # days one fill lasts
    controlled: bool = Field(default=False)  # a controlled substance: renewing it needs a visit
    created_at: datetime = created_at_field()
    updated_at: datetime = utc_column(default=None, nullable=True)
    # Added by the refill tracker (migration 0501); all optional, so an import may leave them out.
    strength: str | None = Field(default=None, max_length=60)  # "10 mg"
    dose: str | None = Field(default=None, max_length=100)  # one dose in plain words: "1 tablet"
    daily_units: float | None = None  # units taken a day (from the dosage), for when a supply runs out
    refills_used: int = Field(default=0)  # refills approved since the prescription was (re)written
    auto_refill_eligible: bool = Field(default=False)  # the clinician allows automatic refills
