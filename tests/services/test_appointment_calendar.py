"""The "add to calendar" file: clinic wall-clock time with its zone across daylight saving, no visit
reason, audited as a download, refused for another patient."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from icalendar import Calendar
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.services import appointment_calendar, booking
from portal_app.services.errors import NotFound
from tests.services.appointment_fixtures import NOW, build, clinic_time
from tests.services.refill_fixtures import last_audit_id


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    return build(session)


def _event(data: bytes):
    return next(c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT")


def test_the_file_keeps_nine_oclock_on_both_sides_of_the_spring_change(session, clinic):
    before = booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor,
                          clinic_time(date(2027, 3, 12), 9).isoformat(), "Chest pain")
    after = booking.book(session, clinic.ana, clinic.ana_chart, clinic.video, clinic.okafor,
                         "2027-03-15T14:00:00+00:00", "Chest pain")  # 9:00 CDT
    session.commit()
    for made in (before, after):
        data = appointment_calendar.ics(session, clinic.ana, clinic.ana_chart, made)
        event = _event(data)
        start = event.decoded("dtstart")
        assert (start.hour, start.minute, str(start.tzinfo)) == (9, 0, "America/Chicago")
        assert b"TZID=America/Chicago" in data and b"BEGIN:VTIMEZONE" in data
        assert b"Chest pain" not in data
    assert str(_event(appointment_calendar.ics(session, clinic.ana, clinic.ana_chart, after))["location"]) == \
        "Video visit"
    assert "12 Main St" in str(_event(appointment_calendar.ics(session, clinic.ana, clinic.ana_chart,
                                                                before))["location"])


def test_the_download_is_audited_and_refused_to_another_patient(session, clinic):
    made = booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor,
                        clinic_time(date(2026, 12, 7), 9).isoformat())
    session.commit()
    since = last_audit_id(session)
    appointment_calendar.ics(session, clinic.scheduler, clinic.ana_chart, made)
    session.commit()
    with pytest.raises(NotFound):
        appointment_calendar.ics(session, clinic.ben, clinic.ben_chart, made)
    session.rollback()
    rows = session.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all()
    assert [(r.action, r.outcome, r.actor_user_id) for r in rows] == [
        ("download", "success", clinic.scheduler.user_id), ("read", "denied", clinic.ben.user_id)]
