"""The patient's record as a FHIR R4 collection bundle: what they see, in the form any EHR reads.

Only what the patient may see goes in (held results and results waiting for review stay out), so
the download never tells more than the pages. Each resource keeps the EHR's id when it came from
one, so importing the bundle again, here or elsewhere, finds the same items. The bundle is checked
against the ``fhir.resources`` R4B models before it leaves; the download is audited.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime

from fhir.resources.R4B.bundle import Bundle
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.care_team import CareTeamMember, Organization, Practitioner
from portal_app.models.medication import Medication
from portal_app.models.people import Patient
from portal_app.models.record import (Allergy, ClinicalDocument, Condition, DiagnosticReport, Encounter, Immunization,
                                      Observation, PatientSource, Procedure)
from portal_app.services import access, audit
from portal_app.services.access import Actor
from portal_app.services.record import RESULT_CATEGORIES
from portal_app.services.result_release import ReleaseRules

LOINC = "http://loinc.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
REPORT_CATEGORY = {"labs": "LAB", "imaging": "RAD", "pathology": "PAT", "genetic": "GE"}
MEDICATION_STATUS = {"active": "active", "on_hold": "on-hold", "stopped": "stopped", "completed": "completed"}


def _id(kind: str, row) -> str:
    return row.source_id or f"portal-{kind}-{row.id}"


def _when(value: datetime | None) -> str | None:
    return clock.as_utc(value).isoformat() if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _concept(text: str, system: str | None = None, code: str | None = None) -> dict:
    concept: dict = {"text": text}
    if code:
        concept["coding"] = [{"system": system, "code": code, "display": text} if system else {"code": code, "display": text}]
    return concept


def _clean(resource: dict) -> dict:
    """Leave out empty fields (FHIR forbids empty values)."""
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


def _text(value: str) -> dict:
    return {"contentType": "text/plain", "data": base64.b64encode(value.encode()).decode()}


class _Refs:
    def __init__(self, session: Session):
        self.session = session
        self.encounters: dict[int, str] = {}

    def encounter(self, encounter_id: int | None) -> dict | None:
        ref = self.encounters.get(encounter_id) if encounter_id else None
        return {"reference": f"Encounter/{ref}"} if ref else None


def _quantity(value: float | None, unit: str | None) -> dict | None:
    if value is None:
        return None
    return _clean({"value": value, "unit": unit, "system": "http://unitsofmeasure.org" if unit else None, "code": unit})


def _observation(o: Observation, subject: dict, refs: _Refs) -> dict:
    resource = {"resourceType": "Observation", "id": _id("observation", o), "status": o.status,
                "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": o.category}]}] if o.category != "other" else None,
                "code": _concept(o.name, LOINC, o.loinc_code), "subject": subject, "encounter": refs.encounter(o.encounter_id),
                "effectiveDateTime": _when(o.effective_at), "issued": _when(o.issued_at)}
    if o.components:
        resource["component"] = [_clean({"code": _concept(c["name"] or c["code"], LOINC, c["code"] or None),
                                         "valueQuantity": _quantity(c["value"], c["unit"]),
                                         "valueCodeableConcept": {"text": c["text"]} if c.get("text") else None})
                                 for c in json.loads(o.components)]
    elif o.value_num is not None:
        resource["valueQuantity"] = _quantity(o.value_num, o.unit)
    elif o.value_text:
        resource["valueString"] = o.value_text
    ranges = _clean({"low": _quantity(o.range_low, o.unit), "high": _quantity(o.range_high, o.unit), "text": o.range_text})
    if ranges:
        resource["referenceRange"] = [ranges]
    if o.interpretation:
        resource["interpretation"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                                   "code": o.interpretation}]}]
    return _clean(resource)


def record_bundle(session: Session, actor: Actor, patient_id: int) -> dict:
    """The whole record the actor may see, as a FHIR R4 collection bundle (a plain dict, validated)."""
    access.require_patient_access(session, actor, patient_id, "record.read")
    access.require_patient_access(session, actor, patient_id, "results.read")
    patient = session.get(Patient, patient_id)
    source = session.exec(select(PatientSource).where(PatientSource.patient_id == patient_id)).first()
    patient_ref = source.source_id if source else f"portal-patient-{patient_id}"
    subject = {"reference": f"Patient/{patient_ref}"}
    resources: list[dict] = [_clean({
        "resourceType": "Patient", "id": patient_ref, "birthDate": patient.birth_date.isoformat(),
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                        "value": patient.mrn}],
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex if patient.sex in ("male", "female", "other", "unknown") else None})]
    refs = _Refs(session)
    for member, person, org in session.exec(
            select(CareTeamMember, Practitioner, Organization).join(Practitioner, CareTeamMember.practitioner_id == Practitioner.id)
            .outerjoin(Organization, CareTeamMember.organization_id == Organization.id)
            .where(CareTeamMember.patient_id == patient_id)):
        resources.append(_clean({"resourceType": "Practitioner", "id": _id("practitioner", person),
                                 "name": [{"text": person.name}], "telecom": _phone(person.phone),
                                 "qualification": [{"code": {"text": person.qualification}}] if person.qualification else None}))
        if org is not None:
            resources.append(_clean({"resourceType": "Organization", "id": _id("organization", org), "name": org.name,
                                     "telecom": _phone(org.phone), "address": [{"text": org.address}] if org.address else None}))
    practitioners = {p.id: p for p in session.exec(select(Practitioner))}
    organizations = {o.id: o for o in session.exec(select(Organization))}
    for e in session.exec(select(Encounter).where(Encounter.patient_id == patient_id)):
        refs.encounters[e.id] = _id("encounter", e)
        who = practitioners.get(e.practitioner_id)
        where = organizations.get(e.organization_id)
        resources.append(_clean({
            "resourceType": "Encounter", "id": refs.encounters[e.id], "status": e.status,
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": e.visit_class or "AMB"},
            "type": [_concept(e.name, "http://snomed.info/sct", e.code)], "subject": subject,
            "participant": [{"individual": {"reference": f"Practitioner/{_id('practitioner', who)}"}}] if who else None,
            "period": _clean({"start": _when(e.started_at), "end": _when(e.ended_at)}),
            "reasonCode": [{"text": e.reason}] if e.reason else None,
            "serviceProvider": {"reference": f"Organization/{_id('organization', where)}"} if where else None}))
    for c in session.exec(select(Condition).where(Condition.patient_id == patient_id)):
        resources.append(_clean({
            "resourceType": "Condition", "id": _id("condition", c),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                           "code": c.clinical_status}]},
            "code": _concept(c.name, c.code_system, c.code), "subject": subject, "encounter": refs.encounter(c.encounter_id),
            "onsetDateTime": _day(c.onset_on), "abatementDateTime": _day(c.resolved_on), "recordedDate": _day(c.recorded_on)}))
    for a in session.exec(select(Allergy).where(Allergy.patient_id == patient_id)):
        reaction = _clean({"manifestation": [{"text": a.reaction}] if a.reaction else None, "severity": a.severity})
        resources.append(_clean({
            "resourceType": "AllergyIntolerance", "id": _id("allergy", a),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                           "code": a.clinical_status}]},
            "category": a.category.split(",") if a.category else None, "criticality": a.criticality,
            "code": _concept(a.substance, None, a.code), "patient": subject, "recordedDate": _day(a.recorded_on),
            "reaction": [reaction] if reaction.get("manifestation") else None}))
    for i in session.exec(select(Immunization).where(Immunization.patient_id == patient_id)):
        resources.append(_clean({
            "resourceType": "Immunization", "id": _id("immunization", i), "status": i.status,
            "vaccineCode": _concept(i.name, "http://hl7.org/fhir/sid/cvx", i.cvx_code), "patient": subject,
            "occurrenceDateTime": _day(i.given_on), "occurrenceString": None if i.given_on else "unknown",
            "encounter": refs.encounter(i.encounter_id)}))
    for p in session.exec(select(Procedure).where(Procedure.patient_id == patient_id)):
        resources.append(_clean({
            "resourceType": "Procedure", "id": _id("procedure", p), "status": p.status,
            "code": _concept(p.name, "http://snomed.info/sct", p.code), "subject": subject,
            "performedDateTime": _day(p.performed_on), "reasonCode": [{"text": p.reason}] if p.reason else None,
            "encounter": refs.encounter(p.encounter_id)}))
    for m in session.exec(select(Medication).where(Medication.patient_id == patient_id)):
        supply = _clean({"numberOfRepeatsAllowed": m.refills_allowed,
                         "quantity": {"value": m.quantity} if m.quantity is not None else None,
                         "expectedSupplyDuration": {"value": m.days_supply, "unit": "days", "system": "http://unitsofmeasure.org",
                                                    "code": "d"} if m.days_supply is not None else None})
        resources.append(_clean({
            "resourceType": "MedicationRequest", "id": _id("medication", m), "status": MEDICATION_STATUS.get(m.status, "unknown"),
            "intent": "order", "medicationCodeableConcept": _concept(m.name, "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                                     m.rxnorm_code),
            "subject": subject, "authoredOn": _day(m.started_on),
            "dosageInstruction": [{"text": m.instructions}] if m.instructions else None,
            "reasonCode": [{"text": m.reason}] if m.reason else None, "dispenseRequest": supply or None}))
    rules = ReleaseRules(session, patient_id)
    reports = {r.id: r for r in session.exec(select(DiagnosticReport).where(DiagnosticReport.patient_id == patient_id))}
    shown_reports = {rid for rid, r in reports.items() if rules.report(r).visible}
    results: dict[int, list[str]] = {rid: [] for rid in shown_reports}
    # In the order they came in, so that a report's values keep their order when the bundle is imported again.
    for o in session.exec(select(Observation).where(Observation.patient_id == patient_id).order_by(Observation.id)):
        report = reports.get(o.report_id)
        if o.category in RESULT_CATEGORIES and not rules.observation(o, report).visible:
            continue
        resources.append(_observation(o, subject, refs))
        if o.report_id in results:
            results[o.report_id].append(f"Observation/{_id('observation', o)}")
    for rid in shown_reports:
        r = reports[rid]
        resources.append(_clean({
            "resourceType": "DiagnosticReport", "id": _id("report", r), "status": r.status,
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                      "code": REPORT_CATEGORY.get(r.category, "OTH")}]}],
            "code": _concept(r.name, LOINC, r.code), "subject": subject, "encounter": refs.encounter(r.encounter_id),
            "effectiveDateTime": _when(r.effective_at), "issued": _when(r.issued_at),
            "result": [{"reference": ref} for ref in results[rid]], "conclusion": r.conclusion,
            "performer": [{"display": r.performer}] if r.performer else None,
            "presentedForm": [_text(r.narrative)] if r.narrative else None}))
    if access.check_patient_access(session, actor, patient_id, "notes.read").allowed:
        for d in session.exec(select(ClinicalDocument).where(ClinicalDocument.patient_id == patient_id)):
            resources.append(_clean({
                "resourceType": "DocumentReference", "id": _id("document", d), "status": d.status,
                "type": {"text": d.kind}, "subject": subject,
                "date": f"{d.written_on.isoformat()}T12:00:00+00:00" if d.written_on else None, "description": d.description,
                "content": [{"attachment": _text(d.text) if d.text else {"contentType": d.content_type or "text/plain",
                                                                         "title": d.kind}}],
                "context": {"encounter": [refs.encounter(d.encounter_id)]} if refs.encounter(d.encounter_id) else None}))
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": clock.now().isoformat(),
              "entry": [{"resource": r} for r in _unique(resources)]}
    Bundle.model_validate(bundle)
    audit.record(session, actor, "download", "record", patient_id=patient_id, detail="FHIR record bundle")
    return bundle


def _phone(number: str | None) -> list[dict] | None:
    return [{"system": "phone", "value": number}] if number else None


def _unique(resources: list[dict]) -> list[dict]:
    seen, kept = set(), []
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        if key not in seen:
            seen.add(key)
            kept.append(resource)
    return kept
