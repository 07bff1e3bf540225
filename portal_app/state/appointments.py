"""My appointments (/appointments) and the next-visit card on the home page: upcoming and past
visits, cancelling with a reason. Live on the patient's appointments topic, so a visit the front
desk books, or one cancelled in another tab, shows at once."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from portal_app import localtime
from portal_app.services import appointment_reminders, appointments, live, previsit
from portal_app.services.appointments import AppointmentView
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home


def appointment_row(view: AppointmentView, lang: str) -> dict[str, str]:
    """What a visit card shows (the visit reason only to the patient's side, never to notices)."""
    return {
        "id": str(view.id), "day": localtime.format_day(localtime.local(view.starts_at).date(), lang),
        "time": f"{mt.clock_time(view.starts_at, lang)} – {mt.clock_time(view.ends_at, lang)}",
        "status": view.status, "type": view.visit_type, "video": "yes" if view.video else "",
        "clinician": view.clinician, "location": view.location, "address": view.address,
        "directions": view.directions, "phone": view.location_phone, "prep": view.prep_note, "reason": view.reason,
        "cancel_reason": view.cancel_reason, "changeable": "yes" if view.changeable else "",
        "change_until": mt.moment(view.change_until, lang),
        "checkin": "done" if view.checked_in else ("open" if view.checkin_open else ""),
        "map": f"https://www.openstreetmap.org/search?query={quote(view.address)}" if view.address and not view.video
        else "",
    }


class AppointmentsState(rx.State):
    upcoming: list[dict[str, str]] = []
    past: list[dict[str, str]] = []
    cancelling: str = ""  # the visit whose cancel form is open
    leads: list[str] = []  # the reminder lead times chosen, in hours
    checking_in: str = ""  # the visit whose check-in form is open
    contact: dict[str, str] = {}  # the contact details on file, shown in the check-in form
    zone_note: str = ""
    error: str = ""
    done: str = ""
    loaded: bool = False

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        listed = await run_service(appointments.list_for_patient, *seen, lang)
        self.upcoming = [appointment_row(v, lang) for v in listed.upcoming]
        self.past = [appointment_row(v, lang) for v in listed.past]
        if self.cancelling not in {row["id"] for row in self.upcoming if row["changeable"]}:
            self.cancelling = ""
        if self.checking_in not in {row["id"] for row in self.upcoming if row["checkin"] == "open"}:
            self.checking_in, self.contact = "", {}
        self.zone_note = await mt.text(self, "appt.list.zone", zone=localtime.zone_label())
        chosen = await run_service(appointment_reminders.choice, *seen)
        self.leads = [str(hours) for hours in chosen.lead_hours]
        self.loaded = True
        return True

    @rx.event
    async def opened(self):
        self.error, self.done, self.cancelling = "", "", ""
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "appointments"))

    async def _on_live(self, topic: str) -> None:
        await self._load()

    @rx.event
    async def ask_cancel(self, appointment_id: str):
        """Open (or close, with "") the cancel form of one visit."""
        if not await self._load():
            return redirect_home(None)
        wanted = appointment_id if isinstance(appointment_id, str) else ""
        self.cancelling = wanted if wanted in {r["id"] for r in self.upcoming} else ""
        self.error, self.done = "", ""
        late = next((r for r in self.upcoming if r["id"] == wanted and not r["changeable"]), None)
        if late is not None:
            self.cancelling = ""
            self.error = await mt.text(self, "appt.error.too_late", hours=24)

    @rx.event
    async def cancel(self, form: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted = mt.digits(self.cancelling)
        if wanted is None:
            return
        try:
            await run_service(appointments.cancel, seen[0], seen[1], wanted, _form_text(form, "reason"))
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
        else:
            self.error, self.cancelling = "", ""
            self.done = await mt.text(self, "appt.list.cancelled")
        await self._load()


    @rx.event
    async def start_check_in(self, appointment_id: str):
        """Open (or close, with "") the check-in form of one visit, with the contact details on file."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted = mt.digits(appointment_id)
        self.checking_in, self.contact, self.error, self.done = "", {}, "", ""
        if wanted is None or str(wanted) not in {r["id"] for r in self.upcoming if r["checkin"] == "open"}:
            return
        try:
            view = await run_service(previsit.previsit, *seen, wanted)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        self.checking_in = str(view.appointment_id)
        self.contact = {"email": view.email, "phone": mt.phone(view.phone)}

    @rx.event
    async def check_in(self, form: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted = mt.digits(self.checking_in)
        contact = _form_text(form, "contact")
        if wanted is None:
            return
        try:
            await run_service(previsit.check_in, *seen, wanted, {"yes": True, "no": False}.get(contact),
                              _form_text(form, "insurance"))
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
        else:
            self.error, self.checking_in, self.contact = "", "", {}
            self.done = await mt.text(self, "appt.checkin.done")
        await self._load()

    @rx.event
    async def save_reminders(self, form: dict):
        """The reminder times ticked in the form (``lead_<hours>`` boxes)."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        ticked = [hours for hours in appointment_reminders.LEAD_CHOICES
                  if isinstance(form, dict) and form.get(f"lead_{hours}") in ("on", True)]
        try:
            await run_service(appointment_reminders.choose, *seen, ticked)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
        else:
            self.error, self.done = "", await mt.text(self, "appt.reminders.saved")
        await self._load()


class NextVisitState(rx.State):
    """The home page's next-visit card."""

    visit: dict[str, str] = {}

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        view = await run_service(appointments.next_visit, *seen, lang)
        self.visit = appointment_row(view, lang) if view is not None else {}
        return True

    @rx.event
    async def opened(self):
        if await self._load():
            live_hub.subscribe(self, live.patient_topic((await viewing(self))[1], "appointments"))

    async def _on_live(self, topic: str) -> None:
        await self._load()
