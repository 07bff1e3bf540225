"""Open times from working hours, exceptions, buffers and bookings; notice and horizon; daylight saving."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from portal_app.models.clinic_setup import ScheduleException, VisitType
from portal_app.services import booking
from portal_app.services.open_times import openings
from tests.services.appointment_fixtures import NOW, build, clinic_time

THURSDAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    return build(session)


def _local_times(session, clinic, type_id, day, clinician):
    found = openings(session, session.get(VisitType, type_id), day, day, clinician_ids=[clinician])
    return [(o.starts_at - clinic_time(day, 0)).total_seconds() / 3600 for o in found.get(day, [])]


def test_working_hours_give_times_every_quarter_hour_that_fit_the_visit(session, clinic):
    hours = _local_times(session, clinic, clinic.checkup, THURSDAY, clinic.okafor)
    # 9:00-12:00 and 13:00-17:00; a 30-minute visit must end by the block's end
    assert hours[0] == 9 and hours[-1] == 16.5
    assert 11.5 in hours and 11.75 not in hours and 12 not in hours and 12.5 not in hours and 13 in hours
    assert len(hours) == 11 + 15
    # weekends: no hours
    assert _local_times(session, clinic, clinic.checkup, date(2026, 12, 5), clinic.okafor) == []


def test_a_booking_and_its_buffer_block_the_time(session, clinic):
    booking.book(session, clinic.ana, clinic.ana_chart, clinic.buffered, clinic.okafor,
                 clinic_time(THURSDAY, 9).isoformat())
    session.commit()
    hours = _local_times(session, clinic, clinic.short, THURSDAY, clinic.okafor)
    # 20 minutes plus a 10-minute buffer: 9:00 to 9:30 is taken
    assert hours[:2] == [9.5, 9.75]
    # a 30-minute visit at 8:45 would overlap too; the 30-minute one first fits at 9:30
    assert _local_times(session, clinic, clinic.checkup, THURSDAY, clinic.okafor)[0] == 9.5


def test_a_cancelled_booking_frees_its_time(session, clinic):
    from portal_app.services import appointments

    travel_later = time_machine.travel(NOW - timedelta(days=1), tick=False)  # more than 24 h ahead
    with travel_later:
        made = booking.book(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.okafor,
                            clinic_time(THURSDAY, 9).isoformat())
        session.commit()
        assert _local_times(session, clinic, clinic.checkup, THURSDAY, clinic.okafor)[0] == 9.5
        appointments.cancel(session, clinic.ana, clinic.ana_chart, made, "Feeling better")
        session.commit()
        assert _local_times(session, clinic, clinic.checkup, THURSDAY, clinic.okafor)[0] == 9


def test_exceptions_for_one_clinician_and_for_the_whole_clinic(session, clinic):
    session.add(ScheduleException(clinician_user_id=clinic.okafor, starts_at=clinic_time(THURSDAY, 13),
                                  ends_at=clinic_time(THURSDAY, 15), label="Training"))
    christmas_eve = date(2026, 12, 24)
    session.add(ScheduleException(starts_at=clinic_time(christmas_eve, 0),
                                  ends_at=clinic_time(christmas_eve + timedelta(days=1), 0), label="Holiday"))
    session.commit()
    hours = _local_times(session, clinic, clinic.checkup, THURSDAY, clinic.okafor)
    assert 11.5 in hours and 13 not in hours and 14.5 not in hours and hours[hours.index(11.5) + 1] == 15
    assert _local_times(session, clinic, clinic.checkup, christmas_eve, clinic.okafor) == []
    assert _local_times(session, clinic, clinic.checkup, christmas_eve, clinic.lee) == []
    # Lee is not affected by Dr. Okafor's training
    assert _local_times(session, clinic, clinic.checkup, THURSDAY, clinic.lee)[0] == 8


def test_no_time_sooner_than_two_hours_from_now_or_beyond_the_horizon(session, clinic):
    today = NOW.date()  # 9:00 in Chicago
    hours = _local_times(session, clinic, clinic.checkup, today, clinic.okafor)
    assert hours[0] == 11
    far = date(2027, 5, 3)  # a Monday more than 120 days ahead
    assert _local_times(session, clinic, clinic.checkup, far, clinic.okafor) == []


def test_hours_stay_at_the_same_wall_clock_time_across_daylight_saving(session, clinic):
    before, after = date(2027, 3, 12), date(2027, 3, 15)  # the Friday before and the Monday after 14 March 2027
    visit = session.get(VisitType, clinic.checkup)
    found = openings(session, visit, before, after, clinician_ids=[clinic.okafor])
    assert found[before][0].starts_at == datetime.fromisoformat("2027-03-12T15:00:00+00:00")  # 9:00 CST
    assert found[after][0].starts_at == datetime.fromisoformat("2027-03-15T14:00:00+00:00")  # 9:00 CDT
    assert found[after][-1].starts_at == datetime.fromisoformat("2027-03-15T21:30:00+00:00")  # 16:30 CDT
    assert len(found[before]) == len(found[after])


def test_the_month_calendar_marks_days_with_openings(session, clinic):
    session.add(ScheduleException(starts_at=clinic_time(date(2026, 12, 24), 0),
                                  ends_at=clinic_time(date(2026, 12, 26), 0), label="Holiday"))
    session.commit()
    days = booking.open_days(session, clinic.ana, clinic.ana_chart, clinic.checkup, None, "2026-12")
    assert days[0] == NOW.date() and date(2026, 12, 5) not in days and date(2026, 12, 24) not in days
    assert date(2026, 12, 25) not in days and date(2026, 12, 31) in days
    assert len(days) == 22 - 2  # weekdays from the 2nd to the 31st, without the 24th and 25th
    lee_days = booking.open_days(session, clinic.ana, clinic.ana_chart, clinic.checkup, clinic.lee, "2026-12")
    assert all(day.weekday() in (1, 3) for day in lee_days) and date(2026, 12, 3) in lee_days
