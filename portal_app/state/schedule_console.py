"""The front desk's day view (/console/schedule): the day's visits, check-in, missed, cancel, and
booking for a patient found by MRN. Clinicians see their own day, read only. Each handler
re-checks the staff session; the services check the role and the chart, and audit. Live on the
schedule topic, so a patient's own booking or cancelling shows at once."""

from __future__ import annotations

from datetime import date, timedelta

import reflex as rx

from portal_app import localtime
from portal_app.services import access, appointments, booking, schedule
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.session import SessionState, redirect_home, require_actor


class ScheduleConsoleState(rx.State):
    day: str = ""
    day_label: str = ""
    rows: list[dict[str, str]] = []
    can_act: bool = False
    error: str = ""
    notice: str = ""
    loaded: bool = False
    # booking for a patient
    patient_name: str = ""
    types: list[dict[str, str]] = []
    clinicians: list[dict[str, str]] = []
    times: list[dict[str, str]] = []
    _patient_id: int | None = None
    _type_id: int | None = None
    _clinician_id: int | None = None

    async def _staff(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _refuse(self):
        return redirect_home(await (await self.get_state(SessionState))._actor())

    async def _load(self, actor) -> None:
        lang = await mt.language(self)
        found = await run_service(schedule.day_schedule, actor, self.day)
        flag_words = {f: await mt.text(self, f"appt.desk.flag_{f}")
                      for f in ("contact_changed", "insurance_changed", "no_insurance")}
        self.day_label = localtime.format_day(date.fromisoformat(self.day), lang)
        self.can_act = access.allowed(actor, "appointments.schedule")
        self.rows = [{
            "id": str(r.id), "time": f"{mt.clock_time(r.starts_at, lang)} – {mt.clock_time(r.ends_at, lang)}",
            "patient": r.patient, "mrn": r.mrn, "patient_id": str(r.patient_id or ""), "clinician": r.clinician,
            "location": r.location, "type": r.visit_type, "video": "yes" if r.video else "", "status": r.status,
            "reason": r.reason, "previsit": "" if r.previsit is None else "yes",
            "ask": ", ".join(flag_words[f] for f in r.previsit or ()),
        } for r in found]
        self.loaded = True

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.error, self.notice, self.day = "", "", localtime.today().isoformat()
        self.patient_name, self.times, self._patient_id = "", [], None
        try:
            await self._load(actor)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        live_hub.subscribe(self, booking.SCHEDULE_TOPIC)

    async def _on_live(self, topic: str) -> None:
        actor = await self._staff()
        if actor is not None and self.day:
            await self._load(actor)

    @rx.event
    async def change_day(self, step: int):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if isinstance(step, bool) or step not in (-1, 1) or not self.day:
            return
        self.day = (date.fromisoformat(self.day) + timedelta(days=step)).isoformat()
        self.times, self.error, self.notice = [], "", ""
        await self._load(actor)

    async def _act(self, actor, fn, *args, done_key: str) -> None:
        try:
            await run_service(fn, actor, *args)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
        else:
            self.error, self.notice = "", await mt.text(self, done_key)
        await self._load(actor)

    @rx.event
    async def mark(self, appointment_id: str, status: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        wanted = mt.digits(appointment_id)
        if wanted is None or status not in ("arrived", "no_show", "completed"):
            return
        await self._act(actor, schedule.mark, wanted, status, done_key=f"appt.desk.done_{status}")

    @rx.event
    async def cancel(self, appointment_id: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        row = next((r for r in self.rows if r["id"] == appointment_id and r["patient_id"]), None)
        if row is None:
            return
        reason = await mt.text(self, "appt.desk.cancel_reason")
        await self._act(actor, appointments.cancel, int(row["patient_id"]), int(row["id"]), reason,
                        done_key="appt.desk.done_cancelled")

    @rx.event
    async def find_patient(self, form: dict):
        """MRN typed: the chart, and what may be booked for it."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.times, self.notice = [], ""
        try:
            self._patient_id, self.patient_name = await run_service(schedule.patient_by_mrn, actor,
                                                                    _form_text(form, "mrn"))
            lang = await mt.language(self)
            offered = await run_service(booking.visit_types, actor, self._patient_id, lang)
            people = await run_service(booking.clinicians, actor, self._patient_id)
        except ServiceError as refused:
            self._patient_id, self.patient_name, self.types, self.clinicians = None, "", [], []
            self.error = await mt.refusal(self, refused)
            return
        self.types = [{"id": str(v.id), "name": v.name} for v in offered]
        self.clinicians = [{"id": str(c.id), "name": c.name} for c in people]
        self.error = ""

    @rx.event
    async def show_times(self, form: dict):
        """Visit type and clinician chosen: that clinician's open times on the day shown."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        type_id, clinician_id = mt.digits(_form_text(form, "type")), mt.digits(_form_text(form, "clinician"))
        if self._patient_id is None or type_id is None or clinician_id is None:
            return
        lang = await mt.language(self)
        try:
            found = await run_service(booking.open_times, actor, self._patient_id, type_id, clinician_id, self.day)
        except ServiceError as refused:
            self.times, self.error = [], await mt.refusal(self, refused)
            return
        self._type_id, self._clinician_id = type_id, clinician_id
        self.times = [{"at": t.starts_at.isoformat(), "label": mt.clock_time(t.starts_at, lang)} for t in found]
        self.error = "" if found else await mt.text(self, "appt.desk.no_times")

    @rx.event
    async def book(self, at: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if self._patient_id is None or at not in {t["at"] for t in self.times}:
            return
        await self._act(actor, booking.book, self._patient_id, self._type_id, self._clinician_id, at,
                        done_key="appt.desk.done_booked")
        if not self.error:
            self.times, self.patient_name, self._patient_id = [], "", None
