"""Medication reminders: set at chosen times in the patient's zone, sent through the outbox at that
time (to a real SMTP server), exactly once per time; shown as "Due today"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.jobs import outbox_sender
from portal_app.jobs.refills import queue_reminders
from portal_app.models.medication import Medication
from portal_app.models.outbox import OutboxMessage
from portal_app.services import medication_reminders
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.refill_fixtures import NOW, build
from tests.support.mail import mail_settings

EIGHT_CHICAGO = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 8:00 in Chicago (UTC-6 in December)


@pytest.fixture
def clinic(session):
    with time_machine.travel(NOW, tick=False):
        built = build(session)
        medication_reminders.set_reminder(session, built.ana, built.ana_chart, built.lisinopril, ["08:00", "20:30"])
        session.commit()
    return built


def test_a_reminder_arrives_by_email_at_its_time_and_only_once(session, clinic, database_url, smtp):
    settings = mail_settings(smtp.port)
    with time_machine.travel(EIGHT_CHICAGO - timedelta(minutes=3), tick=False):
        assert queue_reminders(database_url) == 2  # Ana and her parent (proxy with "medications")
        assert queue_reminders(database_url) == 0
        assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 0  # not yet
    with time_machine.travel(EIGHT_CHICAGO + timedelta(seconds=5), tick=False):
        assert queue_reminders(database_url) == 0
        assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 2
    with time_machine.travel(EIGHT_CHICAGO + timedelta(minutes=20), tick=False):
        assert queue_reminders(database_url) == 0
        assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 0
    messages = smtp.inbox.messages()
    assert sorted(smtp.inbox.recipients()) == ["ana@example.com", "parent@example.com"]
    for message in messages:
        assert message["Subject"] == "Time for your medicine"
        assert "Lisinopril" not in message.get_content() and "lisinopril" not in message.get_content()


def test_the_evening_time_and_the_next_day_are_separate_reminders(session, clinic, database_url):
    evening = datetime(2026, 12, 4, 2, 30, tzinfo=UTC)  # 20:30 on 3 December in Chicago
    with time_machine.travel(evening, tick=False):
        assert queue_reminders(database_url) == 2
    with time_machine.travel(EIGHT_CHICAGO + timedelta(days=1), tick=False):
        assert queue_reminders(database_url) == 2
    keys = sorted(row.dedupe_key.rsplit(":u", 1)[0] for row in session.exec(select(OutboxMessage)).all())
    rid = medication_reminders.reminders(session, clinic.ana, clinic.ana_chart)[0].id
    assert keys == [f"medreminder:{rid}:2026-12-03T20:30"] * 2 + [f"medreminder:{rid}:2026-12-04T08:00"] * 2


def test_a_reminder_missed_by_far_is_dropped(session, clinic, database_url):
    with time_machine.travel(EIGHT_CHICAGO + timedelta(hours=2), tick=False):  # the scheduler was down
        assert queue_reminders(database_url) == 0


def test_times_follow_the_chosen_zone_across_daylight_saving(session, clinic, database_url):
    medication_reminders.set_reminder(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, ["08:00"],
                                      "America/New_York")
    session.commit()
    summer = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)  # 8:00 in New York (UTC-4 in June)
    with time_machine.travel(summer - timedelta(minutes=1), tick=False):
        assert queue_reminders(database_url) == 2
    row = session.exec(select(OutboxMessage)).first()
    assert row.not_before.replace(tzinfo=UTC) == summer


def test_due_today_lists_todays_doses_in_order(session, clinic):
    with time_machine.travel(EIGHT_CHICAGO + timedelta(hours=1), tick=False):  # 9:00 in Chicago
        doses = medication_reminders.due_today(session, clinic.ana, clinic.ana_chart)
    assert [(d.at, d.medication, d.past) for d in doses] == [
        (EIGHT_CHICAGO, "Lisinopril 10 MG Oral Tablet", True),
        (datetime(2026, 12, 4, 2, 30, tzinfo=UTC), "Lisinopril 10 MG Oral Tablet", False)]


def test_a_stopped_medicine_is_not_reminded(session, clinic, database_url):
    med = session.get(Medication, clinic.lisinopril)
    med.status = "stopped"
    session.add(med)
    session.commit()
    with time_machine.travel(EIGHT_CHICAGO, tick=False):
        assert queue_reminders(database_url) == 0


@pytest.mark.parametrize("times", [[], ["8:00"], ["25:00"], ["08:00"] * 7, "08:00", [8], None])
def test_bad_times_are_refused(session, clinic, times):
    with pytest.raises(InvalidInput):
        medication_reminders.set_reminder(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, times)


def test_a_bad_zone_is_refused(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        medication_reminders.set_reminder(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, ["08:00"], "Mars/Base")
    assert refused.value.key == "reminders.error.zone"


def test_reminders_of_another_patient_are_out_of_reach(session, clinic):
    with pytest.raises(NotFound):
        medication_reminders.reminders(session, clinic.ben, clinic.ana_chart)
    session.rollback()
    with pytest.raises(InvalidInput):  # Ben's own chart, Ana's medicine
        medication_reminders.set_reminder(session, clinic.ben, clinic.ben_chart, clinic.lisinopril, ["08:00"])
    session.rollback()
    rid = medication_reminders.reminders(session, clinic.ana, clinic.ana_chart)[0].id
    with pytest.raises(InvalidInput):
        medication_reminders.remove_reminder(session, clinic.ben, clinic.ben_chart, rid)
    session.rollback()
    with pytest.raises(PermissionDenied):
        medication_reminders.set_reminder(session, clinic.outsider, clinic.ana_chart, clinic.lisinopril, ["08:00"])
