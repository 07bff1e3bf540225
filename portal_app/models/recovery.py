"""Password reset links, self sign-up requests and request counters (per account or address)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

SIGNUP_STATUSES = ("pending", "matched", "rejected")


class PasswordReset(SQLModel, table=True):
    """One emailed reset link: only the SHA-256 of its token is kept; single use, 60 minutes."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column(nullable=False)
    used_at: datetime | None = utc_column(default=None, nullable=True)  # spent, or replaced by a newer link


class SignupRequest(SQLModel, table=True):
    """A self sign-up: matched to one chart at once (with a 6-digit code), or left for the staff queue."""

    __tablename__ = "signup_request"

    id: int | None = Field(default=None, primary_key=True)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    birth_date: date
    contact: str = Field(max_length=254)  # the email or mobile number typed
    mrn: str = Field(default="", max_length=32)
    language: str = Field(default="en", max_length=8)
    created_at: datetime = created_at_field()
    status: str = Field(default="pending", max_length=16, index=True)  # one of SIGNUP_STATUSES
    patient_id: int | None = Field(default=None, foreign_key="patient.id")  # the chart it was matched to
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    resolved_by: int | None = Field(default=None, foreign_key="user.id")  # None: matched automatically
    resolved_at: datetime | None = utc_column(default=None, nullable=True)
    code_hash: str | None = Field(default=None, max_length=64)  # codes.digest(6 digits, "signup")
    code_expires_at: datetime | None = utc_column(default=None, nullable=True)
    code_used_at: datetime | None = utc_column(default=None, nullable=True)
    code_failures: int = Field(default=0)


class RequestCounter(SQLModel, table=True):
    """Requests per bucket (a keyed hash of "what:account or address") in a fixed one-hour window."""

    __tablename__ = "request_counter"

    id: int | None = Field(default=None, primary_key=True)
    bucket_key: str = Field(max_length=64, unique=True, index=True)
    window_started_at: datetime = utc_column(nullable=False)
    count: int = Field(default=0)
