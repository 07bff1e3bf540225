"""What patients tell the clinic about their list: "I no longer take this", "I take something not listed".

Reports never change the list: they wait for a nurse or clinician, who updates the chart in the
EHR (the list follows at the next import) and marks the report reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.medication import Medication
from portal_app.models.medication_report import MedicationReport
from portal_app.models.people import Patient
from portal_app.services import access, audit, live, medications
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.medications import CATEGORY, is_id
from portal_app.services.refills import QUEUE_TOPIC, clean_note

MAX_NAME = 200
MAX_NOTE = 500
MAX_OPEN = 20  # open reports per patient: enough for any honest list, not a way to flood the queue


@dataclass(frozen=True)
class ReportView:
    id: int
    kind: str  # "stopped" or "not_listed"
    medicine: str
    note: str
    created_at: datetime
    reviewed: bool
    medication_id: int | None = None  # "stopped": the medicine on the list
    patient_id: int = 0
    patient_name: str = ""  # staff view only
    mrn: str = ""


def _open_count(session: Session, patient_id: int) -> int:
    return len(session.exec(select(MedicationReport.id).where(MedicationReport.patient_id == patient_id,
                                                              MedicationReport.reviewed_at.is_(None))).all())


def _save(session: Session, actor: Actor, report: MedicationReport) -> int:
    if _open_count(session, report.patient_id) >= MAX_OPEN:
        raise InvalidInput("medications.error.too_many_reports", most=MAX_OPEN)
    session.add(report)
    session.flush()
    audit.record(session, actor, "create", CATEGORY, patient_id=report.patient_id,
                 detail=f"medication report {report.id}: {report.kind}")
    live.announce(session, live.patient_topic(report.patient_id, "medications"))
    live.announce(session, QUEUE_TOPIC)
    return report.id


def report_stopped(session: Session, actor: Actor, patient_id: int, medication_id: object, note: object = None) -> int:
    med = medications.patient_medication(session, actor, patient_id, medication_id, "medications.report")
    if med.status not in medications.CURRENT:
        raise InvalidInput("refills.error.not_current", name=med.name)
    already = session.exec(select(MedicationReport.id).where(
        MedicationReport.medication_id == med.id, MedicationReport.kind == "stopped",
        MedicationReport.reviewed_at.is_(None))).first()
    if already is not None:
        raise InvalidInput("medications.error.already_reported", name=med.name)
    return _save(session, actor, MedicationReport(
        patient_id=patient_id, kind="stopped", medication_id=med.id, note=clean_note(note, MAX_NOTE, "refills.error.note"),
        reported_by=actor.user_id))


def report_not_listed(session: Session, actor: Actor, patient_id: int, name: object, note: object = None) -> int:
    access.require_patient_access(session, actor, patient_id, "medications.report")
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if len(text) < 2:
        raise InvalidInput("medications.error.name_missing")
    if len(text) > MAX_NAME or not text.isprintable():
        raise InvalidInput("medications.error.name_invalid", most=MAX_NAME)
    return _save(session, actor, MedicationReport(
        patient_id=patient_id, kind="not_listed", medicine_name=text, note=clean_note(note, MAX_NOTE, "refills.error.note"),
        reported_by=actor.user_id))


def _view(session: Session, row: MedicationReport, staff: bool) -> ReportView:
    med = session.get(Medication, row.medication_id) if row.medication_id else None
    patient = session.get(Patient, row.patient_id) if staff else None
    return ReportView(id=row.id, kind=row.kind, medicine=med.name if med else (row.medicine_name or ""),
                      note=row.note or "", created_at=clock.as_utc(row.created_at), reviewed=row.reviewed_at is not None,
                      medication_id=row.medication_id, patient_id=row.patient_id,
                      patient_name=f"{patient.given_name} {patient.family_name}" if patient else "",
                      mrn=patient.mrn if patient else "")


def patient_reports(session: Session, actor: Actor, patient_id: int) -> list[ReportView]:
    """The patient's reports still waiting for review (shown on their list as "waiting")."""
    access.require_patient_access(session, actor, patient_id, "medications.read")
    rows = session.exec(select(MedicationReport).where(MedicationReport.patient_id == patient_id,
                                                       MedicationReport.reviewed_at.is_(None))
                        .order_by(MedicationReport.created_at)).all()
    return [_view(session, row, staff=False) for row in rows]


def open_reports(session: Session, actor: Actor) -> list[ReportView]:
    """For nurses and clinicians: every report waiting for review, oldest first."""
    if actor is None or actor.role not in access.PATIENT_DATA["medications.reports_review"].staff:
        audit.record_refusal(session, actor, "read", CATEGORY, detail="refused: medications.reports_review")
        raise PermissionDenied()
    rows = session.exec(select(MedicationReport).where(MedicationReport.reviewed_at.is_(None))
                        .order_by(MedicationReport.created_at).limit(100)).all()
    shown = []
    for row in rows:
        if access.check_patient_access(session, actor, row.patient_id, "medications.reports_review").allowed:
            shown.append(_view(session, row, staff=True))
            audit.record(session, actor, "read", CATEGORY, patient_id=row.patient_id, detail=f"medication report {row.id}")
    return shown


def mark_reviewed(session: Session, actor: Actor, report_id: object) -> None:
    row = session.get(MedicationReport, report_id) if is_id(report_id) else None
    if row is None:
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: no such medication report")
        raise NotFound()
    access.require_patient_access(session, actor, row.patient_id, "medications.reports_review")
    if row.reviewed_at is not None:
        return
    row.reviewed_at, row.reviewed_by = clock.now(), actor.user_id
    session.add(row)
    audit.record(session, actor, "update", CATEGORY, patient_id=row.patient_id, detail=f"medication report {row.id} reviewed")
    live.announce(session, live.patient_topic(row.patient_id, "medications"))
    live.announce(session, QUEUE_TOPIC)
