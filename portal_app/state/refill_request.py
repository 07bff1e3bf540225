"""Asking for refills (/medications/refill): medicines, then pharmacy and note, then confirm.

Opened from a medicine's "Ask for a refill" button (``?med=<id>``) the medicine is already chosen,
so a refill takes three taps: the button, "Next", "Send request". The chosen ids are kept only to
be sent back to the service, which checks each again.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import medications, pharmacies, refills
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text, medicine_row
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

STAGES = ("choose", "pharmacy", "confirm", "done")


class RefillRequestState(rx.State):
    stage: str = "choose"
    medicines: list[dict[str, str]] = []  # current medicines with what asking would be (option)
    pharmacies: list[dict[str, str]] = []
    chosen: list[str] = []  # medicine ids (refills and renewals)
    pharmacy_id: str = ""
    note: str = ""
    error: str = ""
    loaded: bool = False

    @rx.var
    def chosen_rows(self) -> list[dict[str, str]]:
        return [m for m in self.medicines if m["id"] in self.chosen]

    @rx.var
    def pharmacy_name(self) -> str:
        return next((p["name"] for p in self.pharmacies if p["id"] == self.pharmacy_id), "")

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        listed = await run_service(medications.medication_list, *seen)
        kept = await run_service(pharmacies.list_pharmacies, *seen)
        self.medicines = [medicine_row(v, lang, set()) for v in listed.current]
        self.pharmacies = [{"id": str(p.id), "name": p.name, "address": p.address, "mail": "yes" if p.mail_order else ""}
                           for p in kept]
        askable = {m["id"] for m in self.medicines if m["option"] in (medications.REFILL, medications.RENEWAL)}
        self.chosen = [c for c in self.chosen if c in askable]
        if self.pharmacy_id not in {p["id"] for p in self.pharmacies}:
            self.pharmacy_id = self.pharmacies[0]["id"] if self.pharmacies else ""
        self.loaded = True
        return True

    @rx.event
    async def opened(self):
        self.stage, self.chosen, self.note, self.error, self.pharmacy_id = "choose", [], "", "", ""
        if not await self._load():
            return redirect_home(None)
        wanted = self.router.url.query_parameters.get("med", "")
        row = next((m for m in self.medicines if m["id"] == wanted), None)
        if row is not None and row["option"] in (medications.REFILL, medications.RENEWAL):
            self.chosen = [wanted]
            self.stage = "pharmacy"

    @rx.event
    async def toggle(self, medication_id: str):
        if not await self._load():
            return redirect_home(None)
        row = next((m for m in self.medicines if m["id"] == medication_id), None)
        if row is None or row["option"] not in (medications.REFILL, medications.RENEWAL):
            return
        self.chosen = [c for c in self.chosen if c != medication_id] if medication_id in self.chosen \
            else [*self.chosen, medication_id]
        self.error = ""

    @rx.event
    async def go_to(self, stage: str):
        """Next and Back between the stages; forward only with what that stage needs."""
        if not isinstance(stage, str) or stage not in STAGES[:3]:
            return
        if not await self._load():
            return redirect_home(None)
        if stage in ("pharmacy", "confirm") and not self.chosen:
            self.error = await mt.text(self, "refills.error.choose_medicine")
            return
        if stage == "confirm" and not self.pharmacy_id:
            self.error = await mt.text(self, "refills.error.pharmacy")
            return
        self.stage, self.error = stage, ""

    @rx.event
    async def details(self, form: dict):
        """Pharmacy and note chosen: on to the check."""
        if not await self._load():
            return redirect_home(None)
        pharmacy = _form_text(form, "pharmacy")
        if pharmacy in {p["id"] for p in self.pharmacies}:
            self.pharmacy_id = pharmacy
        note = _form_text(form, "note").strip()
        if len(note) > refills.MAX_NOTE:
            self.error = await mt.text(self, "refills.error.note", most=refills.MAX_NOTE)
            return
        self.note = note
        return RefillRequestState.go_to("confirm")

    @rx.event
    async def send(self):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        await self._load()
        by_id = {m["id"]: m for m in self.medicines}
        refill_ids = [int(c) for c in self.chosen if by_id.get(c, {}).get("option") == medications.REFILL]
        renewal_ids = [int(c) for c in self.chosen if by_id.get(c, {}).get("option") == medications.RENEWAL]
        try:
            await run_service(refills.submit, seen[0], seen[1], refill_ids, renewal_ids,
                              mt.digits(self.pharmacy_id), self.note or None)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        self.stage, self.error = "done", ""
