"""Shares of a patient's record with another provider, and each time a share was opened.

A share is a short code the patient reads out or writes down for a doctor outside the clinic.
Only the code's keyed hash is stored (``services/codes.digest``). The provider opens it with the
code and the patient's date of birth; five wrong dates of birth lock the share for good.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class RecordShare(SQLModel, table=True):
    __tablename__ = "record_share"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    created_by: int = Field(foreign_key="user.id")  # the patient, or a proxy with the record scope
    code_hash: str = Field(max_length=64, unique=True, index=True)
    recipient: str = Field(default="", max_length=80)  # who it is for, in the patient's words ("Dr. Lee")
    sections: str = Field(max_length=200)  # comma-separated services/record_share.SECTIONS keys
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column(nullable=False)
    revoked_at: datetime | None = utc_column(default=None, nullable=True)
    failures: int = Field(default=0)  # wrong dates of birth given with the right code
    locked_at: datetime | None = utc_column(default=None, nullable=True)


class RecordShareView(SQLModel, table=True):
    """One opening of a share by the provider: shown to the patient ("Viewed on ... from ...")."""

    __tablename__ = "record_share_view"

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(foreign_key="record_share.id", index=True)
    viewed_at: datetime = created_at_field()
    source_ip: str = Field(default="", max_length=64)
