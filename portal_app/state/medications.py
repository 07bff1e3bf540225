"""The medicine list (/medications) and the medicines card on the home page.

Every handler re-checks who is signed in and whose chart they see (``viewing``); the services
check the access again and audit. Only what the page shows is kept, as text.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import (auto_refill, live, medication_reminders, medication_reports, medications, pharmacies,
                                 refills)
from portal_app.services.errors import ServiceError
from portal_app.services.medications import MedicationView
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

FIELD_LIMIT = 600


def _form_text(form: object, name: str) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) and len(value) <= FIELD_LIMIT else ""


def medicine_row(view: MedicationView, lang: str, reported: set[int]) -> dict[str, str]:
    return {
        "id": str(view.id), "name": view.name, "strength": view.strength, "dose": view.dose,
        "instructions": view.instructions, "reason": view.reason, "prescriber": view.prescriber,
        "started": mt.day(view.started_on, lang), "ended": mt.day(view.ended_on, lang),
        "refills": "" if view.refills_left is None else str(view.refills_left),
        "last_filled": mt.day(view.last_filled, lang), "runs_out": mt.day(view.runs_out, lang),
        "pharmacy": view.pharmacy, "controlled": "yes" if view.controlled else "",
        "eligible": "yes" if view.auto_refill_eligible else "", "auto": "yes" if view.auto_refill_on else "",
        "step": view.open_step, "option": view.option, "reported": "yes" if view.id in reported else "",
    }


class MedicationsState(rx.State):
    current: list[dict[str, str]] = []
    past: list[dict[str, str]] = []
    waiting: list[dict[str, str]] = []  # the patient's reports not yet reviewed
    loaded: bool = False
    error: str = ""
    notice: str = ""
    form_key: int = 0

    async def _load(self, actor, patient_id: int) -> None:
        lang = await mt.language(self)
        listed = await run_service(medications.medication_list, actor, patient_id)
        reports = await run_service(medication_reports.patient_reports, actor, patient_id)
        reported = {r.medication_id for r in reports if r.medication_id is not None}
        self.current = [medicine_row(v, lang, reported) for v in listed.current]
        self.past = [medicine_row(v, lang, reported) for v in listed.past]
        self.waiting = [{"id": str(r.id), "kind": r.kind, "medicine": r.medicine, "when": mt.day(r.created_at.date(), lang)}
                        for r in reports]
        self.loaded = True

    async def _refresh(self):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return None
        await self._load(*seen)
        return seen

    @rx.event
    async def opened(self):
        self.error = self.notice = ""
        seen = await self._refresh()
        if seen is None:
            return redirect_home(None)
        live_hub.subscribe(self, live.patient_topic(seen[1], "medications"))

    async def _on_live(self, topic: str) -> None:
        await self._refresh()

    async def _act(self, fn, *args, done_key: str):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        try:
            await run_service(fn, seen[0], seen[1], *args)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
            return None
        self.error, self.notice = "", await mt.text(self, done_key)
        await self._load(*seen)
        return None

    @rx.event
    async def report_stopped(self, medication_id: str):
        """"I no longer take this": goes to the care team for review, the list stays as it is."""
        wanted = mt.digits(medication_id)
        if wanted is None:
            return
        return await self._act(medication_reports.report_stopped, wanted, None, done_key="medications.reported")

    @rx.event
    async def report_not_listed(self, form: dict):
        """"I take something not listed": the name (and a note) go to the care team."""
        result = await self._act(medication_reports.report_not_listed, _form_text(form, "medicine"),
                                 _form_text(form, "note"), done_key="medications.reported")
        if not self.error:
            self.form_key += 1
        return result

    @rx.event
    async def switch_auto_refill(self, medication_id: str, on: bool):
        wanted = mt.digits(medication_id)
        if wanted is None or not isinstance(on, bool):
            return
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        pharmacy = None
        if on:
            kept = await run_service(pharmacies.list_pharmacies, *seen)
            if not kept:
                self.error = await mt.text(self, "medications.auto_needs_pharmacy")
                return
            pharmacy = kept[0].id
        return await self._act(auto_refill.set_auto_refill, wanted, on, pharmacy,
                               done_key="medications.auto_on" if on else "medications.auto_off")


class MedsHomeState(rx.State):
    """The home page's medicines card: refills on their way, and today's doses."""

    steps: list[dict[str, str]] = []
    doses: list[dict[str, str]] = []

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        try:
            open_requests = await run_service(refills.tracker, seen[0], seen[1], True)
            due = await run_service(medication_reminders.due_today, *seen)
        except ServiceError:  # e.g. a proxy without "medications": the card stays empty
            self.steps, self.doses = [], []
            return True
        self.steps = [{"id": str(r.id), "medicine": r.medication, "step": r.status} for r in open_requests]
        self.doses = [{"time": mt.clock_time(d.at, lang), "medicine": d.medication, "dose": d.dose,
                       "past": "yes" if d.past else ""} for d in due]
        return True

    @rx.event
    async def opened(self):
        if await self._load():
            seen = await viewing(self)
            if seen is not None:
                live_hub.subscribe(self, live.patient_topic(seen[1], "medications"))

    async def _on_live(self, topic: str) -> None:
        await self._load()
