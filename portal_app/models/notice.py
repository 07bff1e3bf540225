"""Clinic notices ("Closed Monday for the holiday") shown on the sign-in and home pages."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class ClinicNotice(SQLModel, table=True):
    __tablename__ = "clinic_notice"

    id: int | None = Field(default=None, primary_key=True)
    message: str = Field(max_length=500)
    message_es: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    starts_at: datetime = utc_column(nullable=False, index=True)
    ends_at: datetime | None = utc_column(default=None, nullable=True)
    withdrawn_at: datetime | None = utc_column(default=None, nullable=True)
