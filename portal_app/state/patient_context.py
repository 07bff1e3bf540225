"""Whose record a patient's or proxy's pages show: their own, or one they hold proxy access to.

A parent signs in once and switches between their own record and their child's; every patient
page asks ``viewing(state)`` for the actor and the chart, and passes both to its services, which
check the access again (``access.require_patient_access``). The chosen chart id lives in a
backend-only variable and is re-validated against the account's active grants on every call, so a
revoked or expired grant stops working at the next click.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import access
from portal_app.services.access import Actor
from portal_app.state.calls import run_service
from portal_app.state.session import require_actor


class PatientContextState(rx.State):
    # What the "whose record" menu shows: id (as text), name, and "yes" for one's own record.
    choices: list[dict[str, str]] = []
    current_id: str = ""
    current_name: str = ""
    viewing_other: bool = False  # a proxy looking at someone else's record (shown as a banner)
    _patient_id: int | None = None

    async def _resolve(self, actor: Actor) -> int | None:
        visible = await run_service(access.patients_visible_to, actor)
        ids = [v.patient_id for v in visible]
        if self._patient_id not in ids:
            own = next((v.patient_id for v in visible if v.is_self), None)
            self._patient_id = own if own is not None else (ids[0] if ids else None)
        self.choices = [{"id": str(v.patient_id), "name": v.name, "self": "yes" if v.is_self else ""} for v in visible]
        current = next((v for v in visible if v.patient_id == self._patient_id), None)
        self.current_id = str(current.patient_id) if current else ""
        self.current_name = current.name if current else ""
        self.viewing_other = current is not None and not current.is_self
        return self._patient_id

    @rx.event
    async def opened(self):
        """Every patient page load: refresh the menu (a grant may have started or ended)."""
        actor = await require_actor(self, staff=False)
        if actor is None:
            self.reset()
            return
        await self._resolve(actor)

    @rx.event
    async def choose(self, patient_id: str):
        """Switch to another record this account may see, then start again from its home page."""
        actor = await require_actor(self, staff=False)
        if actor is None:
            self.reset()
            return
        if not isinstance(patient_id, str) or not patient_id.isdecimal() or len(patient_id) > 18:
            return
        wanted = int(patient_id)
        visible = await run_service(access.patients_visible_to, actor)
        if wanted not in {v.patient_id for v in visible}:
            return
        self._patient_id = wanted
        await self._resolve(actor)
        return rx.redirect("/home")


async def viewing(state: rx.State) -> tuple[Actor, int] | None:
    """The signed-in patient or proxy and the chart their pages show now; None when signed out.

    Returns None too when the account can see no chart at all (a proxy whose grants all ended).
    """
    actor = await require_actor(state, staff=False)
    if actor is None:
        return None
    context = await state.get_state(PatientContextState)
    patient_id = await context._resolve(actor)
    if patient_id is None:
        return None
    return actor, patient_id
