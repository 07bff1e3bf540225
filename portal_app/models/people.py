"""Who uses the portal: patients (the chart) and users (the people who sign in)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field


class Role(StrEnum):
    PATIENT = "patient"
    PROXY = "proxy"
    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    CLINICIAN = "clinician"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.ADMIN})


class Patient(SQLModel, table=True):
    """A chart: the person the health data is about (who may or may not have an account)."""

    id: int | None = Field(default=None, primary_key=True)
    mrn: str = Field(max_length=32, unique=True, index=True)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100, index=True)
    birth_date: date
    sex: str = Field(max_length=16)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    preferred_language: str = Field(default="en", max_length=8)
    # Staff who are also patients, VIPs...: staff see it only during break-glass (services/access.py).
    restricted: bool = Field(default=False)
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    """An account that signs in: a patient, a proxy or a staff member."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=64)  # e.g. "MD", "RN", shown to patients
    role: str = Field(max_length=16)  # a Role value; a string so new roles need no enum migration
    patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    preferred_language: str = Field(default="en", max_length=8)
    password_hash: bytes | None = Field(default=None)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
