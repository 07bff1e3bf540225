"""Medication reminders (/medications/reminders): which medicine, at which times of day."""

from __future__ import annotations

import reflex as rx

from portal_app import localtime
from portal_app.services import medication_reminders, medications
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

TIME_FIELDS = ("time1", "time2", "time3")


class ReminderState(rx.State):
    reminders: list[dict[str, str]] = []
    medicines: list[dict[str, str]] = []  # current medicines to choose from
    zone_note: str = ""
    loaded: bool = False
    error: str = ""
    notice: str = ""
    form_key: int = 0

    async def _load(self, actor, patient_id: int) -> None:
        lang = await mt.language(self)
        rows = await run_service(medication_reminders.reminders, actor, patient_id)
        listed = await run_service(medications.medication_list, actor, patient_id)
        self.reminders = [{"id": str(r.id), "medicine": r.medication,
                           "times": ", ".join(mt.clock_time(_at(t, r.zone), lang, r.zone) for t in r.times)}
                          for r in rows]
        self.medicines = [{"id": str(v.id), "name": v.name} for v in listed.current]
        self.zone_note = await mt.text(self, "reminders.zone_note", zone=localtime.zone_label())
        self.loaded = True

    @rx.event
    async def opened(self):
        self.error = self.notice = ""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        await self._load(*seen)

    @rx.event
    async def save(self, form: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        times = [t for t in (_form_text(form, name).strip() for name in TIME_FIELDS) if t]
        medicine = mt.digits(_form_text(form, "medicine"))
        if medicine is None:
            self.error, self.notice = await mt.text(self, "refills.error.choose_one"), ""
            return
        try:
            await run_service(medication_reminders.set_reminder, seen[0], seen[1], medicine, times)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
            return
        self.error, self.notice = "", await mt.text(self, "reminders.saved")
        self.form_key += 1
        await self._load(*seen)

    @rx.event
    async def remove(self, reminder_id: str):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted = mt.digits(reminder_id)
        if wanted is None:
            return
        try:
            await run_service(medication_reminders.remove_reminder, seen[0], seen[1], wanted)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
        else:
            self.error, self.notice = "", await mt.text(self, "reminders.removed")
        await self._load(*seen)


def _at(hhmm: str, zone: str):
    """Today at that wall-clock time in the zone, for formatting "8:00 AM" in the reader's language."""
    return medication_reminders.at_local(localtime.today(zone), hhmm, zone)
