"""The clinic's refill queue (/console/refills): review (nurses, clinicians), pharmacy steps (front
desk, nurses), and patients' notes about their list. Each handler re-checks the staff session; the
services check the role, the chart and the step, and audit. The queue refreshes live."""

from __future__ import annotations

from datetime import date

import reflex as rx

from portal_app.services import medication_reports, refills
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.session import SessionState, redirect_home, require_actor

TABS = ("review", "pharmacy", "notes")
TAB_ROLES = {"review": ("nurse", "clinician"), "pharmacy": ("front_desk", "nurse"), "notes": ("nurse", "clinician")}
NEXT_STEP = {"approved": "sent", "sent": "ready", "ready": "picked_up"}


def _number(form: object, name: str) -> tuple[bool, int | None]:
    """(valid, value) for an optional whole number typed in a form; "-3" is a number (the service refuses it)."""
    text = _form_text(form, name).strip()
    if not text:
        return True, None
    if text.lstrip("-").isdecimal() and len(text) <= 6:
        return True, int(text)
    return False, None


class RefillConsoleState(rx.State):
    tab: str = ""
    items: list[dict] = []
    notes: list[dict[str, str]] = []
    hidden: int = 0
    counts: dict[str, int] = {}
    error: str = ""
    error_id: str = ""  # the request the error is about ("" for the page)
    notice: str = ""
    loaded: bool = False

    async def _staff(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _refuse(self):
        return redirect_home(await (await self.get_state(SessionState))._actor())

    async def _load(self, actor) -> None:
        lang = await mt.language(self)
        tabs = [t for t in TABS if actor.role in TAB_ROLES[t]]
        if self.tab not in tabs:
            self.tab = tabs[0] if tabs else ""
        self.items, self.notes, self.hidden = [], [], 0
        counts = {}
        for tab in tabs:
            if tab == "notes":
                reports = await run_service(medication_reports.open_reports, actor)
                counts[tab] = len(reports)
                if tab == self.tab:
                    self.notes = [{"id": str(r.id), "kind": r.kind, "medicine": r.medicine, "note": r.note,
                                   "patient": r.patient_name, "mrn": r.mrn, "when": mt.moment(r.created_at, lang)}
                                  for r in reports]
                continue
            found = await run_service(refills.queue, actor, tab)
            counts[tab] = len(found.items)
            if tab == self.tab:
                self.hidden = found.hidden_restricted
                self.items = [self._row(item, lang) for item in found.items]
        self.counts = counts
        self.loaded = True

    @staticmethod
    def _row(item: refills.QueueItem, lang: str) -> dict:
        return {
            "id": str(item.id), "patient": item.patient_name, "mrn": item.mrn, "medicine": item.medication,
            "kind": item.kind, "status": item.status, "next": NEXT_STEP.get(item.status, ""),
            "pharmacy": item.pharmacy, "pharmacy_phone": item.pharmacy_phone, "pharmacy_phone_text": mt.phone(item.pharmacy_phone),
            "quantity": "" if item.quantity is None else str(item.quantity), "asked": mt.moment(item.created_at, lang),
            "due": mt.moment(item.answer_due, lang), "overdue": "yes" if item.overdue else "",
            "dose": item.dose, "instructions": item.instructions, "note": item.note,
            "refills": "" if item.refills_left is None else str(item.refills_left),
            "controlled": "yes" if item.controlled else "", "eligible": "yes" if item.auto_refill_eligible else "",
            "history": [{"name": h.name, "status": h.status, "refills": "" if h.refills_left is None else str(h.refills_left),
                         "last": mt.day(_iso(h.last_filled), lang), "fills": str(h.fills_last_year)} for h in item.history],
            "recent": [dict(zip(("medicine", "status", "when"), line.split("|"))) for line in item.recent],
        }

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.error = self.error_id = self.notice = ""
        try:
            await self._load(actor)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        live_hub.subscribe(self, refills.QUEUE_TOPIC)

    async def _on_live(self, topic: str) -> None:
        actor = await require_actor(self, staff=True)
        if actor is not None:
            await self._load(actor)

    @rx.event
    async def show(self, tab: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if isinstance(tab, str) and tab in TABS and actor.role in TAB_ROLES[tab]:
            self.tab, self.error, self.error_id, self.notice = tab, "", "", ""
            await self._load(actor)

    async def _step(self, actor, request_id: str, to: str, done_key: str, **details):
        wanted = mt.digits(request_id)
        if wanted is None:
            return
        try:
            await run_service(refills.advance, actor, wanted, to, **details)
        except ServiceError as refused:
            self.error, self.error_id, self.notice = await mt.refusal(self, refused), request_id, ""
        else:
            self.error, self.error_id, self.notice = "", "", await mt.text(self, done_key)
        await self._load(actor)

    @rx.event
    async def approve(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        request_id = _form_text(form, "request")
        ok_quantity, quantity = _number(form, "quantity")
        ok_refills, refills_left = _number(form, "refills")
        if not ok_quantity or not ok_refills:
            key = "refills.error.quantity" if not ok_quantity else "refills.error.refills"
            most = refills.MAX_QUANTITY if not ok_quantity else refills.MAX_REFILLS
            self.error, self.error_id = await mt.text(self, key, most=most), request_id
            return
        await self._step(actor, request_id, "approved", "refills.console.approved_done", quantity=quantity,
                         refills=refills_left)

    @rx.event
    async def deny(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        await self._step(actor, _form_text(form, "request"), "denied", "refills.console.denied_done",
                         reason=_form_text(form, "reason"), note=_form_text(form, "note") or None)

    @rx.event
    async def record(self, request_id: str, to: str):
        """A pharmacy step (sent, ready, picked up) or a cancel, as the pharmacy said."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(to, str) or to not in ("sent", "ready", "picked_up", "cancelled"):
            return
        await self._step(actor, request_id, to, f"refills.console.{to}_done")

    @rx.event
    async def allow_auto(self, request_id: str, eligible: bool):
        """A clinician allows automatic refills of the request's medicine (or stops them)."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        wanted = mt.digits(request_id)
        if wanted is None or not isinstance(eligible, bool):
            return
        try:
            await run_service(refills.set_auto_refill_eligible_for_request, actor, wanted, eligible)
        except ServiceError as refused:
            self.error, self.error_id = await mt.refusal(self, refused), request_id
        else:
            self.error, self.error_id = "", ""
        await self._load(actor)

    @rx.event
    async def reviewed(self, report_id: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        wanted = mt.digits(report_id)
        if wanted is None:
            return
        try:
            await run_service(medication_reports.mark_reviewed, actor, wanted)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
        else:
            self.error, self.notice = "", await mt.text(self, "refills.console.reviewed_done")
        await self._load(actor)


def _iso(text: str) -> date | None:
    return date.fromisoformat(text) if text else None
