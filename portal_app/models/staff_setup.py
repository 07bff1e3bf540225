"""A staff account's first sign-in: the one-time password must be replaced and an app enrolled."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class StaffSetup(SQLModel, table=True):
    """One row per staff account made with a one-time password; done once ``completed_at`` is set."""

    __tablename__ = "staff_setup"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    expires_at: datetime = utc_column(nullable=False)  # the one-time password stops working then
    password_set_at: datetime | None = utc_column(default=None, nullable=True)
    completed_at: datetime | None = utc_column(default=None, nullable=True)
    # The sign-in that enrolled the app: only it may become a session without another code.
    completed_session_id: int | None = Field(default=None, foreign_key="user_session.id")
    created_at: datetime = created_at_field()
