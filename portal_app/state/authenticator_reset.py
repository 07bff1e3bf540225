"""The front desk's "lost my phone" panel on /console/patients (services/authenticator_reset.py).

Only patients the search on this screen listed can be chosen; the staff session is re-checked in
every handler and the service checks the permission, the chart and the date of birth.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from portal_app.services import authenticator_reset
from portal_app.services.errors import ServiceError
from portal_app.state.admin import ConsoleHelpers
from portal_app.state.calls import run_service
from portal_app.state.patients import PatientConsoleState


def _birth_date(form: object) -> date | None:
    def part(name: str) -> str:
        value = form.get(name) if isinstance(form, dict) else None
        return value.strip() if isinstance(value, str) and len(value) <= 6 else ""

    parts = [part("reset_year"), part("reset_month"), part("reset_day")]
    if not all(p.isdecimal() for p in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


class AuthenticatorResetState(ConsoleHelpers, rx.State):
    patient_id: str = ""  # whose app the open panel would remove
    patient_name: str = ""
    error: str = ""
    done: str = ""

    @rx.event
    async def start(self, patient_id: str):
        if await self._staff() is None:
            return await self._refuse()
        listed = (await self.get_state(PatientConsoleState)).results
        row = next((r for r in listed if r["id"] == patient_id and r["status"] == "account"), None)
        if row is not None:
            self.patient_id, self.patient_name, self.error, self.done = row["id"], row["name"], "", ""

    @rx.event
    def cancel(self):
        self.patient_id = self.patient_name = self.error = ""

    @rx.event
    async def confirm(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not self.patient_id:
            return
        born = _birth_date(form)
        if born is None:
            self.error = await self._t("activation.error.birth_date")
            return
        check = form.get("check") if isinstance(form, dict) else None
        try:
            await run_service(authenticator_reset.reset_patient_authenticator, actor, int(self.patient_id), born,
                              check if isinstance(check, str) else "")
        except ServiceError as refused:
            self.error = await self._t(refused.key, **refused.params)
            return
        self.done = await self._t("app_reset.done", name=self.patient_name)
        self.patient_id = self.patient_name = self.error = ""
