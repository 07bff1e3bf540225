"""Break-glass: a staff member's emergency access to a restricted chart (``patient.restricted``).

A clinician, nurse or admin ("break_glass.start") gives a reason of 10-500 characters and gets
one hour on that chart, for the actions their role already has in ``access.PATIENT_DATA`` (it
lifts the restriction, never the role's limits). Starting and ending are audited as
"break_glass", and every active admin with an email address is sent a "break_glass_alert"
notice (no patient details: "see the audit report") through the outbox, in the same transaction.
Only restricted charts can be opened this way; starting again while a break-glass is running
returns the running one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.outbox import Channel
from portal_app.models.people import Patient, Role, User
from portal_app.models.proxy import BreakGlass
from portal_app.services import audit, notify
from portal_app.services.access import Actor, active_break_glass, allowed
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

DURATION = timedelta(hours=1)
MIN_REASON = 10
MAX_REASON = 500
CATEGORY = "break_glass"


@dataclass(frozen=True)
class BreakGlassView:
    id: int
    patient_id: int
    started_at: datetime
    ends_at: datetime


def _view(row: BreakGlass) -> BreakGlassView:
    return BreakGlassView(id=row.id, patient_id=row.patient_id, started_at=clock.as_utc(row.started_at),
                          ends_at=clock.as_utc(row.ends_at))


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(session: Session, actor: Actor | None, patient_id: object) -> Actor:
    if not allowed(actor, "break_glass.start") or actor is None or actor.user_id is None:
        audit.record_refusal(session, actor, "break_glass", CATEGORY,
                             patient_id=patient_id if _is_id(patient_id) else None, detail="refused: break-glass")
        if actor is not None and actor.role in (Role.PATIENT, Role.PROXY):
            raise NotFound()
        raise PermissionDenied()
    return actor


def start(session: Session, actor: Actor, patient_id: int, reason: str) -> BreakGlassView:
    """Open a restricted chart for one hour; nothing is written when refused."""
    actor = _require(session, actor, patient_id)
    patient = session.get(Patient, patient_id) if _is_id(patient_id) else None
    if patient is None:
        raise NotFound()
    text = unicodedata.normalize("NFC", reason).strip() if isinstance(reason, str) else ""
    if not MIN_REASON <= len(text) <= MAX_REASON or not text.isprintable():
        raise InvalidInput("break_glass.error.reason", low=MIN_REASON, high=MAX_REASON)
    if not patient.restricted:
        raise InvalidInput("break_glass.error.not_restricted")
    running = active_break_glass(session, actor.user_id, patient.id)
    if running is not None:
        return _view(running)
    moment = clock.now()
    row = BreakGlass(staff_user_id=actor.user_id, patient_id=patient.id, reason=text, started_at=moment,
                     ends_at=moment + DURATION)
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(session, actor, "break_glass", CATEGORY, patient_id=patient.id,
                 detail=f"break-glass {row.id} started for {int(DURATION.total_seconds() // 60)} minutes")
    _alert_admins(session, row.id)
    return _view(row)


def _alert_admins(session: Session, break_glass_id: int) -> int:
    admins = session.exec(
        select(User).where(User.role == Role.ADMIN, User.is_active.is_(True), User.email.is_not(None))
        .order_by(User.id)
    ).all()
    queued = 0
    for admin in admins:
        try:
            queued += notify.queue(
                session, dedupe_key=f"break_glass:{break_glass_id}:admin:{admin.id}", channel=Channel.EMAIL,
                recipient=admin.email, kind="break_glass_alert", template_key="break_glass_alert",
                language=admin.preferred_language, params={}, user_id=admin.id,
            )
        except notify.TemplateError:  # an unusable address must not block emergency access
            continue
    return queued


def end(session: Session, actor: Actor, break_glass_id: int) -> None:
    """Close one's own running break-glass before its hour is up."""
    row = session.get(BreakGlass, break_glass_id) if _is_id(break_glass_id) else None
    if row is None or actor is None or actor.user_id is None or row.staff_user_id != actor.user_id:
        audit.record_refusal(session, actor, "break_glass", CATEGORY,
                             patient_id=row.patient_id if row else None, detail="refused: end break-glass")
        raise NotFound()
    moment = clock.now()
    if row.ended_early_at is not None or clock.as_utc(row.ends_at) <= moment:
        return
    row.ended_early_at = moment
    session.add(row)
    session.flush()
    audit.record(session, actor, "break_glass", CATEGORY, patient_id=row.patient_id,
                 detail=f"break-glass {row.id} ended early")


def active(session: Session, actor: Actor, patient_id: int) -> BreakGlassView | None:
    """The actor's running break-glass on this chart, if any."""
    if actor is None or not actor.is_staff or not _is_id(patient_id):
        return None
    row = active_break_glass(session, actor.user_id, patient_id)
    return _view(row) if row is not None else None
