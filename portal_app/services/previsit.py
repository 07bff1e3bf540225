"""Pre-visit check-in: from ``OPENS`` before a visit, the patient (or a proxy with the
"appointments" scope) confirms the contact details on file and says whether their insurance is
the same, and sees what to bring (or, for a video visit, how to get ready).

It changes no chart data: what changed is flagged on the appointment for the front desk, who
update the chart at the visit (the schedule shows the flags). Reading the contact details is
audited as a demographics read; the check-in as an appointment update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from portal_app import clock
from portal_app.models.appointment import Appointment
from portal_app.models.people import Patient
from portal_app.services import audit
from portal_app.services.access import Actor
from portal_app.services.booking import CATEGORY, announce, patient_appointment
from portal_app.services.errors import InvalidInput

OPENS = timedelta(days=3)
INSURANCE_ANSWERS = {"same": "", "changed": "insurance_changed", "none": "no_insurance"}


@dataclass(frozen=True)
class PrevisitView:
    appointment_id: int
    opens_at: datetime
    open: bool  # within the check-in window and still to come
    done: bool
    email: str
    phone: str
    flags: tuple[str, ...]


def window_open(appointment: Appointment) -> bool:
    starts = clock.as_utc(appointment.starts_at)
    return appointment.status == "booked" and starts - OPENS <= clock.now() < starts


def previsit(session: Session, actor: Actor | None, patient_id: int, appointment_id: object) -> PrevisitView:
    appointment = patient_appointment(session, actor, patient_id, appointment_id, "appointments.read")
    patient = session.get(Patient, patient_id)
    audit.record(session, actor, "read", "demographics", patient_id=patient_id,
                 detail=f"contact details for check-in {appointment.id}")
    return PrevisitView(appointment.id, clock.as_utc(appointment.starts_at) - OPENS, window_open(appointment),
                        appointment.previsit_at is not None, patient.email or "", patient.phone or "",
                        tuple(f for f in appointment.previsit_flags.split(",") if f))


def check_in(session: Session, actor: Actor | None, patient_id: int, appointment_id: object, contact_ok: object,
             insurance: object) -> PrevisitView:
    """Record the check-in; the answers become flags for the front desk."""
    appointment = patient_appointment(session, actor, patient_id, appointment_id, "appointments.write")
    if not window_open(appointment):
        raise InvalidInput("appt.error.checkin_closed", days=OPENS.days)
    if not isinstance(contact_ok, bool) or not isinstance(insurance, str) or insurance not in INSURANCE_ANSWERS:
        raise InvalidInput("appt.error.checkin_answers")
    flags = [flag for flag in ("" if contact_ok else "contact_changed", INSURANCE_ANSWERS[insurance]) if flag]
    appointment.previsit_at, appointment.previsit_flags = clock.now(), ",".join(flags)
    session.add(appointment)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {appointment.id} checked in online")
    announce(session, patient_id)
    return previsit(session, actor, patient_id, appointment.id)
