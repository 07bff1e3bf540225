"""A patient's appointments as the portal shows them, and cancelling one.

Reading is audited (one row per list or detail read). Patients (and proxies with the
"appointments" scope) cancel up to ``booking.PATIENT_NOTICE`` before the visit, with a reason;
later they are told to call the clinic, because the time can no longer be offered to someone else.
Staff who run the schedule cancel at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.appointment import Appointment
from portal_app.models.clinic_setup import Location, VisitType
from portal_app.models.people import User
from portal_app.services import audit, previsit
from portal_app.services.access import Actor
from portal_app.services.booking import (CATEGORY, PATIENT_NOTICE, announce, clean_reason, clinician_label,
                                         forget_notices, localized, patient_appointment, release, require_booker,
                                         require_changeable, claim)
from portal_app.services.errors import InvalidInput

PAST_SHOWN = 20


@dataclass(frozen=True)
class AppointmentView:
    id: int
    visit_type_id: int
    clinician_id: int
    starts_at: datetime  # UTC
    ends_at: datetime
    status: str
    visit_type: str
    video: bool
    clinician: str
    location: str
    address: str
    directions: str
    location_phone: str
    prep_note: str
    reason: str  # the patient's words (shown to the patient's side and staff, never in notices or .ics)
    cancel_reason: str
    changeable: bool  # may still be cancelled or moved online by the patient's side
    change_until: datetime  # the last moment the patient may cancel or move it online
    checkin_open: bool  # pre-visit check-in can be done now (services/previsit.py)
    checked_in: bool


@dataclass(frozen=True)
class AppointmentList:
    upcoming: list[AppointmentView]
    past: list[AppointmentView]  # newest first, cancelled ones included


def _view(session: Session, appointment: Appointment, language: str, caches: dict) -> AppointmentView:
    visit_type = caches.setdefault(("t", appointment.visit_type_id), session.get(VisitType, appointment.visit_type_id))
    location = caches.setdefault(("l", appointment.location_id), session.get(Location, appointment.location_id))
    clinician = caches.setdefault(("u", appointment.clinician_user_id),
                                  session.get(User, appointment.clinician_user_id))
    starts = clock.as_utc(appointment.starts_at)
    until = starts - PATIENT_NOTICE
    return AppointmentView(
        id=appointment.id, visit_type_id=appointment.visit_type_id, clinician_id=appointment.clinician_user_id,
        starts_at=starts, ends_at=clock.as_utc(appointment.ends_at), status=appointment.status,
        visit_type=localized(visit_type.name, visit_type.name_es, language), video=visit_type.mode == "video",
        clinician=clinician_label(clinician), location=location.name, address=location.address,
        directions=location.directions, location_phone=location.phone,
        prep_note=localized(visit_type.prep_note, visit_type.prep_note_es, language),
        reason=appointment.reason or "", cancel_reason=appointment.cancel_reason or "",
        changeable=appointment.status == "booked" and clock.now() < until, change_until=until,
        checkin_open=previsit.window_open(appointment), checked_in=appointment.previsit_at is not None)


def list_for_patient(session: Session, actor: Actor | None, patient_id: int, language: str = "en") -> AppointmentList:
    require_booker(session, actor, patient_id, "appointments.read")
    rows = session.exec(select(Appointment).where(Appointment.patient_id == patient_id,
                                                  Appointment.status != "rescheduled")
                        .order_by(Appointment.starts_at)).all()
    now = clock.now()
    caches: dict = {}
    upcoming = [_view(session, row, language, caches) for row in rows
                if row.status in ("booked", "arrived") and clock.as_utc(row.ends_at) > now]
    shown = {view.id for view in upcoming}
    past = [_view(session, row, language, caches) for row in reversed(rows) if row.id not in shown][:PAST_SHOWN]
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail="appointment list")
    return AppointmentList(upcoming, past)


def detail(session: Session, actor: Actor | None, patient_id: int, appointment_id: object,
           language: str = "en", audited: bool = True) -> AppointmentView:
    """One visit; ``audited=False`` for a caller that audits what it makes of it (a download)."""
    appointment = patient_appointment(session, actor, patient_id, appointment_id, "appointments.read")
    if audited:
        audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail=f"appointment {appointment.id}")
    return _view(session, appointment, language, {})


def next_visit(session: Session, actor: Actor | None, patient_id: int, language: str = "en") -> AppointmentView | None:
    """The next upcoming visit, for the home page card."""
    require_booker(session, actor, patient_id, "appointments.read")
    row = session.exec(select(Appointment).where(Appointment.patient_id == patient_id,
                                                 Appointment.status.in_(("booked", "arrived")),
                                                 Appointment.ends_at > clock.now())
                       .order_by(Appointment.starts_at).limit(1)).first()
    if row is None:
        return None
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail=f"appointment {row.id} (home)")
    return _view(session, row, language, {})


def cancel(session: Session, actor: Actor | None, patient_id: int, appointment_id: object, reason: object) -> None:
    """Cancel a booked visit with a reason; its time is free for others at once."""
    appointment = patient_appointment(session, actor, patient_id, appointment_id, "appointments.write")
    require_changeable(actor, appointment)
    why = clean_reason(reason)
    if why is None:
        raise InvalidInput("appt.error.cancel_reason")
    claim(session, appointment, "cancelled")
    release(session, appointment)
    forget_notices(session, appointment)
    appointment.cancel_reason = why
    appointment.cancelled_by = actor.user_id
    appointment.cancelled_at = clock.now()
    session.add(appointment)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {appointment.id} cancelled")
    announce(session, patient_id)
