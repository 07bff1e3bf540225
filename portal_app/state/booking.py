"""Booking a visit (/appointments/book), and moving one (``?move=<id>``): visit type, clinician
(or first available), a month calendar of days with openings, the day's times in the patient's
time zone (clinic time noted when it differs), reason, review, confirm.

Live: open calendars refresh on ``booking.OPENINGS_TOPIC``, so a time booked elsewhere disappears;
a time that went while this patient was reviewing it is said so, with the day's fresh times.
Every choice the page sends back is checked against what this state offered, and the service
checks it all again.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import available_timezones

import reflex as rx
from babel import Locale
from babel.dates import format_date, get_day_names

from portal_app import clock, i18n, localtime
from portal_app.services import appointments, booking
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

STAGES = ("type", "clinician", "day", "time", "reason", "review", "done")
ANY = "any"  # "first available": any clinician
_ZONES = frozenset(available_timezones())


def month_grid(first: date, open_days: set[date], lang: str) -> list[list[dict[str, str]]]:
    """Weeks of the month as rows (the locale's first weekday first); blank cells around it."""
    start_weekday = Locale.parse(i18n.normalise(lang)).first_week_day
    cells: list[dict[str, str]] = [{"blank": "yes"}] * ((first.weekday() - start_weekday) % 7)
    day = first
    while day.month == first.month:
        cells.append({"day": day.isoformat(), "label": str(day.day), "blank": "",
                      "full": localtime.format_day(day, lang), "open": "yes" if day in open_days else ""})
        day += timedelta(days=1)
    cells += [{"blank": "yes"}] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def weekday_names(lang: str) -> list[dict[str, str]]:
    locale = Locale.parse(i18n.normalise(lang))
    short, full = get_day_names("abbreviated", locale=locale), get_day_names("wide", locale=locale)
    order = [(locale.first_week_day + i) % 7 for i in range(7)]
    return [{"short": short[i], "full": full[i]} for i in order]


class BookingState(rx.State):
    stage: str = "type"
    types: list[dict[str, str]] = []
    clinicians: list[dict[str, str]] = []
    type_id: str = ""
    type_name: str = ""
    prep_note: str = ""
    clinician_id: str = ANY
    month: str = ""  # "2026-12"
    month_label: str = ""
    weekdays: list[dict[str, str]] = []
    weeks: list[list[dict[str, str]]] = []
    any_open: bool = False
    day: str = ""
    day_label: str = ""
    times: list[dict[str, str]] = []
    at: str = ""  # the chosen time, ISO UTC
    at_label: str = ""
    at_clinician: str = ""
    at_clinician_id: str = ""
    at_soon: bool = False  # within the online change window: once booked, only a call can change it
    reason: str = ""
    moving: str = ""  # the visit being moved (its id), or ""
    moving_label: str = ""
    zone: str = ""  # the browser's time zone, when it is a known one
    zone_note: str = ""
    error: str = ""
    loaded: bool = False
    _move_id: int | None = None

    async def _seen(self):
        seen = await viewing(self)
        if seen is None:
            self.reset()
        return seen

    def _zone_name(self) -> str | None:
        return self.zone if self.zone in _ZONES else None

    async def _refresh_calendar(self, seen) -> None:
        lang = await mt.language(self)
        first = date.fromisoformat(self.month + "-01")
        found = await run_service(booking.open_days, *seen, int(self.type_id), self._clinician(), self.month,
                                  self._move_id)
        self.weeks = month_grid(first, set(found), lang)
        self.any_open = bool(found)
        self.month_label = format_date(first, "LLLL y", locale=i18n.normalise(lang)).capitalize()
        self.weekdays = weekday_names(lang)

    async def _refresh_times(self, seen) -> None:
        lang = await mt.language(self)
        zone = self._zone_name()
        different = zone is not None and localtime.local(clock.now(), zone).utcoffset() != \
            localtime.local(clock.now()).utcoffset()
        found = await run_service(booking.open_times, *seen, int(self.type_id), self._clinician(), self.day,
                                  self._move_id)
        self.times = [{
            "at": t.starts_at.isoformat(), "label": mt.clock_time(t.starts_at, lang, zone),
            "clinic": mt.clock_time(t.starts_at, lang) if different else "",
            "clinician": t.clinician, "named": "yes" if self.clinician_id == ANY else "",  # "first available" names
            "clinician_id": str(t.clinician_id),
        } for t in found]
        self.zone_note = await mt.text(self, "appt.book.zone_different", yours=localtime.zone_label(zone),
                                       clinic=localtime.zone_label()) if different else \
            await mt.text(self, "appt.book.zone_clinic", clinic=localtime.zone_label())

    def _clinician(self) -> int | None:
        return None if self.clinician_id == ANY else int(self.clinician_id)

    async def _load_choices(self, seen) -> None:
        lang = await mt.language(self)
        offered = await run_service(booking.visit_types, *seen, lang)
        self.types = [{"id": str(v.id), "name": v.name, "minutes": str(v.minutes), "video": "yes" if v.video else "",
                       "prep": v.prep_note} for v in offered]
        people = await run_service(booking.clinicians, *seen)
        self.clinicians = [{"id": str(c.id), "name": c.name} for c in people]

    @rx.event
    async def opened(self):
        self.stage, self.type_id, self.type_name, self.prep_note = "type", "", "", ""
        self.clinician_id, self.day, self.at, self.reason, self.error = ANY, "", "", "", ""
        self.moving, self.moving_label, self.times, self.weeks = "", "", [], []
        self._move_id = None
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        self.month = localtime.today().isoformat()[:7]
        await self._load_choices(seen)
        self.loaded = True
        live_hub.subscribe(self, booking.OPENINGS_TOPIC)
        wanted = mt.digits(self.router.url.query_parameters.get("move", ""))
        if wanted is not None:
            try:
                view = await run_service(appointments.detail, *seen, wanted, await mt.language(self))
            except ServiceError as refused:
                self.error = await mt.refusal(self, refused)
                return
            if not view.changeable:
                self.error = await mt.text(self, "appt.error.too_late", hours=24)
                return
            self._move_id = view.id
            self.moving = str(view.id)
            self.moving_label = f"{localtime.format_moment(view.starts_at, await mt.language(self))} · {view.clinician}"
            self.type_id, self.type_name, self.prep_note = str(view.visit_type_id), view.visit_type, view.prep_note
            self.clinician_id = ANY
            await self._refresh_calendar(seen)
            self.stage = "day"

    @rx.event
    async def zone_known(self, zone: str):
        """The browser's time zone (Intl), to show times as the patient reads a clock."""
        self.zone = zone if isinstance(zone, str) and zone in _ZONES else ""

    @rx.event
    async def choose_type(self, type_id: str):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        row = next((t for t in self.types if t["id"] == type_id), None)
        if row is None or self.moving:
            return
        self.type_id, self.type_name, self.prep_note = row["id"], row["name"], row["prep"]
        self.stage, self.error = "clinician", ""

    @rx.event
    async def choose_clinician(self, clinician_id: str):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        if clinician_id != ANY and clinician_id not in {c["id"] for c in self.clinicians}:
            return
        if not self.type_id:
            return
        self.clinician_id, self.error = clinician_id, ""
        self.month = localtime.today().isoformat()[:7]
        try:
            await self._refresh_calendar(seen)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        self.stage = "day"

    @rx.event
    async def change_month(self, step: int):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        if step not in (-1, 1) or isinstance(step, bool) or not self.type_id or not self.month:
            return
        first = date.fromisoformat(self.month + "-01")
        moved = (first + timedelta(days=32)).replace(day=1) if step == 1 else (first - timedelta(days=1)).replace(day=1)
        previous, self.month = self.month, moved.isoformat()[:7]
        try:
            await self._refresh_calendar(seen)
        except ServiceError:  # before this month or beyond the booking horizon: stay
            self.month = previous
            await self._refresh_calendar(seen)
            return
        self.error = ""

    @rx.event
    async def choose_day(self, day: str):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        if not isinstance(day, str) or not any(c.get("day") == day and c.get("open") for w in self.weeks for c in w):
            return
        self.day = day
        self.day_label = localtime.format_day(date.fromisoformat(day), await mt.language(self))
        try:
            await self._refresh_times(seen)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        self.stage, self.error = "time", ""

    @rx.event
    async def choose_time(self, at: str):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        row = next((t for t in self.times if t["at"] == at), None)
        if row is None:
            return
        self.at, self.at_clinician, self.at_clinician_id = row["at"], row["clinician"], row["clinician_id"]
        self.at_label = f"{self.day_label}, {row['label']}"
        if row["clinic"]:  # the list shows clinic time: say it here too
            self.at_label += f" ({await mt.text(self, 'appt.book.clinic_time')} {row['clinic']})"
        self.at_soon = booking.parse_moment(row["at"]) - clock.now() < booking.PATIENT_NOTICE
        self.stage, self.error = ("review" if self.moving else "reason"), ""

    @rx.event
    async def details(self, form: dict):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        reason = _form_text(form, "reason").strip()
        if len(reason) > booking.MAX_REASON:
            self.error = await mt.text(self, "appt.error.reason", most=booking.MAX_REASON)
            return
        if not self.at:
            return
        self.reason, self.stage, self.error = reason, "review", ""

    @rx.event
    async def back(self, stage: str):
        if not isinstance(stage, str) or stage not in STAGES[:5]:
            return
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        if self.moving and stage in ("type", "clinician"):
            return
        self.stage, self.error = stage, ""
        if stage == "day" and self.type_id:
            await self._refresh_calendar(seen)
        if stage == "time" and self.day:
            await self._refresh_times(seen)

    @rx.event
    async def confirm(self):
        seen = await self._seen()
        if seen is None:
            return redirect_home(None)
        if not self.at or not self.type_id:
            return
        try:
            if self._move_id is not None:
                await run_service(booking.reschedule, *seen, self._move_id, int(self.at_clinician_id), self.at)
            else:
                await run_service(booking.book, *seen, int(self.type_id), int(self.at_clinician_id), self.at,
                                  self.reason or None)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            if refused.key == "appt.error.slot_taken":
                await self._refresh_times(seen)
                self.stage = "time"
            return
        self.stage, self.error = "done", ""

    async def _on_live(self, topic: str) -> None:
        seen = await self._seen()
        if seen is None or not self.type_id or self.stage in ("type", "clinician", "done"):
            return
        await self._refresh_calendar(seen)
        if self.day:
            await self._refresh_times(seen)
        if self.stage in ("reason", "review") and self.at not in {t["at"] for t in self.times}:
            self.error = await mt.text(self, "appt.error.slot_taken")
            self.stage = "time"
