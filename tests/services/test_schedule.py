"""The front desk's day: who sees which visits, check-in and missed visits, audited and announced."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.appointment import Appointment, AppointmentHold
from portal_app.models.audit import AuditEvent
from portal_app.models.people import Patient
from portal_app.services import booking, schedule
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appointment_fixtures import NOW, build, clinic_time
from tests.services.refill_fixtures import last_audit_id

TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    made = build(session)
    made.visits = [
        booking.book(session, made.desk, made.ana_chart, made.checkup, made.okafor, clinic_time(TODAY, 11).isoformat(),
                     "Dizzy spells"),
        booking.book(session, made.desk, made.ben_chart, made.checkup, made.lee, clinic_time(date(2026, 12, 3), 9)
                     .isoformat()),
    ]
    session.commit()
    return made


def test_the_desk_sees_every_clinician_and_clinicians_only_their_own(session, clinic):
    desk_day = schedule.day_schedule(session, clinic.desk, TODAY.isoformat())
    assert [(r.patient, r.mrn, r.reason) for r in desk_day] == [("Ana Visit", "A-ana", "")]  # no reason for the desk
    own = schedule.day_schedule(session, clinic.clinician, TODAY.isoformat())
    assert [(r.patient, r.reason) for r in own] == [("Ana Visit", "Dizzy spells")]
    assert schedule.day_schedule(session, clinic.clinician, "2026-12-03") == []  # that day is Lee's patient
    reads = session.exec(select(AuditEvent).where(AuditEvent.detail == f"schedule {TODAY.isoformat()}")).all()
    assert len(reads) == 2 and {r.patient_id for r in reads} == {clinic.ana_chart}


def test_patients_admins_and_anonymous_cannot_open_the_schedule(session, clinic):
    since = last_audit_id(session)
    for who in (clinic.ana, clinic.scheduler, clinic.admin, None):
        with pytest.raises(PermissionDenied):
            schedule.day_schedule(session, who, TODAY.isoformat())
        session.rollback()
        with pytest.raises(PermissionDenied):
            schedule.mark(session, who, clinic.visits[0], "arrived")
        session.rollback()
    assert len(session.exec(select(AuditEvent).where(AuditEvent.id > since)).all()) == 8
    with pytest.raises(PermissionDenied):
        schedule.mark(session, clinic.clinician, clinic.visits[0], "arrived")  # clinicians read their day only


def test_a_restricted_chart_shows_no_name(session, clinic):
    chart = session.get(Patient, clinic.ana_chart)
    chart.restricted = True
    session.add(chart)
    session.commit()
    (row,) = schedule.day_schedule(session, clinic.desk, TODAY.isoformat())
    assert (row.patient_id, row.patient, row.mrn) == (None, "", "")


def test_check_in_no_show_and_done(session, clinic):
    today, tomorrow = clinic.visits
    with pytest.raises(InvalidInput) as early:
        schedule.mark(session, clinic.desk, tomorrow, "arrived")
    assert early.value.key == "appt.error.not_today"
    session.rollback()
    with pytest.raises(InvalidInput) as not_yet:
        schedule.mark(session, clinic.desk, today, "no_show")
    assert not_yet.value.key == "appt.error.not_started"
    session.rollback()
    schedule.mark(session, clinic.nurse, today, "arrived")
    session.commit()
    with pytest.raises(InvalidInput):
        schedule.mark(session, clinic.desk, today, "no_show")
    session.rollback()
    schedule.mark(session, clinic.desk, today, "completed")
    session.commit()
    assert session.get(Appointment, today).status == "completed"
    with time_machine.travel(NOW + timedelta(days=1, hours=1), tick=False):
        schedule.mark(session, clinic.desk, tomorrow, "no_show")
        session.commit()
    assert session.get(Appointment, tomorrow).status == "no_show"
    assert session.exec(select(AppointmentHold).where(AppointmentHold.appointment_id == tomorrow)).all() == []
    for bad in ("cancelled", "booked", None, 3):
        with pytest.raises(InvalidInput):
            schedule.mark(session, clinic.desk, today, bad)
        session.rollback()
    with pytest.raises(NotFound):
        schedule.mark(session, clinic.desk, "1", "arrived")


def test_booking_for_a_patient_found_by_mrn(session, clinic):
    assert schedule.patient_by_mrn(session, clinic.desk, " a-ben ") == (clinic.ben_chart, "Ben Visit")
    for bad in ("A-nobody", "", None, {"mrn": "A-ben"}):
        with pytest.raises(NotFound):
            schedule.patient_by_mrn(session, clinic.desk, bad)
        session.rollback()
    with pytest.raises(PermissionDenied):
        schedule.patient_by_mrn(session, clinic.clinician, "A-ben")
