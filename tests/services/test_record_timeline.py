"""The record timeline: every section's events in one list, newest first, filtered by dates and
section, a page at a time; held results never in it; nobody else's chart (refusals audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.models.medication import Medication
from portal_app.models.people import Role
from portal_app.models.proxy import ProxyGrant
from portal_app.models.record import Condition, DiagnosticReport, Encounter, Immunization, Observation, Procedure
from portal_app.services import record_timeline, result_release
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield



@pytest.fixture
def chart(session, make):
    """Rosa's chart with one event of each kind, over three years."""
    user = make("rosa", "pw-rosa-timeline-1")
    pid = user.patient_id
    session.add_all([
        Encounter(patient_id=pid, name="Check-up", reason="Yearly visit", started_at=datetime(2026, 5, 4, 14, tzinfo=UTC)),
        Condition(patient_id=pid, name="Sprained ankle", clinical_status="resolved", onset_on=date(2025, 3, 1),
                  resolved_on=date(2025, 4, 10)),
        Condition(patient_id=pid, name="High blood pressure", onset_on=date(2024, 2, 1)),
        Medication(patient_id=pid, name="Lisinopril 10 MG", started_on=date(2024, 2, 1)),
        Medication(patient_id=pid, name="Ibuprofen 200 MG", status="stopped", started_on=date(2025, 3, 1),
                   ended_on=date(2025, 3, 20)),
        Immunization(patient_id=pid, name="Influenza vaccine", given_on=date(2026, 10, 2)),
        Procedure(patient_id=pid, name="Ankle X-ray", performed_on=date(2025, 3, 2), reason="Fall"),
    ])
    report = DiagnosticReport(patient_id=pid, name="Lipid panel", effective_at=datetime(2026, 5, 4, 15, tzinfo=UTC))
    session.add(report)
    session.flush()
    session.add(Observation(patient_id=pid, report_id=report.id, category="laboratory", loinc_code="2093-3",
                            name="Cholesterol", value_num=190, unit="mg/dL", effective_at=report.effective_at))
    session.add(Observation(patient_id=pid, category="vital-signs", name="Body weight", value_num=70,
                            effective_at=datetime(2026, 5, 4, 14, tzinfo=UTC)))  # vitals are not events
    session.commit()
    return Actor.for_user(user), pid


EVERYTHING = [
    ("immunization", "Influenza vaccine", date(2026, 10, 2)),
    ("visit", "Check-up", date(2026, 5, 4)),
    ("result", "Lipid panel", date(2026, 5, 4)),
    ("problem_resolved", "Sprained ankle", date(2025, 4, 10)),
    ("medicine_stopped", "Ibuprofen 200 MG", date(2025, 3, 20)),
    ("procedure", "Ankle X-ray", date(2025, 3, 2)),
    ("problem_started", "Sprained ankle", date(2025, 3, 1)),
    ("medicine_started", "Ibuprofen 200 MG", date(2025, 3, 1)),
    ("problem_started", "High blood pressure", date(2024, 2, 1)),
    ("medicine_started", "Lisinopril 10 MG", date(2024, 2, 1)),
]


def _lines(found) -> list[tuple[str, str, date]]:
    return [(i.kind, i.name, i.when) for i in found.items]


def test_every_section_in_one_list_newest_first(session, chart):
    me, pid = chart
    found = record_timeline.timeline(session, me, pid)
    assert _lines(found) == EVERYTHING
    assert (found.total, found.has_more) == (10, False)
    lipids = next(i for i in found.items if i.kind == "result")
    assert session.get(Observation, lipids.result_id).name == "Cholesterol"  # the result's page opens on its value


def test_dates_and_sections_narrow_the_list(session, chart):
    me, pid = chart
    in_2025 = record_timeline.timeline(session, me, pid, since=date(2025, 1, 1), until=date(2025, 12, 31))
    assert {i.when.year for i in in_2025.items} == {2025} and in_2025.total == 5
    medicines = record_timeline.timeline(session, me, pid, sections=["medicines"])
    assert [i.kind for i in medicines.items] == ["medicine_stopped", "medicine_started", "medicine_started"]
    both = record_timeline.timeline(session, me, pid, sections=("visits", "results"))
    assert [i.name for i in both.items] == ["Check-up", "Lipid panel"]
    for bad in ({"sections": ["secrets"]}, {"sections": []}, {"sections": "visits"}, {"page": -1}, {"page": "2"},
                {"since": date(2026, 1, 2), "until": date(2026, 1, 1)}, {"since": "2025-01-01"}):
        with pytest.raises(InvalidInput):
            record_timeline.timeline(session, me, pid, **bad)


def test_thousands_of_items_come_a_page_at_a_time(session, chart):
    me, pid = chart
    start = date(2000, 1, 1)
    session.add_all([Immunization(patient_id=pid, name=f"Shot {n}", given_on=start + timedelta(days=n))
                     for n in range(2000)])
    session.commit()
    pages = [record_timeline.timeline(session, me, pid, page=n) for n in range(41)]
    assert pages[0].total == 2010
    assert [len(p.items) for p in pages] == [50] * 40 + [10]
    assert [p.has_more for p in pages] == [True] * 40 + [False]
    everything = [line for p in pages for line in _lines(p)]
    assert len(set(everything)) == 2010
    assert [w for _k, _n, w in everything] == sorted((w for _k, _n, w in everything), reverse=True)
    assert record_timeline.timeline(session, me, pid, page=41).items == []


def _clinician(make):
    return Actor.for_user(make("drlee", "pw-dr-lee-timeline-1", role=Role.CLINICIAN))


def test_a_held_result_is_not_in_the_timeline_until_released(session, make, chart):
    me, pid = chart
    doctor = _clinician(make)
    report = session.exec(select(DiagnosticReport).where(DiagnosticReport.patient_id == pid)).one()
    hold_id = result_release.hold(session, doctor, pid, report_id=report.id, reason="Call first",
                                  ends_at=NOW + timedelta(days=3))
    session.commit()
    held = record_timeline.timeline(session, me, pid)
    assert "result" not in {i.kind for i in held.items} and "Lipid panel" not in repr(held)
    assert "Call first" not in repr(held)

    result_release.release(session, doctor, pid, hold_id)
    session.commit()
    assert "Lipid panel" in {i.name for i in record_timeline.timeline(session, me, pid).items}


def test_after_review_results_wait_for_the_review(session, make, chart):
    me, pid = chart
    fresh = Observation(patient_id=pid, category="imaging", name="Chest X-ray", value_text="Clear",
                        effective_at=NOW - timedelta(days=1), issued_at=NOW - timedelta(days=1))
    session.add(fresh)
    result_release.set_preference(session, me, pid, "imaging", "after_review")
    session.commit()
    assert "Chest X-ray" not in {i.name for i in record_timeline.timeline(session, me, pid).items}
    result_release.mark_reviewed(session, _clinician(make), pid, observation_id=fresh.id)
    session.commit()
    assert "Chest X-ray" in {i.name for i in record_timeline.timeline(session, me, pid).items}


def _proxy(session, make, pid, name, scopes):
    user = make(name, f"pw-{name}-timeline-1", role=Role.PROXY)
    session.add(ProxyGrant(patient_id=pid, grantee_user_id=user.id, relationship="friend", scopes=scopes,
                           starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()
    return Actor.for_user(user)


def test_others_are_refused_and_every_refusal_is_audited(session, make, chart):
    _me, pid = chart
    other = Actor.for_user(make("other", "pw-other-timeline-1"))
    desk = Actor.for_user(make("desk", "pw-desk-timeline-1", role=Role.FRONT_DESK))
    admin = Actor.for_user(make("admin", "pw-admin-timeline-1", role=Role.ADMIN))
    proxy = _proxy(session, make, pid, "proxy", "appointments,results")
    for who in (other, proxy, desk, admin, None):
        with pytest.raises((NotFound, PermissionDenied)):
            record_timeline.timeline(session, who, pid)
        session.rollback()
    refused = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.outcome == "denied")).all()
    assert len(refused) == 5


def test_a_proxy_sees_only_the_sections_of_their_scopes_and_reads_are_audited(session, make, chart):
    me, pid = chart
    record_only = _proxy(session, make, pid, "helper", "record")
    nurse = Actor.for_user(make("nurse", "pw-nurse-timeline-1", role=Role.NURSE))

    seen = record_timeline.timeline(session, record_only, pid)
    assert {i.kind for i in seen.items} == {"visit", "problem_started", "problem_resolved", "immunization", "procedure"}
    assert _lines(record_timeline.timeline(session, nurse, pid)) == EVERYTHING
    record_timeline.timeline(session, me, pid, page=0)
    session.commit()
    reads = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == "read",
                                                  AuditEvent.outcome == "success")).all()
    assert [(r.actor_user_id, r.detail.split(" (")[0]) for r in reads] == [
        (record_only.user_id, "timeline page 0"), (nurse.user_id, "timeline page 0"), (me.user_id, "timeline page 0")]
