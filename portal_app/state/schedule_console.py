"""The front desk's schedule (/console/schedule): a day or a week, at one location or all, with one
clinician or all; check-in, missed, cancel, moving a visit to another open time, and booking for a
patient found by MRN. Clinicians see their own day and week, read only. Each handler re-checks the
staff session; the services check the role and the chart, and audit. Live on the schedule topic,
so a patient's own booking or cancelling shows at once, and a time taken elsewhere leaves the
move panel's open times."""

from __future__ import annotations

import dataclasses
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


VIEWS = ("day", "week")


@dataclasses.dataclass
class WeekDay:
    label: str = ""
    rows: list[dict[str, str]] = dataclasses.field(default_factory=list)


class ScheduleConsoleState(rx.State):
    day: str = ""
    day_label: str = ""  # the day, or "Week of ..." in the week view
    book_day: str = ""  # the day that booking for a patient offers times on
    rows: list[dict[str, str]] = []
    # the week view and the filters ("" is every location or clinician)
    view: str = "day"
    week: list[WeekDay] = []
    locations: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    location_id: str = ""
    clinician_id: str = ""
    # moving a visit: which one, and where it could go
    move_id: str = ""
    move_summary: str = ""
    move_day: str = ""
    move_with: str = ""
    move_times: list[dict[str, str]] = []
    move_error: str = ""
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

    def _row(self, r, lang: str, flag_words: dict[str, str]) -> dict[str, str]:
        return {
            "id": str(r.id), "time": f"{mt.clock_time(r.starts_at, lang)} – {mt.clock_time(r.ends_at, lang)}",
            "starts": mt.moment(r.starts_at, lang), "day": localtime.local(r.starts_at).date().isoformat(),
            "patient": r.patient, "mrn": r.mrn, "patient_id": str(r.patient_id or ""), "clinician": r.clinician,
            "clinician_id": str(r.clinician_id), "location": r.location, "type": r.visit_type,
            "video": "yes" if r.video else "", "status": r.status, "reason": r.reason,
            "previsit": "" if r.previsit is None else "yes", "ask": ", ".join(flag_words[f] for f in r.previsit or ()),
        }

    def _narrowed(self) -> tuple[int | None, int | None]:
        return mt.digits(self.location_id), mt.digits(self.clinician_id)

    async def _load(self, actor) -> None:
        lang = await mt.language(self)
        flag_words = {f: await mt.text(self, f"appt.desk.flag_{f}")
                      for f in ("contact_changed", "insurance_changed", "no_insurance")}
        shown = date.fromisoformat(self.day)
        self.book_day = localtime.format_day(shown, lang)
        if self.view == "week":
            days = await run_service(schedule.week_schedule, actor, self.day, *self._narrowed())
            self.week = [WeekDay(localtime.format_day(d.day, lang), [self._row(r, lang, flag_words) for r in d.rows])
                         for d in days]
            self.rows = []
            self.day_label = await mt.text(self, "console_week.week_of",
                                           day=localtime.format_day(schedule.week_start(shown), lang))
        else:
            found = await run_service(schedule.day_schedule, actor, self.day, *self._narrowed())
            self.rows = [self._row(r, lang, flag_words) for r in found]
            self.week = []
            self.day_label = localtime.format_day(shown, lang)
        self.can_act = access.allowed(actor, "appointments.schedule")
        self.loaded = True

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.error, self.notice, self.day = "", "", localtime.today().isoformat()
        self.patient_name, self.times, self._patient_id = "", [], None
        self.view, self.location_id, self.clinician_id = "day", "", ""
        self._close_move()
        try:
            offered = await run_service(schedule.filters, actor)
            self.locations = [{"id": str(c.id), "name": c.name} for c in offered.locations]
            self.people = [{"id": str(c.id), "name": c.name} for c in offered.clinicians]
            await self._load(actor)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        live_hub.subscribe(self, booking.SCHEDULE_TOPIC)

    async def _on_live(self, topic: str) -> None:
        actor = await self._staff()
        if actor is not None and self.day:
            await self._load(actor)
            if self.move_id:
                await self._load_move_times(actor)

    @rx.event
    async def change_day(self, step: int):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if isinstance(step, bool) or step not in (-1, 1) or not self.day:
            return
        self.day = (date.fromisoformat(self.day) + timedelta(days=step * (7 if self.view == "week" else 1))).isoformat()
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

    @rx.event
    async def show_view(self, view: str):
        """Day or week."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if view not in VIEWS or not self.day:
            return
        self.view, self.error, self.notice = view, "", ""
        await self._load(actor)

    @rx.event
    async def narrow(self, form: dict):
        """The location and clinician filters ("" for all of them)."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        place, person = _form_text(form, "location"), _form_text(form, "clinician")
        if place not in {"", *(c["id"] for c in self.locations)} or \
                person not in {"", *(c["id"] for c in self.people)} or not self.day:
            return
        self.location_id, self.clinician_id, self.error, self.notice = place, person, "", ""
        try:
            await self._load(actor)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)

    def _close_move(self) -> None:
        self.move_id, self.move_summary, self.move_day, self.move_with = "", "", "", ""
        self.move_times, self.move_error = [], ""

    async def _load_move_times(self, actor) -> None:
        lang = await mt.language(self)
        try:
            found = await run_service(schedule.move_times, actor, int(self.move_id), mt.digits(self.move_with),
                                      self.move_day)
        except ServiceError as refused:
            self.move_times, self.move_error = [], await mt.refusal(self, refused)
            return
        self.move_times = [{"at": t.starts_at.isoformat(), "clinician_id": str(t.clinician_id),
                            "label": mt.clock_time(t.starts_at, lang), "clinician": t.clinician} for t in found]
        self.move_error = "" if found else await mt.text(self, "console_week.no_times")

    @rx.event
    async def start_move(self, appointment_id: str):
        """Open the move panel for a booked visit shown on the schedule."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        shown = self.rows + [r for d in self.week for r in d.rows]
        row = next((r for r in shown if r["id"] == appointment_id and r["patient_id"] and r["status"] == "booked"),
                   None)
        if row is None or not self.can_act:
            return
        self.error, self.notice = "", ""
        self.move_id, self.move_with = row["id"], row["clinician_id"]
        self.move_summary = f"{row['patient']} · {row['type']} · {row['starts']}"
        self.move_day = max(row["day"], localtime.today().isoformat())
        await self._load_move_times(actor)
        return rx.set_focus("move-heading")

    @rx.event
    async def show_move_times(self, form: dict):
        """Another day or clinician for the visit being moved."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        day, person = _form_text(form, "move_day"), _form_text(form, "move_with")
        if not self.move_id or person not in {"", *(c["id"] for c in self.people)}:
            return
        self.move_day, self.move_with = day[:10], person
        await self._load_move_times(actor)

    @rx.event
    async def move_to(self, at: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        chosen = next((t for t in self.move_times if t["at"] == at), None)
        if not self.move_id or chosen is None:
            return
        try:
            await run_service(schedule.move, actor, int(self.move_id), int(chosen["clinician_id"]), at)
        except ServiceError as refused:
            taken = refused.key == "appt.error.slot_taken"
            await self._load_move_times(actor)
            self.move_error = await (mt.text(self, "console_week.taken") if taken else mt.refusal(self, refused))
            await self._load(actor)
            return
        self._close_move()
        self.notice = await mt.text(self, "console_week.done_moved")
        await self._load(actor)

    @rx.event
    async def keep_time(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self._close_move()
