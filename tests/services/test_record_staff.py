"""The staff side of the record: a result typed in by hand follows the release rules and tells the
patient like an imported one; bad values are refused with a clear message and change nothing; the
staff view of a chart shows what the patient does not see yet; the console's EHR upload imports and
reports; and patients, proxies without the scope, the front desk, admins (for clinical content) and
anonymous callers are refused, with the refusals audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import func, select

from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role
from portal_app.models.proxy import ProxyGrant
from portal_app.models.record import Observation
from portal_app.models.stored_file import StoredFile
from portal_app.services import files, lab_guide, patients, record, record_staff, result_release
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.fhir_fixtures import SYNTHEA, collection, us_core_resources

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
GLUCOSE = "2339-0"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield



@pytest.fixture
def people(session, make):
    """A patient with an email address (so notices have somewhere to go) and one staff member of each role."""
    patient = make("rosa", "pw-rosa-staffrec-1")
    patient.email = "rosa@example.com"
    session.add(patient)
    session.commit()
    staff = {role: Actor.for_user(make(f"{role}.one", f"pw-{role}-staffrec-1", role=role))
             for role in (Role.CLINICIAN, Role.NURSE, Role.FRONT_DESK, Role.ADMIN)}
    return Actor.for_user(patient), patient.patient_id, staff


def _enter(session, actor, pid, **overrides):
    values = {"loinc": GLUCOSE, "value": "182", "unit": "mg/dL", "low": "70", "high": "99", "taken_on": TODAY}
    result = record_staff.enter_result(session, actor, pid, **(values | overrides))
    session.commit()
    return result


def _values(session) -> int:
    return session.exec(select(func.count()).select_from(Observation)).one()


# --- a result typed in by hand ---------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.NURSE])
def test_a_result_entered_by_hand_reaches_the_patient_with_its_flag_and_a_notice_without_the_value(
        session, people, role):
    me, pid, staff = people

    _enter(session, staff[role], pid)

    shown = record.results(session, me, pid)
    [group] = shown.groups
    [value] = group.values
    assert (group.name, value.loinc, value.value, value.unit, value.range, value.flag) == (
        "Glucose (blood sugar)", GLUCOSE, "182", "mg/dL", "70 – 99", "high")
    assert group.when.date() == TODAY
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "result_ready")).all()
    assert len(notices) == 1 and "182" not in notices[0].body and "Glucose" not in notices[0].body
    written = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == "create",
                                                    AuditEvent.category == "results")).all()
    assert [(a.actor_user_id, a.outcome) for a in written] == [(staff[role].user_id, "success")]


def test_an_entered_result_waits_for_review_when_the_patient_chose_so_and_the_notice_comes_then(session, people):
    me, pid, staff = people
    result_release.set_preference(session, me, pid, "labs", "after_review")
    session.commit()

    value_id = _enter(session, staff[Role.NURSE], pid, taken_on=TODAY - timedelta(days=3))

    seen = record.results(session, me, pid)
    assert seen.groups == [] and [p.category for p in seen.pending] == ["labs"]
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "result_ready")).all() == []
    [staff_view] = record.chart_results(session, staff[Role.CLINICIAN], pid)
    assert staff_view.appears_on == TODAY + timedelta(days=result_release.REVIEW_WAIT_DAYS)
    assert not staff_view.held

    result_release.mark_reviewed(session, staff[Role.CLINICIAN], pid, observation_id=value_id)
    session.commit()

    assert [g.values[0].id for g in record.results(session, me, pid).groups] == [value_id]
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "result_ready")).all()) == 1


def test_an_empty_unit_and_range_are_allowed_and_the_value_shows_without_a_flag(session, people):
    me, pid, staff = people
    _enter(session, staff[Role.CLINICIAN], pid, loinc="6301-6", value="2,4", unit="", low="", high="")
    [value] = record.results(session, me, pid).groups[0].values
    assert (value.value, value.unit, value.range, value.flag) == ("2.4", "", "", "none")


@pytest.mark.parametrize("change, key", [
    ({"loinc": "0000-0"}, "recstaff.error.test"),
    ({"loinc": "18782-3"}, "recstaff.error.test"),  # imaging findings: not a number to type in
    ({"loinc": ["2339-0"]}, "recstaff.error.test"),
    ({"value": ""}, "recstaff.error.value"),
    ({"value": "high"}, "recstaff.error.value"),
    ({"value": "nan"}, "recstaff.error.value"),
    ({"value": "1e308"}, "recstaff.error.value"),
    ({"value": {"x": 1}}, "recstaff.error.value"),
    ({"unit": "x" * 41}, "recstaff.error.unit"),
    ({"unit": 5}, "recstaff.error.unit"),
    ({"low": "99", "high": "70"}, "recstaff.error.range"),
    ({"low": "low"}, "recstaff.error.range"),
    ({"taken_on": TODAY + timedelta(days=1)}, "recstaff.error.date"),
    ({"taken_on": date(1899, 12, 31)}, "recstaff.error.date"),
    ({"taken_on": "2026-12-01"}, "recstaff.error.date"),
    ({"taken_on": None}, "recstaff.error.date"),
])
def test_bad_values_are_refused_with_a_clear_message_and_nothing_is_written(session, people, change, key):
    _me, pid, staff = people
    with pytest.raises(InvalidInput) as refused:
        _enter(session, staff[Role.CLINICIAN], pid, **change)
    session.rollback()
    assert refused.value.key == key
    assert _values(session) == 0
    assert session.exec(select(OutboxMessage)).all() == []


def test_patients_proxies_the_front_desk_admins_and_anonymous_may_not_enter_results_and_are_audited(
        session, make, people):
    me, pid, staff = people
    other = Actor.for_user(make("other", "pw-other-staffrec-1"))
    proxy_user = make("helper", "pw-helper-staffrec-1", role=Role.PROXY)
    session.add(ProxyGrant(patient_id=pid, grantee_user_id=proxy_user.id, relationship="friend", scopes="results,record",
                           starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()
    for who in (me, other, Actor.for_user(proxy_user), staff[Role.FRONT_DESK], staff[Role.ADMIN], None):
        with pytest.raises((NotFound, PermissionDenied)):
            _enter(session, who, pid)
        session.rollback()
    assert _values(session) == 0
    refusals = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.outcome == "denied")).all()
    assert len(refusals) == 6


# --- the staff view of a chart ---------------------------------------------------------------------

@pytest.fixture
def imported(session, people):
    """Rosa's chart holds the US Core examples (labs with ranges, an X-ray report)."""
    me, pid, staff = people
    resources = us_core_resources()
    mrn = session.get(Patient, pid).mrn
    next(r for r in resources if r["resourceType"] == "Patient")["identifier"] = [
        {"type": {"coding": [{"code": "MR"}]}, "value": mrn}]
    from portal_app.services import fhir_import

    assert fhir_import.import_fhir(session, Actor.system("test"), collection(resources)).patients == [pid]
    session.commit()
    return me, pid, staff


def test_staff_see_every_result_with_what_the_patient_does_not_see_yet_and_the_read_is_audited(session, imported):
    me, pid, staff = imported
    doctor = staff[Role.CLINICIAN]
    groups = record.chart_results(session, doctor, pid)
    report = next(g for g in groups if g.key.startswith("report-"))
    result_release.hold(session, doctor, pid, report_id=int(report.key.split("-")[1]), reason="Call first",
                        ends_at=NOW + timedelta(days=2))
    session.commit()

    held = next(g for g in record.chart_results(session, staff[Role.NURSE], pid) if g.key == report.key)
    assert held.held and held.appears_on == TODAY + timedelta(days=2)
    assert report.key not in {g.key for g in record.results(session, me, pid).groups}
    assert len(record.chart_results(session, doctor, pid)) == len(groups)
    session.commit()
    reads = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == "read",
                                                  AuditEvent.detail == "results (staff view of the chart)")).all()
    assert {a.actor_user_id for a in reads} == {doctor.user_id, staff[Role.NURSE].user_id}


def test_the_front_desk_admins_patients_and_anonymous_get_no_staff_view_of_the_record(session, make, imported):
    me, pid, staff = imported
    other = Actor.for_user(make("other", "pw-other-staffrec-2"))
    for who in (staff[Role.FRONT_DESK], staff[Role.ADMIN], other, None):
        for call in (record.health_record, record.chart_results):
            with pytest.raises((NotFound, PermissionDenied)):
                call(session, who, pid)
            session.rollback()
    with pytest.raises(PermissionDenied):  # a patient reads their results on their own pages, with the rules
        record.chart_results(session, me, pid)
    # The heading (name, MRN) is demographics: the front desk may read it, another patient may not.
    assert record_staff.chart_heading(session, staff[Role.FRONT_DESK], pid).mrn == "T-rosa"
    with pytest.raises(NotFound):
        record_staff.chart_heading(session, other, pid)


def test_nurses_and_clinicians_find_charts_but_not_through_the_front_desks_search(session, people):
    _me, _pid, staff = people
    for role in (Role.NURSE, Role.CLINICIAN):
        assert [p.mrn for p in patients.console_search(session, staff[role], "rosa").items] == ["T-rosa"]
        with pytest.raises(PermissionDenied):
            patients.find_patients(session, staff[role], "rosa")
    assert [p.mrn for p in patients.console_search(session, staff[Role.FRONT_DESK], "rosa").items] == ["T-rosa"]
    with pytest.raises(PermissionDenied):
        patients.find_charts(session, staff[Role.FRONT_DESK], "rosa")


def test_the_lab_guide_offers_its_tests_with_their_units_in_the_readers_language():
    english = lab_guide.tests_with_units("en")
    spanish = {t.loinc: t for t in lab_guide.tests_with_units("es")}
    assert len(english) >= 60
    glucose = next(t for t in english if t.loinc == GLUCOSE)
    assert (glucose.name, glucose.unit) == ("Glucose (blood sugar)", "mg/dL")
    assert spanish[GLUCOSE].name != glucose.name and spanish[GLUCOSE].unit == "mg/dL"
    assert "18782-3" not in spanish  # imaging findings are words, not a value to type in


# --- the console's EHR upload ----------------------------------------------------------------------

def _upload(session, actor, data: bytes, name: str = "export.json") -> str:
    view = files.store_upload(session, actor, record_staff.UPLOAD_PURPOSE, name, data)
    session.commit()
    return view.token


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADMIN])
def test_a_clinician_or_admin_uploads_a_bundle_and_gets_the_report_and_a_second_time_nothing_changes(
        session, people, role):
    _me, _pid, staff = people
    data = SYNTHEA[0].read_bytes()

    report = record_staff.import_upload(session, staff[role], _upload(session, staff[role], data))
    session.commit()

    assert report.ok and report.created_patients == 1
    assert report.imported["Observation"] == sum(
        1 for e in json.loads(data)["entry"] if e["resource"]["resourceType"] == "Observation")
    assert session.exec(select(StoredFile)).all() == []  # the file is not kept once imported
    again = record_staff.import_upload(session, staff[role], _upload(session, staff[role], data))
    session.commit()
    assert again.ok and sum(again.imported.values()) == 0 and sum(again.updated.values()) == 0
    imports = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == staff[role].user_id,
                                                    AuditEvent.action == "update", AuditEvent.category == "record")).all()
    assert len(imports) == 2


@pytest.mark.parametrize("data", [b'{"resourceType": "Bundle", "type": "collection", "entry": [', b'[1, 2]',
                                  json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
                                      {"resource": {"resourceType": "Observation", "id": "x", "status": "final",
                                                    "code": {"text": "A"}, "subject": {"reference": "urn:uuid:gone"}}}]
                                              }).encode()])
def test_a_malformed_upload_is_refused_with_a_reason_and_changes_nothing(session, people, data):
    _me, _pid, staff = people
    before = _values(session), session.exec(select(func.count()).select_from(Patient)).one()
    report = record_staff.import_upload(session, staff[Role.CLINICIAN], _upload(session, staff[Role.CLINICIAN], data))
    session.commit()
    assert not report.ok and report.error
    assert (_values(session), session.exec(select(func.count()).select_from(Patient)).one()) == before


def test_only_clinicians_and_admins_may_upload_or_import_and_only_their_own_upload(session, people):
    me, _pid, staff = people
    data = SYNTHEA[0].read_bytes()
    for who in (staff[Role.NURSE], staff[Role.FRONT_DESK], me, None):
        with pytest.raises(PermissionDenied):
            files.store_upload(session, who, record_staff.UPLOAD_PURPOSE, "export.json", data)
        session.rollback()
    token = _upload(session, staff[Role.CLINICIAN], data)
    for who in (staff[Role.NURSE], staff[Role.FRONT_DESK], me, None):
        with pytest.raises(PermissionDenied):
            record_staff.import_upload(session, who, token)
        session.rollback()
    with pytest.raises(InvalidInput) as gone:  # another admin cannot import a clinician's upload
        record_staff.import_upload(session, staff[Role.ADMIN], token)
    assert gone.value.key == "recstaff.error.upload_gone"
    session.rollback()
    assert _values(session) == 0
    with pytest.raises(InvalidInput):  # a photo is not an EHR file
        files.store_upload(session, staff[Role.CLINICIAN], record_staff.UPLOAD_PURPOSE, "scan.pdf",
                           b"%PDF-1.4\n1 0 obj\n%%EOF")
