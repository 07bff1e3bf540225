"""Messaging about a result and the queue's edges: a message started from a result is linked to it
(name, never value); held or other people's results cannot be asked about; a per-address sending
limit on the patient side; the queue says how many threads restricted charts hide; staff may attach
a file when they write first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models.message import Message, MessageThread
from portal_app.models.people import Patient
from portal_app.models.record import Observation
from portal_app.services import files, messages, result_release
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.refill_fixtures import NOW, audit_rows, last_audit_id
from tests.services.test_messages import clinic, frozen  # noqa: F401  (fixtures)

HOME = "203.0.113.7"


@pytest.fixture
def glucose(session, clinic):  # noqa: F811
    """A released lab value on Ana's chart."""
    row = Observation(patient_id=clinic.ana_chart, category="laboratory", loinc_code="2345-7", name="Glucose",
                      value_num=142, unit="mg/dL", range_low=70, range_high=99, effective_at=NOW - timedelta(days=2))
    session.add(row)
    session.commit()
    return row.id


def _ask(session, clinic, result_id, who=None, topic="result"):  # noqa: F811
    about = messages.asked_result(session, who or clinic.ana, clinic.ana_chart, result_id)
    body = f"Question about my result {about.name}.\n\nIs this high?"
    thread_id = messages.start_thread(session, who or clinic.ana, clinic.ana_chart, topic, body, None, result_id, HOME)
    session.commit()
    return thread_id


def test_a_message_about_a_result_names_it_and_staff_see_which_one(session, clinic, glucose):  # noqa: F811
    thread_id = _ask(session, clinic, glucose)
    thread = session.get(MessageThread, thread_id)
    assert thread.topic == "result" and thread.result_observation_id == glucose
    assert "Glucose" in thread.subject and "142" not in thread.subject

    staff_view = messages.staff_thread(session, clinic.nurse, thread_id)
    assert (staff_view.result.observation_id, staff_view.result.name) == (glucose, "Glucose")
    patient_view = messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id)
    assert patient_view.result.name == "Glucose"
    assert [i.id for i in messages.queue(session, clinic.nurse, "open").items] == [thread_id]


def test_held_and_other_peoples_results_cannot_be_asked_about_and_nothing_is_written(session, clinic, glucose):  # noqa: F811
    result_release.hold(session, clinic.clinician, clinic.ana_chart, observation_id=glucose, reason="Call first",
                        ends_at=NOW + timedelta(days=2))
    session.commit()
    since = last_audit_id(session)
    attempts = [
        (clinic.ana, clinic.ana_chart, "result", glucose, NotFound),  # held: not there yet, for her
        (clinic.ben, clinic.ben_chart, "result", glucose, NotFound),  # his own chart, her result
        (clinic.ben, clinic.ana_chart, "result", glucose, NotFound),  # her chart
        (clinic.helper, clinic.ana_chart, "result", glucose, PermissionDenied),  # "messages" but not "results"
        (None, clinic.ana_chart, "result", glucose, (NotFound, PermissionDenied)),
        (clinic.ana, clinic.ana_chart, "billing", glucose, InvalidInput),  # a result message is about a result
    ]
    for who, chart, topic, result_id, error in attempts:
        with pytest.raises(error):
            messages.start_thread(session, who, chart, topic, "About my glucose", None, result_id, HOME)
        session.rollback()
    assert session.exec(select(MessageThread)).all() == []
    refused = [r for r in audit_rows(session, since) if r.outcome == "denied"]
    assert len(refused) >= 4 and "142" not in repr(refused)


def test_one_network_address_may_send_so_many_messages_an_hour_whatever_the_accounts(session, clinic):  # noqa: F811
    first = messages.start_thread(session, clinic.ben, clinic.ben_chart, "clinical", "From home", None, None, HOME)
    session.commit()
    # Other accounts already sent from the same address this hour.
    session.add_all([Message(thread_id=first, author_user_id=None, author_label="someone", from_staff=False,
                             body="flood", source_ip=HOME, created_at=NOW - timedelta(minutes=30))
                     for _ in range(messages.HOURLY_MESSAGES_ADDRESS - 2)])
    session.commit()
    messages.start_thread(session, clinic.ana, clinic.ana_chart, "clinical", "The last one that fits", None, None, HOME)
    session.commit()
    count = len(session.exec(select(Message)).all())
    since = last_audit_id(session)
    with pytest.raises(InvalidInput) as refused:
        messages.reply(session, clinic.ben, clinic.ben_chart, first, "One too many", None, HOME)
    assert refused.value.key == "msg_more.error.too_many_here"
    session.rollback()
    assert len(session.exec(select(Message)).all()) == count
    assert [(r.actor_user_id, r.outcome, r.source_ip) for r in audit_rows(session, since)] == [
        (clinic.ben.user_id, "denied", HOME)]
    # Another address, and the care team (who share the clinic's address), are not held back by it.
    messages.reply(session, clinic.ben, clinic.ben_chart, first, "From my phone", None, "198.51.100.4")
    messages.staff_reply(session, clinic.nurse, first, "Got it")
    session.commit()
    assert session.exec(select(Message).where(Message.from_staff.is_(True))).one().source_ip is None


def test_the_queue_says_how_many_threads_restricted_charts_hide_and_nothing_else(session, clinic):  # noqa: F811
    ana_thread = messages.start_thread(session, clinic.ana, clinic.ana_chart, "clinical", "Ana's question")
    messages.start_thread(session, clinic.ben, clinic.ben_chart, "clinical", "Ben's private question")
    chart = session.get(Patient, clinic.ben_chart)
    chart.restricted = True
    session.add(chart)
    session.commit()

    queue = messages.queue(session, clinic.nurse, "open")
    assert [i.id for i in queue.items] == [ana_thread] and queue.hidden == 1
    assert "Ben" not in repr(queue) and "private" not in repr(queue)
    assert messages.queue(session, clinic.nurse, "closed").hidden == 0
    with pytest.raises(PermissionDenied):
        messages.queue(session, clinic.admin, "open")


def test_staff_writing_first_may_attach_a_file_only_the_threads_people_open(session, clinic):  # noqa: F811
    leaflet = files.store_upload(session, clinic.nurse, "message_attachment", "results-letter.pdf",
                                 b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    thread_id = messages.staff_start_thread(session, clinic.nurse, "R-ana", "result", "Your results letter.",
                                            [leaflet.token])
    session.commit()
    shown = messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id).messages[0].attachments
    assert [(a.name, a.kind) for a in shown] == [("results-letter.pdf", "pdf")]
    with pytest.raises(NotFound):
        messages.attachment(session, clinic.ben, leaflet.token)
    session.rollback()
    with pytest.raises(InvalidInput):
        messages.staff_start_thread(session, clinic.nurse, "R-ana", "result", "Too many files", ["a"] * 4)
