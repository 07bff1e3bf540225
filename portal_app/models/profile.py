"""The patient's profile beyond the chart's core: emergency contacts, insurance, and the changes to
name, date of birth and insurance that wait for the clinic's review."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class EmergencyContact(SQLModel, table=True):
    __tablename__ = "emergency_contact"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    name: str = Field(max_length=200)
    relationship: str = Field(max_length=40)  # one of services/profile.RELATIONSHIPS
    phone: str = Field(max_length=32)  # E.164
    created_at: datetime = created_at_field()
    removed_at: datetime | None = utc_column(default=None, nullable=True)


class InsurancePlan(SQLModel, table=True):
    """The plan on file, as approved by the clinic (changes go through ``ProfileChange``)."""

    __tablename__ = "insurance_plan"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", unique=True, index=True)
    plan_name: str = Field(max_length=120)
    member_id: str = Field(max_length=64)
    # Photos of the card (stored_file tokens; served only through services/profile.insurance_card).
    front_file: str | None = Field(default=None, max_length=43)
    back_file: str | None = Field(default=None, max_length=43)
    updated_at: datetime = created_at_field()


class ProfileChange(SQLModel, table=True):
    """A change the patient asked for that staff approve or reject (with a reason)."""

    __tablename__ = "profile_change"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    kind: str = Field(max_length=16)  # "name" | "birth_date" | "insurance"
    proposed: str = Field(max_length=1000)  # JSON of the new values, checked when asked
    status: str = Field(default="pending", max_length=16, index=True)  # pending | approved | rejected
    requested_by: int = Field(foreign_key="user.id")
    requested_at: datetime = created_at_field()
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = utc_column(default=None, nullable=True)
    reason: str = Field(default="", max_length=500)  # why it was rejected (shown to the patient)
