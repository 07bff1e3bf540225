"""The FHIR export: it validates against the R4B models, re-importing it into an empty database
reproduces the same record, it leaves out what the patient may not see yet, and it is audited."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import Session, select

from portal_app import clock, migrations
from portal_app.db import get_engine
from portal_app.models.audit import AuditEvent
from portal_app.models.people import Role
from portal_app.models.record import DiagnosticReport
from portal_app.services import fhir_export, fhir_import, record, result_release
from portal_app.services.access import Actor
from portal_app.services.errors import NotFound, PermissionDenied
from tests.services.fhir_fixtures import SYNTHEA, collection, us_core_resources

OPERATOR = Actor.system("test import")
CLINICIAN = Actor(role=Role.CLINICIAN)


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "key")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _snapshot(session, patient_id: int) -> dict:
    """What the patient's pages show, without our row ids."""
    view = _without_ids(dataclasses.asdict(record.health_record(session, CLINICIAN, patient_id)))
    results = _without_ids(dataclasses.asdict(record.results(session, CLINICIAN, patient_id)))
    for section in view.values():
        section.sort(key=repr)
    results["groups"].sort(key=repr)
    return {"record": view, "results": results}


def _import(session, data: bytes) -> int:
    report = fhir_import.import_fhir(session, OPERATOR, data)
    session.commit()
    assert report.ok, report.error
    return report.patients[0]


SOURCES = {path.name.split("_")[0]: path.read_bytes for path in SYNTHEA} | {
    "us-core": lambda: collection(us_core_resources())}


@pytest.mark.parametrize("name", list(SOURCES))
def test_export_validates_and_reimporting_it_into_an_empty_database_reproduces_the_record(session, tmp_path, name):
    pid = _import(session, SOURCES[name]())
    bundle = fhir_export.record_bundle(session, CLINICIAN, pid)
    session.commit()
    Bundle.model_validate(bundle)  # R4B
    expected = _snapshot(session, pid)

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrations.upgrade(url)
    engine = get_engine(url)
    with Session(engine) as other:
        again = _import(other, json.dumps(bundle).encode())
        assert _snapshot(other, again) == expected
        # And once more: nothing changes.
        report = fhir_import.import_fhir(other, OPERATOR, json.dumps(bundle).encode())
        assert report.ok and not report.imported and not report.updated
    engine.dispose()


def test_the_export_leaves_out_held_results_and_is_audited(session, make):
    pid = _import(session, collection(us_core_resources()))
    user = make("owner", "pw-owner-export-1")
    user.patient_id = pid
    session.add(user)
    doctor = make("drx", "pw-drx-export-1", role=Role.CLINICIAN)
    session.commit()
    me = Actor(role=user.role, user_id=user.id, patient_id=pid)
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()
    result_release.hold(session, Actor(role=doctor.role, user_id=doctor.id), pid, report_id=cbc.id, reason="Call first",
                        ends_at=clock.now() + timedelta(days=2))
    session.commit()

    bundle = fhir_export.record_bundle(session, me, pid)
    session.commit()

    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert ("DiagnosticReport", "cbc") not in ids and ("Observation", "cbc-hemoglobin") not in ids
    assert ("DiagnosticReport", "metabolic-panel") in ids and ("Observation", "serum-sodium") in ids
    assert "Call first" not in json.dumps(bundle)
    downloads = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid, AuditEvent.action == "download")).all()
    assert len(downloads) == 1


def test_no_one_else_may_export_a_record(session, make):
    pid = _import(session, collection(us_core_resources()))
    other = make("other", "pw-other-export-1")
    desk = make("desk", "pw-desk-export-1", role=Role.FRONT_DESK)
    for who in (Actor(role=other.role, user_id=other.id, patient_id=other.patient_id),
                Actor(role=desk.role, user_id=desk.id), None):
        with pytest.raises((NotFound, PermissionDenied)):
            fhir_export.record_bundle(session, who, pid)
        session.rollback()
