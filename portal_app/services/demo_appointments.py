"""The demo clinic's schedule: two locations, visit types, three clinicians' weekly hours, the
holidays, and visits booked ahead and seen before (called from ``demo_clinic.seed``).

Walter's next visit is about 20 hours ahead, so the demo shows what a visit too close to change
online looks like ("please call"); the front desk's day has a visit that began an hour ago (to
mark missed) and one an hour ahead (to check in). Rows go in with ``add_all`` and the holds in one insert per
visit, so seeding stays fast.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.appointment import Appointment
from portal_app.models.clinic_setup import Location, ScheduleException, VisitType, WorkingHours
from portal_app.models.people import Patient, User
from portal_app.services.booking import hold

VISIT_TYPES = [  # name, Spanish, minutes, buffer, mode, online, who, preparation (en, es)
    ("Check-up", "Revisión", 30, 0, "in_person", True, "any",
     "Bring your medicines or a list of them, and your insurance card.",
     "Traiga sus medicinas o una lista de ellas, y su tarjeta del seguro."),
    ("Follow-up visit", "Consulta de seguimiento", 20, 0, "in_person", True, "established",
     "Bring your medicines or a list of them.", "Traiga sus medicinas o una lista de ellas."),
    ("New patient visit", "Primera consulta", 45, 0, "in_person", True, "new",
     "Please come 15 minutes early. Bring a photo ID and your insurance card.",
     "Llegue 15 minutos antes. Traiga una identificación con foto y su tarjeta del seguro."),
    ("Video visit", "Consulta por video", 20, 0, "video", True, "any",
     "Find a quiet, well-lit room. Use a phone or computer with a camera. We send the link before the visit.",
     "Busque un cuarto tranquilo y con buena luz. Use un teléfono o computadora con cámara. "
     "Le enviamos el enlace antes de la cita."),
    ("Annual physical", "Examen físico anual", 40, 10, "in_person", True, "established",
     "Do not eat for 8 hours before, if you need blood tests. Water is fine.",
     "Si necesita análisis de sangre, no coma durante 8 horas antes. Puede tomar agua."),
    ("Minor procedure", "Procedimiento menor", 60, 15, "in_person", False, "any", "", ""),
]
# username -> (location index, weekdays, blocks)
HOURS = {
    "dr.okafor": (0, range(5), ((time(8, 30), time(12)), (time(13), time(17)))),
    "dr.lindqvist": (1, (0, 2, 4), ((time(9), time(12)), (time(13), time(16)))),
    "np.reyes": (0, (1, 3, 5), ((time(8), time(12)),)),
}


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A clinic wall-clock time ``days`` from today (moved off a weekend, away from today), as UTC."""
    day = localtime.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1 if days > 0 else -1)
    return datetime.combine(day, time(hour, minute), localtime.clinic_zone()).astimezone(UTC)


def _midnight(day: date) -> datetime:
    """The clinic's midnight in UTC (SQLite would keep a Chicago wall-clock time as if it were UTC)."""
    return datetime.combine(day, time(0), localtime.clinic_zone()).astimezone(UTC)


def _from_now(hours: float) -> datetime:
    """About ``hours`` from now (or ago), on the quarter hour."""
    moment = clock.now() + timedelta(hours=hours)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def seed(session: Session) -> None:
    users = {u.username: u for u in session.exec(select(User)).all()}
    charts = {p.given_name: p for p in session.exec(select(Patient)).all()}
    locations = [
        Location(name="Maple Grove Main Clinic", address="210 Maple Grove Road, Springfield", phone="(555) 010-0142",
                 directions="Free parking behind the building. Enter by the blue door; the desk is on your left."),
        Location(name="Riverside Office", address="48 River Street, Springfield", phone="(555) 010-0177",
                 directions="Second floor, lift next to the pharmacy."),
    ]
    types = [VisitType(name=n, name_es=es, duration_minutes=m, buffer_minutes=b, mode=mode, online_bookable=online,
                       patient_kind=kind, prep_note=prep, prep_note_es=prep_es)
             for n, es, m, b, mode, online, kind, prep, prep_es in VISIT_TYPES]
    session.add_all(locations + types)
    session.flush()
    session.add_all([WorkingHours(clinician_user_id=users[who].id, location_id=locations[where].id, weekday=day,
                                  starts=start, ends=end)
                     for who, (where, days, blocks) in HOURS.items() for day in days for start, end in blocks])
    year = localtime.today().year
    session.add_all([ScheduleException(starts_at=_midnight(date(year, 12, 24)), ends_at=_midnight(date(year, 12, 26)),
                                       label="Christmas"),
                     ScheduleException(starts_at=_midnight(date(year + 1, 1, 1)), ends_at=_midnight(date(year + 1, 1, 2)),
                                       label="New Year's Day")])
    by_name = {t.name: t for t in types}
    okafor, lindqvist, reyes = users["dr.okafor"], users["dr.lindqvist"], users["np.reyes"]
    visits = [  # patient, visit type, clinician, location, start, status, reason
        ("Walter", "Follow-up visit", okafor, 0, _from_now(20), "booked", "Blood pressure check"),
        # the front desk's day always has a visit that has started and one still to come
        ("Rosa", "Check-up", lindqvist, 1, _from_now(-1), "booked", None),
        ("Lily", "Follow-up visit", reyes, 0, _from_now(1), "booked", "Ear check"),
        ("Walter", "Check-up", okafor, 0, _at(-30, 10), "completed", None),
        ("Rosa", "Follow-up visit", okafor, 0, _at(5, 10), "booked", "Control de la diabetes"),
        ("Rosa", "Annual physical", okafor, 0, _at(-90, 9), "completed", None),
        ("Sam", "Video visit", lindqvist, 1, _at(9, 14), "booked", "Talk about my test results"),
        ("Sam", "Check-up", lindqvist, 1, _at(-45, 9, 30), "completed", None),
        ("Sam", "Check-up", lindqvist, 1, _at(-20, 11), "no_show", None),
        ("Lily", "Check-up", reyes, 0, _at(12, 9), "booked", "School health form"),
        ("Nadia", "Check-up", okafor, 0, _at(-60, 15), "completed", None),
    ]
    rows = []
    for who, type_name, clinician, where, start, status, reason in visits:
        kind = by_name[type_name]
        ends = start + timedelta(minutes=kind.duration_minutes)
        rows.append(Appointment(patient_id=charts[who].id, clinician_user_id=clinician.id,
                                location_id=locations[where].id, visit_type_id=kind.id, starts_at=start, ends_at=ends,
                                blocked_until=ends + timedelta(minutes=kind.buffer_minutes), status=status,
                                reason=reason, booked_by=users["desk.tanaka"].id,
                                arrived_at=start if status == "completed" else None))
    session.add_all(rows)
    session.flush()
    for row in rows:
        if row.status == "booked":
            hold(session, row)
