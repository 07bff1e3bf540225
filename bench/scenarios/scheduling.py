"""Scheduling: a month of openings for a clinic of 20 clinicians, and reminder planning over 100,000 visits.

Why: open times are computed, never stored (services/open_times.py), so the booking calendar
waits on that computation; the target is p95 under 50 ms for a month of 20 clinicians. The
reminder job looks at every upcoming visit's due moments each minute (target: under 10 s for
100,000 upcoming visits, each due reminder queued once). Both run in this process on their own
SQLite database (the served portal is not used), half the month's time already booked.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime, time as clock_time, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

import portal_app.models  # noqa: F401  (registers every table)
from bench.stats import summary
from portal_app import clock, localtime
from portal_app.db import get_engine, working_on
from portal_app.models.appointment import Appointment
from portal_app.models.clinic_setup import Location, VisitType, WorkingHours
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role, User
from portal_app.services import appointment_reminders
from portal_app.services.open_times import openings

CLINICIANS = 20
ROUNDS = 30
UPCOMING = 100_000
PATIENTS = 2_000


def _clinic(session: Session) -> VisitType:
    location = Location(name="Bench clinic")
    visit = VisitType(name="Check-up", duration_minutes=30, buffer_minutes=5)
    session.add_all([location, visit])
    session.flush()
    people = [User(username=f"clinician{i}", display_name=f"Clinician {i}", role=Role.CLINICIAN)
              for i in range(CLINICIANS)]
    session.add_all(people)
    session.flush()
    session.add_all([WorkingHours(clinician_user_id=u.id, location_id=location.id, weekday=d, starts=s, ends=e)
                     for u in people for d in range(5) for s, e in ((clock_time(8), clock_time(12)),
                                                                      (clock_time(13), clock_time(17)))])
    charts = [Patient(mrn=f"B-{i}", given_name="Bench", family_name=str(i), birth_date=date(1960, 1, 1), sex="female")
              for i in range(PATIENTS)]
    session.add_all(charts)
    session.flush()
    session.add_all([User(username=f"patient{c.id}", display_name="Bench", role=Role.PATIENT, patient_id=c.id,
                          email=f"p{c.id}@example.com") for c in charts])
    session.flush()
    # Half of every clinician's day booked for the month (every other hour), then 100,000 visits in all.
    zone = localtime.clinic_zone()
    rows = []
    today = localtime.today()
    for offset in range(1, 120):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for user in people:
            for hour in (8, 10, 13, 15):
                for minute in range(0, 60, 30):
                    if len(rows) >= UPCOMING:
                        break
                    start = datetime.combine(day, clock_time(hour, minute), zone).astimezone(UTC)
                    rows.append(dict(patient_id=charts[len(rows) % PATIENTS].id, clinician_user_id=user.id,
                                     location_id=location.id, visit_type_id=visit.id, starts_at=start,
                                     ends_at=start + timedelta(minutes=30), blocked_until=start + timedelta(minutes=30),
                                     status="booked", created_at=clock.now() - timedelta(days=30)))
    while len(rows) < UPCOMING:  # past the booking horizon: more visits still to come, for the reminder job
        start = rows[len(rows) % 1000]["starts_at"] + timedelta(days=200 + len(rows) // 1000)
        rows.append({**rows[len(rows) % 1000], "starts_at": start, "ends_at": start + timedelta(minutes=30),
                     "blocked_until": start + timedelta(minutes=30)})
    session.execute(insert(Appointment.__table__), rows)
    session.commit()
    return visit


def run(portal, browser) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-scheduling-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        SQLModel.metadata.create_all(get_engine(url))
        # working_on: the clinic's zone (portal_app/localtime.py) is read from this database too
        with working_on(url), Session(get_engine(url), expire_on_commit=False) as session:
            visit = _clinic(session)
            first = localtime.today()
            samples, found = [], 0
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                month = openings(session, visit, first, first + timedelta(days=30))
                samples.append((time.perf_counter() - t0) * 1000)
                found = sum(len(times) for times in month.values())
            calendar = []
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                openings(session, visit, first, first + timedelta(days=30), first_per_day=True)
                calendar.append((time.perf_counter() - t0) * 1000)
            soonest = session.exec(select(Appointment.starts_at).order_by(Appointment.starts_at).limit(1)).one()
            moment = clock.as_utc(soonest) - timedelta(hours=24, minutes=1)  # the first visits' day-before moment
            t0 = time.perf_counter()
            queued = appointment_reminders.queue_due(session, moment)
            session.commit()
            planning = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = appointment_reminders.queue_due(session, moment)
            session.commit()
            replanning = time.perf_counter() - t0
            rows = len(session.exec(select(OutboxMessage.id)).all())
        get_engine(url).dispose()
    return {"month_of_openings_ms": summary(samples), "openings_found": found,
            "calendar_days_ms": summary(calendar), "reminder_planning_s": round(planning, 2),
            "reminders_queued": queued, "reminders_queued_again": again, "outbox_rows": rows,
            "reminder_replanning_s": round(replanning, 2), "upcoming_visits": UPCOMING}


def summarize(result: dict) -> str:
    month, days = result["month_of_openings_ms"], result["calendar_days_ms"]
    return (f"scheduling: a month of openings for {CLINICIANS} clinicians p50 {month['p50']} ms, p95 {month['p95']} ms "
            f"(target p95 < 50 ms; {result['openings_found']} openings); month calendar p95 {days['p95']} ms\n"
            f"scheduling: reminder planning over {result['upcoming_visits']} upcoming visits "
            f"{result['reminder_planning_s']} s ({result['reminders_queued']} queued), again "
            f"{result['reminder_replanning_s']} s ({result['reminders_queued_again']} queued; target < 10 s, once each)")
