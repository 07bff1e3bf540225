"""When a patient sees a result: holds a clinician puts on one, and each patient's wish per category.

The rules that read these rows live in ``services/result_release.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

CATEGORIES = ("labs", "imaging", "pathology", "genetic")
MODES = ("at_once", "after_review")


class ResultHold(SQLModel, table=True):
    """A clinician holds one result (a report, or a single value outside any report) until ``ends_at``."""

    __tablename__ = "result_hold"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="diagnostic_report.id", index=True)
    observation_id: int | None = Field(default=None, foreign_key="observation.id", index=True)
    reason: str = Field(max_length=300)  # for the care team; the patient sees only that something is pending
    ends_at: datetime = utc_column(nullable=False)
    held_by: int | None = Field(default=None, foreign_key="user.id")
    released_at: datetime | None = utc_column(default=None, nullable=True)
    released_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()


class ReleasePreference(SQLModel, table=True):
    """A patient's choice for one category: see results at once (the default) or after review."""

    __tablename__ = "release_preference"
    __table_args__ = (UniqueConstraint("patient_id", "category", name="uq_release_preference"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    category: str = Field(max_length=20)  # one of CATEGORIES
    mode: str = Field(default="at_once", max_length=20)  # one of MODES
    updated_at: datetime = created_at_field()
