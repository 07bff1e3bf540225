"""Emergency access to a restricted chart from any staff page ("break the glass").

A staff page that is refused with ``access.error.restricted`` shows ``pages/break_glass_prompt``
for that chart; this state starts the break-glass (services/break_glass.py checks the role, the
reason and that the chart is restricted, audits it and alerts the admins) and reloads the page,
which then opens the chart for an hour.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import break_glass
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import require_actor

MAX_REASON_FIELD = 2000


class BreakGlassState(rx.State):
    error: str = ""

    @rx.event
    async def start(self, form: dict):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.error = ""
            return rx.redirect("/signin")
        if not isinstance(form, dict):
            return
        patient_id, reason = form.get("patient_id"), form.get("reason")
        if not isinstance(patient_id, str) or not patient_id.isdecimal() or len(patient_id) > 18:
            return
        if not isinstance(reason, str) or len(reason) > MAX_REASON_FIELD:
            reason = ""
        try:
            await run_service(break_glass.start, actor, int(patient_id), reason)
        except ServiceError as refused:
            self.error = (await self.get_state(LanguageState))._t(refused.key, **refused.params)
            return
        self.error = ""
        return rx.call_script("window.location.reload()")
