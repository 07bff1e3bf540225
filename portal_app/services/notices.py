"""Clinic notices: short public announcements shown on the sign-in page and every home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.notice import ClinicNotice
from portal_app.services import audit, live
from portal_app.services.access import Actor, require
from portal_app.services.errors import InvalidInput, NotFound

MAX_LENGTH = 500


@dataclass(frozen=True)
class NoticeView:
    id: int
    text: str


def _clean(text: str | None, field: str, required: bool) -> str | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise InvalidInput("notice.error.empty", field=field)
        return None
    if len(text) > MAX_LENGTH:
        raise InvalidInput("notice.error.too_long", limit=MAX_LENGTH)
    return text


def publish(
    session: Session,
    actor: Actor,
    message: str,
    message_es: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> int:
    require(actor, "notices.publish")
    text = _clean(message, "message", required=True)
    text_es = _clean(message_es, "message_es", required=False)
    start = clock.as_utc(starts_at) if starts_at else clock.now()
    if ends_at is not None and clock.as_utc(ends_at) <= start:
        raise InvalidInput("notice.error.ends_before_start")
    notice = ClinicNotice(
        message=text,
        message_es=text_es,
        created_by=actor.user_id,
        starts_at=start,
        ends_at=clock.as_utc(ends_at) if ends_at else None,
    )
    session.add(notice)
    live.announce(session, live.NOTICES)
    session.flush()
    assert notice.id is not None
    audit.record(session, actor, "create", "notices", detail=f"notice {notice.id}")
    return notice.id


def withdraw(session: Session, actor: Actor, notice_id: int) -> None:
    require(actor, "notices.withdraw")
    notice = session.get(ClinicNotice, notice_id)
    if notice is None or notice.withdrawn_at is not None:
        raise NotFound()
    notice.withdrawn_at = clock.now()
    session.add(notice)
    live.announce(session, live.NOTICES)
    audit.record(session, actor, "delete", "notices", detail=f"notice {notice_id}")


def current(session: Session, language: str) -> list[NoticeView]:
    """Notices showing now, newest first, in the reader's language when the clinic wrote one.

    Public content (no health data), so no actor: the sign-in page shows them to anyone.
    """
    moment = clock.now()
    rows = session.exec(
        select(ClinicNotice)
        .where(
            ClinicNotice.withdrawn_at.is_(None),
            ClinicNotice.starts_at <= moment,
            or_(ClinicNotice.ends_at.is_(None), ClinicNotice.ends_at > moment),
        )
        .order_by(ClinicNotice.starts_at.desc(), ClinicNotice.id.desc())
        .limit(5)
    ).all()
    return [
        NoticeView(id=n.id, text=(n.message_es if language == "es" and n.message_es else n.message))
        for n in rows
    ]


@dataclass(frozen=True)
class NoticeAdminView:
    id: int
    message: str
    message_es: str
    starts_at: datetime
    ends_at: datetime | None


def list_all(session: Session, actor: Actor) -> list[NoticeAdminView]:
    """Notices showing now or later, for the console (both languages, with their dates)."""
    require(actor, "notices.list_all")
    moment = clock.now()
    rows = session.exec(
        select(ClinicNotice)
        .where(ClinicNotice.withdrawn_at.is_(None),
               or_(ClinicNotice.ends_at.is_(None), ClinicNotice.ends_at > moment))
        .order_by(ClinicNotice.starts_at.desc(), ClinicNotice.id.desc())
        .limit(50)
    ).all()
    return [
        NoticeAdminView(id=n.id, message=n.message, message_es=n.message_es or "",
                        starts_at=clock.as_utc(n.starts_at), ends_at=clock.as_utc(n.ends_at) if n.ends_at else None)
        for n in rows
    ]
