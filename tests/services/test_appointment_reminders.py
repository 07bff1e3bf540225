"""Appointment reminders: at the lead times the chart chose, through the outbox to a real SMTP server,
exactly once (also with two scheduler processes and after a restart), re-planned when moved, dropped
when cancelled, never saying why or with whom."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app import clock
from portal_app.db import get_engine
from portal_app.jobs import outbox_sender
from portal_app.jobs.appointments import queue_reminders
from portal_app.models.appointment import Appointment
from portal_app.models.outbox import OutboxMessage
from portal_app.services import appointment_reminders, appointments, booking
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appointment_fixtures import NOW, build, clinic_time
from tests.support.mail import mail_settings

ROOT = Path(__file__).resolve().parents[2]
MONDAY_NINE = clinic_time(date(2026, 12, 7), 9)


@pytest.fixture
def clinic(session):
    with time_machine.travel(NOW, tick=False):
        built = build(session)
        built.visit = booking.book(session, built.ana, built.ana_chart, built.checkup, built.okafor,
                                   MONDAY_NINE.isoformat(), "Cough")
        session.commit()
    return built


def _kinds(session, status=None):
    query = select(OutboxMessage).where(OutboxMessage.kind == "appointment_reminder")
    if status:
        query = query.where(OutboxMessage.status == status)
    session.expire_all()
    return session.exec(query.order_by(OutboxMessage.id)).all()


def test_reminders_arrive_a_day_and_two_hours_before_once_each(session, clinic, database_url, smtp):
    settings = mail_settings(smtp.port)
    day_before = MONDAY_NINE - timedelta(hours=24)
    with time_machine.travel(day_before - timedelta(minutes=1), tick=False):
        assert queue_reminders(database_url) == 2  # Ana and her proxy with "appointments"
        assert queue_reminders(database_url) == 0
        assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 0  # not yet
    with time_machine.travel(day_before + timedelta(seconds=5), tick=False):
        assert queue_reminders(database_url) == 0
        assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 2
    with time_machine.travel(MONDAY_NINE - timedelta(hours=2, minutes=1), tick=False):
        assert queue_reminders(database_url) == 2
    with time_machine.travel(MONDAY_NINE - timedelta(hours=2), tick=False):
        assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 2
    with time_machine.travel(MONDAY_NINE + timedelta(minutes=5), tick=False):
        assert queue_reminders(database_url) == 0
    assert sorted(smtp.inbox.recipients()) == ["ana@example.com", "ana@example.com", "scheduler@example.com",
                                               "scheduler@example.com"]
    bodies = [m.get_content() for m in smtp.inbox.messages()]
    assert any("in about 24 hours" in b for b in bodies) and any("in about 2 hours" in b for b in bodies)
    for body in bodies:
        for word in ("Cough", "Okafor", "Main Street", "Check-up"):
            assert word not in body


def test_the_chosen_lead_times_are_used(session, clinic, database_url):
    with time_machine.travel(NOW, tick=False):
        assert appointment_reminders.choice(session, clinic.ana, clinic.ana_chart).lead_hours == (24, 2)
        appointment_reminders.choose(session, clinic.scheduler, clinic.ana_chart, [72])
        session.commit()
    with time_machine.travel(MONDAY_NINE - timedelta(hours=24), tick=False):
        assert queue_reminders(database_url) == 0
    with time_machine.travel(MONDAY_NINE - timedelta(hours=72), tick=False):
        assert queue_reminders(database_url) == 2
    assert {m.dedupe_key for m in _kinds(session)} == {
        f"appointment:{clinic.visit}:reminder:72h:u{u}:email" for u in (clinic.ana.user_id, clinic.scheduler.user_id)}


def test_moving_replans_and_cancelling_drops_queued_reminders(session, clinic, database_url):
    with time_machine.travel(MONDAY_NINE - timedelta(hours=24, minutes=1), tick=False):
        assert queue_reminders(database_url) == 2  # queued for 9:00 tomorrow, not sent
        moved = booking.reschedule(session, clinic.ana, clinic.ana_chart, clinic.visit, clinic.okafor,
                                   clinic_time(date(2026, 12, 8), 10).isoformat())
        session.commit()
    assert {m.status for m in _kinds(session)} == {"cancelled"}
    with time_machine.travel(MONDAY_NINE - timedelta(hours=24), tick=False):
        assert queue_reminders(database_url) == 0
    new_moment = clinic_time(date(2026, 12, 8), 10) - timedelta(hours=24)
    with time_machine.travel(new_moment, tick=False):
        assert queue_reminders(database_url) == 2
        appointments.cancel(session, clinic.ana, clinic.ana_chart, moved, "Better now")
        session.commit()
    assert [m.status for m in _kinds(session)][-2:] == ["cancelled", "cancelled"]


def test_no_reminder_for_a_moment_before_booking_or_far_missed(session, clinic, database_url):
    with time_machine.travel(MONDAY_NINE - timedelta(hours=5), tick=False):
        late = booking.book(session, clinic.ben, clinic.ben_chart, clinic.checkup, clinic.okafor,
                            clinic_time(date(2026, 12, 7), 11).isoformat())
        session.commit()
    with time_machine.travel(MONDAY_NINE - timedelta(hours=2), tick=False):
        queued = queue_reminders(database_url)
    # Ana's 2-hour reminder (her 24-hour one was missed by far: the scheduler "was down"); Ben's
    # 24-hour moment came before he booked, his 2-hour one is later
    assert queued == 2
    assert all(f"appointment:{late}:" not in m.dedupe_key for m in _kinds(session))


def test_choosing_is_checked_and_kept_to_the_chart(session, clinic):
    with time_machine.travel(NOW, tick=False):
        for bad in ([5], [24, 24, 2, 72, 168], "24", [True], None):
            with pytest.raises(InvalidInput):
                appointment_reminders.choose(session, clinic.ana, clinic.ana_chart, bad)
            session.rollback()
        assert appointment_reminders.choose(session, clinic.ana, clinic.ana_chart, []).lead_hours == ()
        session.commit()
        with pytest.raises(NotFound):
            appointment_reminders.choose(session, clinic.ben, clinic.ana_chart, [2])
        session.rollback()
        with pytest.raises(PermissionDenied):
            appointment_reminders.choice(session, clinic.parent, clinic.ana_chart)


RACER = """
import sys, time
from portal_app.jobs.appointments import queue_reminders
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
print(queue_reminders(sys.argv[1]))
"""


def test_two_scheduler_processes_queue_each_reminder_once(session, clinic, database_url):
    """Two real processes run the job at the same instant (real time), then a restart runs it again."""
    soon = Appointment(patient_id=clinic.ana_chart, clinician_user_id=clinic.okafor, location_id=clinic.main,
                       visit_type_id=clinic.checkup, starts_at=clock.now() + timedelta(hours=24, seconds=30),
                       ends_at=clock.now() + timedelta(hours=24, minutes=30),
                       blocked_until=clock.now() + timedelta(hours=24, minutes=30), status="booked",
                       created_at=clock.now() - timedelta(days=3))
    with Session(get_engine(database_url)) as own:
        own.add(soon)
        own.commit()
        soon_id = soon.id
    start = time.time() + 4
    racers = [subprocess.Popen([sys.executable, "-c", RACER, database_url, str(start)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], [err[-2000:] for _out, err in outputs]
    assert sum(int(out.strip().splitlines()[-1]) for out, _err in outputs) == 2
    again = subprocess.run([sys.executable, "-c", RACER, database_url, "0"], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert again.stdout.strip().splitlines()[-1] == "0", again.stderr[-2000:]
    assert len([m for m in _kinds(session) if m.dedupe_key.startswith(f"appointment:{soon_id}:")]) == 2
