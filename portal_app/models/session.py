"""Server-side sign-in sessions (the browser holds only an opaque, HttpOnly cookie)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # SHA-256 of the cookie value; the value itself is never stored.
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    # SHA-256 of the one-time hand-off that turns a successful sign-in into the cookie.
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    handoff_expires_at: datetime | None = utc_column(default=None, nullable=True)
    # Set when the second factor was checked; only then may the hand-off become a cookie.
    factor_verified_at: datetime | None = utc_column(default=None, nullable=True)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = utc_column(nullable=False)
    expires_at: datetime = utc_column(nullable=False)  # absolute lifetime
    revoked_at: datetime | None = utc_column(default=None, nullable=True)
    user_agent: str = Field(default="", max_length=300)
    ip_address: str = Field(default="", max_length=64)
