"""The admin's clinic set-up: validation that changes nothing, audit rows, role refusals, and
changes that show in patients' open times at once; the clinic's time zone; the visits new time off
covers."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from portal_app import clock, localtime
from portal_app.models.appointment import Appointment
from portal_app.models.audit import AuditEvent
from portal_app.models.clinic_setup import ClinicSettings, Location, ScheduleException, VisitType, WorkingHours
from portal_app.models.people import Patient
from portal_app.services import appointments, booking, clinic_setup
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.open_times import openings
from tests.services.appointment_fixtures import NOW, build, clinic_time

THURSDAY = date(2026, 12, 3)
NEXT_MONDAY = date(2026, 12, 7)
TYPE = {"name": "Flu shot", "name_es": "Vacuna contra la gripe", "duration_minutes": 10, "buffer_minutes": 5,
        "mode": "in_person", "online_bookable": True, "patient_kind": "any", "prep_note": "Wear a short sleeve.",
        "prep_note_es": "Use manga corta."}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    return build(session)


def _audit_rows(session, outcome="success"):
    return session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.category == clinic_setup.CATEGORY, AuditEvent.outcome == outcome)).one()


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def _days_open(session, clinic, type_id, first, last):
    return set(openings(session, session.get(VisitType, type_id), first, last, first_per_day=True))


def test_the_admin_sees_the_whole_set_up(session, clinic):
    view = clinic_setup.overview(session, clinic.admin)
    assert [loc.name for loc in view.locations] == ["Main Street Clinic", "North Clinic"]
    assert "Flu shot" not in [t.name for t in view.visit_types] and len(view.visit_types) == 6
    assert {c.name for c in view.clinicians} == {"Okafor, MD", "Lee, NP"}
    assert len(view.hours) == 12 and view.time_zone == "America/Chicago"
    assert _audit_rows(session) == 0  # reading the set-up is not a change (and holds no health data)


@pytest.mark.parametrize("who", ["clinician", "nurse", "desk", "ana", "scheduler", None])
def test_every_other_role_and_anonymous_are_refused_and_the_refusal_audited(session, clinic, who):
    actor = getattr(clinic, who) if who else None
    calls = [
        lambda: clinic_setup.overview(session, actor),
        lambda: clinic_setup.save_location(session, actor, None, {"name": "Annex"}),
        lambda: clinic_setup.set_location_active(session, actor, clinic.north, False),
        lambda: clinic_setup.save_visit_type(session, actor, None, TYPE),
        lambda: clinic_setup.set_visit_type_active(session, actor, clinic.checkup, False),
        lambda: clinic_setup.save_hours(session, actor, None, clinic.lee, clinic.north, 0, "08:00", "12:00"),
        lambda: clinic_setup.remove_hours(session, actor, 1),
        lambda: clinic_setup.add_exception(session, actor, None, "2026-12-10", "2026-12-10", "Holiday"),
        lambda: clinic_setup.remove_exception(session, actor, 1),
        lambda: clinic_setup.set_time_zone(session, actor, "America/New_York"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
        session.rollback()
    assert _audit_rows(session, "denied") == len(calls)
    assert _count(session, Location) == 2 and _count(session, VisitType) == 6
    assert _count(session, WorkingHours) == 12 and _count(session, ScheduleException) == 0
    assert _count(session, ClinicSettings) == 0 and localtime.clinic_zone_name() == "America/Chicago"


def test_a_location_is_added_edited_retired_and_restored_with_an_audit_row_each(session, clinic):
    new = clinic_setup.save_location(session, clinic.admin, None, {"name": " Annex ", "address": "5 Side St",
                                                                   "phone": "", "directions": "Door B"})
    clinic_setup.save_location(session, clinic.admin, new, {"name": "East Annex", "address": "5 Side St"})
    clinic_setup.set_location_active(session, clinic.admin, new, False)
    session.commit()
    row = session.get(Location, new)
    assert (row.name, row.directions, row.active) == ("East Annex", "", False)
    clinic_setup.set_location_active(session, clinic.admin, new, True)
    session.commit()
    assert session.get(Location, new).active and _audit_rows(session) == 4


def test_a_location_with_working_hours_cannot_be_retired(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        clinic_setup.set_location_active(session, clinic.admin, clinic.main, False)
    assert refused.value.key == "clinic_setup.error.location_has_hours"
    assert session.get(Location, clinic.main).active and _audit_rows(session) == 0


@pytest.mark.parametrize("change, key", [
    ({"name": "  "}, "clinic_setup.error.name_missing"),
    ({"name": "x" * 121}, "clinic_setup.error.too_long"),
    ({"duration_minutes": 12}, "clinic_setup.error.duration_step"),
    ({"duration_minutes": 0}, "clinic_setup.error.duration_range"),
    ({"duration_minutes": "30"}, "clinic_setup.error.duration_range"),
    ({"duration_minutes": True}, "clinic_setup.error.duration_range"),
    ({"buffer_minutes": 7}, "clinic_setup.error.buffer_step"),
    ({"buffer_minutes": 125}, "clinic_setup.error.buffer_range"),
    ({"mode": "phone"}, "clinic_setup.error.mode"),
    ({"patient_kind": "vip"}, "clinic_setup.error.patient_kind"),
    ({"online_bookable": "yes"}, "clinic_setup.error.bad_text"),
    ({"prep_note": ["a list"]}, "clinic_setup.error.bad_text"),
])
def test_a_bad_visit_type_is_refused_with_a_specific_message_and_changes_nothing(session, clinic, change, key):
    with pytest.raises(InvalidInput) as refused:
        clinic_setup.save_visit_type(session, clinic.admin, clinic.checkup, {**TYPE, **change})
    assert refused.value.key == key
    session.rollback()
    assert session.get(VisitType, clinic.checkup).name == "Check-up" and _audit_rows(session) == 0


def test_a_new_visit_type_is_offered_to_patients_at_once_and_a_retired_one_is_not(session, clinic):
    flu = clinic_setup.save_visit_type(session, clinic.admin, None, TYPE)
    session.commit()
    offered = {t.id: t for t in booking.visit_types(session, clinic.ana, clinic.ana_chart)}
    assert flu in offered and offered[flu].minutes == 10
    hours = openings(session, session.get(VisitType, flu), THURSDAY, THURSDAY, clinician_ids=[clinic.okafor])
    assert hours[THURSDAY][0].starts_at == clinic_time(THURSDAY, 9)
    clinic_setup.set_visit_type_active(session, clinic.admin, flu, False)
    session.commit()
    assert flu not in {t.id for t in booking.visit_types(session, clinic.ana, clinic.ana_chart)}
    assert _audit_rows(session) == 2


def test_a_front_desk_only_visit_type_is_not_offered_online(session, clinic):
    clinic_setup.save_visit_type(session, clinic.admin, clinic.checkup, {**TYPE, "online_bookable": False})
    session.commit()
    assert clinic.checkup not in {t.id for t in booking.visit_types(session, clinic.ana, clinic.ana_chart)}


def test_working_hours_are_added_edited_and_removed_and_open_times_follow(session, clinic):
    monday = NEXT_MONDAY
    assert _days_open(session, clinic, clinic.checkup, monday, monday) == {monday}  # Dr. Okafor works Mondays
    block = clinic_setup.save_hours(session, clinic.admin, None, clinic.lee, clinic.north, 0, "14:00", "16:00")
    session.commit()
    lee_times = openings(session, session.get(VisitType, clinic.checkup), monday, monday, clinician_ids=[clinic.lee])
    assert [o.starts_at for o in lee_times[monday]][:1] == [clinic_time(monday, 14)]
    clinic_setup.save_hours(session, clinic.admin, block, clinic.lee, clinic.north, 0, "15:00", "16:00")
    session.commit()
    lee_times = openings(session, session.get(VisitType, clinic.checkup), monday, monday, clinician_ids=[clinic.lee])
    assert lee_times[monday][0].starts_at == clinic_time(monday, 15)
    clinic_setup.remove_hours(session, clinic.admin, block)
    session.commit()
    assert openings(session, session.get(VisitType, clinic.checkup), monday, monday, clinician_ids=[clinic.lee]) == {}
    assert _audit_rows(session) == 3


@pytest.mark.parametrize("args, key", [
    ((0, "12:00", "09:00"), "clinic_setup.error.hours_end_before_start"),
    ((0, "09:00", "09:00"), "clinic_setup.error.hours_end_before_start"),
    ((0, "11:00", "14:00"), "clinic_setup.error.hours_overlap"),  # Dr. Okafor works 9-12 and 13-17 on Mondays
    ((0, "9:00", "10:00"), "clinic_setup.error.start_time"),
    ((0, "09:00", "25:00"), "clinic_setup.error.end_time"),
    ((0, "09:03", "10:00"), "clinic_setup.error.time_step"),
    ((7, "18:00", "19:00"), "clinic_setup.error.weekday"),
    (("0", "18:00", "19:00"), "clinic_setup.error.weekday"),
])
def test_bad_working_hours_are_refused_and_change_nothing(session, clinic, args, key):
    with pytest.raises(InvalidInput) as refused:
        clinic_setup.save_hours(session, clinic.admin, None, clinic.okafor, clinic.main, *args)
    assert refused.value.key == key
    session.rollback()
    assert _count(session, WorkingHours) == 12 and _audit_rows(session) == 0


def test_overlap_names_the_block_in_the_way_and_holds_across_locations(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        clinic_setup.save_hours(session, clinic.admin, None, clinic.okafor, clinic.north, 0, "16:00", "18:00")
    assert refused.value.params == {"starts": "13:00", "ends": "17:00"}


def test_hours_need_an_active_clinician_and_an_active_location(session, clinic):
    with pytest.raises(InvalidInput, match="no_clinician"):
        clinic_setup.save_hours(session, clinic.admin, None, clinic.nurse.user_id, clinic.main, 5, "09:00", "10:00")
    annex = clinic_setup.save_location(session, clinic.admin, None, {"name": "Annex"})
    clinic_setup.set_location_active(session, clinic.admin, annex, False)
    with pytest.raises(InvalidInput, match="no_location"):
        clinic_setup.save_hours(session, clinic.admin, None, clinic.lee, annex, 5, "09:00", "10:00")
    with pytest.raises(NotFound):
        clinic_setup.remove_hours(session, clinic.admin, 99999)


def test_a_holiday_removes_that_days_openings_for_everyone_at_once(session, clinic):
    assert THURSDAY in _days_open(session, clinic, clinic.checkup, THURSDAY, THURSDAY)
    holiday = clinic_setup.add_exception(session, clinic.admin, None, "2026-12-03", "2026-12-03", "Staff day")
    session.commit()
    assert _days_open(session, clinic, clinic.checkup, THURSDAY, THURSDAY) == set()
    # the next day is untouched
    assert date(2026, 12, 4) in _days_open(session, clinic, clinic.checkup, date(2026, 12, 4), date(2026, 12, 4))
    clinic_setup.remove_exception(session, clinic.admin, holiday.id)
    session.commit()
    assert THURSDAY in _days_open(session, clinic, clinic.checkup, THURSDAY, THURSDAY)
    assert _audit_rows(session) == 2


def test_leave_for_one_clinician_over_a_date_range_and_a_part_day(session, clinic):
    clinic_setup.add_exception(session, clinic.admin, clinic.okafor, "2026-12-07", "2026-12-09", "Leave")
    clinic_setup.add_exception(session, clinic.admin, clinic.lee, "2026-12-03", "2026-12-03", "Training",
                               "08:00", "10:00")
    session.commit()
    okafor_days = set(openings(session, session.get(VisitType, clinic.checkup), NEXT_MONDAY, date(2026, 12, 11),
                               clinician_ids=[clinic.okafor], first_per_day=True))
    assert okafor_days == {date(2026, 12, 10), date(2026, 12, 11)}
    lee = openings(session, session.get(VisitType, clinic.checkup), THURSDAY, THURSDAY, clinician_ids=[clinic.lee])
    assert lee[THURSDAY][0].starts_at == clinic_time(THURSDAY, 10)
    view = clinic_setup.overview(session, clinic.admin)
    assert [(e.clinician, e.label) for e in view.exceptions] == [("Lee, NP", "Training"), ("Okafor, MD", "Leave")]


@pytest.mark.parametrize("args, key", [
    ((None, "2026-12-10", "2026-12-09", "Holiday"), "clinic_setup.error.exception_end_before_start"),
    ((None, "2026-12-10", "2026-12-10", "Holiday", "12:00", "09:00"), "clinic_setup.error.exception_end_before_start"),
    ((None, "2026-12-10", "2026-12-10", "  "), "clinic_setup.error.label_missing"),
    ((None, "10/12/2026", "2026-12-10", "Holiday"), "clinic_setup.error.first_day"),
    ((None, "2026-12-10", "2026-13-01", "Holiday"), "clinic_setup.error.last_day"),
    ((None, "2026-11-01", "2026-11-02", "Holiday"), "clinic_setup.error.exception_past"),
    ((None, "2026-12-10", "2028-12-10", "Holiday"), "clinic_setup.error.exception_too_long"),
    (("okafor", "2026-12-10", "2026-12-10", "Leave"), "clinic_setup.error.no_clinician"),
])
def test_bad_exceptions_are_refused_and_change_nothing(session, clinic, args, key):
    with pytest.raises(InvalidInput) as refused:
        clinic_setup.add_exception(session, clinic.admin, *args)
    assert refused.value.key == key
    session.rollback()
    assert _count(session, ScheduleException) == 0 and _audit_rows(session) == 0


def test_the_audit_rows_say_what_changed_without_health_data(session, clinic):
    clinic_setup.add_exception(session, clinic.admin, clinic.okafor, "2026-12-10", "2026-12-10", "Leave")
    session.commit()
    row = session.exec(select(AuditEvent).where(AuditEvent.category == clinic_setup.CATEGORY)).one()
    assert (row.action, row.actor_user_id, row.patient_id) == ("create", clinic.admin.user_id, None)
    assert f"clinician {clinic.okafor}" in row.detail


def test_times_are_clinic_wall_clock_across_daylight_saving(session, clinic):
    # 15 March 2027 is the first Monday of daylight time in Chicago: 9:00 is 14:00 UTC, not 15:00
    with time_machine.travel(clinic_time(date(2027, 3, 10), 9), tick=False):
        clinic_setup.save_hours(session, clinic.admin, None, clinic.lee, clinic.north, 0, "09:00", "10:00")
        session.commit()
        standard, daylight = date(2027, 3, 1), date(2027, 3, 15)
        blocks = openings(session, session.get(VisitType, clinic.checkup), daylight, daylight,
                          clinician_ids=[clinic.lee])
        assert blocks[daylight][0].starts_at == clinic_time(daylight, 9, offset=timedelta(hours=5))
    with time_machine.travel(clinic_time(date(2027, 2, 25), 9), tick=False):
        blocks = openings(session, session.get(VisitType, clinic.checkup), standard, standard,
                          clinician_ids=[clinic.lee])
        assert blocks[standard][0].starts_at == clinic_time(standard, 9)


def test_the_demo_clinics_holidays_start_at_the_clinics_midnight(session):
    """The set-up page lists them in clinic time; stored as Chicago wall-clock on SQLite they were 6 hours early."""
    from portal_app import localtime
    from portal_app.services import demo_clinic

    demo_clinic.seed(session)
    session.commit()
    christmas = session.exec(select(ScheduleException).where(ScheduleException.label == "Christmas")).one()
    starts, ends = localtime.local(christmas.starts_at), localtime.local(christmas.ends_at)
    assert (starts.day, starts.hour, ends.day, ends.hour) == (24, 0, 26, 0)


# --- the clinic's time zone ------------------------------------------------------------------------


def _zone_rows(session):
    return session.exec(select(AuditEvent.detail).where(AuditEvent.category == clinic_setup.CATEGORY,
                                                        AuditEvent.action == "update")).all()


def test_the_admin_sets_the_time_zone_and_every_reader_follows_with_an_audit_row(session, clinic):
    assert clinic_setup.overview(session, clinic.admin).time_zone == "America/Chicago"  # PORTAL_CLINIC_TIMEZONE
    assert localtime.clinic_zone_name() == "America/Chicago"
    clinic_setup.set_time_zone(session, clinic.admin, "America/New_York")
    session.commit()
    assert clinic_setup.overview(session, clinic.admin).time_zone == "America/New_York"
    assert localtime.clinic_zone().key == "America/New_York"  # this process at once, without waiting
    assert localtime.local(NOW).hour == 10  # 15:00 UTC is 10:00 in New York
    assert _zone_rows(session) == ["time zone America/Chicago -> America/New_York"]
    clinic_setup.set_time_zone(session, clinic.admin, "Pacific/Honolulu")
    session.commit()
    assert localtime.clinic_zone_name() == "Pacific/Honolulu" and _count(session, ClinicSettings) == 1
    assert _zone_rows(session)[-1] == "time zone America/New_York -> Pacific/Honolulu"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "  America/Chicago", "america/new_york", "localtime", 5, None,
                                  ["America/Denver"]])
def test_a_zone_that_is_not_on_the_list_is_refused_and_changes_nothing(session, clinic, name):
    with pytest.raises(InvalidInput) as refused:
        clinic_setup.set_time_zone(session, clinic.admin, name)
    assert refused.value.key == "clinic_setup.error.time_zone"
    session.rollback()
    assert _count(session, ClinicSettings) == 0 and _audit_rows(session) == 0
    assert localtime.clinic_zone_name() == "America/Chicago"


def test_the_page_offers_the_common_us_zones_first_then_every_zone(session, clinic):
    choices = clinic_setup.zone_choices()
    assert choices[:8] == clinic_setup.COMMON_ZONES
    assert len(choices) == len(set(choices)) > 500 and "Europe/Madrid" in choices and "localtime" not in choices
    assert list(choices[8:]) == sorted(choices[8:])


def test_working_hours_stay_wall_clock_in_the_new_zone_so_open_times_move(session, clinic):
    checkup = session.get(VisitType, clinic.checkup)
    before = openings(session, checkup, THURSDAY, THURSDAY, clinician_ids=[clinic.lee])[THURSDAY]
    assert before[0].starts_at == clinic_time(THURSDAY, 8)  # Lee starts at 8:00 Chicago time
    clinic_setup.set_time_zone(session, clinic.admin, "America/New_York")
    session.commit()
    after = openings(session, checkup, THURSDAY, THURSDAY, clinician_ids=[clinic.lee])[THURSDAY]
    assert after[0].starts_at == clinic_time(THURSDAY, 8) - timedelta(hours=1)  # 8:00 New York is an hour sooner
    assert [localtime.local(o.starts_at).time() for o in after] == \
        [o.starts_at.astimezone(localtime.zone("America/Chicago")).time() for o in before]
    # a day in the new zone runs midnight to midnight there: Okafor's 16:30 visit is still Thursday's
    okafor = openings(session, checkup, THURSDAY, THURSDAY, clinician_ids=[clinic.okafor])[THURSDAY]
    assert localtime.local(okafor[-1].starts_at).hour == 16 and okafor[-1].starts_at.hour == 21


def test_a_visit_already_booked_keeps_its_moment_when_the_zone_changes(session, clinic):
    moment = clinic_time(THURSDAY, 10)
    visit = booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor, moment.isoformat())
    session.commit()
    clinic_setup.set_time_zone(session, clinic.admin, "America/Denver")
    session.commit()
    session.expire_all()
    assert clock.as_utc(session.get(Appointment, visit).starts_at) == moment
    assert localtime.local(moment).hour == 9  # 10:00 in Chicago is 9:00 in Denver


def test_open_times_ask_the_database_for_the_zone_at_most_once_while_it_is_kept(session, clinic):
    localtime.forget_clinic_zone()
    asked = []

    def count(_conn, _cursor, statement, *_args):
        if "clinic_settings" in statement:
            asked.append(statement)

    event.listen(Engine, "before_cursor_execute", count)  # every engine: the zone is read on one of its own
    try:
        checkup = session.get(VisitType, clinic.checkup)
        for day in range(20):
            openings(session, checkup, THURSDAY + timedelta(days=day), THURSDAY + timedelta(days=day))
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len(asked) == 1


def test_another_process_sees_a_change_within_seconds(session, clinic, monkeypatch):
    monkeypatch.setattr(localtime, "ZONE_SECONDS", 0.5)  # 5 s in the portal; shortened so the test is quick
    assert localtime.clinic_zone_name() == "America/Chicago"
    with Session(session.get_bind()) as elsewhere:  # as another web worker would write it (no word to this one)
        elsewhere.add(ClinicSettings(id=1, time_zone="America/Denver"))
        elsewhere.commit()
    assert localtime.clinic_zone_name() == "America/Chicago"  # kept: not a query per call
    time.sleep(0.6)
    assert localtime.clinic_zone_name() == "America/Denver"


# --- time off over booked visits -------------------------------------------------------------------


def _book(session, clinic, who, chart, clinician, moment):
    visit = booking.book(session, who, chart, clinic.checkup, clinician, moment.isoformat())
    session.commit()
    return visit


def test_time_off_over_booked_visits_lists_them_and_moves_none(session, clinic):
    ana_visit = _book(session, clinic, clinic.ana, clinic.ana_chart, clinic.okafor, clinic_time(THURSDAY, 10))
    _book(session, clinic, clinic.ben, clinic.ben_chart, clinic.lee, clinic_time(THURSDAY, 9))
    gone = _book(session, clinic, clinic.ben, clinic.ben_chart, clinic.okafor, clinic_time(THURSDAY, 14))
    appointments.cancel(session, clinic.ben, clinic.ben_chart, gone, "Feeling better")
    _book(session, clinic, clinic.ana, clinic.ana_chart, clinic.okafor, clinic_time(date(2026, 12, 4), 9))  # the next day
    session.commit()
    added = clinic_setup.add_exception(session, clinic.admin, None, "2026-12-03", "2026-12-03", "Staff day")
    session.commit()
    assert [(v.patient, v.starts_at, v.clinician) for v in added.booked] == [
        ("Ben Visit", clinic_time(THURSDAY, 9), "Lee, NP"), ("Ana Visit", clinic_time(THURSDAY, 10), "Okafor, MD")]
    assert session.get(Appointment, ana_visit).status == "booked"  # nothing moved or cancelled
    reads = session.exec(select(AuditEvent.patient_id).where(AuditEvent.category == booking.CATEGORY,
                                                             AuditEvent.action == "read")).all()
    assert sorted(reads) == sorted([clinic.ana_chart, clinic.ben_chart])  # each patient named, audited once


def test_leave_lists_only_that_clinicians_visits_and_a_restricted_chart_without_its_name(session, clinic):
    _book(session, clinic, clinic.ana, clinic.ana_chart, clinic.okafor, clinic_time(THURSDAY, 10))
    _book(session, clinic, clinic.ben, clinic.ben_chart, clinic.lee, clinic_time(THURSDAY, 9))
    session.get(Patient, clinic.ana_chart).restricted = True
    session.commit()
    added = clinic_setup.add_exception(session, clinic.admin, clinic.okafor, "2026-12-03", "2026-12-03", "Leave")
    assert [(v.patient, v.clinician) for v in added.booked] == [("", "Okafor, MD")]
    part_day = clinic_setup.add_exception(session, clinic.admin, clinic.lee, "2026-12-03", "2026-12-03", "Training",
                                          "10:00", "12:00")
    assert part_day.booked == []  # Ben's 9:00 visit is before it


def test_time_off_over_no_visits_says_nothing_more(session, clinic):
    added = clinic_setup.add_exception(session, clinic.admin, None, "2026-12-10", "2026-12-10", "Holiday")
    assert added.booked == [] and session.get(ScheduleException, added.id).label == "Holiday"
