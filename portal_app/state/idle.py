"""The idle warning: a quiet check every 20 s that does not count as activity, and "Stay signed in".

The idle timeout itself is enforced on the server at every event (services/sessions.resolve); this
only warns a minute before (settings.idle_warning_seconds) and, once the session is gone, takes the
tab to the sign-in page, which then says why.
"""

from __future__ import annotations

import reflex as rx

from portal_app.config import settings
from portal_app.services import sessions
from portal_app.state.calls import run_service
from portal_app.state.session import SIGN_OUT_ROUTE, SessionState, _cookie_token, full_page_load

CHECK_SECONDS = 20
IDLE_SIGN_OUT_ROUTE = SIGN_OUT_ROUTE + "?reason=idle"


class IdleState(rx.State):
    warning: bool = False  # show "You will be signed out in 1 minute"

    async def _gone(self, was_signed_in: bool):
        """The session ended: leave through the sign-out route (clears the cookie and cached data)."""
        self.warning = False
        session_state = await self.get_state(SessionState)
        if not was_signed_in:  # this tab never had a session: nothing to leave
            return None
        token = _cookie_token(self.router.headers.cookie)
        idle = await run_service(sessions.timed_out, token)
        session_state.reset()
        return full_page_load(IDLE_SIGN_OUT_ROUTE if idle else SIGN_OUT_ROUTE)

    @rx.event
    async def check(self):
        """How long is left, without counting as activity (``touch=False``)."""
        left = await run_service(sessions.idle_status, _cookie_token(self.router.headers.cookie))
        if left is None:
            return await self._gone((await self.get_state(SessionState)).signed_in)
        self.warning = left <= settings.idle_warning_seconds

    @rx.event
    async def stay(self):
        """"Stay signed in": a real event, so the session's idle clock starts again."""
        session_state = await self.get_state(SessionState)
        was_signed_in = session_state.signed_in
        if await session_state._actor() is None:
            return await self._gone(was_signed_in)
        self.warning = False


class SignedOutNoticeState(rx.State):
    """Whether the sign-in page should say the visitor was signed out for being away."""

    away: bool = False

    @rx.event
    def opened(self):
        query = self.router.url.query_parameters
        self.away = query.get("reason") == "idle"
