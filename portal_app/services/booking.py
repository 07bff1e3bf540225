"""Booking and moving a visit: the choices the booking flow offers, and securing a time.

Who: the patient, a proxy with the "appointments" scope, or staff holding
``appointments.schedule`` (front desk, nurses) on the patient's behalf; anyone else is refused
and audited (``access.require_patient_access``). Patients book only visit types the clinic lets
them book online, and only "new patient" types before their first visit, "established" ones after.

Securing a time: the time must be one ``open_times`` offers right now (working hours, exceptions,
buffers, notice, horizon), and the appointment's holds must all insert (see models/appointment.py):
when another booking took any piece of that time first, nothing is written and the patient is
told the time has just gone. A reschedule books the new time, then releases the old one, in one
transaction, so a failed move leaves the old visit as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.appointment import ACTIVE, HOLD_MINUTES, Appointment, AppointmentHold
from portal_app.models.clinic_setup import VisitType, WorkingHours
from portal_app.models.people import Role, User
from portal_app.services import access, audit, live, notify
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.open_times import HORIZON, Opening, openings

CATEGORY = "appointments"
OPENINGS_TOPIC = "appointments:openings"  # open booking calendars refresh on it
SCHEDULE_TOPIC = "staff:schedule"  # the front desk's day view refreshes on it
PATIENT_NOTICE = timedelta(hours=24)  # patients cancel or move up to this long before the visit
MAX_REASON = 300
MAX_MONTHS_AHEAD = 4


@dataclass(frozen=True)
class VisitTypeChoice:
    id: int
    name: str
    minutes: int
    video: bool
    prep_note: str


@dataclass(frozen=True)
class ClinicianChoice:
    id: int
    name: str  # "Dr. Amara Okafor, MD"


@dataclass(frozen=True)
class TimeChoice:
    starts_at: datetime  # UTC
    clinician_id: int
    clinician: str
    location_id: int


def is_id(value: object) -> bool:
    """A database id as a client might send it: an int, not a bool, within INTEGER's range."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def clinician_label(user: User) -> str:
    return f"{user.display_name}, {user.title}" if user.title else user.display_name


def localized(english: str, spanish: str, language: str) -> str:
    return spanish if language.startswith("es") and spanish else english


def announce(session: Session, patient_id: int) -> None:
    live.announce(session, live.patient_topic(patient_id, "appointments"))
    live.announce(session, OPENINGS_TOPIC)
    live.announce(session, SCHEDULE_TOPIC)


def require_booker(session: Session, actor: Actor | None, patient_id: object, action: str = "appointments.write") -> None:
    """The patient's side (self or proxy with the scope), or staff who run the schedule."""
    access.require_patient_access(session, actor, patient_id, action)  # type: ignore[arg-type]
    if actor.is_staff and action == "appointments.write" and not access.allowed(actor, "appointments.schedule"):
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=patient_id,  # type: ignore[arg-type]
                             detail="refused: appointments.schedule")
        raise PermissionDenied()


def _is_established(session: Session, patient_id: int) -> bool:
    seen = session.exec(select(Appointment.id).where(Appointment.patient_id == patient_id,
                                                     Appointment.status.in_(("arrived", "completed")))).first()
    return seen is not None


def _bookable(session: Session, actor: Actor, patient_id: int, visit_type: VisitType | None) -> bool:
    if visit_type is None or not visit_type.active:
        return False
    if actor.is_staff:
        return True
    if not visit_type.online_bookable:
        return False
    if visit_type.patient_kind == "any":
        return True
    return (visit_type.patient_kind == "established") == _is_established(session, patient_id)


def visit_types(session: Session, actor: Actor | None, patient_id: int, language: str = "en") -> list[VisitTypeChoice]:
    """The visit types this person may book for this patient."""
    require_booker(session, actor, patient_id)
    rows = session.exec(select(VisitType).where(VisitType.active.is_(True)).order_by(VisitType.id)).all()
    return [VisitTypeChoice(v.id, localized(v.name, v.name_es, language), v.duration_minutes, v.mode == "video",
                            localized(v.prep_note, v.prep_note_es, language))
            for v in rows if _bookable(session, actor, patient_id, v)]


def clinicians(session: Session, actor: Actor | None, patient_id: int) -> list[ClinicianChoice]:
    """Clinicians who have working hours (the ones a patient can be booked with)."""
    require_booker(session, actor, patient_id)
    ids = set(session.exec(select(WorkingHours.clinician_user_id)).all())
    users = session.exec(select(User).where(User.id.in_(ids), User.is_active.is_(True),
                                            User.role == Role.CLINICIAN).order_by(User.display_name)).all() if ids else []
    return [ClinicianChoice(u.id, clinician_label(u)) for u in users]


def _visit_type(session: Session, actor: Actor, patient_id: int, visit_type_id: object) -> VisitType:
    visit_type = session.get(VisitType, visit_type_id) if is_id(visit_type_id) else None
    if not _bookable(session, actor, patient_id, visit_type):
        raise InvalidInput("appt.error.visit_type")
    return visit_type


def _clinician_ids(session: Session, actor: Actor, patient_id: int, clinician_id: object) -> list[int]:
    """The one clinician asked for, or every bookable one ("first available": ``None``)."""
    known = [c.id for c in clinicians(session, actor, patient_id)]
    if clinician_id is None:
        return known
    if not is_id(clinician_id) or clinician_id not in known:
        raise InvalidInput("appt.error.clinician")
    return [clinician_id]  # type: ignore[list-item]


def _month(value: object) -> date:
    """The first day of a month given as "2026-12"; no further ahead than the booking horizon."""
    if not isinstance(value, str) or len(value) != 7:
        raise InvalidInput("appt.error.month")
    try:
        first = date.fromisoformat(value + "-01")
    except ValueError:
        raise InvalidInput("appt.error.month") from None
    today = localtime.today()
    if (first.year, first.month) < (today.year, today.month) or \
            (first.year - today.year) * 12 + first.month - today.month > MAX_MONTHS_AHEAD:
        raise InvalidInput("appt.error.month")
    return first


def _day(value: object) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidInput("appt.error.day")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("appt.error.day") from None
    if not localtime.today() <= day <= localtime.today() + HORIZON:
        raise InvalidInput("appt.error.day")
    return day


def _own_visit(session: Session, actor: Actor | None, patient_id: int, appointment_id: object) -> int | None:
    """The visit being moved, whose own time counts as free: only one of this patient's, since
    comparing the times with and without another patient's visit would show when it is."""
    if appointment_id is None:
        return None
    return patient_appointment(session, actor, patient_id, appointment_id, "appointments.read").id


def open_days(session: Session, actor: Actor | None, patient_id: int, visit_type_id: object, clinician_id: object,
              month: object, ignore_appointment: int | None = None) -> list[date]:
    """Days of a month ("2026-12") that have at least one opening."""
    require_booker(session, actor, patient_id)
    ignore_appointment = _own_visit(session, actor, patient_id, ignore_appointment)
    visit_type = _visit_type(session, actor, patient_id, visit_type_id)
    ids = _clinician_ids(session, actor, patient_id, clinician_id)
    first = _month(month)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    found = openings(session, visit_type, max(first, localtime.today()), last, clinician_ids=ids,
                     first_per_day=True, ignore_appointment=ignore_appointment)
    return sorted(found)


def open_times(session: Session, actor: Actor | None, patient_id: int, visit_type_id: object, clinician_id: object,
               day: object, ignore_appointment: int | None = None) -> list[TimeChoice]:
    """The open times of one day; with "first available", each time once (the first clinician free then)."""
    require_booker(session, actor, patient_id)
    ignore_appointment = _own_visit(session, actor, patient_id, ignore_appointment)
    visit_type = _visit_type(session, actor, patient_id, visit_type_id)
    ids = _clinician_ids(session, actor, patient_id, clinician_id)
    chosen = _day(day)
    names = {u.id: clinician_label(u) for u in session.exec(select(User).where(User.id.in_(ids))).all()} if ids else {}
    seen: set[datetime] = set()
    times = []
    for opening in openings(session, visit_type, chosen, chosen, clinician_ids=ids,
                            ignore_appointment=ignore_appointment).get(chosen, []):
        if opening.starts_at not in seen:
            seen.add(opening.starts_at)
            times.append(TimeChoice(opening.starts_at, opening.clinician_user_id, names[opening.clinician_user_id],
                                    opening.location_id))
    return times


def parse_moment(value: object) -> datetime:
    """An ISO time with its offset, as the page sends it back ("2026-12-07T15:00:00+00:00")."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput("appt.error.time") from None
    else:
        raise InvalidInput("appt.error.time")
    if moment.tzinfo is None:
        raise InvalidInput("appt.error.time")
    return clock.as_utc(moment)


def clean_reason(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("appt.error.reason", most=MAX_REASON)
    text_value = value.strip()
    if len(text_value) > MAX_REASON or any(not (ch.isprintable() or ch == "\n") for ch in text_value):
        raise InvalidInput("appt.error.reason", most=MAX_REASON)
    return text_value or None


def take_write_lock(session: Session) -> None:
    """SQLite: become the writer before reading what is free, so the read is the newest data.

    (A transaction that read first and wrote later would fail outright when another booking
    committed in between.) PostgreSQL needs nothing: the holds' primary key decides.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE appointment_hold SET appointment_id = appointment_id WHERE 0"))


def _find_opening(session: Session, visit_type: VisitType, clinician_id: int, moment: datetime,
                  ignore_appointment: int | None) -> Opening:
    day = localtime.local(moment).date()
    for opening in openings(session, visit_type, day, day, clinician_ids=[clinician_id],
                            ignore_appointment=ignore_appointment).get(day, []):
        if opening.starts_at == moment:
            return opening
    raise InvalidInput("appt.error.slot_taken")


def hold(session: Session, appointment: Appointment) -> bool:
    """Insert the appointment's holds; False when any piece of the time is already held."""
    pieces = []
    moment = clock.as_utc(appointment.starts_at)
    while moment < clock.as_utc(appointment.blocked_until):
        pieces.append({"clinician_user_id": appointment.clinician_user_id, "starts_at": moment,
                       "appointment_id": appointment.id})
        moment += timedelta(minutes=HOLD_MINUTES)
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AppointmentHold.__table__)
    made = session.execute(insert.values(pieces).on_conflict_do_nothing()
                           .returning(AppointmentHold.__table__.c.starts_at)).all()
    return len(made) == len(pieces)


def release(session: Session, appointment: Appointment) -> None:
    session.exec(AppointmentHold.__table__.delete().where(AppointmentHold.appointment_id == appointment.id))


def notice_prefix(appointment_id: int) -> str:
    """The start of every outbox key about one appointment ("appointment:42:reminder:24h")."""
    return f"appointment:{appointment_id}:"


def forget_notices(session: Session, appointment: Appointment) -> None:
    """A visit moved or cancelled: its notices queued but not yet sent are cancelled."""
    notify.cancel(session, notice_prefix(appointment.id))


def _secure(session: Session, actor: Actor, patient_id: int, visit_type: VisitType, clinician_id: object,
            starts_at: object, reason: str | None, moved_from: Appointment | None) -> Appointment:
    moment = parse_moment(starts_at)
    if not is_id(clinician_id) or clinician_id not in _clinician_ids(session, actor, patient_id, None):
        raise InvalidInput("appt.error.clinician")
    take_write_lock(session)
    opening = _find_opening(session, visit_type, clinician_id, moment, moved_from.id if moved_from else None)
    ends = moment + timedelta(minutes=visit_type.duration_minutes)
    overlap = select(Appointment.id).where(Appointment.patient_id == patient_id, Appointment.status.in_(ACTIVE),
                                           Appointment.starts_at < ends, Appointment.ends_at > moment)
    if moved_from is not None:
        overlap = overlap.where(Appointment.id != moved_from.id)
    if session.exec(overlap).first() is not None:
        raise InvalidInput("appt.error.overlap")
    if moved_from is not None:
        release(session, moved_from)  # in this transaction: undone if the new time cannot be held
    appointment = Appointment(patient_id=patient_id, clinician_user_id=clinician_id, location_id=opening.location_id,
                              visit_type_id=visit_type.id, starts_at=moment, ends_at=ends,
                              blocked_until=ends + timedelta(minutes=visit_type.buffer_minutes), status="booked",
                              reason=reason, booked_by=actor.user_id,
                              rescheduled_from_id=moved_from.id if moved_from else None)
    session.add(appointment)
    session.flush()
    if not hold(session, appointment):
        raise InvalidInput("appt.error.slot_taken")
    return appointment


def book(session: Session, actor: Actor | None, patient_id: int, visit_type_id: object, clinician_id: object,
         starts_at: object, reason: object = None) -> int:
    """Book a visit at an open time; refused with "appt.error.slot_taken" when it has just gone."""
    require_booker(session, actor, patient_id)
    visit_type = _visit_type(session, actor, patient_id, visit_type_id)
    appointment = _secure(session, actor, patient_id, visit_type, clinician_id, starts_at, clean_reason(reason), None)
    audit.record(session, actor, "create", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {appointment.id} booked")
    announce(session, patient_id)
    return appointment.id


def patient_appointment(session: Session, actor: Actor | None, patient_id: int, appointment_id: object,
                        action: str) -> Appointment:
    """One of this patient's appointments; another patient's (or none) is "not found", audited."""
    if action.endswith("write"):
        take_write_lock(session)  # before any read, so a change sees the newest state of the visit
    require_booker(session, actor, patient_id, action)
    appointment = session.get(Appointment, appointment_id) if is_id(appointment_id) else None
    if appointment is None or appointment.patient_id != patient_id:
        audit.record_refusal(session, actor, "update" if action.endswith("write") else "read", CATEGORY,
                             patient_id=patient_id, detail="refused: not this patient's appointment")
        raise NotFound("appt.error.not_found")
    return appointment


def claim(session: Session, appointment: Appointment, status: str) -> None:
    """Take a booked visit out of "booked" exactly once. Two tabs moving or cancelling the same visit
    at the same moment both saw it booked; the row update waits for the other to commit, and then the
    second finds nothing left to change."""
    changed = session.execute(update(Appointment)
                              .where(Appointment.id == appointment.id, Appointment.status == "booked")
                              .values(status=status)).rowcount
    if changed != 1:
        raise InvalidInput("appt.error.not_changeable")
    appointment.status = status


def require_changeable(actor: Actor, appointment: Appointment) -> None:
    """Booked and in the future; patients also only up to ``PATIENT_NOTICE`` before it."""
    if appointment.status != "booked" or clock.as_utc(appointment.starts_at) <= clock.now():
        raise InvalidInput("appt.error.not_changeable")
    if not actor.is_staff and clock.as_utc(appointment.starts_at) - clock.now() < PATIENT_NOTICE:
        raise InvalidInput("appt.error.too_late", hours=int(PATIENT_NOTICE.total_seconds() // 3600))


def reschedule(session: Session, actor: Actor | None, patient_id: int, appointment_id: object, clinician_id: object,
               starts_at: object) -> int:
    """Move a visit to another open time (same visit type and reason); returns the new appointment's id."""
    old = patient_appointment(session, actor, patient_id, appointment_id, "appointments.write")
    require_changeable(actor, old)
    visit_type = session.get(VisitType, old.visit_type_id)
    claim(session, old, "rescheduled")
    new = _secure(session, actor, patient_id, visit_type, clinician_id, starts_at, old.reason, old)
    forget_notices(session, old)
    old.cancelled_by = actor.user_id
    old.cancelled_at = clock.now()
    session.add(old)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {old.id} moved to appointment {new.id}")
    announce(session, patient_id)
    return new.id
