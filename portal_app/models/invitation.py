"""Invitations to the portal and the progress of an activation.

The front desk invites a patient; the patient redeems the code together with their date of birth
and walks through the activation steps (terms, account, authenticator app, recovery codes). Only
a keyed hash of the code is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

ACTIVATION_STEPS = ("consent", "account", "authenticator", "recovery", "done")


class Invitation(SQLModel, table=True):
    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)  # codes.digest(code, "activation")
    created_by: int | None = Field(default=None, foreign_key="user.id")  # None: an operator's command
    created_at: datetime = created_at_field()
    expires_at: datetime = utc_column(nullable=False)
    used_at: datetime | None = utc_column(default=None, nullable=True)  # activation finished
    voided_at: datetime | None = utc_column(default=None, nullable=True)  # replaced, or too many failures
    failed_attempts: int = Field(default=0)  # right code, wrong date of birth
    channel_note: str = Field(default="", max_length=64)  # how the code reached the patient: "printed,email"


class Activation(SQLModel, table=True):
    """How far the patient got; one per invitation, so a redeemed code resumes where it stopped."""

    __tablename__ = "activation"

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", unique=True, index=True)
    step: str = Field(default="consent", max_length=16)  # one of ACTIVATION_STEPS
    user_id: int | None = Field(default=None, foreign_key="user.id")  # the account made at "account"
    consent_version: str | None = Field(default=None, max_length=32)
    consent_at: datetime | None = utc_column(default=None, nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = utc_column(default=None, nullable=True)


class ActivationFailures(SQLModel, table=True):
    """Failed redemptions per source address (keyed hash of the IP), in a fixed window."""

    __tablename__ = "activation_failures"

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=64, unique=True, index=True)
    window_started_at: datetime = utc_column(nullable=False)
    count: int = Field(default=0)
