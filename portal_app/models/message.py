"""Secure messaging: threads between a patient and the care team, worked as a shared queue.

A thread belongs to one patient's chart and sits in one pool (the clinician's team, the front
desk, billing), chosen from its topic; pool members see it in their queue and one may take it
(``assignee_user_id``). Messages are never edited: a correction is a new message. Internal notes
are a separate table that no patient-side service reads, so a note cannot leak into a patient's
page by a forgotten filter. Attachments are ``stored_file`` rows claimed as ``"message:<id>"``.

``message_draft`` keeps what someone was writing (a new message, or a reply in one thread), so
closing the page loses nothing; it goes when the message is sent.

``message_read`` keeps, per thread and person, the newest message id they have seen; unread counts
are the messages after it written by the other side. Moving the marker only ever goes forward
(``UPDATE ... WHERE last_read < new``), so two tabs reading at once cannot move it back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import created_at_field, utc_column

TOPICS = ("clinical", "appointment", "prescription", "result", "billing", "other")
STATUSES = ("open", "waiting", "closed")  # open: the care team owes an answer; waiting: on the patient


class MessagePool(SQLModel, table=True):
    """A group of staff who answer one kind of message; a clinical pool never admits the front desk."""

    __tablename__ = "message_pool"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # "care_team", "front_desk", "billing"
    name: str = Field(max_length=80)
    clinical: bool = Field(default=False)
    created_at: datetime = created_at_field()


class MessagePoolMember(SQLModel, table=True):
    __tablename__ = "message_pool_member"
    __table_args__ = (UniqueConstraint("pool_id", "user_id", name="uq_message_pool_member"),)

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int = Field(foreign_key="message_pool.id")
    user_id: int = Field(foreign_key="user.id", index=True)


class MessageThread(SQLModel, table=True):
    __tablename__ = "message_thread"
    __table_args__ = (
        Index("ix_message_thread_patient_last", "patient_id", "last_message_at"),
        Index("ix_message_thread_pool_status", "pool_id", "status", "last_message_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    topic: str = Field(max_length=16)  # one of TOPICS
    subject: str = Field(max_length=120)
    pool_id: int = Field(foreign_key="message_pool.id")
    status: str = Field(default="open", max_length=16)  # one of STATUSES
    assignee_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    started_by: int | None = Field(default=None, foreign_key="user.id")
    urgent: bool = Field(default=False)  # a patient's words matched the urgent-symptom list
    reply_due: datetime | None = utc_column(default=None, nullable=True)  # the promise shown before sending
    # "Ask my care team about this result": the value the patient asked about, so staff see which one.
    result_observation_id: int | None = Field(default=None, foreign_key="observation.id")
    last_message_at: datetime = created_at_field()
    created_at: datetime = created_at_field()


# The queue's views of threads owing an answer list a pool's open threads urgent first, then by the
# promised reply time: in this order in the index, a page is read without sorting the pool.
Index("ix_message_thread_queue_order", MessageThread.pool_id, MessageThread.status, MessageThread.urgent.desc(),
      MessageThread.reply_due, MessageThread.id)


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_author_created", "author_user_id", "created_at"),  # the sending limits
                      Index("ix_message_source_ip_created", "source_ip", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="message_thread.id", index=True)
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    author_label: str = Field(max_length=200)  # "Sam Oduya", "Marie Baptiste, RN"
    from_staff: bool
    body: str = Field(sa_type=Text)
    source_ip: str | None = Field(default=None, max_length=45)  # a patient-side sender's, for the per-address limit
    created_at: datetime = created_at_field()


class MessageNote(SQLModel, table=True):
    """A note between staff on a thread; the patient never sees it."""

    __tablename__ = "message_note"

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="message_thread.id", index=True)
    author_user_id: int | None = Field(default=None, foreign_key="user.id")
    author_label: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    created_at: datetime = created_at_field()


class MessageRead(SQLModel, table=True):
    __tablename__ = "message_read"
    __table_args__ = (UniqueConstraint("thread_id", "user_id", name="uq_message_read"),)

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="message_thread.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    last_read_message_id: int = Field(default=0)
    read_at: datetime = created_at_field()


class CannedReply(SQLModel, table=True):
    """A reply staff insert and then edit (e.g. "We got your message and will call you today")."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    pool_id: int | None = Field(default=None, foreign_key="message_pool.id")  # None: every pool
    title: str = Field(max_length=80)
    body: str = Field(sa_type=Text)
    created_at: datetime = created_at_field()


class MessageDraft(SQLModel, table=True):
    __tablename__ = "message_draft"
    __table_args__ = (UniqueConstraint("user_id", "patient_id", "slot", name="uq_message_draft"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    patient_id: int = Field(foreign_key="patient.id")
    slot: str = Field(max_length=24)  # "new", or "thread:<id>" for a reply
    topic: str | None = Field(default=None, max_length=16)
    body: str = Field(sa_type=Text)
    updated_at: datetime = created_at_field()
