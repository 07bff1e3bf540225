"""A patient's medicine list as the portal shows it: current and past, with refills and supply.

The list itself comes from the EHR import and the clinic (``models/medication.py``); this module
reads it for the patient (or a proxy with the "medications" scope) and works out, per medicine,
what a refill request would be: a refill, a renewal (no refills left), a visit (a controlled
substance with no refills left), or nothing (already requested, or not taken any more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from portal_app.models.medication import Medication
from portal_app.models.pharmacy import Pharmacy
from portal_app.models.refill import AutoRefill, MedicationFill, RefillRequest
from portal_app.services import access, audit
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput

CURRENT = ("active", "on_hold")
CATEGORY = "medications"

# What asking for more of a medicine would be (``request_option``).
REFILL, RENEWAL, NEEDS_VISIT, ALREADY_REQUESTED, NOT_CURRENT = (
    "refill", "renewal", "needs_visit", "already_requested", "not_current")


@dataclass(frozen=True)
class MedicationView:
    id: int
    name: str
    rxnorm_code: str
    strength: str
    dose: str
    instructions: str
    reason: str
    prescriber: str
    started_on: date | None
    ended_on: date | None
    status: str
    refills_left: int | None  # None: the prescription does not say
    last_filled: date | None
    runs_out: date | None  # when the last fill's supply ends, when known
    pharmacy: str  # where it was last filled (or asked for)
    controlled: bool
    auto_refill_eligible: bool
    auto_refill_on: bool
    open_request_id: int | None
    open_step: str  # the open request's step, or ""
    option: str  # REFILL, RENEWAL, NEEDS_VISIT, ALREADY_REQUESTED or NOT_CURRENT


@dataclass(frozen=True)
class MedicationList:
    current: list[MedicationView]
    past: list[MedicationView]


def is_id(value: object) -> bool:
    """A database id as a client might send it: an int, not a bool, in range."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def refills_left(med: Medication) -> int | None:
    if med.refills_allowed is None:
        return None
    return max(med.refills_allowed - (med.refills_used or 0), 0)


def supply_days(med: Medication, fill: MedicationFill | None) -> int | None:
    """How many days one fill lasts: quantity over daily use when both are known, else the prescription's days of supply."""
    quantity = (fill.quantity if fill is not None else None) or med.quantity
    if quantity and med.daily_units and med.daily_units > 0:
        return int(quantity / med.daily_units)
    return med.days_supply or None


def last_fill(session: Session, medication_id: int) -> MedicationFill | None:
    return session.exec(
        select(MedicationFill).where(MedicationFill.medication_id == medication_id)
        .order_by(MedicationFill.filled_on.desc(), MedicationFill.id.desc())
    ).first()


def open_request(session: Session, medication_id: int) -> RefillRequest | None:
    return session.exec(select(RefillRequest).where(RefillRequest.open_medication_id == medication_id)).first()


def request_option(med: Medication, pending: RefillRequest | None) -> str:
    if med.status not in CURRENT:
        return NOT_CURRENT
    if pending is not None:
        return ALREADY_REQUESTED
    left = refills_left(med)
    if left == 0:
        return NEEDS_VISIT if med.controlled else RENEWAL
    return REFILL


def _pharmacy_name(session: Session, pharmacy_id: int | None) -> str:
    if pharmacy_id is None:
        return ""
    pharmacy = session.get(Pharmacy, pharmacy_id)
    return pharmacy.name if pharmacy is not None else ""


def view(session: Session, med: Medication) -> MedicationView:
    fill = last_fill(session, med.id)
    pending = open_request(session, med.id)
    auto = session.exec(select(AutoRefill).where(AutoRefill.medication_id == med.id)).first()
    days = supply_days(med, fill)
    pharmacy_id = (pending.pharmacy_id if pending else None) or (fill.pharmacy_id if fill else None)
    return MedicationView(
        id=med.id, name=med.name, rxnorm_code=med.rxnorm_code or "", strength=med.strength or "",
        dose=med.dose or "", instructions=med.instructions or "", reason=med.reason or "",
        prescriber=med.prescriber or "", started_on=med.started_on, ended_on=med.ended_on, status=med.status,
        refills_left=refills_left(med), last_filled=fill.filled_on if fill else None,
        runs_out=fill.filled_on + timedelta(days=days) if fill and days else None,
        pharmacy=_pharmacy_name(session, pharmacy_id), controlled=med.controlled,
        auto_refill_eligible=med.auto_refill_eligible, auto_refill_on=bool(auto and auto.enabled and med.auto_refill_eligible),
        open_request_id=pending.id if pending else None, open_step=pending.status if pending else "",
        option=request_option(med, pending),
    )


def _ordered(session: Session, patient_id: int) -> list[Medication]:
    return list(session.exec(
        select(Medication).where(Medication.patient_id == patient_id).order_by(Medication.name, Medication.id)
    ).all())


def medication_list(session: Session, actor: Actor, patient_id: int) -> MedicationList:
    """Current medicines first (by name), then past ones (most recently ended first)."""
    access.require_patient_access(session, actor, patient_id, "medications.read")
    meds = _ordered(session, patient_id)
    current = [view(session, m) for m in meds if m.status in CURRENT]
    past = sorted((view(session, m) for m in meds if m.status not in CURRENT),
                  key=lambda v: v.ended_on or date.min, reverse=True)
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail="medication list")
    return MedicationList(current=current, past=past)


def patient_medication(session: Session, actor: Actor, patient_id: int, medication_id: object,
                       action: str) -> Medication:
    """A medicine on this patient's own list, or a clear refusal (audited) for any other id.

    An unknown id and another patient's medicine get the same answer, so ids reveal nothing.
    """
    access.require_patient_access(session, actor, patient_id, action)
    med = session.get(Medication, medication_id) if is_id(medication_id) else None
    if med is None or med.patient_id != patient_id:
        audit.record_refusal(session, actor, "update" if action != "medications.read" else "read", CATEGORY,
                             patient_id=patient_id, detail=f"refused: {action}: medicine not on this chart")
        raise InvalidInput("refills.error.unknown_medicine")
    return med
