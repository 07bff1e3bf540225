"""The wait list in the browser: the "earlier time" part of each visit card on /appointments, the
claim-link page (/appointments/earlier?t=...) and the front desk's list (/console/waitlist).

The claim token lives only in a backend variable; every handler re-checks the session, and the
services check the chart and audit."""

from __future__ import annotations

import reflex as rx

from portal_app import localtime
from portal_app.services import booking, live, waitlist
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.patient_context import viewing
from portal_app.state.session import SessionState, redirect_home, require_actor, sign_in_then

MAX_TOKEN = 100


class WaitlistState(rx.State):
    """The wait-list part of the cards on /appointments."""

    waiting: dict[str, str] = {}  # visit id -> what was asked ("Any clinician · not before ...")
    offers: dict[str, str] = {}  # visit id -> the id of a live offer of an earlier time
    asking: str = ""  # the visit whose wait-list form is open
    error: str = ""
    done: str = ""

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        found = await run_service(waitlist.choices, *seen)
        waiting = {}
        for visit_id, choice in found.items():
            who = await mt.text(self, "waitlist.card.same" if choice.same_clinician else "waitlist.card.any")
            if choice.not_before:
                who += " · " + await mt.text(self, "waitlist.card.from", day=mt.day(choice.not_before, lang))
            waiting[str(visit_id)] = who
        self.waiting = waiting
        self.offers = {str(visit_id): str(choice.offer_id) for visit_id, choice in found.items() if choice.offer_id}
        if self.asking in self.waiting:
            self.asking = ""
        return True

    @rx.event
    async def opened(self):
        self.asking, self.error, self.done = "", "", ""
        if await self._load():
            live_hub.subscribe(self, live.patient_topic((await viewing(self))[1], "appointments"))

    async def _on_live(self, topic: str) -> None:
        await self._load()

    @rx.event
    async def open_form(self, appointment_id: str):
        """Open (or close, with "") the wait-list form of one visit."""
        if not await self._load():
            return redirect_home(None)
        self.asking = appointment_id if mt.digits(appointment_id) is not None else ""
        self.error, self.done = "", ""

    @rx.event
    async def ask(self, form: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted, who = mt.digits(self.asking), _form_text(form, "who")
        if wanted is None or who not in ("same", "any"):
            self.error = await mt.text(self, "waitlist.error.choice")
            return
        try:
            await run_service(waitlist.ask, *seen, wanted, who == "same", _form_text(form, "not_before") or None)
        except ServiceError as refused:
            self.error, self.done = await mt.refusal(self, refused), ""
        else:
            self.error, self.asking = "", ""
            self.done = await mt.text(self, "waitlist.card.added")
        await self._load()

    @rx.event
    async def leave(self, appointment_id: str):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted = mt.digits(appointment_id)
        if wanted is None:
            return
        try:
            await run_service(waitlist.withdraw, *seen, wanted)
        except ServiceError as refused:
            self.error, self.done = await mt.refusal(self, refused), ""
        else:
            self.error, self.done = "", await mt.text(self, "waitlist.card.removed")
        await self._load()


class EarlierOfferState(rx.State):
    """/appointments/earlier?t=...: the time offered, and taking it."""

    _link: str | int = ""  # the notice's token, or an offer id from My appointments
    state: str = ""  # "open", "gone", "claimed", "taken" (just taken by this person), "bad" (no such link)
    offer: dict[str, str] = {}
    error: str = ""

    async def _show(self, actor) -> None:
        lang = await mt.language(self)
        try:
            view = await run_service(waitlist.view_offer, actor, self._link, lang)
        except ServiceError as refused:
            self.state, self.offer, self.error = "bad", {}, await mt.refusal(self, refused)
            return
        self.state = view.state if self.state != "taken" else "taken"
        self.offer = {
            "day": localtime.format_day(localtime.local(view.starts_at).date(), lang),
            "time": f"{mt.clock_time(view.starts_at, lang)} – {mt.clock_time(view.ends_at, lang)}",
            "type": view.visit_type, "clinician": view.clinician, "video": "yes" if view.video else "",
            "location": view.location, "current": mt.moment(view.current_starts_at, lang),
            "until": mt.clock_time(view.expires_at, lang),
        }

    @rx.event
    async def opened(self):
        query = self.router.url.query_parameters
        token, offer_id = query.get("t", ""), mt.digits(query.get("offer", ""))
        link = offer_id if offer_id is not None else (
            token if isinstance(token, str) and len(token) <= MAX_TOKEN else "")
        actor = await require_actor(self, staff=False)
        if actor is None:
            self.reset()
            if not link:
                return redirect_home(None)
            # The notice's link opened while signed out: sign in, then come back to this offer.
            return sign_in_then(f"{waitlist.LINK_PATH}?{'offer' if offer_id is not None else 't'}={link}")
        self._link, self.state, self.error = link, "", ""
        await self._show(actor)

    @rx.event
    async def take(self):
        actor = await require_actor(self, staff=False)
        if actor is None:
            self.reset()
            return redirect_home(None)
        if self.state != "open":
            return
        try:
            await run_service(waitlist.claim, actor, self._link)
        except ServiceError as refused:
            self.error = "" if refused.key == "waitlist.error.gone" else await mt.refusal(self, refused)
            self.state = "gone" if refused.key == "waitlist.error.gone" else self.state
        else:
            self.state, self.error = "taken", ""
        await self._show(actor)


class WaitlistDeskState(rx.State):
    """/console/waitlist: who is waiting for an earlier time, by visit type."""

    rows: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False

    async def _load(self, actor) -> None:
        lang = await mt.language(self)
        try:
            found = await run_service(waitlist.desk_list, actor, lang)
        except ServiceError as refused:
            self.rows, self.error = [], await mt.refusal(self, refused)
            return
        any_text, same_text = await mt.text(self, "waitlist.desk.any"), await mt.text(self, "waitlist.desk.same")
        self.rows = [{
            "patient": r.patient, "mrn": r.mrn, "type": r.visit_type, "clinician": r.clinician,
            "who": any_text if r.any_clinician else same_text, "current": mt.moment(r.current_starts_at, lang),
            "not_before": mt.day(r.not_before, lang), "asked": mt.moment(r.asked_at, lang),
            "offered": "yes" if r.offered else "",
        } for r in found]
        self.error, self.loaded = "", True

    @rx.event
    async def opened(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
            return redirect_home(await (await self.get_state(SessionState))._actor())
        await self._load(actor)
        live_hub.subscribe(self, waitlist.DESK_TOPIC)
        live_hub.subscribe(self, booking.SCHEDULE_TOPIC)  # visits cancelled or moved leave the list

    async def _on_live(self, topic: str) -> None:
        actor = await require_actor(self, staff=True)
        if actor is not None:
            await self._load(actor)
