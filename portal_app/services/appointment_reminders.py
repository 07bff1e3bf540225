"""Appointment reminders: the lead times a chart chose, and the job that queues each one once.

Each visit gets a reminder at each chosen lead time (say 3 days and 2 hours before), through the
outbox to the patient and the proxies who hear about appointments, on their own channels. The
notice says only "a visit in about N hours" (the fixed ``appointment_reminder`` template): never
why, with whom or where.

Exactly once: the dedupe key names the appointment and the lead time
("appointment:42:reminder:72h"), and the outbox refuses a key it has seen, so the job may run any
number of times, in two scheduler processes at once, or again after a restart. It looks at a
window from ``LATE`` ago (a scheduler that was down catches up) to ``AHEAD`` from now (queued
with ``not_before`` the exact moment), and never after the visit has begun. A visit booked
after a reminder's moment does not get that reminder. Moving a visit books a new appointment,
so its reminders are planned afresh; moving or cancelling also cancels reminders queued but not
yet sent for the old one (``booking.forget_notices``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.appointment import Appointment
from portal_app.models.appointment_reminder import AppointmentReminderChoice
from portal_app.services import audit
from portal_app.services.access import Actor
from portal_app.services.booking import notice_prefix, require_booker
from portal_app.services.errors import InvalidInput
from portal_app.services.notification_prefs import queue_to_patient

LEAD_CHOICES = (168, 72, 24, 2)  # hours: a week, 3 days, a day, 2 hours
DEFAULT_LEADS = (24, 2)
LATE = timedelta(hours=6)
AHEAD = timedelta(minutes=2)
CATEGORY = "appointments"


@dataclass(frozen=True)
class ReminderChoice:
    lead_hours: tuple[int, ...]
    chosen: bool  # False: the clinic's default


def _parse(text: str) -> tuple[int, ...]:
    return tuple(sorted((int(part) for part in text.split(",") if part.isdigit() and int(part) in LEAD_CHOICES),
                        reverse=True))


def choice(session: Session, actor: Actor | None, patient_id: int) -> ReminderChoice:
    require_booker(session, actor, patient_id, "appointments.read")
    row = session.get(AppointmentReminderChoice, patient_id)
    return ReminderChoice(_parse(row.lead_hours), True) if row else ReminderChoice(DEFAULT_LEADS, False)


def choose(session: Session, actor: Actor | None, patient_id: int, lead_hours: object) -> ReminderChoice:
    """Set the chart's lead times (any of ``LEAD_CHOICES``; none at all is allowed)."""
    require_booker(session, actor, patient_id)
    if not isinstance(lead_hours, (list, tuple)) or len(lead_hours) > len(LEAD_CHOICES) or any(
            isinstance(h, bool) or h not in LEAD_CHOICES for h in lead_hours):
        raise InvalidInput("appt.error.reminders")
    text = ",".join(str(h) for h in sorted(set(lead_hours), reverse=True))
    row = session.get(AppointmentReminderChoice, patient_id) or AppointmentReminderChoice(patient_id=patient_id,
                                                                                           lead_hours=text)
    row.lead_hours, row.changed_by, row.changed_at = text, actor.user_id, clock.now()
    session.add(row)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id, detail="reminder times")
    return ReminderChoice(_parse(text), True)


def queue_due(session: Session, moment: datetime | None = None) -> int:
    """The job: queue every reminder whose moment is in the window; returns how many notices were new."""
    moment = moment or clock.now()
    chosen = {row.patient_id: _parse(row.lead_hours) for row in session.exec(select(AppointmentReminderChoice)).all()}
    queued = 0
    for lead in LEAD_CHOICES:
        before = timedelta(hours=lead)
        due = session.exec(
            select(Appointment.id, Appointment.patient_id, Appointment.starts_at, Appointment.created_at)
            .where(Appointment.status == "booked", Appointment.starts_at > moment,
                   Appointment.starts_at > moment - LATE + before, Appointment.starts_at <= moment + AHEAD + before)
            .order_by(Appointment.id)).all()
        for appointment_id, patient_id, starts_at, created_at in due:
            at = clock.as_utc(starts_at) - before
            if lead not in chosen.get(patient_id, DEFAULT_LEADS) or clock.as_utc(created_at) > at:
                continue
            queued += queue_to_patient(session, patient_id, "appointments",
                                       dedupe_key=f"{notice_prefix(appointment_id)}reminder:{lead}h",
                                       template_key="appointment_reminder", params={"hours": lead},
                                       not_before=max(at, moment))
    return queued
