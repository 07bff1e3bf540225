"""Automatic refills: the patient's switch, and the scheduled job's rule for when to ask.

For a medicine the clinician marked eligible, the patient (or a proxy with "medications") may
switch auto-refill on, to one of their pharmacies. The job (``jobs/refills.py``) then looks at each
switched-on medicine once a run: the supply of the last fill runs out on ``filled_on +
quantity / daily units`` (or the prescription's days of supply); from ``LEAD_DAYS`` before that
day it asks for the refill, as the patient would, for the cycle that fill started.

Exactly once per cycle, across restarts and with several scheduler processes: the request names
its cycle (``auto_cycle = "fill:<fill id>"``), unique per medicine, and is inserted with ON
CONFLICT DO NOTHING. When no refills are left the job asks for nothing and tells the patient
why, once per cycle (the notice's dedupe key names the cycle); a request already open (the
patient asked) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.medication import Medication
from portal_app.models.refill import AutoRefill
from portal_app.services import access, audit, live, medications, refills
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.medications import CATEGORY
from portal_app.services.notification_prefs import queue_to_patient
from portal_app.services.pharmacies import owned_pharmacy

LEAD_DAYS = 7  # ask a week before the supply runs out: review, sending and filling take days
JOB = Actor.system("auto-refill")


def set_auto_refill(session: Session, actor: Actor, patient_id: int, medication_id: object, enabled: object,
                    pharmacy_id: object = None) -> None:
    """Switch automatic refills of one medicine on (to a pharmacy) or off."""
    access.require_patient_access(session, actor, patient_id, "medications.settings")
    med = medications.patient_medication(session, actor, patient_id, medication_id, "medications.settings")
    if not isinstance(enabled, bool):
        raise InvalidInput("refills.error.auto_choice")
    if enabled and (not med.auto_refill_eligible or med.status not in medications.CURRENT):
        raise InvalidInput("refills.error.auto_not_eligible", name=med.name)
    pharmacy = owned_pharmacy(session, actor, patient_id, pharmacy_id) if enabled else None
    row = session.exec(select(AutoRefill).where(AutoRefill.medication_id == med.id)).first()
    if row is None:
        row = AutoRefill(patient_id=patient_id, medication_id=med.id)
    row.enabled, row.changed_by, row.changed_at = enabled, actor.user_id, clock.now()
    if pharmacy is not None:
        row.pharmacy_id = pharmacy.id
    session.add(row)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"medication {med.id} auto-refill {'on' if enabled else 'off'}")
    live.announce(session, live.patient_topic(patient_id, "medications"))


@dataclass
class AutoRefillReport:
    requested: list[int] = field(default_factory=list)  # request ids made this run
    skipped_no_refills: list[int] = field(default_factory=list)  # medication ids
    not_due: int = 0


def candidates(session: Session) -> list[int]:
    """Medication ids with auto-refill switched on (and still allowed)."""
    return list(session.exec(
        select(AutoRefill.medication_id).join(Medication, Medication.id == AutoRefill.medication_id)
        .where(AutoRefill.enabled.is_(True), Medication.auto_refill_eligible.is_(True),
               Medication.status.in_(medications.CURRENT))
        .order_by(AutoRefill.medication_id)
    ).all())


def due_on(med: Medication, session: Session) -> tuple[str, date] | None:
    """The cycle (the last fill) and the day its refill should be asked for; None when unknown."""
    fill = medications.last_fill(session, med.id)
    days = medications.supply_days(med, fill)
    if fill is None or not days:
        return None
    return f"fill:{fill.id}", fill.filled_on + timedelta(days=days - LEAD_DAYS)


def consider(session: Session, medication_id: int, report: AutoRefillReport, today: date | None = None) -> None:
    """One medicine, in the caller's transaction: ask, skip with a notice, or wait."""
    today = today or localtime.today()
    med = session.get(Medication, medication_id)
    auto = session.exec(select(AutoRefill).where(AutoRefill.medication_id == medication_id)).first()
    if med is None or auto is None or not auto.enabled or not med.auto_refill_eligible:
        return
    due = due_on(med, session)
    if due is None or today < due[1]:
        report.not_due += 1
        return
    cycle = due[0]
    if medications.open_request(session, med.id) is not None:
        return
    if medications.refills_left(med) == 0:
        queued = queue_to_patient(session, med.patient_id, "medications",
                                  dedupe_key=f"autorefill:{med.id}:{cycle}:no_refills",
                                  template_key="refill_auto_skipped")
        if queued:
            audit.record(session, JOB, "update", CATEGORY, patient_id=med.patient_id,
                         detail=f"auto-refill of medication {med.id} skipped: no refills left ({cycle})")
            report.skipped_no_refills.append(med.id)
        return
    request = refills._create(session, JOB, med, auto.pharmacy_id, "refill",
                              None, auto_cycle=cycle)
    if request is None:  # this cycle's request exists already (an earlier run, or another process)
        return
    queue_to_patient(session, med.patient_id, "medications", dedupe_key=f"refill:{request.id}:auto",
                     template_key="refill_auto_requested")
    refills._announce(session, med.patient_id)
    report.requested.append(request.id)
