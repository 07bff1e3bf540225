"""The pharmacies a patient keeps for their refills (a shop nearby, or mail order).

A pharmacy is never deleted, only removed from the patient's list (``removed_at``), because past
refill requests still name it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class Pharmacy(SQLModel, table=True):
    __tablename__ = "pharmacy"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    name: str = Field(max_length=120)
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)  # E.164
    mail_order: bool = Field(default=False)
    preferred: bool = Field(default=False)  # chosen first in the refill request
    created_at: datetime = created_at_field()
    removed_at: datetime | None = utc_column(default=None, nullable=True)
