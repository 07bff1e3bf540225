"""The clinic's day (/console/schedule): who comes when, checking in, marking missed visits.

The front desk and nurses (``appointments.schedule``) see every clinician's day and act on it;
clinicians see their own day only (``appointments.own_day``). A chart that is restricted shows as
"restricted" without a name unless this staff member has break-glass access to it. Each patient
shown is audited as a read; each change is audited and announced live (the patient's open pages,
the schedule, open calendars).

Steps: booked -> arrived (on the visit's day), booked -> no_show (once the visit has started),
arrived -> completed. Cancelling is ``appointments.cancel`` (staff have no 24-hour limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.appointment import Appointment
from portal_app.models.clinic_setup import Location, VisitType
from portal_app.models.people import Patient, Role, User
from portal_app.services import access, audit
from portal_app.services.access import Actor
from portal_app.services.booking import CATEGORY, announce, clinician_label, is_id, release
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

STEPS = {("booked", "arrived"), ("booked", "no_show"), ("arrived", "completed")}
SHOWN = ("booked", "arrived", "completed", "no_show")


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    patient_id: int | None  # None: a restricted chart this person may not open
    patient: str
    mrn: str
    starts_at: datetime
    ends_at: datetime
    clinician: str
    location: str
    visit_type: str
    video: bool
    status: str
    reason: str  # for nurses and clinicians only
    previsit: tuple[str, ...] | None  # the online check-in's flags (what to ask about); None: not checked in


def _viewer(session: Session, actor: Actor | None) -> Actor:
    if access.allowed(actor, "appointments.schedule") or access.allowed(actor, "appointments.own_day"):
        return actor  # type: ignore[return-value]
    audit.record_refusal(session, actor, "read", CATEGORY, detail="refused: schedule")
    raise PermissionDenied()


def day_schedule(session: Session, actor: Actor | None, day: object) -> list[ScheduleRow]:
    """The visits of one clinic day ("2026-12-07"), by time."""
    viewer = _viewer(session, actor)
    if not isinstance(day, str) or len(day) != 10:
        raise InvalidInput("appt.error.day")
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput("appt.error.day") from None
    zone = localtime.clinic_zone()
    low = datetime.combine(chosen, time(0), zone).astimezone(UTC)
    high = datetime.combine(chosen + timedelta(days=1), time(0), zone).astimezone(UTC)
    query = select(Appointment).where(Appointment.starts_at >= low, Appointment.starts_at < high,
                                      Appointment.status.in_(SHOWN)).order_by(Appointment.starts_at)
    if not access.allowed(viewer, "appointments.schedule"):
        query = query.where(Appointment.clinician_user_id == viewer.user_id)
    rows = session.exec(query).all()
    names: dict[tuple[str, int], object] = {}

    def get(model, key):
        return names.setdefault((model.__name__, key), session.get(model, key))

    found = []
    clinical = viewer.role in (Role.NURSE, Role.CLINICIAN)
    for row in rows:
        patient = get(Patient, row.patient_id)
        allowed = access.check_patient_access(session, viewer, row.patient_id, "appointments.read").allowed
        visit_type = get(VisitType, row.visit_type_id)
        found.append(ScheduleRow(
            id=row.id, patient_id=row.patient_id if allowed else None,
            patient=f"{patient.given_name} {patient.family_name}" if allowed else "",
            mrn=patient.mrn if allowed else "", starts_at=clock.as_utc(row.starts_at),
            ends_at=clock.as_utc(row.ends_at), clinician=clinician_label(get(User, row.clinician_user_id)),
            location=get(Location, row.location_id).name, visit_type=visit_type.name, video=visit_type.mode == "video",
            status=row.status, reason=(row.reason or "") if allowed and clinical else "",
            previsit=tuple(f for f in row.previsit_flags.split(",") if f) if row.previsit_at else None))
    for patient_id in sorted({r.patient_id for r in found if r.patient_id is not None}):
        audit.record(session, viewer, "read", CATEGORY, patient_id=patient_id, detail=f"schedule {chosen.isoformat()}")
    return found


def patient_by_mrn(session: Session, actor: Actor | None, mrn: object) -> tuple[int, str]:
    """The chart with exactly this MRN, for booking on a patient's behalf: (id, name)."""
    if not access.allowed(actor, "appointments.schedule"):
        audit.record_refusal(session, actor, "read", CATEGORY, detail="refused: schedule")
        raise PermissionDenied()
    text = mrn.strip().upper() if isinstance(mrn, str) and len(mrn) <= 32 else ""
    patient = session.exec(select(Patient).where(func.upper(Patient.mrn) == text)).first() if text else None
    if patient is None:
        raise NotFound("appt.error.no_patient")
    access.require_patient_access(session, actor, patient.id, "appointments.write")
    audit.record(session, actor, "read", CATEGORY, patient_id=patient.id, detail="found by MRN to book")
    return patient.id, f"{patient.given_name} {patient.family_name}"


def mark(session: Session, actor: Actor | None, appointment_id: object, status: object) -> None:
    """Check a patient in, mark a visit missed, or done (``STEPS``)."""
    if not access.allowed(actor, "appointments.schedule"):
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: schedule")
        raise PermissionDenied()
    row = session.get(Appointment, appointment_id) if is_id(appointment_id) else None
    if row is None:
        raise NotFound("appt.error.not_found")
    access.require_patient_access(session, actor, row.patient_id, "appointments.write")
    if (row.status, status) not in STEPS:
        raise InvalidInput("appt.error.step")
    starts = clock.as_utc(row.starts_at)
    if status == "arrived" and localtime.local(starts).date() != localtime.today():
        raise InvalidInput("appt.error.not_today")
    if status == "no_show" and clock.now() < starts:
        raise InvalidInput("appt.error.not_started")
    row.status = status
    if status == "arrived":
        row.arrived_at = clock.now()
    if status == "no_show":
        release(session, row)  # the rest of the time is free again
    session.add(row)
    audit.record(session, actor, "update", CATEGORY, patient_id=row.patient_id,
                 detail=f"appointment {row.id} {status}")
    announce(session, row.patient_id)
