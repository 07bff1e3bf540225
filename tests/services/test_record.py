"""The record and results as the patient reads them: every imported item is on their pages; results
are grouped by report with flags in words; held and "after review" results stay hidden, with the day
they appear; and nobody else's chart can be read (refusals audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.models.medication import Medication
from portal_app.models.people import Role
from portal_app.models.proxy import ProxyGrant
from portal_app.models.record import DiagnosticReport, Observation
from portal_app.services import fhir_import, record, result_release
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.fhir_fixtures import SYNTHEA, collection, counts, us_core_resources

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
OPERATOR = Actor.system("test import")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield



def _load(session, data: bytes) -> int:
    report = fhir_import.import_fhir(session, OPERATOR, data)
    session.commit()
    assert report.ok, report.error
    return report.patients[0]


@pytest.fixture
def chart(session, make):
    """A patient account whose chart holds the US Core examples (labs with ranges, an X-ray report)."""
    user = make("rosa", "pw-rosa-record-1")
    pid = _load(session, collection(us_core_resources()))
    # The examples' patient is a chart of its own; give it to Rosa's account.
    user.patient_id = pid
    session.add(user)
    session.commit()
    return Actor.for_user(user), pid


@pytest.mark.parametrize("path", SYNTHEA, ids=lambda p: p.name.split("_")[0])
def test_every_item_of_each_synthea_bundle_is_on_the_patients_pages(session, make, path):
    data = path.read_bytes()
    pid = _load(session, data)
    user = make("owner", "pw-owner-record-1")
    user.patient_id = pid
    session.add(user)
    session.commit()
    me = Actor.for_user(user)
    in_file = counts(data)

    view = record.health_record(session, me, pid)
    found = record.results(session, me, pid)

    assert len(view.problems_active) + len(view.problems_resolved) == in_file["Condition"]
    assert len(view.allergies) == in_file["AllergyIntolerance"]
    assert len(view.immunizations) == in_file["Immunization"]
    assert len(view.procedures) == in_file["Procedure"]
    assert len(view.visits) == in_file["Encounter"]
    assert len(view.documents) == in_file["DocumentReference"]
    shown_values = sum(len(g.values) for g in found.groups)
    assert len(view.vitals) + len(view.other) + shown_values == in_file["Observation"]
    assert len([g for g in found.groups if g.key.startswith("report-")]) == in_file["DiagnosticReport"]
    assert session.exec(select(Medication).where(Medication.patient_id == pid)).all().__len__() == in_file["MedicationRequest"]
    assert not found.pending
    # Synthea labs carry no reference range: shown honestly, without a flag.
    assert {v.flag for g in found.groups for v in g.values} == {record.NO_FLAG}
    assert view.care_team and view.care_team[0].name


def test_results_are_grouped_by_report_with_ranges_and_flags_in_words(session, chart):
    me, pid = chart
    found = record.results(session, me, pid)

    cbc = next(g for g in found.groups if g.name.lower().startswith("cbc") or "blood count" in g.name.lower())
    assert cbc.category == "labs" and len(cbc.values) == 8
    hemoglobin = next(v for v in cbc.values if v.loinc == "718-7")
    assert (hemoglobin.value, hemoglobin.unit, hemoglobin.range, hemoglobin.flag) == ("17", "g/dL", "16.5 – 21.5", "in_range")
    xray = next(g for g in found.groups if g.category == "imaging")
    assert xray.narrative
    assert found.groups == sorted(found.groups, key=lambda g: g.when, reverse=True)


@pytest.mark.parametrize("interpretation, value, expected", [
    ("HH", 30, "critical_high"), ("LL", 1, "critical_low"), ("H", 22, "high"), ("L", 10, "low"), ("N", 17, "in_range"),
    (None, 22, "high"), (None, 10, "low"), (None, 17, "in_range")])
def test_flag_comes_from_the_labs_interpretation_else_from_the_range(interpretation, value, expected):
    obs = Observation(patient_id=1, name="Hemoglobin", value_num=value, range_low=16.5, range_high=21.5,
                      interpretation=interpretation)
    assert record.flag(obs) == expected


def test_no_range_no_flag():
    assert record.flag(Observation(patient_id=1, name="Glucose", value_num=250)) == record.NO_FLAG


def test_date_filters_keep_only_that_period(session, chart):
    me, pid = chart
    only_2005 = record.results(session, me, pid, since=date(2005, 1, 1), until=date(2005, 12, 31))
    assert only_2005.groups and all(g.when.year == 2005 for g in only_2005.groups)
    assert record.results(session, me, pid, since=date(2030, 1, 1)).groups == []
    with pytest.raises(InvalidInput):
        record.results(session, me, pid, since=date(2006, 1, 1), until=date(2005, 1, 1))
    with pytest.raises(InvalidInput):
        record.health_record(session, me, pid, since="2005-01-01")


def _clinician(session, make):
    return Actor.for_user(make("drlee", "pw-dr-lee-record-1", role=Role.CLINICIAN))


def test_a_held_result_is_invisible_with_the_day_it_appears_then_shows_when_released(session, make, chart):
    me, pid = chart
    doctor = _clinician(session, make)
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()
    hemoglobin = session.exec(select(Observation).where(Observation.loinc_code == "718-7")).one()
    hold_id = result_release.hold(session, doctor, pid, report_id=cbc.id, reason="Call the patient first",
                                  ends_at=NOW + timedelta(days=3))
    session.commit()

    hidden = record.results(session, me, pid)
    assert f"report-{cbc.id}" not in {g.key for g in hidden.groups}
    assert [(p.category, p.appears_on) for p in hidden.pending] == [("labs", date(2026, 12, 6))]
    assert "Call the patient" not in repr(hidden)
    with pytest.raises(NotFound):
        record.result_detail(session, me, pid, hemoglobin.id)

    result_release.release(session, doctor, pid, hold_id)
    session.commit()
    shown = record.results(session, me, pid)
    assert f"report-{cbc.id}" in {g.key for g in shown.groups} and not shown.pending


def test_a_hold_ends_by_itself_on_its_end_date(session, make, chart):
    me, pid = chart
    doctor = _clinician(session, make)
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()
    result_release.hold(session, doctor, pid, report_id=cbc.id, reason="Wait for the visit", ends_at=NOW + timedelta(days=2))
    session.commit()
    with time_machine.travel(NOW + timedelta(days=2, seconds=1), tick=False):
        assert f"report-{cbc.id}" in {g.key for g in record.results(session, me, pid).groups}


def test_holds_need_a_reason_and_an_end_within_the_limit_and_a_clinician(session, make, chart):
    me, pid = chart
    doctor = _clinician(session, make)
    nurse = Actor.for_user(make("nurse", "pw-nurse-record-1", role=Role.NURSE))
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()
    with pytest.raises(InvalidInput):
        result_release.hold(session, doctor, pid, report_id=cbc.id, reason=" ", ends_at=NOW + timedelta(days=1))
    with pytest.raises(InvalidInput):
        result_release.hold(session, doctor, pid, report_id=cbc.id, reason="x", ends_at=NOW + timedelta(days=31))
    with pytest.raises(InvalidInput):
        result_release.hold(session, doctor, pid, report_id=cbc.id + 999, reason="x", ends_at=NOW + timedelta(days=1))
    for who in (nurse, me):
        with pytest.raises((PermissionDenied, NotFound)):
            result_release.hold(session, who, pid, report_id=cbc.id, reason="x", ends_at=NOW + timedelta(days=1))
        session.rollback()


def test_after_review_for_imaging_waits_for_the_review_or_at_most_the_set_days(session, make, chart):
    me, pid = chart
    doctor = _clinician(session, make)
    xray = session.exec(select(DiagnosticReport).where(DiagnosticReport.category == "imaging")).one()
    xray.issued_at = NOW - timedelta(days=1)  # came in yesterday
    session.add(xray)
    result_release.set_preference(session, me, pid, "imaging", "after_review")
    session.commit()
    assert result_release.preferences(session, me, pid)["imaging"] == "after_review"

    waiting = record.results(session, me, pid)
    assert f"report-{xray.id}" not in {g.key for g in waiting.groups}
    assert waiting.pending[0].appears_on == (NOW + timedelta(days=result_release.REVIEW_WAIT_DAYS - 1)).date()
    assert any(g.category == "labs" for g in waiting.groups)  # other categories unchanged

    with time_machine.travel(NOW + timedelta(days=result_release.REVIEW_WAIT_DAYS), tick=False):
        assert f"report-{xray.id}" in {g.key for g in record.results(session, me, pid).groups}

    result_release.mark_reviewed(session, doctor, pid, report_id=xray.id)
    session.commit()
    assert f"report-{xray.id}" in {g.key for g in record.results(session, me, pid).groups}
    with pytest.raises(InvalidInput):
        result_release.set_preference(session, me, pid, "imaging", "never")


def test_a_result_detail_has_the_trend_of_released_values_of_the_same_test(session, chart):
    me, pid = chart
    hemoglobin = session.exec(select(Observation).where(Observation.loinc_code == "718-7")).one()
    earlier = Observation(patient_id=pid, category="laboratory", loinc_code="718-7", name="Hemoglobin", value_num=15.2,
                          unit="g/dL", range_low=16.5, range_high=21.5, effective_at=datetime(2004, 7, 1, tzinfo=UTC))
    session.add(earlier)
    session.commit()

    detail = record.result_detail(session, me, pid, hemoglobin.id)

    assert [p.value for p in detail.trend] == [15.2, 17]
    assert (detail.low, detail.high) == (16.5, 21.5)
    assert detail.value.flag == "in_range"


def test_new_results_on_the_home_page_are_recent_released_ones_only(session, make, chart):
    me, pid = chart
    doctor = _clinician(session, make)
    recent = Observation(patient_id=pid, category="laboratory", loinc_code="4548-4", name="Hemoglobin A1c",
                         value_num=6.1, unit="%", effective_at=NOW - timedelta(days=2))
    held = Observation(patient_id=pid, category="laboratory", loinc_code="2339-0", name="Glucose", value_num=99,
                       unit="mg/dL", effective_at=NOW - timedelta(days=1))
    session.add_all([recent, held])
    session.commit()
    result_release.hold(session, doctor, pid, observation_id=held.id, reason="Discuss", ends_at=NOW + timedelta(days=5))
    session.commit()

    assert [g.name for g in record.new_results(session, me, pid)] == ["Hemoglobin A1c"]


def _refusals(session, pid):
    return session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.outcome == "denied")).all()


def test_other_patients_proxies_without_scope_front_desk_and_anonymous_are_refused_and_audited(session, make, chart):
    me, pid = chart
    other = Actor.for_user(make("other", "pw-other-record-1"))
    desk = Actor.for_user(make("desk", "pw-desk-record-1", role=Role.FRONT_DESK))
    admin = Actor.for_user(make("admin", "pw-admin-record-1", role=Role.ADMIN))
    proxy_user = make("proxy", "pw-proxy-record-1", role=Role.PROXY)
    session.add(ProxyGrant(patient_id=pid, grantee_user_id=proxy_user.id, relationship="friend", scopes="appointments",
                           starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()
    proxy = Actor.for_user(proxy_user)
    hemoglobin = session.exec(select(Observation).where(Observation.loinc_code == "718-7")).one()
    calls = [lambda a: record.health_record(session, a, pid), lambda a: record.results(session, a, pid),
             lambda a: record.result_detail(session, a, pid, hemoglobin.id), lambda a: record.new_results(session, a, pid),
             lambda a: result_release.set_preference(session, a, pid, "labs", "after_review")]
    for who in (other, proxy, desk, admin, None):
        for call in calls:
            with pytest.raises((NotFound, PermissionDenied)):
                call(who)
            session.rollback()
    assert len(_refusals(session, pid)) == 5 * len(calls)
    # A patient asking for a value of another chart through their own chart id gets nothing either.
    other_pid = other.patient_id
    with pytest.raises(NotFound):
        record.result_detail(session, other, other_pid, hemoglobin.id)


def test_a_proxy_with_the_results_scope_and_clinical_staff_may_read_and_reads_are_audited(session, make, chart):
    me, pid = chart
    proxy_user = make("helper", "pw-helper-record-1", role=Role.PROXY)
    session.add(ProxyGrant(patient_id=pid, grantee_user_id=proxy_user.id, relationship="friend", scopes="results,record",
                           starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()
    nurse = Actor.for_user(make("nurse", "pw-nurse-record-2", role=Role.NURSE))
    for who in (Actor.for_user(proxy_user), nurse, me):
        assert record.results(session, who, pid).groups
        assert record.health_record(session, who, pid).vitals
    session.commit()
    reads = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == "read",
                                                  AuditEvent.outcome == "success")).all()
    assert len(reads) == 6


def test_the_clinicians_queue_lists_recent_unreviewed_and_held_results_and_only_for_clinicians(session, make, chart):
    me, pid = chart
    doctor = _clinician(session, make)
    fresh = Observation(patient_id=pid, category="laboratory", loinc_code="4548-4", name="Hemoglobin A1c",
                        value_num=6.1, unit="%", effective_at=NOW - timedelta(days=2))
    session.add(fresh)
    session.commit()
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()  # from 2005
    result_release.hold(session, doctor, pid, report_id=cbc.id, reason="Call first", ends_at=NOW + timedelta(days=2))
    session.commit()

    rows = result_release.review_queue(session, doctor)

    assert [(r.kind, r.name) for r in rows] == [("value", "Hemoglobin A1c"), ("report", cbc.name)]
    assert rows[1].hold_reason == "Call first" and rows[1].held_until is not None
    result_release.mark_reviewed(session, doctor, pid, observation_id=fresh.id)
    session.commit()
    assert [r.kind for r in result_release.review_queue(session, doctor)] == ["report"]
    nurse = Actor.for_user(make("nurse", "pw-nurse-record-3", role=Role.NURSE))
    for who in (nurse, me, None):
        with pytest.raises(PermissionDenied):
            result_release.review_queue(session, who)


def test_what_changed_since_the_last_visit(session, make, chart):
    me, pid = chart
    from portal_app.models.record import Condition, Encounter

    visit_day = NOW - timedelta(days=10)
    session.add(Encounter(patient_id=pid, name="Check-up", started_at=visit_day))
    session.add(Condition(patient_id=pid, name="Sprained ankle", clinical_status="resolved",
                          onset_on=date(2026, 10, 1), resolved_on=(NOW - timedelta(days=3)).date()))
    session.add(Condition(patient_id=pid, name="Seasonal allergies", clinical_status="active",
                          onset_on=visit_day.date()))
    session.add(Medication(patient_id=pid, name="Loratadine 10 MG", status="active", started_on=visit_day.date()))
    session.add(Observation(patient_id=pid, category="laboratory", loinc_code="4548-4", name="Hemoglobin A1c",
                            value_num=6.1, unit="%", effective_at=NOW - timedelta(days=9)))
    session.commit()

    changes = record.changes_since_last_visit(session, me, pid)

    assert changes.last_visit == visit_day.date()
    assert {(c.kind, c.name) for c in changes.items} == {
        ("resolved_problem", "Sprained ankle"), ("new_problem", "Seasonal allergies"),
        ("started_medicine", "Loratadine 10 MG"), ("new_result", "Hemoglobin A1c")}
    other = Actor.for_user(make("nosy", "pw-nosy-record-1"))
    with pytest.raises(NotFound):
        record.changes_since_last_visit(session, other, pid)


def test_the_patient_is_told_of_new_and_released_results_without_what_they_are(session, make):
    from portal_app.models.outbox import OutboxMessage
    from portal_app.models.people import Patient

    user = make("told", "pw-told-record-1")
    user.email = "told@example.com"
    session.add(user)
    session.commit()
    chart = session.get(Patient, user.patient_id)
    resources = us_core_resources()
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    patient["identifier"] = [{"type": {"coding": [{"code": "MR"}]}, "value": chart.mrn}]
    _load(session, collection(resources))
    first = session.exec(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()
    assert [m.kind for m in first] == ["result_ready"]
    assert "Hemoglobin" not in first[0].body and "17" not in first[0].body

    _load(session, collection(resources))  # nothing new: no second notice
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()) == 1

    doctor = _clinician(session, make)
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()
    hold_id = result_release.hold(session, doctor, chart.id, report_id=cbc.id, reason="Call", ends_at=NOW + timedelta(days=1))
    result_release.release(session, doctor, chart.id, hold_id)
    session.commit()
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()) == 2
