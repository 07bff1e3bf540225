"""An appointment as an "add to calendar" file (iCalendar, RFC 5545), via the ``icalendar`` package.

The times are written in the clinic's zone with that zone's rules (VTIMEZONE) included, so a
calendar shows 9:00 for a 9:00 visit on either side of a daylight-saving change. What it says is
what a lock screen may show: the visit type, the clinic and the place or "video visit", never
the reason for the visit. Reading it is audited as a download.
"""

from __future__ import annotations

from icalendar import Calendar, Event
from sqlmodel import Session

from portal_app import clock, i18n, localtime
from portal_app.config import settings
from portal_app.services import appointments, audit
from portal_app.services.access import Actor
from portal_app.services.booking import CATEGORY


def ics(session: Session, actor: Actor | None, patient_id: int, appointment_id: object, language: str = "en") -> bytes:
    view = appointments.detail(session, actor, patient_id, appointment_id, language, audited=False)
    audit.record(session, actor, "download", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {view.id} calendar file")
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.clinic_name}//Patient portal//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"appointment-{view.id}@patient-portal")
    event.add("dtstamp", clock.now())
    event.add("dtstart", localtime.local(view.starts_at))
    event.add("dtend", localtime.local(view.ends_at))
    event.add("summary", f"{view.visit_type} · {settings.clinic_name}")
    if view.video:
        event.add("location", i18n.t("appt.video_visit", language))
    else:
        event.add("location", ", ".join(part for part in (view.location, view.address) if part))
    event.add("description", i18n.t("appt.ics.description", language, phone=settings.clinic_phone))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
