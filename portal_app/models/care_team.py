"""Who gives care: organisations, practitioners, and which of them are on a patient's care team.

Organisations and practitioners are shared by every chart (``source_id`` is unique across the
portal); the care team links a patient to the practitioners who saw them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    source_id: str | None = Field(default=None, max_length=128, unique=True)
    name: str = Field(max_length=300)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at_field()


class Practitioner(SQLModel, table=True):
    __tablename__ = "practitioner"

    id: int | None = Field(default=None, primary_key=True)
    source_id: str | None = Field(default=None, max_length=128, unique=True)
    name: str = Field(max_length=200)  # "Dr. Del Williamson"
    qualification: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    created_at: datetime = created_at_field()


class CareTeamMember(SQLModel, table=True):
    __tablename__ = "care_team_member"
    __table_args__ = (UniqueConstraint("patient_id", "practitioner_id", name="uq_care_team_member"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    practitioner_id: int = Field(foreign_key="practitioner.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    role: str | None = Field(default=None, max_length=100)
    last_seen_on: date | None = None
    created_at: datetime = created_at_field()
