"""The console's "Waiting for you" counts: each equals what the same person's queue lists, moves when
the work moves, leaves restricted charts out, and is refused to patients and anonymous callers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app import clock, localtime
from portal_app.models.audit import AuditEvent
from portal_app.models.message import MessageThread
from portal_app.models.people import Patient, User
from portal_app.services import demo_clinic, messages, refills, result_release, schedule, work_summary
from portal_app.services.errors import PermissionDenied
from tests.services.refill_fixtures import actor as as_actor


@pytest.fixture
def people(session):
    demo_clinic.seed(session)
    session.commit()
    return {u.username: as_actor(u) for u in session.exec(select(User)).all()}


def _counts(session, who) -> dict[str, int]:
    return {w.key: w.count for w in work_summary.waiting(session, who)}


def test_the_nurse_sees_the_numbers_her_queues_list(session, people):
    nurse = people["rn.baptiste"]
    counts = _counts(session, nurse)
    assert set(counts) == {"messages_overdue", "messages_unassigned", "messages_mine", "refills_review",
                           "refills_pharmacy", "visits_today"}
    assert counts["messages_overdue"] == len(messages.queue(session, nurse, "overdue").items) >= 1
    assert counts["messages_unassigned"] == len(messages.queue(session, nurse, "unassigned").items)
    assert counts["messages_mine"] == len(messages.queue(session, nurse, "mine").items)
    assert counts["refills_review"] == len(refills.queue(session, nurse, "review").items)
    assert counts["refills_pharmacy"] == len(refills.queue(session, nurse, "pharmacy").items)
    today = clock.now().astimezone(localtime.clinic_zone()).date().isoformat()
    still_to_see = [r for r in schedule.day_schedule(session, nurse, today) if r.status in ("booked", "arrived")]
    assert counts["visits_today"] == len(still_to_see)


def test_taking_a_message_moves_it_from_no_one_to_mine(session, people):
    nurse = people["rn.baptiste"]
    before = _counts(session, nurse)
    thread = messages.queue(session, nurse, "unassigned").items[0]
    messages.assign(session, nurse, thread.id)
    session.commit()
    after = _counts(session, nurse)
    assert after["messages_unassigned"] == before["messages_unassigned"] - 1
    assert after["messages_mine"] == before["messages_mine"] + 1


def test_the_clinician_counts_results_to_review_and_only_her_own_visits(session, people):
    doctor = people["dr.okafor"]
    counts = _counts(session, doctor)
    assert "results_review" in counts and "refills_pharmacy" not in counts
    unreviewed = [r for r in result_release.review_queue(session, doctor) if not r.reviewed]
    assert counts["results_review"] == len(unreviewed)
    today = clock.now().astimezone(localtime.clinic_zone()).date().isoformat()
    own = [r for r in schedule.day_schedule(session, doctor, today) if r.status in ("booked", "arrived")]
    assert counts["visits_today"] == len(own)


def test_the_front_desk_sees_no_clinical_queue_and_the_admin_no_queue_at_all(session, people):
    desk = _counts(session, people["desk.tanaka"])
    assert "results_review" not in desk and "refills_review" not in desk
    assert {"messages_unassigned", "refills_pharmacy", "visits_today"} <= set(desk)
    assert work_summary.waiting(session, people["admin.hughes"]) == []


def test_threads_on_a_restricted_chart_are_not_counted(session, people):
    nurse = people["rn.baptiste"]
    before = _counts(session, nurse)["messages_overdue"]
    overdue = messages.queue(session, nurse, "overdue").items[0]
    chart = session.get(Patient, session.get(MessageThread, overdue.id).patient_id)
    chart.restricted = True
    session.commit()
    assert _counts(session, nurse)["messages_overdue"] == before - 1


@pytest.mark.parametrize("who", ["walter.pimm", None])
def test_patients_and_anonymous_callers_are_refused_and_audited(session, people, who):
    caller = people[who] if who else None
    with pytest.raises(PermissionDenied):
        work_summary.waiting(session, caller)
    session.commit()
    refused = session.exec(select(AuditEvent).where(AuditEvent.detail == "refused: what is waiting")).all()
    assert len(refused) == 1 and refused[0].outcome == "denied"
