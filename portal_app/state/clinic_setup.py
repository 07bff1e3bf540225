"""The admin's clinic set-up page (/console/setup): visit types, hours, time off, locations and the
clinic's time zone.

Thin: each handler re-checks the staff session and turns the form's text into the values the
service expects; services/clinic_setup.py checks the admin role and every rule, and audits.
A form being edited is filled from ``draft`` (remounted through ``draft_key``).
"""

from __future__ import annotations

import reflex as rx

from portal_app import localtime
from portal_app.services import clinic_setup
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.session import SessionState, redirect_home, require_actor

TABS = ("types", "hours", "time_off", "locations", "zone")
FORMS = ("location", "visit_type", "hours")
MAX_FIELD = 500


def _field(form: object, name: str) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) and len(value) <= MAX_FIELD else ""


def _number(form: object, name: str) -> int | None:
    return mt.digits(_field(form, name), 4)


def _checked(form: object, name: str) -> bool:
    return isinstance(form, dict) and form.get(name) in ("on", True, "true")


def _hhmm(moment) -> str:
    return moment.strftime("%H:%M")


class ClinicSetupState(rx.State):
    loaded: bool = False
    tab: str = "types"
    error: str = ""
    notice: str = ""
    zone_note: str = ""  # "Times are clinic time (America/Chicago)."
    time_zone: str = ""  # the clinic's, as an IANA name
    booked_note: str = ""  # "3 booked visits fall in this time off. ..." after adding time off over them
    booked: list[dict[str, str]] = []  # those visits: patient, when, clinician
    locations: list[dict[str, str]] = []
    visit_types: list[dict[str, str]] = []
    clinicians: list[dict[str, str]] = []
    hours: list[dict[str, str]] = []
    exceptions: list[dict[str, str]] = []
    editing: str = ""  # which form holds an existing row: "location", "visit_type", "hours" or ""
    draft: dict[str, str] = {}
    draft_key: int = 0

    async def _load(self, actor) -> None:
        view = await run_service(clinic_setup.overview, actor)
        lang = await mt.language(self)
        self.zone_note = await mt.text(self, "clinic_setup.zone_note", zone=view.time_zone)
        self.time_zone = view.time_zone
        self.locations = [{"id": str(loc.id), "name": loc.name, "address": loc.address, "phone": loc.phone,
                           "directions": loc.directions, "active": "yes" if loc.active else ""}
                          for loc in view.locations]
        self.visit_types = [{"id": str(t.id), "name": t.name, "name_es": t.name_es,
                             "duration_minutes": str(t.duration_minutes), "buffer_minutes": str(t.buffer_minutes),
                             "mode": t.mode, "online_bookable": "yes" if t.online_bookable else "",
                             "patient_kind": t.patient_kind, "prep_note": t.prep_note, "prep_note_es": t.prep_note_es,
                             "active": "yes" if t.active else "", "summary": await self._summary(t)}
                            for t in view.visit_types]
        self.clinicians = [{"id": str(c.id), "name": c.name} for c in view.clinicians]
        self.hours = [{"id": str(h.id), "clinician_id": str(h.clinician_id), "clinician": h.clinician,
                       "location_id": str(h.location_id), "location": h.location, "weekday": str(h.weekday),
                       "starts": _hhmm(h.starts), "ends": _hhmm(h.ends)} for h in view.hours]
        self.exceptions = [{"id": str(e.id), "who": e.clinician, "label": e.label,
                            "starts": mt.moment(e.starts_at, lang), "ends": mt.moment(e.ends_at, lang)}
                           for e in view.exceptions]
        self.loaded = True

    async def _summary(self, visit_type) -> str:
        """"30 minutes · + 10 minutes buffer · In person · Everyone · Patients can book online\""""
        parts = [await mt.text(self, "clinic_setup.minutes", count=visit_type.duration_minutes)]
        if visit_type.buffer_minutes:
            parts.append(await mt.text(self, "clinic_setup.buffer_note", count=visit_type.buffer_minutes))
        parts += [await mt.text(self, f"clinic_setup.mode.{visit_type.mode}"),
                  await mt.text(self, f"clinic_setup.kind.{visit_type.patient_kind}"),
                  await mt.text(self, "clinic_setup.online_yes" if visit_type.online_bookable
                                else "clinic_setup.online_no")]
        return " · ".join(parts)

    def _stop_editing(self) -> None:
        self.editing, self.draft = "", {}
        self.draft_key += 1

    async def _show_booked(self, added) -> None:
        """The visits new time off covers, for the desk to call (none is moved or cancelled)."""
        count = len(added.booked)
        if not count:
            return
        lang = await mt.language(self)
        self.booked_note = await mt.text(self, "clinic_setup.booked_one" if count == 1 else "clinic_setup.booked_many",
                                         count=count)
        restricted = await mt.text(self, "clinic_setup.booked_restricted")
        self.booked = [{"patient": v.patient or restricted, "clinician": v.clinician,
                        "when": localtime.format_moment(v.starts_at, lang, style="full")} for v in added.booked]

    async def _do(self, fn, *args, done_key: str, then=None):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
            return redirect_home(None)
        self.booked_note, self.booked = "", []
        try:
            result = await run_service(fn, actor, *args)
            self.error, self.notice = "", await mt.text(self, done_key)
            self._stop_editing()
            if then is not None:
                await then(result)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
        try:
            await self._load(actor)
        except ServiceError:
            self.reset()
            return redirect_home(await (await self.get_state(SessionState))._actor())

    def _editing_id(self, form: str) -> int | None:
        return mt.digits(self.draft.get("id", "")) if self.editing == form else None

    @rx.event
    async def opened(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
            return redirect_home(None)
        self.error, self.notice, self.booked_note, self.booked = "", "", "", []
        self._stop_editing()
        try:
            await self._load(actor)
        except ServiceError:
            self.reset()
            return redirect_home(actor)

    @rx.event
    def choose_tab(self, tab: str):
        if tab in TABS:
            self.tab, self.error, self.notice = tab, "", ""
            self._stop_editing()

    @rx.event
    def edit(self, form: str, row_id: str):
        """Fill a form with a row the page already shows (nothing is read or changed)."""
        rows = {"location": self.locations, "visit_type": self.visit_types, "hours": self.hours}.get(form) \
            if form in FORMS else None
        found = next((row for row in rows or [] if row["id"] == row_id), None)
        if found is not None:
            self.editing, self.draft, self.error, self.notice = form, dict(found), "", ""
            self.draft_key += 1

    @rx.event
    def cancel_edit(self):
        self._stop_editing()

    @rx.event
    async def save_location(self, form: dict):
        values = {name: _field(form, name) for name in ("name", "address", "phone", "directions")}
        return await self._do(clinic_setup.save_location, self._editing_id("location"), values,
                              done_key="clinic_setup.saved")

    @rx.event
    async def set_location_active(self, location_id: str, active: bool):
        return await self._do(clinic_setup.set_location_active, mt.digits(location_id), active is True,
                              done_key="clinic_setup.saved")

    @rx.event
    async def save_visit_type(self, form: dict):
        values = {name: _field(form, name) for name in ("name", "name_es", "mode", "patient_kind", "prep_note",
                                                        "prep_note_es")}
        values.update(duration_minutes=_number(form, "duration_minutes"),
                      buffer_minutes=_number(form, "buffer_minutes") if _field(form, "buffer_minutes") else 0,
                      online_bookable=_checked(form, "online_bookable"))
        return await self._do(clinic_setup.save_visit_type, self._editing_id("visit_type"), values,
                              done_key="clinic_setup.saved")

    @rx.event
    async def set_visit_type_active(self, type_id: str, active: bool):
        return await self._do(clinic_setup.set_visit_type_active, mt.digits(type_id), active is True,
                              done_key="clinic_setup.saved")

    @rx.event
    async def save_hours(self, form: dict):
        return await self._do(clinic_setup.save_hours, self._editing_id("hours"),
                              mt.digits(_field(form, "clinician_id")), mt.digits(_field(form, "location_id")),
                              _number(form, "weekday"), _field(form, "starts"), _field(form, "ends"),
                              done_key="clinic_setup.saved")

    @rx.event
    async def remove_hours(self, hours_id: str):
        return await self._do(clinic_setup.remove_hours, mt.digits(hours_id), done_key="clinic_setup.removed")

    @rx.event
    async def add_exception(self, form: dict):
        who = _field(form, "clinician_id")
        # "" is the whole clinic; anything else must be a clinician's id (the service refuses the rest)
        return await self._do(clinic_setup.add_exception, (mt.digits(who) or who) if who else None,
                              _field(form, "first_day"), _field(form, "last_day"), _field(form, "label"),
                              _field(form, "starts"), _field(form, "ends"), done_key="clinic_setup.saved",
                              then=self._show_booked)

    @rx.event
    async def remove_exception(self, exception_id: str):
        return await self._do(clinic_setup.remove_exception, mt.digits(exception_id), done_key="clinic_setup.removed")

    @rx.event
    async def save_time_zone(self, form: dict):
        return await self._do(clinic_setup.set_time_zone, _field(form, "time_zone"), done_key="clinic_setup.zone_saved")
