"""Proxy access and break-glass: who may see a chart besides the patient and the care team.

``proxy_grant``: a person (the grantee's account) may act for a patient within chosen scopes
until an end date; a grant is never deleted, only revoked, so the patient's history keeps it.
``break_glass``: a staff member's time-limited, reasoned emergency access to a restricted chart
(``patient.restricted``). The rules live in ``services/access.py``, ``services/proxies.py`` and
``services/break_glass.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

PROXY_SCOPES = ("record", "results", "appointments", "messages", "medications", "billing")
RELATIONSHIPS = ("parent", "guardian", "adult_child", "spouse", "other")


class ProxyGrant(SQLModel, table=True):
    __tablename__ = "proxy_grant"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)  # whose record
    grantee_user_id: int = Field(foreign_key="user.id", index=True)  # the proxy's account
    scopes: str = Field(max_length=100)  # comma-separated PROXY_SCOPES, sorted
    relationship: str = Field(max_length=16)  # one of RELATIONSHIPS
    starts_at: datetime = utc_column(nullable=False)
    ends_at: datetime = utc_column(nullable=False)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = utc_column(default=None, nullable=True)
    revoked_by: int | None = Field(default=None, foreign_key="user.id")


class BreakGlass(SQLModel, table=True):
    __tablename__ = "break_glass"

    id: int | None = Field(default=None, primary_key=True)
    staff_user_id: int = Field(foreign_key="user.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    reason: str = Field(max_length=500)
    started_at: datetime = utc_column(nullable=False)
    ends_at: datetime = utc_column(nullable=False)
    ended_early_at: datetime | None = utc_column(default=None, nullable=True)
