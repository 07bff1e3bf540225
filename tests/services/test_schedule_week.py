"""The schedule's week view and location filter, and the front desk moving a visit on a patient's
behalf: who sees which week (clinicians their own only, the free-text reason for clinical staff
only), the move securing the new time before letting go of the old one (also in a race), a time
just taken refused with fresh times, reminders planned afresh, and a notice without health details."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app import clock
from portal_app.db import get_engine, transaction
from portal_app.models.appointment import Appointment, AppointmentHold
from portal_app.models.audit import AuditEvent
from portal_app.models.live import LiveSignal
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Role
from portal_app.services import appointment_reminders, booking, live, schedule
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appointment_fixtures import NOW, _chart, _user, build, clinic_time
from tests.services.refill_fixtures import actor, last_audit_id

THURSDAY = date(2026, 12, 3)  # the week of Monday 30 November
MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _visits(session, clinic):
    clinic.ana_visit = booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor,
                                    clinic_time(MONDAY, 9).isoformat(), "Dizzy spells")
    clinic.ben_visit = booking.book(session, clinic.ben, clinic.ben_chart, clinic.checkup, clinic.lee,
                                    clinic_time(THURSDAY, 9).isoformat(), "Rash")
    clinic.ben_main = booking.book(session, clinic.ben, clinic.ben_chart, clinic.short, clinic.okafor,
                                   clinic_time(THURSDAY, 14).isoformat())
    session.commit()
    return clinic


@pytest.fixture
def clinic(session):
    return _visits(session, build(session))


def _since(session, since, **match):
    query = select(AuditEvent).where(AuditEvent.id > since)
    for field, value in match.items():
        query = query.where(getattr(AuditEvent, field) == value)
    return session.exec(query.order_by(AuditEvent.id)).all()


def _moved_notices(session):
    session.expire_all()
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == "appointment_moved")).all()


# --- the week and the filters -------------------------------------------------------------------


def test_the_week_runs_monday_to_sunday_with_each_days_visits(session, clinic):
    since = last_audit_id(session)
    week = schedule.week_schedule(session, clinic.desk, "2026-12-02")
    assert [d.day for d in week] == [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]
    thursday = next(d for d in week if d.day == THURSDAY)
    assert [(r.patient, r.clinician, r.location, r.visit_type) for r in thursday.rows] == [
        ("Ben Visit", "Lee, NP", "North Clinic", "Check-up"),
        ("Ben Visit", "Okafor, MD", "Main Street Clinic", "Short visit")]
    assert sum(len(d.rows) for d in week) == 2  # Ana's Monday visit is next week
    assert [len(d.rows) for d in schedule.week_schedule(session, clinic.desk, "2026-12-13")] == [1, 0, 0, 0, 0, 0, 0]
    reads = _since(session, since, detail="schedule week 2026-11-30")
    assert [r.patient_id for r in reads] == [clinic.ben_chart]  # one read per patient shown


def test_the_location_and_clinician_filters_narrow_the_day_and_the_week(session, clinic):
    north = schedule.week_schedule(session, clinic.desk, "2026-12-03", location_id=clinic.north)
    assert [(r.location, r.clinician) for d in north for r in d.rows] == [("North Clinic", "Lee, NP")]
    day = schedule.day_schedule(session, clinic.desk, "2026-12-03", location_id=clinic.main)
    assert [r.visit_type for r in day] == ["Short visit"]
    lee = schedule.week_schedule(session, clinic.desk, "2026-12-03", clinician_id=clinic.lee)
    assert [r.clinician for d in lee for r in d.rows] == ["Lee, NP"]
    assert schedule.day_schedule(session, clinic.desk, "2026-12-03", clinic.north, clinic.okafor) == []
    offered = schedule.filters(session, clinic.desk)
    assert [c.name for c in offered.locations] == ["Main Street Clinic", "North Clinic"]
    assert [c.name for c in offered.clinicians] == ["Lee, NP", "Okafor, MD"]


def test_the_front_desk_sees_the_visit_type_and_only_clinical_staff_the_reason(session, clinic):
    def reasons(who):
        return sorted((r.visit_type, r.reason) for d in schedule.week_schedule(session, who, "2026-12-07")
                      for r in d.rows)

    assert reasons(clinic.desk) == [("Check-up", "")]
    assert reasons(clinic.nurse) == [("Check-up", "Dizzy spells")]
    assert reasons(clinic.clinician) == [("Check-up", "Dizzy spells")]  # Dr. Okafor's own patient


def test_clinicians_see_only_their_own_week_and_are_refused_anothers(session, clinic):
    own = schedule.week_schedule(session, clinic.clinician, "2026-12-03")
    assert [(r.clinician, r.visit_type) for d in own for r in d.rows] == [("Okafor, MD", "Short visit")]
    assert [c.id for c in schedule.filters(session, clinic.clinician).clinicians] == [clinic.okafor]
    session.commit()
    since = last_audit_id(session)
    for ask in (schedule.week_schedule, schedule.day_schedule):
        with pytest.raises(PermissionDenied):
            ask(session, clinic.clinician, "2026-12-03", clinician_id=clinic.lee)
        session.rollback()
    refusals = _since(session, since, detail="refused: another clinician's schedule")
    assert len(refusals) == 2 and {r.actor_user_id for r in refusals} == {clinic.okafor}


def test_patients_proxies_admins_and_anonymous_cannot_open_the_week(session, clinic):
    since = last_audit_id(session)
    for who in (clinic.ana, clinic.ben, clinic.scheduler, clinic.parent, clinic.admin, None):
        for ask in (schedule.week_schedule, lambda s, w, _day: schedule.filters(s, w)):
            with pytest.raises(PermissionDenied):
                ask(session, who, "2026-12-03")
            session.rollback()
    assert len(_since(session, since, detail="refused: schedule")) == 12
    assert _since(session, since, action="read", outcome="success") == []


@pytest.mark.parametrize("bad", [{"day": "2026-13-01"}, {"day": None}, {"day": ["2026-12-03"]},
                                 {"location_id": "1"}, {"location_id": True}, {"location_id": 9999},
                                 {"clinician_id": -1}, {"clinician_id": 2**40}, {"clinician_id": "x"}])
def test_every_filter_is_checked(session, clinic, bad):
    asked = {"day": "2026-12-03", "location_id": None, "clinician_id": None} | bad
    if bad.get("clinician_id") == "x":
        asked["clinician_id"] = clinic.desk.user_id  # a staff member who is not a clinician
    with pytest.raises(InvalidInput):
        schedule.week_schedule(session, clinic.desk, asked["day"], asked["location_id"], asked["clinician_id"])


# --- moving a visit on the patient's behalf -----------------------------------------------------


def test_the_desk_moves_a_visit_the_patient_sees_it_and_is_told_without_details(session, clinic):
    since = last_audit_id(session)
    signals = session.exec(select(LiveSignal.id).order_by(LiveSignal.id.desc())).first() or 0
    offered = [t.starts_at for t in schedule.move_times(session, clinic.desk, clinic.ana_visit, clinic.okafor,
                                                        MONDAY.isoformat())]
    assert clinic_time(MONDAY, 9) in offered  # the visit's own time counts as free
    assert clinic_time(MONDAY, 10) in offered
    moved = schedule.move(session, clinic.desk, clinic.ana_visit, clinic.okafor, clinic_time(MONDAY, 10).isoformat())
    session.commit()
    old, new = session.get(Appointment, clinic.ana_visit), session.get(Appointment, moved)
    assert (old.status, new.status, new.reason, new.rescheduled_from_id) == ("rescheduled", "booked",
                                                                             "Dizzy spells", old.id)
    assert new.booked_by == clinic.desk.user_id and old.cancelled_by == clinic.desk.user_id
    held = {h.appointment_id for h in session.exec(select(AppointmentHold)).all()}
    assert old.id not in held and new.id in held
    (write,) = _since(session, since, action="update")
    assert (write.patient_id, write.actor_user_id, write.detail) == (clinic.ana_chart, clinic.desk.user_id,
                                                               f"appointment {old.id} moved to appointment {new.id}")
    topics = session.exec(select(LiveSignal.topic).where(LiveSignal.id > signals)).all()
    assert live.patient_topic(clinic.ana_chart, "appointments") in topics and booking.SCHEDULE_TOPIC in topics
    notices = _moved_notices(session)
    assert {n.recipient for n in notices} == {"ana@example.com", "scheduler@example.com"}  # and her proxy
    for notice in notices:
        words = f"{notice.subject} {notice.body}"
        assert "new time" in words
        for detail in ("Dizzy", "Check-up", "Okafor", "Main Street", "10:00", "Dec", "Ana"):
            assert detail not in words


def test_the_moved_visit_gets_its_reminders_and_the_old_one_none(session, clinic):
    moved = schedule.move(session, clinic.desk, clinic.ana_visit, clinic.okafor, clinic_time(MONDAY, 11).isoformat())
    session.commit()
    with time_machine.travel(clinic_time(MONDAY, 9) - timedelta(hours=24), tick=False):
        assert appointment_reminders.queue_due(session) == 0  # the old time: nothing
    with time_machine.travel(clinic_time(MONDAY, 11) - timedelta(hours=24), tick=False):
        assert appointment_reminders.queue_due(session) == 2  # Ana and her proxy
    session.commit()
    keys = session.exec(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "appointment_reminder")).all()
    assert keys and all(k.startswith(booking.notice_prefix(moved)) for k in keys)


def test_a_time_just_taken_is_refused_nothing_changes_and_fresh_times_leave_it_out(session, clinic):
    wanted = clinic_time(MONDAY, 10)
    assert wanted in [t.starts_at for t in schedule.move_times(session, clinic.desk, clinic.ana_visit,
                                                               clinic.okafor, MONDAY.isoformat())]
    booking.book(session, clinic.ben, clinic.ben_chart, clinic.checkup, clinic.okafor, wanted.isoformat())
    session.commit()  # Ben took it while the desk was looking
    since = last_audit_id(session)
    with pytest.raises(InvalidInput) as taken:
        schedule.move(session, clinic.desk, clinic.ana_visit, clinic.okafor, wanted.isoformat())
    assert taken.value.key == "appt.error.slot_taken"
    session.rollback()
    session.expire_all()
    visit = session.get(Appointment, clinic.ana_visit)
    assert visit.status == "booked" and clock.as_utc(visit.starts_at) == clinic_time(MONDAY, 9)
    assert session.exec(select(AppointmentHold).where(AppointmentHold.appointment_id == visit.id)).all()
    assert _since(session, since) == [] and _moved_notices(session) == []
    fresh = [t.starts_at for t in schedule.move_times(session, clinic.desk, clinic.ana_visit, clinic.okafor,
                                                      MONDAY.isoformat())]
    assert wanted not in fresh and clinic_time(MONDAY, 9) in fresh


def test_patients_proxies_anonymous_clinicians_and_admins_cannot_move_from_the_console(session, clinic):
    since = last_audit_id(session)
    target = clinic_time(MONDAY, 10).isoformat()
    for who in (clinic.ana, clinic.ben, clinic.scheduler, clinic.admin, clinic.clinician, None):
        with pytest.raises(PermissionDenied):
            schedule.move(session, who, clinic.ana_visit, clinic.okafor, target)
        session.rollback()
        with pytest.raises(PermissionDenied):
            schedule.move_times(session, who, clinic.ana_visit, clinic.okafor, MONDAY.isoformat())
        session.rollback()
    assert len(_since(session, since, outcome="denied")) == 12
    assert session.get(Appointment, clinic.ana_visit).status == "booked" and _moved_notices(session) == []


def test_a_restricted_chart_cannot_be_moved_without_access(session, clinic):
    from portal_app.models.people import Patient

    chart = session.get(Patient, clinic.ana_chart)
    chart.restricted = True
    session.add(chart)
    session.commit()
    with pytest.raises(PermissionDenied):
        schedule.move(session, clinic.desk, clinic.ana_visit, clinic.okafor, clinic_time(MONDAY, 10).isoformat())
    session.rollback()
    assert session.get(Appointment, clinic.ana_visit).status == "booked"


@pytest.mark.parametrize("bad", [None, "12", True, -3, 2**40, 9999])
def test_an_unknown_visit_is_not_found(session, clinic, bad):
    with pytest.raises(NotFound):
        schedule.move(session, clinic.desk, bad, clinic.okafor, clinic_time(MONDAY, 10).isoformat())


@pytest.mark.parametrize("bad", [{"clinician_id": "okafor"}, {"clinician_id": 9999}, {"starts_at": "tomorrow"},
                                 {"starts_at": "2026-12-07T10:00:00"}, {"starts_at": 5}])
def test_every_move_argument_is_checked(session, clinic, bad):
    asked = {"clinician_id": clinic.okafor, "starts_at": clinic_time(MONDAY, 10).isoformat()} | bad
    with pytest.raises(InvalidInput):
        schedule.move(session, clinic.desk, clinic.ana_visit, asked["clinician_id"], asked["starts_at"])
    session.rollback()
    assert session.get(Appointment, clinic.ana_visit).status == "booked"


def test_a_desk_move_racing_patients_for_one_time_only_one_gets_it(database_url):
    """The desk moves Ana's visit to 10:00 while patients book 10:00: exactly one gets the time, and
    if it is not the desk, Ana keeps her old time untouched."""
    racers = 12
    with Session(get_engine(database_url), expire_on_commit=False) as setup:
        clinic = _visits(setup, build(setup))
        people = []
        for number in range(racers):
            chart = _chart(setup, f"racer{number}")
            people.append((actor(_user(setup, f"racer{number}", Role.PATIENT, chart.id)), chart.id))
        setup.commit()
    start = threading.Barrier(racers + 1)
    results: list[str] = []
    lock = threading.Lock()
    moment = clinic_time(MONDAY, 10).isoformat()

    def attempt(work, label):
        start.wait()
        try:
            with transaction(database_url) as session:
                work(session)
            outcome = label
        except InvalidInput as refused:
            outcome = refused.key
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(
        lambda s: schedule.move(s, clinic.desk, clinic.ana_visit, clinic.okafor, moment), "moved"))]
    threads += [threading.Thread(target=attempt, args=(
        lambda s, w=who, c=chart: booking.book(s, w, c, clinic.checkup, clinic.okafor, moment), "booked"))
        for who, chart in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == racers + 1
    assert results.count("moved") + results.count("booked") == 1
    assert results.count("appt.error.slot_taken") == racers
    with Session(get_engine(database_url)) as check:
        booked = check.exec(select(Appointment).where(Appointment.status == "booked")).all()
        assert [clock.as_utc(a.starts_at) for a in booked].count(clinic_time(MONDAY, 10)) == 1
        ana = check.exec(select(Appointment).where(Appointment.patient_id == clinic.ana_chart,
                                                   Appointment.status == "booked")).all()
        assert len(ana) == 1
        held = {h.appointment_id for h in check.exec(select(AppointmentHold)).all()}
        assert ana[0].id in held
        notices = check.exec(select(OutboxMessage).where(OutboxMessage.kind == "appointment_moved")).all()
        assert bool(notices) == ("moved" in results)
