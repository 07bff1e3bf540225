"""Wait list: asking, which freed times are offered to whom (and only once), claiming one with
exactly one winner, lapsed offers, and who is refused (audited)."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.db import get_engine, transaction
from portal_app.models.appointment import Appointment
from portal_app.models.audit import AuditEvent
from portal_app.models.clinic_setup import ScheduleException
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Role
from portal_app.models.waitlist import WaitlistOffer, WaitlistRequest
from portal_app.services import appointment_reminders, appointments, booking, waitlist
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.appointment_fixtures import NOW, _chart, _user, build, clinic_time
from tests.services.refill_fixtures import actor, last_audit_id

MONDAY, TUESDAY, FRIDAY = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 11)
LINK = re.compile(r"/appointments/earlier\?t=([A-Za-z0-9_-]{43})")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _book(session, who, chart, day, hour, minute=0, clinician=None, type_id=None, clinic=None):
    made = booking.book(session, who, chart, type_id or clinic.checkup, clinician or clinic.okafor,
                        clinic_time(day, hour, minute).isoformat(), "Cough")
    session.commit()
    return made


MONDAY_9 = (clinic_time(MONDAY, 9), clinic_time(MONDAY, 9, 30))


def _full_week(session, *gaps):
    """Nothing new is open until Friday evening except the gaps (default: Monday 9:00-9:30, Ben's visit)."""
    moment = NOW
    for start, end in sorted(gaps or (MONDAY_9,)) + [(clinic_time(FRIDAY, 17), None)]:
        session.add(ScheduleException(starts_at=moment, ends_at=start, label="Full"))
        moment = end
    session.commit()


def _patient(session, name):
    chart = _chart(session, name)
    return actor(_user(session, name, Role.PATIENT, chart.id)), chart.id


@pytest.fixture
def week(session):
    """Ana (Friday 15:00 with Dr. Okafor) and Ben (Monday 9:00, the time that will free up)."""
    clinic = build(session)
    clinic.ana_visit = _book(session, clinic.ana, clinic.ana_chart, FRIDAY, 15, clinic=clinic)
    clinic.ben_visit = _book(session, clinic.ben, clinic.ben_chart, MONDAY, 9, clinic=clinic)
    return clinic


def _ask(session, who, chart, visit, same=True, not_before=None):
    waitlist.ask(session, who, chart, visit, same, not_before)
    session.commit()


def _free_monday(session, clinic):
    appointments.cancel(session, clinic.ben, clinic.ben_chart, clinic.ben_visit, "Feeling better")
    session.commit()


def _run_job(session):
    made = waitlist.offer_open_times(session)
    session.commit()
    return made


def _token(session, patient_id):
    bodies = session.exec(select(OutboxMessage.body).where(OutboxMessage.patient_id == patient_id,
                                                           OutboxMessage.kind == "waitlist_offer")).all()
    assert bodies, "no wait-list notice queued"
    return LINK.search(bodies[-1]).group(1)


def _audit_since(session, since):
    return session.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all()


def test_asking_shows_on_the_card_and_stopping_withdraws_it_audited(session, week):
    since = last_audit_id(session)
    _ask(session, week.ana, week.ana_chart, week.ana_visit, same=False, not_before="2026-12-04")
    shown = waitlist.choices(session, week.ana, week.ana_chart)
    assert shown == {week.ana_visit: waitlist.WaitChoice(week.ana_visit, False, date(2026, 12, 4))}
    waitlist.withdraw(session, week.ana, week.ana_chart, week.ana_visit)
    session.commit()
    assert waitlist.choices(session, week.ana, week.ana_chart) == {}
    details = [(e.action, e.outcome, e.detail) for e in _audit_since(session, since)]
    assert ("update", "success", f"appointment {week.ana_visit} on the wait list") in details
    assert ("update", "success", f"appointment {week.ana_visit} off the wait list") in details
    assert ("read", "success", "wait list") in details


@pytest.mark.parametrize("bad", [
    {"same": "yes"}, {"same": None}, {"not_before": "2026-12-01"},  # yesterday
    {"not_before": "2026-12-11"},  # the visit's own day: not earlier
    {"not_before": "12/05/2026"}, {"not_before": 20261205}, {"not_before": "x" * 5000},
])
def test_bad_choices_are_refused_and_change_nothing(session, week, bad):
    args = {"same": True, "not_before": None, **bad}
    with pytest.raises(InvalidInput):
        waitlist.ask(session, week.ana, week.ana_chart, week.ana_visit, args["same"], args["not_before"])
    session.rollback()
    assert session.exec(select(WaitlistRequest)).all() == []


def test_a_visit_too_close_to_move_cannot_wait_for_an_earlier_time(session, week):
    with time_machine.travel(clinic_time(MONDAY, 9) - timedelta(hours=20), tick=False):
        with pytest.raises(InvalidInput) as refused:
            waitlist.ask(session, week.ben, week.ben_chart, week.ben_visit, True)
    assert refused.value.key == "appt.error.too_late"


def test_nothing_is_offered_until_a_matching_earlier_time_frees_up(session, week):
    _full_week(session)
    _ask(session, week.ana, week.ana_chart, week.ana_visit)
    assert _run_job(session) == 0
    _free_monday(session, week)
    assert _run_job(session) == 1
    (offer,) = session.exec(select(WaitlistOffer)).all()
    assert (offer.patient_id, offer.clinician_user_id) == (week.ana_chart, week.okafor)
    assert offer.starts_at.replace(tzinfo=None) == clinic_time(MONDAY, 9).replace(tzinfo=None)
    assert offer.expires_at.replace(tzinfo=None) == (NOW + waitlist.OFFER_LIFETIME).replace(tzinfo=None)


def test_the_notice_has_a_claim_link_and_no_health_details(session, week):
    _full_week(session)
    _ask(session, week.ana, week.ana_chart, week.ana_visit)
    _free_monday(session, week)
    _run_job(session)
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "waitlist_offer")).all()
    assert rows and {r.patient_id for r in rows} == {week.ana_chart}
    for row in rows:
        text = f"{row.subject} {row.body}"
        assert LINK.search(text) and "2 hours" in text
        for secret in ("Okafor", "Check-up", "Cough", "9:00", "Monday", "Main Street"):
            assert secret not in text
    token = _token(session, week.ana_chart)
    stored = session.exec(select(WaitlistOffer.token_hash)).one()
    assert token not in stored and len(stored) == 64  # only the hash is kept


def test_same_clinician_not_before_and_later_times_are_respected(session, week):
    carl, carl_chart = _patient(session, "carl")
    dora, dora_chart = _patient(session, "dora")
    carl_visit = _book(session, carl, carl_chart, FRIDAY, 13, clinic=week)
    dora_visit = _book(session, dora, dora_chart, FRIDAY, 14, clinic=week)
    lee_visit = _book(session, week.ben, week.ben_chart, TUESDAY, 8, clinician=week.lee, clinic=week)
    _full_week(session, MONDAY_9, (clinic_time(TUESDAY, 8), clinic_time(TUESDAY, 8, 30)))
    _ask(session, week.ana, week.ana_chart, week.ana_visit, same=True)  # Okafor only
    _ask(session, carl, carl_chart, carl_visit, same=True, not_before="2026-12-09")  # Okafor, from Wednesday
    _ask(session, dora, dora_chart, dora_visit, same=False)  # anyone
    appointments.cancel(session, week.ben, week.ben_chart, lee_visit, "Better")  # frees Lee, Tuesday 8:00
    session.commit()
    assert _run_job(session) == 1
    (offer,) = session.exec(select(WaitlistOffer)).all()
    assert (offer.patient_id, offer.clinician_user_id) == (dora_chart, week.lee)  # Ana: same clinician only
    _free_monday(session, week)  # Okafor Monday 9:00: Ana yes; Carl not before Wednesday; Dora has an offer out
    assert _run_job(session) == 1
    assert {(o.patient_id, o.clinician_user_id) for o in session.exec(select(WaitlistOffer)).all()} == {
        (dora_chart, week.lee), (week.ana_chart, week.okafor)}


def test_a_time_later_than_the_visit_is_never_offered(session, week):
    _full_week(session)
    waitlist.ask(session, week.ben, week.ben_chart, week.ben_visit, False)  # Monday 9:00: nothing is earlier
    session.commit()
    appointments.cancel(session, week.ana, week.ana_chart, week.ana_visit, "Away")  # frees Friday 15:00
    session.commit()
    assert _run_job(session) == 0


def test_first_come_first_served_three_at_a_time_and_the_next_after_they_lapse(session, week, frozen):
    people = []
    for number, hour in enumerate((13, 14, 16)):
        who, chart = _patient(session, f"p{number}")
        people.append((who, chart, _book(session, who, chart, FRIDAY, hour, clinic=week)))
    _full_week(session)
    _ask(session, week.ana, week.ana_chart, week.ana_visit)
    for who, chart, visit in people:
        frozen.shift(timedelta(seconds=1))
        _ask(session, who, chart, visit)
    _free_monday(session, week)
    assert _run_job(session) == 3
    offered = {o.patient_id for o in session.exec(select(WaitlistOffer)).all()}
    assert offered == {week.ana_chart, people[0][1], people[1][1]}  # the first three to ask
    assert _run_job(session) == 0  # run again: nobody is offered twice, the fourth still waits
    frozen.shift(waitlist.OFFER_LIFETIME + timedelta(minutes=1))
    assert _run_job(session) == 1  # the three lapsed and the time is still open: the fourth's turn
    assert {o.patient_id for o in session.exec(select(WaitlistOffer)).all()} == offered | {people[2][1]}
    assert waitlist.view_offer(session, week.ana, _token(session, week.ana_chart)).state == "gone"
    with pytest.raises(InvalidInput) as lapsed:
        waitlist.claim(session, week.ana, _token(session, week.ana_chart))
    assert lapsed.value.key == "waitlist.error.gone"


def test_claiming_moves_the_visit_replans_reminders_and_tells_the_next_it_has_gone(session, week):
    carl, carl_chart = _patient(session, "carl")
    carl_visit = _book(session, carl, carl_chart, FRIDAY, 13, clinic=week)
    _full_week(session, MONDAY_9, (clinic_time(FRIDAY, 13), clinic_time(FRIDAY, 13, 30)))
    _ask(session, week.ana, week.ana_chart, week.ana_visit)
    _ask(session, carl, carl_chart, carl_visit)
    _free_monday(session, week)
    assert _run_job(session) == 2
    ana_token, carl_token = _token(session, week.ana_chart), _token(session, carl_chart)
    assert waitlist.view_offer(session, carl, carl_token).state == "open"
    since = last_audit_id(session)
    new = waitlist.claim(session, carl, carl_token)
    session.commit()
    moved = session.get(Appointment, new)
    assert (moved.patient_id, moved.status, moved.reason) == (carl_chart, "booked", "Cough")
    assert moved.starts_at.replace(tzinfo=None) == clinic_time(MONDAY, 9).replace(tzinfo=None)
    assert session.get(Appointment, carl_visit).status == "rescheduled"  # the old time is free again
    assert waitlist.choices(session, carl, carl_chart) == {}
    assert any(e.detail.startswith("wait-list offer") and e.action == "update" for e in _audit_since(session, since))
    seen = waitlist.view_offer(session, week.ana, ana_token)
    assert seen.state == "gone"
    with pytest.raises(InvalidInput) as gone:
        waitlist.claim(session, week.ana, ana_token)
    assert gone.value.key == "waitlist.error.gone"
    session.rollback()
    assert session.get(Appointment, week.ana_visit).status == "booked"  # Ana's visit is untouched
    due = appointment_reminders.queue_due(session, moved.starts_at.replace(tzinfo=NOW.tzinfo) - timedelta(hours=24))
    assert due >= 1  # the new visit's reminder is planned
    keys = session.exec(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "appointment_reminder")).all()
    assert keys and all(k.startswith(f"appointment:{new}:") for k in keys)
    # Carl's Friday 13:00 is free now, and Ana (Friday 15:00) is still waiting: it is offered to her
    assert _run_job(session) == 1


@pytest.mark.parametrize("claimers", [2, 3])
def test_racing_claimers_exactly_one_gets_the_time(database_url, claimers):
    with Session(get_engine(database_url), expire_on_commit=False) as setup:
        clinic = build(setup)
        ben_visit = _book(setup, clinic.ben, clinic.ben_chart, MONDAY, 9, clinic=clinic)
        people = []
        for number in range(claimers):
            who, chart = _patient(setup, f"racer{number}")
            people.append((who, chart, _book(setup, who, chart, FRIDAY, 9 + number, clinic=clinic)))
        _full_week(setup)
        for who, chart, visit in people:
            _ask(setup, who, chart, visit)
        appointments.cancel(setup, clinic.ben, clinic.ben_chart, ben_visit, "Better")
        setup.commit()
        assert _run_job(setup) == claimers
        tokens = [(who, _token(setup, chart)) for who, chart, _ in people]
    start = threading.Barrier(claimers)
    results: list[str] = []
    lock = threading.Lock()

    def race(who, token):
        start.wait()
        try:
            with transaction(database_url) as session:
                waitlist.claim(session, who, token)
            outcome = "claimed"
        except InvalidInput as refused:
            outcome = refused.key
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=race, args=pair) for pair in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["claimed"] + ["waitlist.error.gone"] * (claimers - 1)
    with Session(get_engine(database_url)) as check:
        monday = check.exec(select(Appointment).where(Appointment.starts_at == clinic_time(MONDAY, 9),
                                                      Appointment.status == "booked")).all()
        assert len(monday) == 1
        statuses = sorted(check.get(Appointment, visit).status for _, _, visit in people)
        assert statuses == ["booked"] * (claimers - 1) + ["rescheduled"]


def test_two_scheduler_processes_at_once_offer_each_time_once(database_url):
    with Session(get_engine(database_url), expire_on_commit=False) as setup:
        clinic = build(setup)
        ana_visit = _book(setup, clinic.ana, clinic.ana_chart, FRIDAY, 15, clinic=clinic)
        ben_visit = _book(setup, clinic.ben, clinic.ben_chart, MONDAY, 9, clinic=clinic)
        _full_week(setup)
        _ask(setup, clinic.ana, clinic.ana_chart, ana_visit)
        appointments.cancel(setup, clinic.ben, clinic.ben_chart, ben_visit, "Better")
        setup.commit()
    start = threading.Barrier(2)
    made: list[int] = []

    def job():
        start.wait()
        with transaction(database_url) as session:
            made.append(waitlist.offer_open_times(session))

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [0, 1]
    with Session(get_engine(database_url)) as check:
        assert len(check.exec(select(WaitlistOffer)).all()) == 1
        notices = check.exec(select(OutboxMessage).where(OutboxMessage.kind == "waitlist_offer")).all()
        assert len({n.recipient for n in notices}) == len(notices)  # one notice per address


def test_another_patient_a_proxy_without_the_scope_and_anonymous_are_refused_and_audited(session, week):
    _full_week(session)
    _ask(session, week.ana, week.ana_chart, week.ana_visit)
    _free_monday(session, week)
    _run_job(session)
    token = _token(session, week.ana_chart)
    since = last_audit_id(session)
    for who, error in ((week.ben, NotFound), (week.parent, PermissionDenied), (None, PermissionDenied)):
        with pytest.raises(error):
            waitlist.view_offer(session, who, token)
        session.rollback()
        with pytest.raises(error):
            waitlist.claim(session, who, token)
        session.rollback()
    with pytest.raises(NotFound):
        waitlist.ask(session, week.ben, week.ana_chart, week.ana_visit, True)
    session.rollback()
    with pytest.raises(NotFound) as unknown:
        waitlist.view_offer(session, week.ana, "A" * 43)
    assert unknown.value.key == "waitlist.error.link"
    session.rollback()
    refusals = [e for e in _audit_since(session, since) if e.outcome == "denied"]
    assert len(refusals) >= 8
    assert {e.patient_id for e in refusals if e.actor_user_id == week.ben.user_id} == {week.ana_chart}
    assert session.get(Appointment, week.ana_visit).status == "booked"
    assert session.exec(select(WaitlistOffer.status)).one() == "open"
    # the proxy who holds the appointments scope may see and take it
    assert waitlist.view_offer(session, week.scheduler, token).state == "open"


def test_the_front_desk_sees_the_list_and_other_staff_roles_are_refused(session, week):
    carl, carl_chart = _patient(session, "carl")
    carl_visit = _book(session, carl, carl_chart, FRIDAY, 13, clinic=week)
    _full_week(session)
    _ask(session, week.ana, week.ana_chart, week.ana_visit)
    _ask(session, carl, carl_chart, carl_visit, same=False)
    since = last_audit_id(session)
    for staff in (week.clinician, week.admin, week.ana, None):
        with pytest.raises(PermissionDenied):
            waitlist.desk_list(session, staff)
        session.rollback()
    listed = waitlist.desk_list(session, week.desk)
    session.commit()
    assert [(r.patient, r.any_clinician, r.offered) for r in listed] == [("Ana Visit", False, False),
                                                                        ("Carl Visit", True, False)]
    rows = _audit_since(session, since)
    assert sum(1 for e in rows if e.outcome == "denied" and e.detail == "refused: wait list") == 4
    assert {e.patient_id for e in rows if e.detail == "wait list (desk)"} == {week.ana_chart, carl_chart}
    assert [r.patient for r in waitlist.desk_list(session, week.nurse)] == ["Ana Visit", "Carl Visit"]


def test_the_notice_link_can_only_be_the_portals_own_offer_page():
    from portal_app.config import settings
    from portal_app.services.notify import TemplateError, render

    token = "A" * 43
    assert token in render("waitlist_offer", "es", {"link": f"{settings.origins[0]}/appointments/earlier?t={token}",
                                                     "hours": 2}).body
    for link in (f"{settings.origins[0]}/reset?t={token}", f"https://evil.example/appointments/earlier?t={token}",
                 f"{settings.origins[0]}/appointments/earlier?t={token}&x=Okafor"):
        with pytest.raises(TemplateError):
            render("waitlist_offer", "en", {"link": link, "hours": 2})
