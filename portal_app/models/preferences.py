"""Which channels each account wants each kind of notice on (email, text message, web push).

One row per account and topic, written only when the account changes a default; a missing row
means the defaults in ``services/notification_prefs.py``.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "topic", name="uq_notification_preference_user_topic"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    topic: str = Field(max_length=32)  # a services/notification_prefs.TOPICS key
    email: bool = Field(default=True)
    sms: bool = Field(default=False)
    push: bool = Field(default=True)
