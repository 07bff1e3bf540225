"""The demo patients' health history: years of check-ups, vital signs, lab panels with trends, problems,
allergies, shots, a chest X-ray report and visit notes. Built as one FHIR R4 bundle per patient and
loaded through the EHR import, the same way a clinic's real data comes in. Every value is invented.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Patient
from portal_app.services import fhir_import
from portal_app.services.access import Actor

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
CLINIC_ORG = "maple-grove-clinic"
DOCTOR = "maple-grove-dr-okafor"
YEARS = 5


@dataclass(frozen=True)
class Story:
    """What differs between the demo patients: their problems, allergy and how their labs move."""

    problems: tuple[tuple[str, str, str], ...]  # (SNOMED code, name, "active" or "resolved")
    allergy: tuple[str, str, str] | None  # (substance, reaction, severity)
    ldl: tuple[float, ...]  # one a year, oldest first
    a1c: tuple[float, ...]
    systolic: tuple[int, ...]


STORIES = {
    "MG-100201": Story((("38341003", "High blood pressure", "active"), ("55822004", "High cholesterol", "active")),
                       ("Penicillin", "Hives", "moderate"), (168, 158, 149, 141, 136), (5.6, 5.7, 5.7, 5.8, 5.9),
                       (152, 146, 141, 138, 134)),
    "MG-100202": Story((("44054006", "Type 2 diabetes", "active"), ("38341003", "High blood pressure", "active"),
                        ("10509002", "Acute bronchitis", "resolved")),
                       ("Shellfish", "Swelling of the lips", "severe"), (142, 131, 122, 114, 104),
                       (7.9, 7.6, 7.2, 6.9, 6.6), (148, 144, 139, 136, 132)),
    "MG-100203": Story((("195967001", "Asthma", "active"),), None, (112, 108, 115, 110, 106), (5.1, 5.2, 5.1, 5.2, 5.1),
                       (116, 118, 114, 117, 115)),
    "MG-100204": Story((("55822004", "High cholesterol", "active"), ("239873007", "Knee osteoarthritis", "active")),
                       ("Ibuprofen", "Stomach pain", "mild"), (176, 171, 163, 150, 131), (5.4, 5.5, 5.5, 5.6, 5.6),
                       (128, 131, 129, 127, 125)),
}


def _code(system: str, code: str, name: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": name}], "text": name}


def _quantity(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


class _Bundle:
    def __init__(self, patient: Patient):
        self.ref = f"Patient/demo-{patient.mrn}"
        self.mrn = patient.mrn
        self.entries: list[dict] = []

    def add(self, resource: dict) -> str:
        self.entries.append({"resource": resource})
        return f"{resource['resourceType']}/{resource['id']}"

    def observation(self, key: str, loinc: str, name: str, when: datetime, category: str, value: float, unit: str,
                    low: float | None = None, high: float | None = None, encounter: str | None = None) -> str:
        resource = {
            "resourceType": "Observation", "id": f"{self.mrn}-{key}", "status": "final",
            "category": [_code("http://terminology.hl7.org/CodeSystem/observation-category", category, category)],
            "code": _code(LOINC, loinc, name), "subject": {"reference": self.ref},
            "effectiveDateTime": when.isoformat(), "issued": (when + timedelta(hours=6)).isoformat(),
            "valueQuantity": _quantity(value, unit)}
        if low is not None or high is not None:
            resource["referenceRange"] = [{k: _quantity(v, unit) for k, v in (("low", low), ("high", high)) if v is not None}]
        if encounter:
            resource["encounter"] = {"reference": encounter}
        return self.add(resource)

    def panel(self, key: str, loinc: str, name: str, when: datetime, results: list[str], encounter: str) -> None:
        self.add({"resourceType": "DiagnosticReport", "id": f"{self.mrn}-{key}", "status": "final",
                  "category": [_code("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")],
                  "code": _code(LOINC, loinc, name), "subject": {"reference": self.ref},
                  "encounter": {"reference": encounter}, "effectiveDateTime": when.isoformat(),
                  "issued": (when + timedelta(hours=6)).isoformat(), "performer": [{"reference": f"Organization/{CLINIC_ORG}"}],
                  "result": [{"reference": r} for r in results]})


def _bundle(patient: Patient, story: Story, now: datetime) -> dict:
    b = _Bundle(patient)
    b.add({"resourceType": "Patient", "id": f"demo-{patient.mrn}", "birthDate": patient.birth_date.isoformat(),
           "identifier": [{"type": _code("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical Record Number"),
                           "value": patient.mrn}],
           "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}]})
    b.add({"resourceType": "Organization", "id": CLINIC_ORG, "name": "Maple Grove Family Clinic",
           "telecom": [{"system": "phone", "value": "(555) 010-2000"}]})
    b.add({"resourceType": "Practitioner", "id": DOCTOR, "name": [{"family": "Okafor", "given": ["Amara"], "prefix": ["Dr."]}],
           "qualification": [{"code": {"text": "MD"}}]})
    for year in range(YEARS):
        when = (now - timedelta(days=365 * (YEARS - 1 - year) + 5)).replace(hour=15, minute=0, second=0, microsecond=0)
        tag = f"y{year}"
        visit = b.add({"resourceType": "Encounter", "id": f"{patient.mrn}-visit-{tag}", "status": "finished",
                       "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                       "type": [_code(SNOMED, "185349003", "Yearly check-up")], "subject": {"reference": b.ref},
                       "participant": [{"individual": {"reference": f"Practitioner/{DOCTOR}"}}],
                       "period": {"start": when.isoformat(), "end": (when + timedelta(minutes=30)).isoformat()},
                       "serviceProvider": {"reference": f"Organization/{CLINIC_ORG}"}})
        note = (f"Yearly check-up. Blood pressure {story.systolic[year]}/82. We talked about food, walking and sleep. "
                f"Blood tests were done today. Next check-up in one year.")
        b.add({"resourceType": "DocumentReference", "id": f"{patient.mrn}-note-{tag}", "status": "current",
               "type": _code(LOINC, "11506-3", "Visit note"), "subject": {"reference": b.ref}, "date": when.isoformat(),
               "content": [{"attachment": {"contentType": "text/plain", "data": base64.b64encode(note.encode()).decode()}}],
               "context": {"encounter": [{"reference": visit}]}})
        b.add({"resourceType": "Observation", "id": f"{patient.mrn}-bp-{tag}", "status": "final",
               "category": [_code("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital signs")],
               "code": _code(LOINC, "85354-9", "Blood pressure"), "subject": {"reference": b.ref},
               "effectiveDateTime": when.isoformat(), "encounter": {"reference": visit},
               "component": [{"code": _code(LOINC, "8480-6", "Systolic"), "valueQuantity": _quantity(story.systolic[year], "mm[Hg]")},
                             {"code": _code(LOINC, "8462-4", "Diastolic"), "valueQuantity": _quantity(82, "mm[Hg]")}]})
        b.observation(f"weight-{tag}", "29463-7", "Body weight", when, "vital-signs", 78.0 + year * 0.4, "kg", encounter=visit)
        b.observation(f"pulse-{tag}", "8867-4", "Heart rate", when, "vital-signs", 72 - year, "/min", encounter=visit)
        lipids = [b.observation(f"chol-{tag}", "2093-3", "Total cholesterol", when, "laboratory", story.ldl[year] + 70, "mg/dL", high=200, encounter=visit),
                  b.observation(f"ldl-{tag}", "18262-6", "LDL cholesterol", when, "laboratory", story.ldl[year], "mg/dL", high=130, encounter=visit),
                  b.observation(f"hdl-{tag}", "2085-9", "HDL cholesterol", when, "laboratory", 48 + year, "mg/dL", low=40, encounter=visit),
                  b.observation(f"trig-{tag}", "2571-8", "Triglycerides", when, "laboratory", 160 - 6 * year, "mg/dL", high=150, encounter=visit)]
        b.panel(f"lipids-{tag}", "57698-3", "Lipid panel", when, lipids, visit)
        b.observation(f"a1c-{tag}", "4548-4", "Hemoglobin A1c", when, "laboratory", story.a1c[year], "%", 4.0, 5.6, visit)
        b.add({"resourceType": "Immunization", "id": f"{patient.mrn}-flu-{tag}", "status": "completed",
               "vaccineCode": _code("http://hl7.org/fhir/sid/cvx", "140", "Flu shot"), "patient": {"reference": b.ref},
               "occurrenceDateTime": when.isoformat(), "encounter": {"reference": visit}})
    latest = f"Encounter/{patient.mrn}-visit-y{YEARS - 1}"
    recent = now - timedelta(days=5)
    metabolic = [b.observation("glucose", "2339-0", "Glucose", recent, "laboratory", 96 + story.a1c[-1] * 4, "mg/dL", 70, 99, latest),
                 b.observation("sodium", "2947-0", "Sodium", recent, "laboratory", 140, "mmol/L", 135, 145, latest),
                 b.observation("potassium", "6298-4", "Potassium", recent, "laboratory", 4.3, "mmol/L", 3.5, 5.1, latest),
                 b.observation("creatinine", "38483-4", "Creatinine", recent, "laboratory", 0.9, "mg/dL", 0.6, 1.2, latest),
                 b.observation("egfr", "33914-3", "Kidney function (eGFR)", recent, "laboratory", 84, "mL/min/1.73m2", 60, None, latest)]
    b.panel("bmp", "51990-0", "Basic metabolic panel", recent, metabolic, latest)
    xray_text = ("Chest X-ray, two views. The lungs are clear. The heart is normal in size. No broken bones. "
                 "Impression: normal chest X-ray.")
    b.add({"resourceType": "DiagnosticReport", "id": f"{patient.mrn}-xray", "status": "final",
           "category": [_code("http://loinc.org", "LP29684-5", "Radiology")],
           "code": _code(LOINC, "36643-5", "Chest X-ray"), "subject": {"reference": b.ref},
           "effectiveDateTime": (now - timedelta(days=400)).isoformat(), "issued": (now - timedelta(days=399)).isoformat(),
           "conclusion": "Normal chest X-ray.",
           "presentedForm": [{"contentType": "text/plain", "data": base64.b64encode(xray_text.encode()).decode()}]})
    for number, (code, name, status) in enumerate(story.problems):
        onset = now - timedelta(days=365 * (YEARS - number) - 40)
        condition = {"resourceType": "Condition", "id": f"{patient.mrn}-problem-{number}",
                     "clinicalStatus": _code("http://terminology.hl7.org/CodeSystem/condition-clinical", status, status),
                     "code": _code(SNOMED, code, name), "subject": {"reference": b.ref}, "onsetDateTime": onset.isoformat()}
        if status == "resolved":
            condition["abatementDateTime"] = (onset + timedelta(days=21)).isoformat()
        b.add(condition)
    if story.allergy:
        substance, reaction, severity = story.allergy
        b.add({"resourceType": "AllergyIntolerance", "id": f"{patient.mrn}-allergy",
               "clinicalStatus": _code("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
               "code": {"text": substance}, "patient": {"reference": b.ref}, "recordedDate": (now - timedelta(days=2000)).date().isoformat(),
               "reaction": [{"manifestation": [{"text": reaction}], "severity": severity}]})
    return {"resourceType": "Bundle", "type": "collection", "entry": b.entries}


def seed(session: Session) -> None:
    """Each demo patient with a story gets their history through the importer (a few hundred resources in all)."""
    now = clock.now()
    operator = Actor.system("demo seed")
    for patient in session.exec(select(Patient).where(Patient.mrn.in_(list(STORIES)))).all():
        data = json.dumps(_bundle(patient, STORIES[patient.mrn], now)).encode()
        # Years of history loaded at set-up are not news: no "new result" notices.
        report = fhir_import.import_fhir(session, operator, data, f"demo {patient.mrn}", tell_patients=False)
        if not report.ok:
            raise RuntimeError(f"demo record for {patient.mrn} refused: {report.error}")
