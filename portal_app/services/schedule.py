"""The clinic's schedule (/console/schedule): who comes when, by day or week, checking in, marking
missed visits, and moving a visit on the patient's behalf.

The front desk and nurses (``appointments.schedule``) see every clinician's day and week and act on
it; clinicians see their own only (``appointments.own_day``): asking for another clinician's is
refused and audited, and without a filter they get their own. Admins do not run the schedule.
A chart that is restricted shows as "restricted" without a name unless this staff member has
break-glass access to it. Each patient shown is audited as a read; each change is audited and
announced live (the patient's open pages, the schedule, open calendars).

What is shown (minimum necessary): everyone sees the visit type, which is what the desk needs to
plan the day; the patient's free-text reason for the visit is clinical and goes to nurses and
clinicians only, never to the front desk.

Steps: booked -> arrived (on the visit's day), booked -> no_show (once the visit has started),
arrived -> completed. Cancelling is ``appointments.cancel`` (staff have no 24-hour limit). Moving
is ``booking.reschedule`` (the old time is let go only in the transaction that secures the new
one; the new visit's reminders are planned afresh); the patient is told through the outbox with a
notice that says only that a visit's time changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.appointment import Appointment
from portal_app.models.clinic_setup import Location, VisitType, WorkingHours
from portal_app.models.people import Patient, Role, User
from portal_app.services import access, audit
from portal_app.services.access import Actor
from portal_app.services.booking import (CATEGORY, TimeChoice, announce, clinician_label, is_id, notice_prefix,
                                         open_times, release, reschedule, take_write_lock)
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.notification_prefs import queue_to_patient

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
    clinician_id: int
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


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    rows: list[ScheduleRow]


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class Filters:
    locations: list[Choice]
    clinicians: list[Choice]  # a clinician is offered only themselves


def _date(value: object) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidInput("appt.error.day")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("appt.error.day") from None


def _clinicians(session: Session) -> list[User]:
    ids = set(session.exec(select(WorkingHours.clinician_user_id)).all())
    return session.exec(select(User).where(User.id.in_(ids), User.role == Role.CLINICIAN)
                        .order_by(User.display_name)).all() if ids else []


def filters(session: Session, actor: Actor | None) -> Filters:
    """The locations and clinicians the schedule can be narrowed to."""
    viewer = _viewer(session, actor)
    people = [u for u in _clinicians(session)
              if access.allowed(viewer, "appointments.schedule") or u.id == viewer.user_id]
    places = session.exec(select(Location).order_by(Location.name)).all()
    return Filters([Choice(p.id, p.name) for p in places], [Choice(u.id, clinician_label(u)) for u in people])


def _narrowing(session: Session, viewer: Actor, location_id: object, clinician_id: object) -> tuple[int | None, int]:
    """Checked filters: (location or None for all, clinician or None for all); a clinician always gets their own."""
    if location_id is not None and not (is_id(location_id) and session.get(Location, location_id) is not None):
        raise InvalidInput("console_week.error.location")
    if clinician_id is not None and not (is_id(clinician_id) and clinician_id in {u.id for u in _clinicians(session)}):
        raise InvalidInput("console_week.error.clinician")
    if not access.allowed(viewer, "appointments.schedule"):
        if clinician_id not in (None, viewer.user_id):
            audit.record_refusal(session, viewer, "read", CATEGORY, detail="refused: another clinician's schedule")
            raise PermissionDenied()
        clinician_id = viewer.user_id
    return location_id, clinician_id  # type: ignore[return-value]


def _rows(session: Session, viewer: Actor, first: date, days: int, location_id: int | None,
          clinician_id: int | None) -> list[ScheduleRow]:
    zone = localtime.clinic_zone()
    low = datetime.combine(first, time(0), zone).astimezone(UTC)
    high = datetime.combine(first + timedelta(days=days), time(0), zone).astimezone(UTC)
    query = select(Appointment).where(Appointment.starts_at >= low, Appointment.starts_at < high,
                                      Appointment.status.in_(SHOWN)).order_by(Appointment.starts_at)
    if clinician_id is not None:
        query = query.where(Appointment.clinician_user_id == clinician_id)
    if location_id is not None:
        query = query.where(Appointment.location_id == location_id)
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
            ends_at=clock.as_utc(row.ends_at), clinician_id=row.clinician_user_id,
            clinician=clinician_label(get(User, row.clinician_user_id)),
            location=get(Location, row.location_id).name, visit_type=visit_type.name, video=visit_type.mode == "video",
            status=row.status, reason=(row.reason or "") if allowed and clinical else "",
            previsit=tuple(f for f in row.previsit_flags.split(",") if f) if row.previsit_at else None))
    label = first.isoformat() if days == 1 else f"week {first.isoformat()}"
    for patient_id in sorted({r.patient_id for r in found if r.patient_id is not None}):
        audit.record(session, viewer, "read", CATEGORY, patient_id=patient_id, detail=f"schedule {label}")
    return found


def day_schedule(session: Session, actor: Actor | None, day: object, location_id: object = None,
                 clinician_id: object = None) -> list[ScheduleRow]:
    """The visits of one clinic day ("2026-12-07"), by time; optionally at one location, with one clinician."""
    viewer = _viewer(session, actor)
    chosen = _date(day)
    location_id, clinician_id = _narrowing(session, viewer, location_id, clinician_id)
    return _rows(session, viewer, chosen, 1, location_id, clinician_id)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_schedule(session: Session, actor: Actor | None, day: object, location_id: object = None,
                  clinician_id: object = None) -> list[ScheduleDay]:
    """Monday to Sunday of the week holding ``day``, each day's visits by time."""
    viewer = _viewer(session, actor)
    first = week_start(_date(day))
    location_id, clinician_id = _narrowing(session, viewer, location_id, clinician_id)
    rows = _rows(session, viewer, first, 7, location_id, clinician_id)
    by_day: dict[date, list[ScheduleRow]] = {first + timedelta(days=n): [] for n in range(7)}
    for row in rows:
        by_day[localtime.local(row.starts_at).date()].append(row)
    return [ScheduleDay(d, found) for d, found in by_day.items()]


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


def _desk_visit(session: Session, actor: Actor | None, appointment_id: object) -> Appointment:
    """A visit the person running the schedule is about to move (its chart is checked by ``booking``)."""
    if not access.allowed(actor, "appointments.schedule"):
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: schedule")
        raise PermissionDenied()
    row = session.get(Appointment, appointment_id) if is_id(appointment_id) else None
    if row is None:
        raise NotFound("appt.error.not_found")
    return row


def move_times(session: Session, actor: Actor | None, appointment_id: object, clinician_id: object,
               day: object) -> list[TimeChoice]:
    """Where a visit could move to on one day: its own visit type, with this clinician (``None``: anyone
    free); the visit's own time counts as free."""
    row = _desk_visit(session, actor, appointment_id)
    return open_times(session, actor, row.patient_id, row.visit_type_id, clinician_id, day, ignore_appointment=row.id)


def move(session: Session, actor: Actor | None, appointment_id: object, clinician_id: object,
         starts_at: object) -> int:
    """Move a visit on the patient's behalf; refused with "appt.error.slot_taken" when the new time has just
    gone (nothing changes). Returns the new appointment's id."""
    take_write_lock(session)  # before reading the visit, so the move sees its newest state
    row = _desk_visit(session, actor, appointment_id)
    moved = reschedule(session, actor, row.patient_id, row.id, clinician_id, starts_at)
    queue_to_patient(session, row.patient_id, "appointments", dedupe_key=f"{notice_prefix(moved)}moved",
                     template_key="appointment_moved")
    return moved
