"""The EHR import: a FHIR R4 file (bundle or NDJSON) into the health record, in one transaction.

Everything is checked before anything is written: the file parses, each resource we keep is valid
against its R4B model, and every reference we need (the patient, a report's results, a
``urn:uuid:``) resolves in the file or in what an earlier import brought. Then each resource is
matched by its EHR id (``source_id``): new ones are added, changed ones updated, the same ones left
alone, so importing a file twice changes nothing. The caller gets a report of what was imported,
updated, unchanged and skipped, with each skip's reason; a refused file changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, SQLModel, select

from portal_app import clock
from portal_app.models.care_team import CareTeamMember, Organization, Practitioner
from portal_app.models.medication import Medication
from portal_app.models.people import Patient
from portal_app.models.record import (Allergy, ClinicalDocument, Condition, DiagnosticReport, Encounter, Immunization,
                                      Observation, PatientSource, Procedure)
from portal_app.services import access, audit, live, notification_prefs
from portal_app.services.access import Actor
from portal_app.services.record import RESULT_CATEGORIES
from portal_app.services.fhir_read import (Entry, FhirInputError, attachment_text, clean, codes, concept_text, day,
                                           first_code, moment, period_start, read_entries, validate)

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
MR_TYPE = "MR"

# Dependency order: what a later type refers to is written first.
ORDER = ("Organization", "Practitioner", "Patient", "Encounter", "Condition", "AllergyIntolerance", "Immunization",
         "Procedure", "MedicationRequest", "MedicationStatement", "Observation", "DiagnosticReport",
         "DocumentReference")
HELPERS = ("Medication",)  # read only to name a MedicationRequest's medicine
CLINICAL = ORDER[3:]

PATHOLOGY_CODES = {"PAT", "SP", "CP", "LP7839-6"}
GENETIC_CODES = {"GE", "LP70755-8"}
LAB_CODES = {"LAB", "laboratory", "HM", "CH", "MB", "SR", "LP29693-6", "BG", "BLB", "CUS", "IMM", "MCB", "SER", "TX",
             "HEM", "VR", "CG"}
OBSERVATION_CATEGORIES = ("vital-signs", "laboratory", "imaging", "social-history", "survey", "exam", "therapy",
                          "activity", "procedure")


@dataclass
class ImportReport:
    ok: bool = True
    error: str = ""  # why the whole file was refused (then nothing was written)
    imported: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry label, reason)
    patients: list[int] = field(default_factory=list)  # charts touched
    created_patients: int = 0
    new_results: Counter = field(default_factory=Counter)  # patient id -> results added (reports, lab values)

    def summary(self) -> str:
        if not self.ok:
            return f"Refused, nothing changed: {self.error}"
        def total(counter: Counter) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counter.items())) or "none"
        lines = [f"Imported: {total(self.imported)}", f"Updated: {total(self.updated)}",
                 f"Unchanged: {total(self.unchanged)}", f"Skipped: {len(self.skipped)}"]
        reasons = Counter(reason for _label, reason in self.skipped)
        lines += [f"  {n} × {reason}" for reason, n in reasons.most_common()]
        return "\n".join(lines)


class _Index:
    """Finds a referenced resource in the file: by fullUrl (``urn:uuid:``...) or by ``Type/id``."""

    def __init__(self, entries: list[Entry]):
        self.by_key: dict[str, Entry] = {}
        for entry in entries:
            if entry.full_url:
                self.by_key[entry.full_url] = entry
            if isinstance(entry.resource.get("id"), str):
                self.by_key[f"{entry.type}/{entry.resource['id']}"] = entry
            for contained in entry.resource.get("contained", []) or []:
                if isinstance(contained, dict) and contained.get("id"):
                    self.by_key[f"{entry.position}#{contained['id']}"] = Entry(contained, "", entry.position)

    def find(self, reference: object, within: Entry | None = None) -> Entry | None:
        ref = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(ref, str):
            return None
        if ref.startswith("#") and within is not None:
            return self.by_key.get(f"{within.position}{ref}")
        if ref in self.by_key:
            return self.by_key[ref]
        parts = ref.rstrip("/").split("/")
        return self.by_key.get("/".join(parts[-2:])) if len(parts) >= 2 else None

    @staticmethod
    def is_local(reference: object) -> bool:
        ref = reference.get("reference") if isinstance(reference, dict) else None
        return isinstance(ref, str) and ref.startswith("urn:uuid:")


def _same(old: object, new: object) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return clock.as_utc(old) == clock.as_utc(new)
    return old == new


class _Writer:
    """Adds or updates rows by ``source_id``, counting what happened, with each table read once per chart."""

    def __init__(self, session: Session, report: ImportReport):
        self.session = session
        self.report = report
        self._known: dict[tuple[type, int | None], dict[str, SQLModel]] = {}

    def _rows(self, model: type, patient_id: int | None) -> dict[str, SQLModel]:
        key = (model, patient_id)
        if key not in self._known:
            query = select(model).where(model.source_id.is_not(None))
            if patient_id is not None:
                query = query.where(model.patient_id == patient_id)
            self._known[key] = {row.source_id: row for row in self.session.exec(query).all()}
        return self._known[key]

    def put(self, kind: str, model: type, source_id: str, values: dict, patient_id: int | None = None) -> SQLModel:
        rows = self._rows(model, patient_id)
        row = rows.get(source_id)
        if row is None:
            scope = {"patient_id": patient_id} if patient_id is not None else {}
            row = model(source_id=source_id, **scope, **values)
            self.session.add(row)
            rows[source_id] = row
            self.report.imported[kind] += 1
            if kind == "DiagnosticReport" or (kind == "Observation" and values.get("category") in RESULT_CATEGORIES):
                self.report.new_results[patient_id] += 1
        elif all(_same(getattr(row, name), value) for name, value in values.items()):
            self.report.unchanged[kind] += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            if hasattr(row, "updated_at"):
                row.updated_at = clock.now()
            self.report.updated[kind] += 1
        return row


class _Import:
    def __init__(self, session: Session, entries: list[Entry], report: ImportReport):
        self.session = session
        self.entries = entries
        self.report = report
        self.index = _Index(entries)
        self.writer = _Writer(session, report)
        self.ids: dict[int, int] = {}  # id(entry.resource) -> our row id
        self.patient_of: dict[int, int] = {}  # id(entry.resource) -> patient id, for clinical resources
        self.care_team: dict[tuple[int, int], tuple[int | None, date | None]] = {}

    # -- checks before writing -------------------------------------------------------------------

    def check(self) -> list[Entry]:
        """The entries to write, in dependency order; every other one is listed as skipped."""
        kept: list[Entry] = []
        for entry in self.entries:
            if entry.type in HELPERS:
                validate(entry)
                continue
            if entry.type not in ORDER:
                self.report.skipped.append((entry.label, f"{entry.type} is not part of the health record"))
                continue
            validate(entry)
            if entry.resource.get("status") == "entered-in-error":
                self.report.skipped.append((entry.label, "marked by the EHR as entered in error"))
                continue
            self._check_references(entry)
            kept.append(entry)
        kept.sort(key=lambda e: ORDER.index(e.type))
        return kept

    def _check_references(self, entry: Entry) -> None:
        for reference in _references(entry.resource):
            if _Index.is_local(reference) and self.index.find(reference) is None:
                raise FhirInputError(f"{entry.label}: the reference {reference['reference']} is not in the file.")
        if entry.type in CLINICAL:
            subject = entry.resource.get("subject") or entry.resource.get("patient")
            if self.index.find(subject) is None and self._known_patient(subject) is None:
                raise FhirInputError(f"{entry.label}: its patient ({_ref(subject) or 'none given'}) is not in the "
                                     f"file and was not imported before.")
        if entry.type == "DiagnosticReport":
            for result in entry.resource.get("result", []) or []:
                found = self.index.find(result)
                if found is None or found.type != "Observation":
                    raise FhirInputError(f"{entry.label}: its result {_ref(result)} is not an observation in the file.")

    def _known_patient(self, subject: object) -> int | None:
        ref = _ref(subject)
        if not ref:
            return None
        source = ref.split("/")[-1].removeprefix("urn:uuid:")
        row = self.session.exec(select(PatientSource).where(PatientSource.source_id == source)).first()
        return row.patient_id if row else None

    # -- writing ---------------------------------------------------------------------------------

    def run(self) -> None:
        for entry in self.check():
            if entry.type in CLINICAL:
                patient_id = self._patient_for(entry)
                self.patient_of[id(entry.resource)] = patient_id
                if patient_id not in self.report.patients:
                    self.report.patients.append(patient_id)
            row = getattr(self, "_" + entry.type)(entry)
            if row is not None:
                self.session.flush()
                self.ids[id(entry.resource)] = row.id
        self._care_team()
        self.session.flush()

    def _patient_for(self, entry: Entry) -> int:
        subject = entry.resource.get("subject") or entry.resource.get("patient")
        found = self.index.find(subject)
        if found is not None and id(found.resource) in self.ids:
            return self.ids[id(found.resource)]
        known = self._known_patient(subject)
        assert known is not None  # checked in _check_references
        return known

    def _id_of(self, reference: object, within: Entry | None = None) -> int | None:
        found = self.index.find(reference, within)
        return self.ids.get(id(found.resource)) if found is not None else None

    def _name_of(self, reference: object) -> str | None:
        found = self.index.find(reference)
        if found is None:
            return clean(reference.get("display"), 300) if isinstance(reference, dict) else None
        if found.type == "Practitioner":
            return _person_name(found.resource)
        return clean(found.resource.get("name"), 300) or concept_text(found.resource.get("code"))

    def _Organization(self, entry: Entry):
        r = entry.resource
        return self.writer.put("Organization", Organization, entry.source_id, {
            "name": clean(r.get("name"), 300) or "Unnamed organisation",
            "phone": _telecom(r, "phone"), "address": _address(r)})

    def _Practitioner(self, entry: Entry):
        r = entry.resource
        qualification = next((concept_text(q.get("code")) for q in r.get("qualification", []) or []), None)
        return self.writer.put("Practitioner", Practitioner, entry.source_id, {
            "name": _person_name(r) or "Unnamed practitioner", "qualification": clean(qualification, 100),
            "phone": _telecom(r, "phone")})

    def _Patient(self, entry: Entry):
        patient, created = _match_or_create(self.session, entry)
        if created:
            self.report.imported["Patient"] += 1
            self.report.created_patients += 1
        else:
            self.report.unchanged["Patient"] += 1
        if patient.id not in self.report.patients:
            self.report.patients.append(patient.id)
        return patient

    def _Encounter(self, entry: Entry):
        r = entry.resource
        pid = self.patient_of[id(r)]
        period = r.get("period") or {}
        practitioner_id = None
        for participant in r.get("participant", []) or []:
            practitioner_id = practitioner_id or self._id_of(participant.get("individual"))
        organization_id = self._id_of(r.get("serviceProvider"))
        started = moment(period.get("start"))
        reason = next((concept_text(c) for c in r.get("reasonCode", []) or []), None) or next(
            (self._name_of(ref) for ref in r.get("reasonReference", []) or []), None)
        row = self.writer.put("Encounter", Encounter, entry.source_id, {
            "status": r.get("status", "finished")[:20], "visit_class": clean((r.get("class") or {}).get("code"), 20),
            "code": first_code((r.get("type") or [None])[0])[1],
            "name": next((concept_text(t) for t in r.get("type", []) or []), None) or "Visit",
            "reason": clean(reason, 300), "started_at": started, "ended_at": moment(period.get("end")),
            "practitioner_id": practitioner_id, "organization_id": organization_id}, pid)
        if practitioner_id is not None:
            seen = started.date() if started else None
            old_org, old_seen = self.care_team.get((pid, practitioner_id), (None, None))
            if old_seen is None or (seen is not None and seen >= old_seen):
                self.care_team[(pid, practitioner_id)] = (organization_id or old_org, seen)
        return row

    def _Condition(self, entry: Entry):
        r = entry.resource
        system, code = first_code(r.get("code"))
        status = first_code(r.get("clinicalStatus"))[1] or ("resolved" if _has_abatement(r) else "active")
        return self.writer.put("Condition", Condition, entry.source_id, {
            "code_system": system, "code": code, "name": concept_text(r.get("code")) or "Unnamed problem",
            "clinical_status": status[:20], "onset_on": day(period_start(r, "onset")),
            "resolved_on": day(period_start(r, "abatement")), "recorded_on": day(r.get("recordedDate")),
            "encounter_id": self._id_of(r.get("encounter"))}, self.patient_of[id(r)])

    def _AllergyIntolerance(self, entry: Entry):
        r = entry.resource
        reactions = r.get("reaction", []) or []
        manifestations = [concept_text(m) for reaction in reactions for m in reaction.get("manifestation", []) or []]
        severity = next((reaction.get("severity") for reaction in reactions if reaction.get("severity")), None)
        substance = concept_text(r.get("code")) or next(
            (concept_text(reaction.get("substance")) for reaction in reactions if reaction.get("substance")), None)
        return self.writer.put("AllergyIntolerance", Allergy, entry.source_id, {
            "code": first_code(r.get("code"))[1], "substance": substance or "Unnamed substance",
            "category": clean(",".join(r.get("category", []) or []), 40), "criticality": clean(r.get("criticality"), 20),
            "reaction": clean(", ".join(m for m in manifestations if m), 300), "severity": clean(severity, 20),
            "clinical_status": (first_code(r.get("clinicalStatus"))[1] or "active")[:20],
            "recorded_on": day(r.get("recordedDate") or r.get("onsetDateTime"))}, self.patient_of[id(r)])

    def _Immunization(self, entry: Entry):
        r = entry.resource
        return self.writer.put("Immunization", Immunization, entry.source_id, {
            "cvx_code": first_code(r.get("vaccineCode"), CVX)[1] or first_code(r.get("vaccineCode"))[1],
            "name": concept_text(r.get("vaccineCode")) or "Vaccine", "status": r.get("status", "completed")[:20],
            "given_on": day(period_start(r, "occurrence")), "encounter_id": self._id_of(r.get("encounter"))},
            self.patient_of[id(r)])

    def _Procedure(self, entry: Entry):
        r = entry.resource
        reason = next((concept_text(c) for c in r.get("reasonCode", []) or []), None) or next(
            (self._name_of(ref) for ref in r.get("reasonReference", []) or []), None)
        return self.writer.put("Procedure", Procedure, entry.source_id, {
            "code": first_code(r.get("code"))[1], "name": concept_text(r.get("code")) or "Procedure",
            "status": r.get("status", "completed")[:20], "performed_on": day(period_start(r, "performed")),
            "reason": clean(reason, 300), "encounter_id": self._id_of(r.get("encounter"))}, self.patient_of[id(r)])

    def _medicine(self, entry: Entry) -> dict:
        r = entry.resource
        concept = r.get("medicationCodeableConcept")
        if concept is None:
            found = self.index.find(r.get("medicationReference"), entry)
            concept = found.resource.get("code") if found is not None else None
        name = concept_text(concept) or clean((r.get("medicationReference") or {}).get("display"), 200) or "Medicine"
        dosage = (r.get("dosageInstruction") or r.get("dosage") or [{}])[0]
        reason = next((concept_text(c) for c in r.get("reasonCode", []) or []), None) or next(
            (self._name_of(ref) for ref in r.get("reasonReference", []) or []), None)
        return {"rxnorm_code": first_code(concept, RXNORM)[1], "name": name[:200],
                "instructions": clean(dosage.get("text") or dosage.get("patientInstruction"), 500),
                "reason": clean(reason, 200)}

    def _MedicationRequest(self, entry: Entry):
        r = entry.resource
        supply = r.get("dispenseRequest") or {}
        values = self._medicine(entry) | {
            "status": {"active": "active", "on-hold": "on_hold", "completed": "completed"}.get(r.get("status"), "stopped"),
            "started_on": day(r.get("authoredOn")), "prescriber": clean(self._name_of(r.get("requester")), 200)}
        if (supply.get("quantity") or {}).get("value") is not None:
            values["quantity"] = int(supply["quantity"]["value"])
        if supply.get("numberOfRepeatsAllowed") is not None:
            values["refills_allowed"] = int(supply["numberOfRepeatsAllowed"])
        if (supply.get("expectedSupplyDuration") or {}).get("value") is not None:
            values["days_supply"] = int(supply["expectedSupplyDuration"]["value"])
        return self.writer.put("MedicationRequest", Medication, entry.source_id, values, self.patient_of[id(r)])

    def _MedicationStatement(self, entry: Entry):
        r = entry.resource
        period = r.get("effectivePeriod") or {}
        status = {"active": "active", "on-hold": "on_hold", "completed": "completed", "intended": "active"}.get(
            r.get("status"), "stopped")
        return self.writer.put("MedicationStatement", Medication, entry.source_id, self._medicine(entry) | {
            "status": status, "started_on": day(period.get("start") or r.get("effectiveDateTime") or r.get("dateAsserted")),
            "ended_on": day(period.get("end"))}, self.patient_of[id(r)])

    def _Observation(self, entry: Entry):
        r = entry.resource
        found = codes(r.get("category"))
        category = next((c for c in OBSERVATION_CATEGORIES if c in found), "other")
        values = _observation_value(r)
        ranges = (r.get("referenceRange") or [{}])[0]
        return self.writer.put("Observation", Observation, entry.source_id, values | {
            "category": category, "loinc_code": first_code(r.get("code"), LOINC)[1],
            "name": concept_text(r.get("code")) or "Measurement", "status": r.get("status", "final")[:20],
            "range_low": _number((ranges.get("low") or {}).get("value")),
            "range_high": _number((ranges.get("high") or {}).get("value")),
            "range_text": clean(ranges.get("text"), 200),
            "interpretation": first_code((r.get("interpretation") or [None])[0])[1],
            "effective_at": moment(period_start(r, "effective")), "issued_at": moment(r.get("issued")),
            "encounter_id": self._id_of(r.get("encounter"))}, self.patient_of[id(r)])

    def _DiagnosticReport(self, entry: Entry):
        r = entry.resource
        narrative = "\n\n".join(t for t in (attachment_text(a) for a in r.get("presentedForm", []) or []) if t)
        performer = next((self._name_of(p) for p in r.get("performer", []) or []), None)
        pid = self.patient_of[id(r)]
        row = self.writer.put("DiagnosticReport", DiagnosticReport, entry.source_id, {
            "code": first_code(r.get("code"))[1], "name": concept_text(r.get("code")) or "Report",
            "category": _report_category(r), "status": r.get("status", "final")[:20],
            "effective_at": moment(period_start(r, "effective")), "issued_at": moment(r.get("issued")),
            "conclusion": clean(r.get("conclusion"), 20000) or next(
                (concept_text(c) for c in r.get("conclusionCode", []) or []), None),
            "narrative": narrative or None, "performer": clean(performer, 300),
            "encounter_id": self._id_of(r.get("encounter"))}, pid)
        self.session.flush()
        for result in r.get("result", []) or []:
            observation = self.session.get(Observation, self._id_of(result))
            if observation is not None and observation.report_id != row.id:
                observation.report_id = row.id
        return row

    def _DocumentReference(self, entry: Entry):
        r = entry.resource
        attachments = [c.get("attachment") for c in r.get("content", []) or [] if isinstance(c, dict)]
        text = "\n\n".join(t for t in (attachment_text(a) for a in attachments) if t)
        return self.writer.put("DocumentReference", ClinicalDocument, entry.source_id, {
            "kind": concept_text(r.get("type")) or "Document", "description": clean(r.get("description"), 500),
            "status": r.get("status", "current")[:20], "written_on": day(r.get("date")),
            "content_type": clean(next((a.get("contentType") for a in attachments if a), None), 100),
            "text": text or None, "encounter_id": self._id_of((r.get("context") or {}).get("encounter", [None])[0])},
            self.patient_of[id(r)])

    def _care_team(self) -> None:
        for (pid, practitioner_id), (organization_id, seen) in self.care_team.items():
            row = self.session.exec(select(CareTeamMember).where(CareTeamMember.patient_id == pid,
                                                                 CareTeamMember.practitioner_id == practitioner_id)).first()
            if row is None:
                self.session.add(CareTeamMember(patient_id=pid, practitioner_id=practitioner_id,
                                                organization_id=organization_id, last_seen_on=seen))
            elif row.last_seen_on is None or (seen is not None and seen > row.last_seen_on):
                row.last_seen_on, row.organization_id = seen, organization_id or row.organization_id


# --- small readers ----------------------------------------------------------------------------

def _ref(reference: object) -> str:
    return reference.get("reference", "") if isinstance(reference, dict) else ""


def _references(value: object):
    """Every Reference object anywhere inside a resource."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _has_abatement(resource: dict) -> bool:
    return any(key.startswith("abatement") for key in resource)


def _person_name(resource: dict) -> str | None:
    names = resource.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else None)
    if not name:
        return None
    if name.get("text"):
        return clean(name["text"], 200)
    parts = [*(name.get("prefix") or []), *(name.get("given") or []), name.get("family") or ""]
    return clean(" ".join(p for p in parts if p), 200)


def _telecom(resource: dict, system: str) -> str | None:
    return next((clean(t.get("value"), 40) for t in resource.get("telecom", []) or [] if t.get("system") == system), None)


def _address(resource: dict) -> str | None:
    address = (resource.get("address") or [None])[0]
    if not address:
        return None
    if address.get("text"):
        return clean(address["text"], 300)
    parts = [*(address.get("line") or []), address.get("city"), address.get("state"), address.get("postalCode")]
    return clean(", ".join(p for p in parts if p), 300)


def _quantity_text(quantity: dict) -> tuple[float | None, str | None]:
    return _number(quantity.get("value")), clean(quantity.get("unit") or quantity.get("code"), 40)


def _observation_value(r: dict) -> dict:
    """value_num / value_text / unit / components of an observation, whatever its value's type."""
    values: dict = {"value_num": None, "value_text": None, "unit": None, "components": None}
    if isinstance(r.get("valueQuantity"), dict):
        values["value_num"], values["unit"] = _quantity_text(r["valueQuantity"])
    elif "valueCodeableConcept" in r:
        values["value_text"] = concept_text(r["valueCodeableConcept"])
    elif isinstance(r.get("valueString"), str):
        values["value_text"] = clean(r["valueString"], 500)
    elif isinstance(r.get("valueInteger"), int):
        values["value_num"] = float(r["valueInteger"])
    elif isinstance(r.get("valueBoolean"), bool):
        values["value_text"] = "yes" if r["valueBoolean"] else "no"
    elif "valueDateTime" in r:
        values["value_text"] = clean(r["valueDateTime"], 40)
    parts = []
    for component in r.get("component", []) or []:
        number, unit = _quantity_text(component.get("valueQuantity") or {})
        parts.append({"code": first_code(component.get("code"), LOINC)[1] or "", "name": concept_text(component.get("code")) or "",
                      "value": number, "text": concept_text(component.get("valueCodeableConcept")), "unit": unit})
    if parts:
        values["components"] = json.dumps(parts, sort_keys=True)
        if values["value_num"] is None and values["value_text"] is None and all(p["value"] is not None for p in parts):
            values["value_text"] = "/".join(f"{p['value']:g}" for p in parts)
            values["unit"] = values["unit"] or parts[0]["unit"]
    return values


def _report_category(r: dict) -> str:
    found = codes(r.get("category"))
    if found & GENETIC_CODES:
        return "genetic"
    if found & PATHOLOGY_CODES:
        return "pathology"
    if found & LAB_CODES or not found:
        return "labs"
    return "imaging"


def _match_or_create(session: Session, entry: Entry) -> tuple[Patient, bool]:
    """The chart this EHR patient is: known by EHR id, by MRN, or by name and birth date; else a new one."""
    r = entry.resource
    known = session.exec(select(PatientSource).where(PatientSource.source_id == entry.source_id)).first()
    if known is not None:
        return session.get(Patient, known.patient_id), False
    mrn = next((clean(i.get("value"), 64) for i in r.get("identifier", []) or []
                if MR_TYPE in codes(i.get("type"))), None)
    name = next((n for n in r.get("name", []) or [] if n.get("use") == "official"), (r.get("name") or [{}])[0])
    given = clean(" ".join(name.get("given") or []), 100) or "Unknown"
    family = clean(name.get("family"), 100) or "Unknown"
    birth = day(r.get("birthDate"))
    if birth is None:
        raise FhirInputError(f"{entry.label}: the patient has no birth date, so the chart cannot be matched safely.")
    patient = session.exec(select(Patient).where(Patient.mrn == mrn)).first() if mrn else None
    if patient is None:
        same = session.exec(select(Patient).where(Patient.given_name == given, Patient.family_name == family,
                                                  Patient.birth_date == birth)).all()
        patient = same[0] if len(same) == 1 else None
    created = patient is None
    if created:
        taken = mrn is None or len(mrn) > 32 or session.exec(select(Patient.id).where(Patient.mrn == mrn)).first()
        chart_mrn = ("EHR-" + hashlib.sha256(entry.source_id.encode()).hexdigest()[:12].upper()) if taken else mrn
        language = next((first_code(c.get("language"))[1] for c in r.get("communication", []) or []), None) or "en"
        patient = Patient(mrn=chart_mrn, given_name=given, family_name=family, birth_date=birth,
                          sex=clean(r.get("gender"), 16) or "unknown", phone=_telecom(r, "phone"),
                          email=_telecom(r, "email"), preferred_language="es" if language.startswith("es") else "en")
        session.add(patient)
        session.flush()
    session.add(PatientSource(source_id=entry.source_id, patient_id=patient.id))
    return patient, created


# --- the service --------------------------------------------------------------------------------

def import_fhir(session: Session, actor: Actor, data: bytes, name: str = "", tell_patients: bool = True) -> ImportReport:
    """Import one file in one transaction (a savepoint inside the caller's); refused: nothing written."""
    access.require(actor, "record.import")
    report = ImportReport()
    try:
        entries = read_entries(data)
        with session.begin_nested():
            _Import(session, entries, report).run()
    except FhirInputError as refused:
        report = ImportReport(ok=False, error=str(refused))
        audit.record(session, actor, "create", "record", outcome="failure", detail=f"FHIR import refused: {name}"[:200])
        return report
    for patient_id in report.patients:
        audit.record(session, actor, "update", "record", patient_id=patient_id,
                     detail=f"FHIR import {name}: {sum(report.imported.values())} new, "
                            f"{sum(report.updated.values())} updated"[:200])
        live.announce(session, live.patient_topic(patient_id, "record"))
        if report.new_results[patient_id]:
            live.announce(session, live.patient_topic(patient_id, "results"))
        if report.new_results[patient_id] and tell_patients:
            # "You have new results": the notice never says which, nor what they are.
            notification_prefs.queue_to_patient(session, patient_id, "results", template_key="result_ready",
                                                dedupe_key=f"results-import:{patient_id}:{clock.now().isoformat()}")
    return report

