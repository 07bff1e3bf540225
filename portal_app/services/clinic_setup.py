"""The admin's clinic set-up: the time zone, locations, visit types, weekly working hours and exceptions.

Open times (services/open_times.py) are computed from these rows on every request, so a change
here shows in patients' calendars at once. Only the admin (``clinic.setup``) may read or change
them. Every input is checked before anything is written (a refused change changes nothing) and
every change writes one audit row (category ``clinic_setup``; the set-up holds no health data).
Things are retired, never deleted: past visits still point at their location and visit type.
Hours are removed outright (they are a plan, not a record; booked visits keep their times).
New time off never moves or cancels a booked visit: the admin is told which visits it covers, so
the desk can call those patients (each patient listed is audited as a read of their appointments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.appointment import ACTIVE, Appointment
from portal_app.models.clinic_setup import (MODES, PATIENT_KINDS, SETTINGS_ROW, ClinicSettings, Location,
                                            ScheduleException, VisitType, WorkingHours)
from portal_app.models.people import Patient, Role, User
from portal_app.services import access, audit
from portal_app.services.access import Actor
from portal_app.services.booking import CATEGORY as APPOINTMENTS, clinician_label
from portal_app.services.errors import InvalidInput, NotFound
from portal_app.services.medications import is_id

CATEGORY = "clinic_setup"
PERMISSION = "clinic.setup"
GRID_MINUTES = 5  # durations, buffers and working hours sit on a 5-minute grid
MAX_DURATION = 8 * 60
MAX_BUFFER = 120
MAX_EXCEPTION_DAYS = 366
# Offered first on the set-up page (most clinics using the portal are in the US), then every other zone.
COMMON_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
                "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico")
LIMITS = {"name": 120, "name_es": 120, "address": 300, "phone": 32, "directions": 500, "prep_note": 500,
          "prep_note_es": 500, "label": 120}


@dataclass(frozen=True)
class LocationView:
    id: int
    name: str
    address: str
    phone: str
    directions: str
    active: bool


@dataclass(frozen=True)
class VisitTypeView:
    id: int
    name: str
    name_es: str
    duration_minutes: int
    buffer_minutes: int
    mode: str
    online_bookable: bool
    patient_kind: str
    prep_note: str
    prep_note_es: str
    active: bool


@dataclass(frozen=True)
class ClinicianView:
    id: int
    name: str


@dataclass(frozen=True)
class HoursView:
    id: int
    clinician_id: int
    clinician: str
    location_id: int
    location: str
    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class ExceptionView:
    id: int
    clinician_id: int | None  # None: the whole clinic
    clinician: str
    starts_at: datetime  # UTC
    ends_at: datetime
    label: str


@dataclass(frozen=True)
class BookedVisit:
    """A visit already booked inside new time off, for the desk to call about."""

    patient: str  # "" when this admin may not see the chart (restricted)
    starts_at: datetime  # UTC
    clinician: str


@dataclass(frozen=True)
class TimeOffAdded:
    id: int
    booked: list[BookedVisit]  # by time; none are moved or cancelled


@dataclass(frozen=True)
class SetupView:
    time_zone: str
    locations: list[LocationView]
    visit_types: list[VisitTypeView]
    clinicians: list[ClinicianView]
    hours: list[HoursView]
    exceptions: list[ExceptionView]  # those not yet over


# --- checking input ------------------------------------------------------------------------------


def _text(values: dict, name: str, *, required: bool = False) -> str:
    value = values.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput("clinic_setup.error.bad_text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"clinic_setup.error.{name}_missing")
    if len(value) > LIMITS[name]:
        raise InvalidInput("clinic_setup.error.too_long", most=LIMITS[name])
    return value


def _minutes(value: object, *, low: int, high: int, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"clinic_setup.error.{key}_range", low=low, high=high)
    if value % GRID_MINUTES:
        raise InvalidInput(f"clinic_setup.error.{key}_step", step=GRID_MINUTES)
    return value


def _choice(value: object, choices: tuple[str, ...], key: str) -> str:
    if value not in choices:
        raise InvalidInput(f"clinic_setup.error.{key}")
    return value  # type: ignore[return-value]


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("clinic_setup.error.bad_text")
    return value


def _clock(value: object, key: str) -> time:
    """A wall-clock time as "HH:MM" on the 5-minute grid."""
    try:
        parsed = time.fromisoformat(value) if isinstance(value, str) and len(value) == 5 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(f"clinic_setup.error.{key}")
    if parsed.minute % GRID_MINUTES:
        raise InvalidInput("clinic_setup.error.time_step", step=GRID_MINUTES)
    return parsed


def _day(value: object, key: str) -> date:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad(key)
    except ValueError:
        return _bad(key)


def _bad(key: str):
    raise InvalidInput(f"clinic_setup.error.{key}")


def _get(session: Session, model, row_id: object, key: str):
    row = session.get(model, row_id) if is_id(row_id) else None
    if row is None:
        raise NotFound(f"clinic_setup.error.{key}")
    return row


def _clinician(session: Session, user_id: object) -> User:
    user = session.get(User, user_id) if is_id(user_id) else None
    if user is None or user.role != Role.CLINICIAN or not user.is_active:
        raise InvalidInput("clinic_setup.error.no_clinician")
    return user


def _admin(session: Session, actor: Actor | None, what: str) -> Actor:
    if not access.allowed(actor, PERMISSION):
        audit.record_refusal(session, actor, "update", CATEGORY, detail=f"refused: {what}")
    return access.require(actor, PERMISSION)


def _changed(session: Session, actor: Actor, action: str, detail: str) -> None:
    session.flush()
    audit.record(session, actor, action, CATEGORY, detail=detail)


# --- reading ------------------------------------------------------------------------------------


def overview(session: Session, actor: Actor | None) -> SetupView:
    """Everything the set-up page shows (retired locations and types too, so they can come back)."""
    _admin(session, actor, "read clinic set-up")
    locations = session.exec(select(Location).order_by(Location.name)).all()
    clinicians = session.exec(select(User).where(User.role == Role.CLINICIAN).order_by(User.display_name)).all()
    names = {u.id: clinician_label(u) for u in clinicians}
    places = {loc.id: loc.name for loc in locations}
    hours = sorted(session.exec(select(WorkingHours)).all(),  # one clinician's week together
                   key=lambda h: (names.get(h.clinician_user_id, ""), h.weekday, h.starts))
    exceptions = session.exec(select(ScheduleException).where(ScheduleException.ends_at > clock.now())
                              .order_by(ScheduleException.starts_at)).all()
    return SetupView(
        time_zone=localtime.clinic_zone_name(session),
        locations=[LocationView(loc.id, loc.name, loc.address, loc.phone, loc.directions, loc.active)
                   for loc in locations],
        visit_types=[VisitTypeView(t.id, t.name, t.name_es, t.duration_minutes, t.buffer_minutes, t.mode,
                                   t.online_bookable, t.patient_kind, t.prep_note, t.prep_note_es, t.active)
                     for t in session.exec(select(VisitType).order_by(VisitType.name)).all()],
        clinicians=[ClinicianView(u.id, names[u.id]) for u in clinicians if u.is_active],
        hours=[HoursView(h.id, h.clinician_user_id, names.get(h.clinician_user_id, ""), h.location_id,
                         places.get(h.location_id, ""), h.weekday, h.starts, h.ends) for h in hours],
        exceptions=[ExceptionView(e.id, e.clinician_user_id, names.get(e.clinician_user_id, "") if e.clinician_user_id
                                  else "", clock.as_utc(e.starts_at), clock.as_utc(e.ends_at), e.label)
                    for e in exceptions],
    )


# --- the time zone ------------------------------------------------------------------------------


def zone_choices() -> tuple[str, ...]:
    """The zones the set-up page offers: ``COMMON_ZONES`` first, then every other one A to Z."""
    known = localtime.zone_names()
    return tuple(z for z in COMMON_ZONES if z in known) + tuple(sorted(known - set(COMMON_ZONES)))


def set_time_zone(session: Session, actor: Actor | None, name: object) -> None:
    """Change the clinic's zone. Working hours stay wall-clock (9:00 is 9:00 in the new zone), so
    open times follow; booked visits and time off keep their moment in time (they are stored in UTC).
    Every process sees it within ``localtime.ZONE_SECONDS``; this one once the change commits."""
    actor = _admin(session, actor, "change the time zone")
    if not isinstance(name, str) or name not in localtime.zone_names():
        raise InvalidInput("clinic_setup.error.time_zone")
    before = localtime.clinic_zone_name(session)
    row = session.get(ClinicSettings, SETTINGS_ROW) or ClinicSettings(id=SETTINGS_ROW)
    row.time_zone = name
    session.add(row)
    localtime.forget_clinic_zone_on_commit(session)
    _changed(session, actor, "update", f"time zone {before} -> {name}")


# --- locations ----------------------------------------------------------------------------------


def _location_fields(values: object) -> dict:
    if not isinstance(values, dict):
        raise InvalidInput("clinic_setup.error.bad_text")
    return {"name": _text(values, "name", required=True), "address": _text(values, "address"),
            "phone": _text(values, "phone"), "directions": _text(values, "directions")}


def save_location(session: Session, actor: Actor | None, location_id: int | None, values: object) -> int:
    """Add a location (``location_id`` None) or change one; returns its id."""
    actor = _admin(session, actor, "change a location")
    fields = _location_fields(values)
    row = Location() if location_id is None else _get(session, Location, location_id, "no_location")
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    _changed(session, actor, "create" if location_id is None else "update", "location saved")
    return row.id


def set_location_active(session: Session, actor: Actor | None, location_id: object, active: object) -> None:
    """Retire a location (no new hours or bookings there) or bring it back."""
    actor = _admin(session, actor, "retire a location")
    row = _get(session, Location, location_id, "no_location")
    active = _flag(active)
    if not active and session.exec(select(WorkingHours.id).where(WorkingHours.location_id == row.id)).first():
        raise InvalidInput("clinic_setup.error.location_has_hours")
    row.active = active
    session.add(row)
    _changed(session, actor, "update", f"location {row.id} {'restored' if active else 'retired'}")


# --- visit types --------------------------------------------------------------------------------


def _visit_type_fields(values: object) -> dict:
    if not isinstance(values, dict):
        raise InvalidInput("clinic_setup.error.bad_text")
    return {
        "name": _text(values, "name", required=True),
        "name_es": _text(values, "name_es"),
        "duration_minutes": _minutes(values.get("duration_minutes"), low=GRID_MINUTES, high=MAX_DURATION,
                                     key="duration"),
        "buffer_minutes": _minutes(values.get("buffer_minutes", 0), low=0, high=MAX_BUFFER, key="buffer"),
        "mode": _choice(values.get("mode"), MODES, "mode"),
        "online_bookable": _flag(values.get("online_bookable")),
        "patient_kind": _choice(values.get("patient_kind"), PATIENT_KINDS, "patient_kind"),
        "prep_note": _text(values, "prep_note"),
        "prep_note_es": _text(values, "prep_note_es"),
    }


def save_visit_type(session: Session, actor: Actor | None, type_id: int | None, values: object) -> int:
    """Add a visit type (``type_id`` None) or change one; booked visits keep the times they were given."""
    actor = _admin(session, actor, "change a visit type")
    fields = _visit_type_fields(values)
    row = VisitType(duration_minutes=fields["duration_minutes"]) if type_id is None \
        else _get(session, VisitType, type_id, "no_visit_type")
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    _changed(session, actor, "create" if type_id is None else "update", "visit type saved")
    return row.id


def set_visit_type_active(session: Session, actor: Actor | None, type_id: object, active: object) -> None:
    """Retire a visit type (patients can no longer book it) or bring it back."""
    actor = _admin(session, actor, "retire a visit type")
    row = _get(session, VisitType, type_id, "no_visit_type")
    row.active = _flag(active)
    session.add(row)
    _changed(session, actor, "update", f"visit type {row.id} {'restored' if row.active else 'retired'}")


# --- working hours ------------------------------------------------------------------------------


def save_hours(session: Session, actor: Actor | None, hours_id: int | None, clinician_id: object,
               location_id: object, weekday: object, starts: object, ends: object) -> int:
    """Add one weekly block (``hours_id`` None) or change one. A clinician's blocks on one weekday
    never overlap, whatever the location (nobody is in two places at once)."""
    actor = _admin(session, actor, "change working hours")
    row = WorkingHours(clinician_user_id=0, location_id=0, weekday=0, starts=time(0), ends=time(0)) \
        if hours_id is None else _get(session, WorkingHours, hours_id, "no_hours")
    clinician = _clinician(session, clinician_id)
    location = session.get(Location, location_id) if is_id(location_id) else None
    if location is None or not location.active:
        raise InvalidInput("clinic_setup.error.no_location")
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise InvalidInput("clinic_setup.error.weekday")
    start, end = _clock(starts, "start_time"), _clock(ends, "end_time")
    if end <= start:
        raise InvalidInput("clinic_setup.error.hours_end_before_start")
    for other in session.exec(select(WorkingHours).where(WorkingHours.clinician_user_id == clinician.id,
                                                         WorkingHours.weekday == weekday)).all():
        if other.id != row.id and other.starts < end and start < other.ends:
            raise InvalidInput("clinic_setup.error.hours_overlap", starts=other.starts.strftime("%H:%M"),
                               ends=other.ends.strftime("%H:%M"))
    row.clinician_user_id, row.location_id, row.weekday, row.starts, row.ends = \
        clinician.id, location.id, weekday, start, end
    session.add(row)
    _changed(session, actor, "create" if hours_id is None else "update",
             f"hours of clinician {clinician.id} on weekday {weekday} saved")
    return row.id


def remove_hours(session: Session, actor: Actor | None, hours_id: object) -> None:
    actor = _admin(session, actor, "remove working hours")
    row = _get(session, WorkingHours, hours_id, "no_hours")
    session.delete(row)
    _changed(session, actor, "delete", f"hours {row.id} of clinician {row.clinician_user_id} removed")


# --- exceptions ---------------------------------------------------------------------------------


def add_exception(session: Session, actor: Actor | None, clinician_id: object, first_day: object,
                  last_day: object, label: object, starts: object = "", ends: object = "") -> TimeOffAdded:
    """Time off: a holiday for everyone (``clinician_id`` None) or leave for one clinician, from
    ``first_day`` to ``last_day`` (clinic dates, inclusive). ``starts``/``ends`` ("HH:MM", optional)
    narrow it to part of the first and last day, e.g. a training morning. Returns the visits
    already booked in it, which stay as they are."""
    actor = _admin(session, actor, "add an exception")
    clinician = None if clinician_id is None else _clinician(session, clinician_id)
    name = _text({"label": label}, "label", required=True)
    first, last = _day(first_day, "first_day"), _day(last_day, "last_day")
    start_time = _clock(starts, "start_time") if starts else time(0)
    zone = localtime.clinic_zone()
    starts_at = datetime.combine(first, start_time, zone).astimezone(UTC)
    ends_at = (datetime.combine(last, _clock(ends, "end_time"), zone) if ends
               else datetime.combine(last + timedelta(days=1), time(0), zone)).astimezone(UTC)
    if ends_at <= starts_at:
        raise InvalidInput("clinic_setup.error.exception_end_before_start")
    if (last - first).days >= MAX_EXCEPTION_DAYS:
        raise InvalidInput("clinic_setup.error.exception_too_long", most=MAX_EXCEPTION_DAYS)
    if ends_at <= clock.now():
        raise InvalidInput("clinic_setup.error.exception_past")
    row = ScheduleException(clinician_user_id=clinician.id if clinician else None, starts_at=starts_at,
                            ends_at=ends_at, label=name)
    session.add(row)
    _changed(session, actor, "create",
             f"exception for {'clinician ' + str(clinician.id) if clinician else 'the whole clinic'} added")
    return TimeOffAdded(row.id, _booked_inside(session, actor, row))


def _booked_inside(session: Session, actor: Actor, off: ScheduleException) -> list[BookedVisit]:
    """Visits still to happen (booked or checked in) that overlap the time off; each patient named
    is audited as a read of their appointments."""
    query = select(Appointment).where(Appointment.status.in_(ACTIVE), Appointment.starts_at < off.ends_at,
                                      Appointment.ends_at > max(off.starts_at, clock.now())) \
        .order_by(Appointment.starts_at)
    if off.clinician_user_id is not None:
        query = query.where(Appointment.clinician_user_id == off.clinician_user_id)
    found, named = [], set()
    for visit in session.exec(query).all():
        patient = ""
        if access.check_patient_access(session, actor, visit.patient_id, "appointments.read").allowed:
            chart = session.get(Patient, visit.patient_id)
            patient = f"{chart.given_name} {chart.family_name}"
            named.add(visit.patient_id)
        found.append(BookedVisit(patient, clock.as_utc(visit.starts_at),
                                 clinician_label(session.get(User, visit.clinician_user_id))))
    audit.record_each(session, actor, "read", APPOINTMENTS,
                      [(patient_id, "booked inside new time off") for patient_id in sorted(named)])
    return found


def remove_exception(session: Session, actor: Actor | None, exception_id: object) -> None:
    actor = _admin(session, actor, "remove an exception")
    row = _get(session, ScheduleException, exception_id, "no_exception")
    session.delete(row)
    _changed(session, actor, "delete", f"exception {row.id} removed")
