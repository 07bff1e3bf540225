"""Reminders to take a medicine at chosen times, and the job's rule for sending each once.

A reminder holds wall-clock times in a time zone (the clinic's unless the patient chose another),
so "8:00" stays 8:00 across daylight-saving changes. The reminder job (``jobs/refills.py``), every
minute, queues each time that falls in ``[now - LATE, now + AHEAD]`` through the outbox with
``not_before`` at that time; the dedupe key ``medreminder:<id>:<local date>T<HH:MM>`` makes each
one exactly once, however often or in however many processes the job runs. A reminder more than
``LATE`` overdue (the scheduler was down) is dropped: a late "take your pill" may do harm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.medication import Medication
from portal_app.models.medication_reminder import MedicationReminder
from portal_app.services import access, audit, live, medications
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.medications import CATEGORY, is_id
from portal_app.services.notification_prefs import queue_to_patient

MAX_TIMES = 6
AHEAD = timedelta(minutes=5)
LATE = timedelta(minutes=30)
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class ReminderView:
    id: int
    medication_id: int
    medication: str
    times: list[str]  # "HH:MM", sorted
    zone: str


@dataclass(frozen=True)
class DueDose:
    """One dose on today's list (home page "Due today")."""

    at: datetime  # UTC
    medication: str
    dose: str
    past: bool


def _times(value: object) -> list[str]:
    if not isinstance(value, (list, tuple)) or not value or len(value) > MAX_TIMES:
        raise InvalidInput("reminders.error.times", most=MAX_TIMES)
    found = set()
    for item in value:
        if not isinstance(item, str) or not _HHMM.fullmatch(item.strip()):
            raise InvalidInput("reminders.error.time")
        found.add(item.strip())
    return sorted(found)


def _zone(value: object) -> str:
    if value in (None, ""):
        return localtime.clinic_zone().key
    if not isinstance(value, str) or len(value) > 64 or "/" not in value:
        raise InvalidInput("reminders.error.zone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("reminders.error.zone") from None
    return value


def _active(session: Session, patient_id: int, medication_id: int | None = None) -> list[MedicationReminder]:
    query = select(MedicationReminder).where(MedicationReminder.patient_id == patient_id,
                                             MedicationReminder.removed_at.is_(None))
    if medication_id is not None:
        query = query.where(MedicationReminder.medication_id == medication_id)
    return list(session.exec(query.order_by(MedicationReminder.id)).all())


def set_reminder(session: Session, actor: Actor, patient_id: int, medication_id: object, times: object,
                 zone: object = None) -> int:
    """Remind at these times every day (replacing the medicine's earlier reminder)."""
    med = medications.patient_medication(session, actor, patient_id, medication_id, "medications.settings")
    if med.status not in medications.CURRENT:
        raise InvalidInput("refills.error.not_current", name=med.name)
    clean_times, clean_zone = _times(times), _zone(zone)
    for old in _active(session, patient_id, med.id):
        old.removed_at = clock.now()
        session.add(old)
    row = MedicationReminder(patient_id=patient_id, medication_id=med.id, times=",".join(clean_times),
                             zone=clean_zone, created_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"reminder {row.id} for medication {med.id}: {len(clean_times)} a day")
    live.announce(session, live.patient_topic(patient_id, "medications"))
    return row.id


def remove_reminder(session: Session, actor: Actor, patient_id: int, reminder_id: object) -> None:
    access.require_patient_access(session, actor, patient_id, "medications.settings")
    row = session.get(MedicationReminder, reminder_id) if is_id(reminder_id) else None
    if row is None or row.patient_id != patient_id or row.removed_at is not None:
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=patient_id,
                             detail="refused: reminder not on this chart")
        raise InvalidInput("reminders.error.unknown")
    row.removed_at = clock.now()
    session.add(row)
    audit.record(session, actor, "delete", CATEGORY, patient_id=patient_id, detail=f"reminder {row.id} removed")
    live.announce(session, live.patient_topic(patient_id, "medications"))


def reminders(session: Session, actor: Actor, patient_id: int) -> list[ReminderView]:
    access.require_patient_access(session, actor, patient_id, "medications.read")
    views = []
    for row in _active(session, patient_id):
        med = session.get(Medication, row.medication_id)
        views.append(ReminderView(row.id, med.id, med.name, row.times.split(","), row.zone))
    return views


def at_local(day, hhmm: str, zone: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return clock.as_utc(datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)))


def due_today(session: Session, actor: Actor, patient_id: int) -> list[DueDose]:
    """Today's doses from the reminders, in time order, with the ones already past marked."""
    access.require_patient_access(session, actor, patient_id, "medications.read")
    moment = clock.now()
    doses = []
    for row in _active(session, patient_id):
        med = session.get(Medication, row.medication_id)
        if med is None or med.status not in medications.CURRENT:
            continue
        day = localtime.today(row.zone)
        for hhmm in row.times.split(","):
            at = at_local(day, hhmm, row.zone)
            doses.append(DueDose(at, med.name, med.dose or "", at < moment))
    doses.sort(key=lambda d: (d.at, d.medication))
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail="medication reminders due today")
    return doses


def queue_due(session: Session, moment: datetime | None = None) -> int:
    """The job: queue every reminder time in the window; returns how many notices were newly queued."""
    moment = moment or clock.now()
    queued = 0
    rows = session.exec(select(MedicationReminder).join(Medication, Medication.id == MedicationReminder.medication_id)
                        .where(MedicationReminder.removed_at.is_(None), Medication.status.in_(medications.CURRENT))
                        .order_by(MedicationReminder.id)).all()
    for row in rows:
        local_day = localtime.local(moment, row.zone).date()
        for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1)):
            for hhmm in row.times.split(","):
                at = at_local(day, hhmm, row.zone)
                if not moment - LATE <= at <= moment + AHEAD or at < clock.as_utc(row.created_at):
                    continue
                queued += queue_to_patient(session, row.patient_id, "medications",
                                           dedupe_key=f"medreminder:{row.id}:{day.isoformat()}T{hhmm}",
                                           template_key="medication_reminder", not_before=at)
    return queued
