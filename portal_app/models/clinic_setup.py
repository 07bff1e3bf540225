"""The clinic's set-up that open appointment times are computed from (nothing stores a slot).

Locations and visit types; each clinician's weekly working hours per location, as wall-clock
times in the clinic's zone (portal_app/localtime.py), so 9:00 stays 9:00 across a
daylight-saving change; and exceptions (holidays, leave) as UTC periods, for one clinician or,
with no clinician, the whole clinic. A visit type's buffer is time kept free after each visit of
that type (notes, cleaning the room). Clinic-wide choices (the time zone) sit in one row of
``clinic_settings``.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

MODES = ("in_person", "video")
PATIENT_KINDS = ("any", "new", "established")  # who may book the type: everyone, first visits, returning patients
SETTINGS_ROW = 1  # the id of the one clinic_settings row


class Location(SQLModel, table=True):
    __tablename__ = "clinic_location"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=32)
    directions: str = Field(default="", max_length=500)  # parking, entrance, floor
    active: bool = Field(default=True)


class VisitType(SQLModel, table=True):
    __tablename__ = "visit_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    name_es: str = Field(default="", max_length=120)
    duration_minutes: int
    buffer_minutes: int = Field(default=0)
    mode: str = Field(default="in_person", max_length=16)  # one of MODES
    online_bookable: bool = Field(default=True)  # False: only the front desk books it
    patient_kind: str = Field(default="any", max_length=16)  # one of PATIENT_KINDS
    prep_note: str = Field(default="", max_length=500)  # what to bring, how to prepare
    prep_note_es: str = Field(default="", max_length=500)
    active: bool = Field(default=True)


class WorkingHours(SQLModel, table=True):
    """One block of a clinician's week: Monday 8:00-12:00 at Main Street."""

    __tablename__ = "working_hours"

    id: int | None = Field(default=None, primary_key=True)
    clinician_user_id: int = Field(foreign_key="user.id", index=True)
    location_id: int = Field(foreign_key="clinic_location.id")
    weekday: int  # 0 Monday .. 6 Sunday
    starts: time  # clinic wall-clock time
    ends: time


class ScheduleException(SQLModel, table=True):
    """Time nobody (or one clinician) sees patients: a holiday, leave, a training morning."""

    __tablename__ = "schedule_exception"

    id: int | None = Field(default=None, primary_key=True)
    clinician_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)  # None: whole clinic
    starts_at: datetime = utc_column(nullable=False)
    ends_at: datetime = utc_column(nullable=False)
    label: str = Field(default="", max_length=120)  # staff-facing: "Thanksgiving", "Leave"
    created_at: datetime = created_at_field()


class ClinicSettings(SQLModel, table=True):
    """Choices for the whole clinic made on /console/setup: a single row (``SETTINGS_ROW``), made
    the first time one is saved; until then the operator's settings (PORTAL_CLINIC_TIMEZONE) hold."""

    __tablename__ = "clinic_settings"

    id: int | None = Field(default=None, primary_key=True)
    time_zone: str = Field(default="", max_length=64)  # IANA name; "": PORTAL_CLINIC_TIMEZONE

