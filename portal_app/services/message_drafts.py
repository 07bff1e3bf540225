"""Drafts: what a patient or proxy was writing, kept on the server so closing the page loses nothing.

One draft per person, chart and slot ("new" for a new message, "thread:<id>" for a reply). Saving
empty text removes the draft; sending the message removes it too (``services/messages.py``).
Drafts hold health details, so each save is checked and audited like a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.message import TOPICS, MessageDraft, MessageThread
from portal_app.services import access, audit
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound
from portal_app.services.medications import is_id

CATEGORY = "messages"
MAX_DRAFT = 4000


@dataclass(frozen=True)
class Draft:
    topic: str
    body: str


def _slot(session: Session, actor: Actor | None, patient_id: int, thread_id: object) -> str:
    if thread_id is None:
        return "new"
    thread = session.get(MessageThread, thread_id) if is_id(thread_id) else None
    if thread is None or thread.patient_id != patient_id:
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=patient_id,
                             detail="refused: draft for a thread not in this chart")
        raise NotFound("msg.error.no_thread")
    return f"thread:{thread.id}"


def save(session: Session, actor: Actor | None, patient_id: int, thread_id: object, topic: object,
         body: object) -> None:
    """Keep (or, for empty text, forget) the draft; ``thread_id`` None means a new message."""
    access.require_patient_access(session, actor, patient_id, "messages.write")
    slot = _slot(session, actor, patient_id, thread_id)
    if not isinstance(body, str) or len(body) > MAX_DRAFT:
        raise InvalidInput("msg.error.too_long", most=MAX_DRAFT)
    chosen = topic if isinstance(topic, str) and topic in TOPICS else None
    if not body.strip():
        discard(session, actor, patient_id, slot)
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MessageDraft.__table__)
    values = dict(user_id=actor.user_id, patient_id=patient_id, slot=slot, topic=chosen, body=body,
                  updated_at=clock.now())
    session.execute(insert.values(**values).on_conflict_do_update(
        index_elements=["user_id", "patient_id", "slot"], set_=dict(topic=chosen, body=body, updated_at=values["updated_at"])))
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id, detail=f"draft {slot} saved")


def load(session: Session, actor: Actor | None, patient_id: int, thread_id: object = None) -> Draft | None:
    access.require_patient_access(session, actor, patient_id, "messages.write")
    slot = _slot(session, actor, patient_id, thread_id)
    row = session.exec(select(MessageDraft).where(MessageDraft.user_id == actor.user_id,
                                                  MessageDraft.patient_id == patient_id, MessageDraft.slot == slot)).first()
    if row is None:
        return None
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail=f"draft {slot}")
    return Draft(topic=row.topic or "", body=row.body)


def discard(session: Session, actor: Actor, patient_id: int, slot: str) -> None:
    """Forget the draft of a slot (after sending, or when its text was emptied)."""
    session.execute(delete(MessageDraft).where(MessageDraft.user_id == actor.user_id,
                                               MessageDraft.patient_id == patient_id, MessageDraft.slot == slot))
