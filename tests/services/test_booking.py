"""Booking, moving and cancelling: who may, the 24-hour window, the race for one time, audit rows, live signals."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.db import get_engine, transaction
from portal_app.models.appointment import Appointment, AppointmentHold
from portal_app.models.audit import AuditEvent
from portal_app.models.live import LiveSignal
from portal_app.services import appointments, booking
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.models.people import Role
from tests.services.appointment_fixtures import NOW, _chart, _user, build, clinic_time
from tests.services.refill_fixtures import actor, last_audit_id

MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    return build(session)


def _book(session, clinic, who=None, hour=9, minute=0, day=MONDAY, type_id=None, clinician=None, reason="Cough"):
    made = booking.book(session, who or clinic.ana, clinic.ana_chart, type_id or clinic.checkup,
                        clinician or clinic.okafor, clinic_time(day, hour, minute).isoformat(), reason)
    session.commit()
    return made


def _audit_since(session, since):
    return session.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all()


def test_booking_holds_the_time_audits_and_announces(session, clinic):
    since = last_audit_id(session)
    made = _book(session, clinic)
    row = session.get(Appointment, made)
    assert (row.status, row.reason, row.location_id) == ("booked", "Cough", clinic.main)
    assert row.ends_at - row.starts_at == timedelta(minutes=30)
    holds = session.exec(select(AppointmentHold).where(AppointmentHold.appointment_id == made)).all()
    assert len(holds) == 6
    (event,) = _audit_since(session, since)
    assert (event.action, event.category, event.patient_id, event.outcome) == ("create", "appointments",
                                                                                clinic.ana_chart, "success")
    topics = set(session.exec(select(LiveSignal.topic)).all())
    assert {f"patient:{clinic.ana_chart}:appointments", booking.OPENINGS_TOPIC} <= topics
    listed = appointments.list_for_patient(session, clinic.ana, clinic.ana_chart)
    assert [v.id for v in listed.upcoming] == [made] and listed.upcoming[0].address == "12 Main St"
    assert listed.upcoming[0].prep_note == "Bring your medicines."


def test_a_time_not_offered_is_refused(session, clinic):
    for hour, day in ((8, MONDAY), (12, MONDAY), (9, date(2026, 12, 5))):  # before hours, lunch, a Saturday
        with pytest.raises(InvalidInput) as refused:
            _book(session, clinic, hour=hour, day=day)
        assert refused.value.key == "appt.error.slot_taken"
        session.rollback()
    with pytest.raises(InvalidInput):
        _book(session, clinic, hour=9, minute=10)  # off the quarter-hour grid
    session.rollback()
    assert session.exec(select(Appointment)).all() == []


def test_overlapping_visits_of_different_lengths_cannot_both_hold_the_time(session, clinic):
    _book(session, clinic, type_id=clinic.checkup)  # 9:00-9:30
    made = booking.book(session, clinic.ben, clinic.ben_chart, clinic.short, clinic.okafor,
                        clinic_time(MONDAY, 9, 30).isoformat())
    session.commit()
    assert session.get(Appointment, made).status == "booked"
    # Ben tries 9:15, the middle of Ana's visit
    with pytest.raises(InvalidInput) as middle:
        booking.book(session, clinic.ben, clinic.ben_chart, clinic.short, clinic.okafor,
                     clinic_time(MONDAY, 9, 15).isoformat())
    assert middle.value.key == "appt.error.slot_taken"


def test_the_database_refuses_overlapping_holds_even_when_the_check_is_skipped(session, clinic):
    first = session.get(Appointment, _book(session, clinic))
    copy = Appointment(patient_id=clinic.ben_chart, clinician_user_id=first.clinician_user_id,
                       location_id=first.location_id, visit_type_id=clinic.short,
                       starts_at=first.starts_at + timedelta(minutes=15),
                       ends_at=first.starts_at + timedelta(minutes=30), blocked_until=first.ends_at)
    session.add(copy)
    session.flush()
    assert booking.hold(session, copy) is False


@pytest.mark.parametrize("racers", [20])
def test_twenty_patients_racing_for_one_time_exactly_one_wins(database_url, racers):
    with Session(get_engine(database_url), expire_on_commit=False) as setup:
        clinic = build(setup)
        people = []
        for number in range(racers):
            chart = _chart(setup, f"racer{number}")
            people.append((actor(_user(setup, f"racer{number}", Role.PATIENT, chart.id)), chart.id))
        setup.commit()
    start = threading.Barrier(racers)
    results: list[str] = []
    lock = threading.Lock()
    moment = clinic_time(MONDAY, 10).isoformat()

    def race(who, chart):
        start.wait()
        try:
            with transaction(database_url) as session:
                booking.book(session, who, chart, clinic.checkup, clinic.okafor, moment)
            outcome = "booked"
        except InvalidInput as refused:
            outcome = refused.key
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=race, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(set(results)) == ["appt.error.slot_taken", "booked"]
    assert results.count("booked") == 1 and len(results) == racers
    with Session(get_engine(database_url)) as check:
        assert len(check.exec(select(Appointment).where(Appointment.status == "booked")).all()) == 1
        # the losers wrote nothing: one audit "create" row only
        creates = check.exec(select(AuditEvent).where(AuditEvent.action == "create",
                                                      AuditEvent.category == "appointments")).all()
        assert len(creates) == 1


@pytest.mark.parametrize("second", ["reschedule", "cancel"])
def test_two_tabs_changing_one_visit_at_once_leave_exactly_one_outcome(database_url, second):
    """Two tabs move one visit to two different times (or one moves it while the other cancels):
    only the first change counts, and the patient never ends up with two visits."""
    with Session(get_engine(database_url), expire_on_commit=False) as setup:
        clinic = build(setup)
        visit = booking.book(setup, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor,
                             clinic_time(MONDAY, 9).isoformat(), "Cough")
        setup.commit()
    start = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def change(how: str, hour: int):
        start.wait()
        try:
            with transaction(database_url) as session:
                if how == "cancel":
                    appointments.cancel(session, clinic.ana, clinic.ana_chart, visit, "Feeling better")
                else:
                    booking.reschedule(session, clinic.ana, clinic.ana_chart, visit, clinic.okafor,
                                       clinic_time(MONDAY, hour).isoformat())
            outcome = how
        except InvalidInput as refused:
            outcome = refused.key
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=change, args=("reschedule", 11)),
               threading.Thread(target=change, args=(second, 15))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and results.count("appt.error.not_changeable") == 1, results
    with Session(get_engine(database_url)) as check:
        active = check.exec(select(Appointment).where(Appointment.patient_id == clinic.ana_chart,
                                                      Appointment.status == "booked")).all()
        assert len(active) == (0 if "cancel" in results else 1)
        held = {h.appointment_id for h in check.exec(select(AppointmentHold)).all()}
        assert held == {a.id for a in active}


# --- who may ------------------------------------------------------------------------------------


def test_another_patient_cannot_book_see_move_or_cancel_and_is_audited(session, clinic):
    made = _book(session, clinic)
    since = last_audit_id(session)
    attempts = [
        lambda: booking.book(session, clinic.ben, clinic.ana_chart, clinic.checkup, clinic.okafor,
                             clinic_time(MONDAY, 11).isoformat()),
        lambda: appointments.list_for_patient(session, clinic.ben, clinic.ana_chart),
        lambda: appointments.detail(session, clinic.ben, clinic.ben_chart, made),  # Ana's visit through his own chart
        lambda: appointments.cancel(session, clinic.ben, clinic.ben_chart, made, "no"),
        lambda: booking.reschedule(session, clinic.ben, clinic.ben_chart, made, clinic.okafor,
                                   clinic_time(MONDAY, 14).isoformat()),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
        session.rollback()
    assert session.get(Appointment, made).status == "booked"
    refusals = _audit_since(session, since)
    assert len(refusals) == len(attempts) and {r.outcome for r in refusals} == {"denied"}
    assert {r.actor_user_id for r in refusals} == {clinic.ben.user_id}


def test_moving_a_visit_frees_only_the_patients_own_time_never_another_patients(session, clinic):
    bens = booking.book(session, clinic.ben, clinic.ben_chart, clinic.checkup, clinic.okafor,
                        clinic_time(MONDAY, 14).isoformat())
    session.commit()
    for call in (booking.open_days, booking.open_times):
        when = MONDAY.isoformat()[:7] if call is booking.open_days else MONDAY.isoformat()
        with pytest.raises(NotFound):
            call(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor, when, ignore_appointment=bens)
        session.rollback()
    mine = _book(session, clinic)
    times = booking.open_times(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor,
                               MONDAY.isoformat(), ignore_appointment=mine)
    assert clinic_time(MONDAY, 9) in [t.starts_at for t in times]  # her own time shows as free to move to


def test_proxies_need_the_appointments_scope(session, clinic):
    made = _book(session, clinic, who=clinic.scheduler)
    assert session.get(Appointment, made).booked_by == clinic.scheduler.user_id
    since = last_audit_id(session)
    with pytest.raises(PermissionDenied):
        appointments.list_for_patient(session, clinic.parent, clinic.ana_chart)
    session.rollback()
    with pytest.raises(PermissionDenied):
        _book(session, clinic, who=clinic.parent, hour=11)
    session.rollback()
    assert [r.outcome for r in _audit_since(session, since)] == ["denied", "denied"]


def test_anonymous_and_the_wrong_staff_roles_are_refused(session, clinic):
    with pytest.raises(PermissionDenied):
        booking.book(session, None, clinic.ana_chart, clinic.checkup, clinic.okafor,
                     clinic_time(MONDAY, 9).isoformat())
    session.rollback()
    with pytest.raises(PermissionDenied):
        appointments.list_for_patient(session, None, clinic.ana_chart)
    session.rollback()
    since = last_audit_id(session)
    for wrong in (clinic.clinician, clinic.admin):  # they see the schedule but do not run it
        with pytest.raises(PermissionDenied):
            _book(session, clinic, who=wrong)
        session.rollback()
    assert [r.outcome for r in _audit_since(session, since)] == ["denied", "denied"]
    # the front desk and nurses book for a patient, even types patients cannot book online
    made = _book(session, clinic, who=clinic.desk, type_id=clinic.procedure)
    assert session.get(Appointment, made).booked_by == clinic.desk.user_id
    assert appointments.list_for_patient(session, clinic.clinician, clinic.ana_chart).upcoming[0].id == made


def test_patients_book_only_what_the_clinic_offers_online(session, clinic):
    offered = {v.id for v in booking.visit_types(session, clinic.ana, clinic.ana_chart)}
    assert clinic.procedure not in offered and clinic.new_patient in offered and clinic.video in offered
    with pytest.raises(InvalidInput) as refused:
        _book(session, clinic, type_id=clinic.procedure)
    assert refused.value.key == "appt.error.visit_type"
    session.rollback()
    # once Ana has been seen, "new patient" visits are no longer hers to book
    past = session.get(Appointment, _book(session, clinic))
    past.status = "completed"
    session.add(past)
    session.commit()
    offered = {v.id for v in booking.visit_types(session, clinic.ana, clinic.ana_chart)}
    assert clinic.new_patient not in offered
    spanish = booking.visit_types(session, clinic.ana, clinic.ana_chart, "es")
    assert spanish[0].name.endswith("(es)")


@pytest.mark.parametrize("bad", ["1", 1.0, {"id": 1}, [1], None, True, -3, 10**12])
def test_every_argument_is_checked(session, clinic, bad):
    moment = clinic_time(MONDAY, 9).isoformat()
    for call in (
        lambda: booking.book(session, clinic.ana, clinic.ana_chart, bad, clinic.okafor, moment),
        lambda: booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, bad, moment),
        lambda: booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor, bad),
        lambda: booking.open_days(session, clinic.ana, clinic.ana_chart, clinic.checkup, None, bad),
        lambda: booking.open_times(session, clinic.ana, clinic.ana_chart, clinic.checkup, None, bad),
        lambda: appointments.cancel(session, clinic.ana, clinic.ana_chart, bad, "reason"),
    ):
        with pytest.raises((InvalidInput, NotFound)):
            call()
        session.rollback()
    with pytest.raises(InvalidInput):
        booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor, moment, "x" * 301)
    session.rollback()
    with pytest.raises(InvalidInput):
        booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor, "2026-12-07T15:00:00")
    session.rollback()
    assert session.exec(select(Appointment)).all() == []


# --- moving and cancelling ------------------------------------------------------------------------


def test_reschedule_lets_go_of_the_old_time_only_once_the_new_one_is_secured(session, clinic):
    mine = _book(session, clinic)
    bens = booking.book(session, clinic.ben, clinic.ben_chart, clinic.checkup, clinic.okafor,
                        clinic_time(MONDAY, 14).isoformat())
    session.commit()
    with pytest.raises(InvalidInput) as taken:
        booking.reschedule(session, clinic.ana, clinic.ana_chart, mine, clinic.okafor,
                           clinic_time(MONDAY, 14).isoformat())
    assert taken.value.key == "appt.error.slot_taken"
    session.rollback()
    assert session.get(Appointment, mine).status == "booked"
    assert len(session.exec(select(AppointmentHold).where(AppointmentHold.appointment_id == mine)).all()) == 6
    # 15 minutes later overlaps its own current time: allowed
    moved = booking.reschedule(session, clinic.ana, clinic.ana_chart, mine, clinic.okafor,
                               clinic_time(MONDAY, 9, 15).isoformat())
    session.commit()
    session.expire_all()
    old, new = session.get(Appointment, mine), session.get(Appointment, moved)
    assert (old.status, new.status, new.rescheduled_from_id, new.reason) == ("rescheduled", "booked", mine, "Cough")
    assert session.exec(select(AppointmentHold).where(AppointmentHold.appointment_id == mine)).all() == []
    assert session.get(Appointment, bens).status == "booked"
    listed = appointments.list_for_patient(session, clinic.ana, clinic.ana_chart)
    assert [v.id for v in listed.upcoming] == [moved] and listed.past == []


def test_cancel_needs_a_reason_and_24_hours_for_patients(session, clinic):
    tomorrow = _book(session, clinic, day=date(2026, 12, 3), hour=10)  # 25 h ahead
    with pytest.raises(InvalidInput) as no_reason:
        appointments.cancel(session, clinic.ana, clinic.ana_chart, tomorrow, "  ")
    assert no_reason.value.key == "appt.error.cancel_reason"
    session.rollback()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):  # now 23 h ahead
        assert appointments.list_for_patient(session, clinic.ana, clinic.ana_chart).upcoming[0].changeable is False
        for who in (clinic.ana, clinic.scheduler):
            with pytest.raises(InvalidInput) as late:
                appointments.cancel(session, who, clinic.ana_chart, tomorrow, "Sick")
            assert late.value.key == "appt.error.too_late" and late.value.params == {"hours": 24}
            session.rollback()
        with pytest.raises(InvalidInput):
            booking.reschedule(session, clinic.ana, clinic.ana_chart, tomorrow, clinic.okafor,
                               clinic_time(MONDAY, 9).isoformat())
        session.rollback()
        # the front desk may still cancel
        appointments.cancel(session, clinic.desk, clinic.ana_chart, tomorrow, "Patient called")
        session.commit()
    row = session.get(Appointment, tomorrow)
    assert (row.status, row.cancel_reason, row.cancelled_by) == ("cancelled", "Patient called", clinic.desk.user_id)
    with pytest.raises(InvalidInput):
        appointments.cancel(session, clinic.desk, clinic.ana_chart, tomorrow, "again")
    session.rollback()
    listed = appointments.list_for_patient(session, clinic.ana, clinic.ana_chart)
    assert listed.upcoming == [] and [v.status for v in listed.past] == ["cancelled"]
