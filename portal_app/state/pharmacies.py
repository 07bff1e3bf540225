"""The patient's pharmacies (/medications/pharmacies): add, make preferred, remove."""

from __future__ import annotations

import reflex as rx

from portal_app.services import pharmacies
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home


class PharmacyState(rx.State):
    pharmacies: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    notice: str = ""
    form_key: int = 0

    async def _load(self, actor, patient_id: int) -> None:
        kept = await run_service(pharmacies.list_pharmacies, actor, patient_id)
        self.pharmacies = [{"id": str(p.id), "name": p.name, "address": p.address, "phone": p.phone, "phone_text": mt.phone(p.phone),
                            "mail": "yes" if p.mail_order else "", "preferred": "yes" if p.preferred else ""}
                           for p in kept]
        self.loaded = True

    async def _act(self, fn, *args, done_key: str) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        try:
            await run_service(fn, seen[0], seen[1], *args)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
        else:
            self.error, self.notice = "", await mt.text(self, done_key)
        await self._load(*seen)
        return True

    @rx.event
    async def opened(self):
        self.error = self.notice = ""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        await self._load(*seen)

    @rx.event
    async def add(self, form: dict):
        mail = isinstance(form, dict) and form.get("mail_order") in ("on", True, "true")
        if not await self._act(pharmacies.add_pharmacy, _form_text(form, "name"), _form_text(form, "address"),
                               _form_text(form, "phone"), bool(mail), done_key="pharmacies.added"):
            return redirect_home(None)
        if not self.error:
            self.form_key += 1

    @rx.event
    async def remove(self, pharmacy_id: str):
        wanted = mt.digits(pharmacy_id)
        if wanted is not None and not await self._act(pharmacies.remove_pharmacy, wanted, done_key="pharmacies.removed"):
            return redirect_home(None)

    @rx.event
    async def prefer(self, pharmacy_id: str):
        wanted = mt.digits(pharmacy_id)
        if wanted is not None and not await self._act(pharmacies.make_preferred, wanted,
                                                      done_key="pharmacies.preferred_done"):
            return redirect_home(None)
