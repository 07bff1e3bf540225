"""Page load checks: send visitors without the right session to sign in (or their own area).

Redirects are navigation, not protection: every handler that touches data checks again.
"""

from __future__ import annotations

import reflex as rx

from portal_app.state.language import LanguageState
from portal_app.state.session import SessionState, redirect_home, require_actor


class GuardState(rx.State):
    @rx.event
    async def patient_page(self):
        if await require_actor(self, staff=False) is None:
            return redirect_home(await (await self.get_state(SessionState))._actor())

    @rx.event
    async def staff_page(self):
        if await require_actor(self, staff=True) is None:
            return redirect_home(await (await self.get_state(SessionState))._actor())

    @rx.event
    async def public_page(self):
        """Sign-in page: follow the browser's language; a signed-in user goes to their home."""
        (await self.get_state(LanguageState))._detect()
        actor = await (await self.get_state(SessionState))._actor()
        if actor is not None:
            return redirect_home(actor)

    @rx.event
    async def entry(self):
        """The bare address: go wherever this visitor belongs."""
        return redirect_home(await (await self.get_state(SessionState))._actor())
