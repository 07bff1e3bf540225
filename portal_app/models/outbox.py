"""The notifications outbox, and the devices a patient allowed to receive web push.

A notice (email, SMS or web push) is a row written in the same transaction as the change that
causes it, so it exists if and only if that change committed. A separate sender
(``jobs/outbox_sender.py``) delivers due rows. ``dedupe_key`` is unique: the same notice
("appointment:42:reminder:3d") can be queued once only, however often the code that queues it runs.

Bodies are built from translation templates (``services/notify.py``) and never carry health
details; ``last_error`` is a short, fixed description (no addresses, no server replies). An email
may carry one attachment the patient asked for (a copy of their record); it is kept only until
the notice is finished (sent, failed or cancelled), then dropped from the row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at (and not claimed)
    SENDING = "sending"  # claimed by one sender until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up: too many attempts, or a permanent refusal
    CANCELLED = "cancelled"  # withdrawn before sending (e.g. the appointment was cancelled)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    # The sender asks "status = pending and next_attempt_at <= now", and reclaims
    # "status = sending and claimed_until < now": both start with status.
    __table_args__ = (
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_message_status_claimed_until", "status", "claimed_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    channel: str = Field(max_length=8)  # a Channel value
    # An email address, an E.164 phone number, or the id of a push_subscription row.
    recipient: str = Field(max_length=254)
    kind: str = Field(max_length=40)  # e.g. "new_message", "activation_code"
    subject: str = Field(max_length=200)
    body: str = Field(max_length=1000)
    created_at: datetime = created_at_field()
    not_before: datetime = utc_column(nullable=False)
    status: str = Field(default=OutboxStatus.PENDING, max_length=12)  # an OutboxStatus value
    attempts: int = Field(default=0)
    next_attempt_at: datetime = utc_column(nullable=False)
    last_error: str | None = Field(default=None, max_length=200)
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_until: datetime | None = utc_column(default=None, nullable=True)
    sent_at: datetime | None = utc_column(default=None, nullable=True)
    attachment_name: str | None = Field(default=None, max_length=120)
    attachment_type: str | None = Field(default=None, max_length=64)
    attachment: bytes | None = Field(default=None, sa_type=LargeBinary, repr=False)


class PushSubscription(SQLModel, table=True):
    """One browser on one device that the user allowed to show portal notifications."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    endpoint: str = Field(max_length=1000, unique=True, index=True)
    p256dh: str = Field(max_length=100)  # the browser's P-256 public key, base64url
    auth: str = Field(max_length=50)  # the browser's 16-byte auth secret, base64url
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = utc_column(default=None, nullable=True)
