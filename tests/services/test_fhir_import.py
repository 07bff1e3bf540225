"""The EHR import: every Synthea bundle and the US Core examples (as a bundle and as NDJSON) go in
whole; a second import changes nothing; a changed resource updates its row; malformed files are
refused with a clear reason and leave the database as it was."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from portal_app.models.medication import Medication
from portal_app.models.people import Patient, Role
from portal_app.models.record import (Allergy, ClinicalDocument, Condition, DiagnosticReport, Encounter, Immunization,
                                      Observation, Procedure)
from portal_app.services import fhir_import
from portal_app.services.access import Actor
from portal_app.services.errors import PermissionDenied
from portal_app.services.fhir_read import MAX_BYTES
from tests.services.fhir_fixtures import SYNTHEA, collection, counts, ndjson, us_core_resources

OPERATOR = Actor.system("test import")
TABLE_OF = {"Encounter": Encounter, "Condition": Condition, "AllergyIntolerance": Allergy, "Immunization": Immunization,
            "Procedure": Procedure, "MedicationRequest": Medication, "Observation": Observation,
            "DiagnosticReport": DiagnosticReport, "DocumentReference": ClinicalDocument}


def _import(session, data: bytes, actor=OPERATOR):
    report = fhir_import.import_fhir(session, actor, data, "test.json")
    session.commit()
    return report


def _rows(session) -> dict[str, int]:
    tables = {**TABLE_OF, "Patient": Patient}
    return {kind: session.exec(select(func.count()).select_from(model)).one() for kind, model in tables.items()}


@pytest.mark.parametrize("path", SYNTHEA, ids=lambda p: p.name.split("_")[0])
def test_each_synthea_bundle_imports_whole_and_a_second_import_changes_nothing(session, path):
    data = path.read_bytes()
    in_file = counts(data)

    first = _import(session, data)

    assert first.ok, first.error
    assert first.created_patients == 1 and len(first.patients) == 1
    for kind, model in TABLE_OF.items():
        assert first.imported[kind] == in_file[kind], kind
        kept = session.exec(select(func.count()).select_from(model)
                            .where(model.patient_id == first.patients[0])).one()
        assert kept == in_file[kind], kind
    skipped_kinds = {label.split("(")[1].split("/")[0] for label, _ in first.skipped}
    assert skipped_kinds <= {"Claim", "ExplanationOfBenefit", "CarePlan", "Goal"}
    assert len(first.skipped) == sum(in_file[k] for k in skipped_kinds)
    linked = session.exec(select(func.count()).select_from(Observation).where(Observation.report_id.is_not(None))).one()
    in_reports = sum(len(e["resource"].get("result", [])) for e in json.loads(data)["entry"]
                     if e["resource"]["resourceType"] == "DiagnosticReport")
    assert linked == in_reports

    before = _rows(session)
    second = _import(session, data)
    assert second.ok and not second.imported and not second.updated
    assert second.patients == first.patients
    assert _rows(session) == before


def test_synthea_values_are_read_as_the_ehr_wrote_them(session):
    path = next(p for p in SYNTHEA if p.name.startswith("Marcos"))
    report = _import(session, path.read_bytes())
    pid = report.patients[0]
    patient = session.get(Patient, pid)
    assert (patient.given_name, patient.family_name) == ("Marcos", "Delagarza") or patient.family_name
    pressure = session.exec(select(Observation).where(Observation.patient_id == pid,
                                                      Observation.loinc_code == "55284-4")).first()
    assert pressure is not None and "/" in pressure.value_text and pressure.unit == "mm[Hg]"
    names = session.exec(select(Observation.name).where(Observation.patient_id == pid)).all()
    assert not any("\u200b" in name for name in names)
    assert all(o.range_low is None for o in session.exec(select(Observation).where(Observation.patient_id == pid)))


def test_us_core_examples_import_as_a_collection_with_ranges_narratives_and_links(session):
    resources = us_core_resources()
    report = _import(session, collection(resources))

    assert report.ok, report.error
    pid = report.patients[0]
    hemoglobin = session.exec(select(Observation).where(Observation.loinc_code == "718-7")).one()
    assert (hemoglobin.value_num, hemoglobin.unit, hemoglobin.range_low, hemoglobin.range_high) == (17, "g/dL", 16.5, 21.5)
    assert hemoglobin.interpretation == "N"
    cbc = session.get(DiagnosticReport, hemoglobin.report_id)
    assert cbc.category == "labs" and cbc.source_id == "cbc"
    xray = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "chest-xray-report")).one()
    assert xray.category == "imaging" and xray.narrative and "<" not in xray.narrative
    note = session.exec(select(ClinicalDocument).where(ClinicalDocument.patient_id == pid)).one()
    assert note.text and note.text.startswith("No activity restriction")
    assert session.exec(select(Medication).where(Medication.patient_id == pid)).one().name
    assert session.exec(select(Condition).where(Condition.patient_id == pid, Condition.clinical_status == "resolved")).first()


def test_ndjson_imports_the_same_record_and_a_changed_resource_updates_its_row(session):
    resources = us_core_resources()
    _import(session, collection(resources))
    before = _rows(session)

    again = _import(session, ndjson(resources))
    assert again.ok and not again.imported and not again.updated
    assert _rows(session) == before

    changed = [dict(r, valueQuantity={**r["valueQuantity"], "value": 12.1}) if r.get("id") == "cbc-hemoglobin" else r
               for r in resources]
    third = _import(session, ndjson(changed))
    assert third.ok and third.updated == {"Observation": 1} and not third.imported
    session.expire_all()
    assert session.exec(select(Observation.value_num).where(Observation.loinc_code == "718-7")).one() == 12.1
    assert _rows(session) == before


def test_a_later_file_may_refer_to_a_patient_imported_before(session):
    resources = us_core_resources()
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    _import(session, collection([patient]))
    rest = [r for r in resources if r["id"] in ("imm-1", "condition-duodenal-ulcer")]

    report = _import(session, ndjson(rest))

    assert report.ok, report.error
    assert report.imported == {"Immunization": 1, "Condition": 1}


def _synthea_bundle() -> dict:
    return json.loads(next(p for p in SYNTHEA if p.name.startswith("Clemente")).read_bytes())


def _broken_files() -> dict[str, bytes]:
    wrong_type = _synthea_bundle()
    observation = next(e for e in wrong_type["entry"] if e["resource"]["resourceType"] == "Observation")
    observation["resource"]["valueQuantity"]["value"] = "very high"
    unknown_ref = _synthea_bundle()
    condition = next(e for e in unknown_ref["entry"] if e["resource"]["resourceType"] == "Condition")
    condition["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    missing_result = _synthea_bundle()
    report = next(e for e in missing_result["entry"] if e["resource"]["resourceType"] == "DiagnosticReport")
    report["resource"]["result"].append({"reference": "Observation/not-here"})
    document = _synthea_bundle()
    document["type"] = "document"
    return {
        "bad JSON": b'{"resourceType": "Bundle", "type": "collection", "entry": [',
        "wrong value type": json.dumps(wrong_type).encode(),
        "unknown reference": json.dumps(unknown_ref).encode(),
        "report result not in the file": json.dumps(missing_result).encode(),
        "bundle type": json.dumps(document).encode(),
        "not FHIR": b'{"hello": "world"}',
        "too large": b" " * (MAX_BYTES + 1),
    }


@pytest.mark.parametrize("case", list(_broken_files()))
def test_a_malformed_file_is_refused_with_a_reason_and_changes_nothing(session, case):
    _import(session, collection(us_core_resources()))
    before = _rows(session)

    report = _import(session, _broken_files()[case])

    assert not report.ok
    assert report.error and len(report.error) < 400
    expected = {"bad JSON": "not valid JSON", "wrong value type": "Observation", "unknown reference": "is not in the file",
                "report result not in the file": "not an observation in the file", "bundle type": "document",
                "not FHIR": "no resourceType", "too large": "larger than 50 MB"}[case]
    assert expected in report.error
    assert "Refused, nothing changed" in report.summary()
    assert _rows(session) == before


def test_a_refusal_half_way_leaves_no_new_chart(session):
    bundle = _synthea_bundle()
    procedure = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure")
    procedure["resource"]["performedPeriod"] = {"start": "not a date"}

    report = _import(session, json.dumps(bundle).encode())

    assert not report.ok and "Procedure" in report.error
    assert session.exec(select(func.count()).select_from(Patient)).one() == 0


def test_only_clinical_staff_and_the_operator_may_import(session, make):
    desk = make("desk", "pw-desk-import-1", role=Role.FRONT_DESK)
    patient = make("pat", "pw-pat-import-1")
    data = SYNTHEA[0].read_bytes()
    for user in (desk, patient):
        actor = Actor(role=user.role, user_id=user.id, patient_id=user.patient_id)
        with pytest.raises(PermissionDenied):
            fhir_import.import_fhir(session, actor, data)
        session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0
    assert _import(session, data, OPERATOR).ok
