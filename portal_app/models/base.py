"""Column helpers shared by the tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field

from portal_app import clock


def utc_column(**kwargs):
    """A timezone-aware timestamp column (stored as UTC)."""
    return Field(sa_type=DateTime(timezone=True), **kwargs)


def created_at_field() -> datetime:
    return utc_column(default_factory=clock.now, nullable=False)
