"""Pre-visit check-in: open from 3 days before, answers flagged for the desk, kept to the patient's own visit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.appointment import Appointment
from portal_app.models.audit import AuditEvent
from portal_app.services import booking, previsit, schedule
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appointment_fixtures import NOW, build, clinic_time
from tests.services.refill_fixtures import last_audit_id

MONDAY_NINE = clinic_time(date(2026, 12, 7), 9)


@pytest.fixture
def clinic(session):
    with time_machine.travel(NOW, tick=False):
        built = build(session)
        built.visit = booking.book(session, built.ana, built.ana_chart, built.checkup, built.okafor,
                                   MONDAY_NINE.isoformat())
        session.commit()
    return built


def test_check_in_opens_three_days_before_and_flags_changes(session, clinic):
    with time_machine.travel(MONDAY_NINE - timedelta(days=3, minutes=1), tick=False):
        view = previsit.previsit(session, clinic.ana, clinic.ana_chart, clinic.visit)
        assert (view.open, view.done, view.email) == (False, False, "ana@example.com")
        with pytest.raises(InvalidInput) as closed:
            previsit.check_in(session, clinic.ana, clinic.ana_chart, clinic.visit, True, "same")
        assert closed.value.key == "appt.error.checkin_closed"
        session.rollback()
    with time_machine.travel(MONDAY_NINE - timedelta(days=2), tick=False):
        since = last_audit_id(session)
        done = previsit.check_in(session, clinic.scheduler, clinic.ana_chart, clinic.visit, False, "changed")
        session.commit()
        assert done.done and done.flags == ("contact_changed", "insurance_changed")
        actions = [(r.action, r.category) for r in
                   session.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all()]
        assert ("update", "appointments") in actions and ("read", "demographics") in actions
    with time_machine.travel(MONDAY_NINE - timedelta(hours=1), tick=False):
        (row,) = schedule.day_schedule(session, clinic.desk, "2026-12-07")
        assert row.previsit == ("contact_changed", "insurance_changed")
    with time_machine.travel(MONDAY_NINE + timedelta(minutes=1), tick=False):
        with pytest.raises(InvalidInput):
            previsit.check_in(session, clinic.ana, clinic.ana_chart, clinic.visit, True, "same")


@pytest.mark.parametrize(("contact_ok", "insurance"), [("yes", "same"), (True, "maybe"), (None, None), (1, "same")])
def test_answers_are_checked(session, clinic, contact_ok, insurance):
    with time_machine.travel(MONDAY_NINE - timedelta(days=1), tick=False):
        with pytest.raises(InvalidInput):
            previsit.check_in(session, clinic.ana, clinic.ana_chart, clinic.visit, contact_ok, insurance)
        session.rollback()
        assert session.get(Appointment, clinic.visit).previsit_at is None


def test_another_patient_and_a_proxy_without_the_scope_are_refused(session, clinic):
    with time_machine.travel(MONDAY_NINE - timedelta(days=1), tick=False):
        with pytest.raises(NotFound):
            previsit.check_in(session, clinic.ben, clinic.ben_chart, clinic.visit, True, "same")
        session.rollback()
        with pytest.raises(PermissionDenied):
            previsit.previsit(session, clinic.parent, clinic.ana_chart, clinic.visit)
        session.rollback()
        with pytest.raises(PermissionDenied):
            previsit.previsit(session, None, clinic.ana_chart, clinic.visit)
