"""Who is signed in on this browser tab, re-checked against the server-side session on every event.

The proof is the HttpOnly session cookie the websocket handshake carried; Reflex's client token only
says which in-memory state belongs to this tab and is never trusted as a session.
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from portal_app.config import settings
from portal_app.services import sessions
from portal_app.services.access import Actor
from portal_app.services.return_path import next_query
from portal_app.state import live_hub
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState

SIGN_IN_ROUTE = "/signin"
SIGN_OUT_ROUTE = "/auth/signout"


def _cookie_token(cookie_header: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return None
    morsel = jar.get(settings.session_cookie_name)
    return morsel.value if morsel else None


class SessionState(rx.State):
    """What the page may know about the signed-in user: name and role, nothing secret."""

    signed_in: bool = False
    display_name: str = ""
    role: str = ""

    async def _actor(self) -> Actor | None:
        """Resolve the session for this event (idle and absolute limits enforced on the server); a
        live refresh is not activity, so it leaves the idle clock alone."""
        info = await run_service(sessions.resolve, _cookie_token(self.router.headers.cookie),
                                 touch=not live_hub.refreshing())
        if info is None:
            # A live refresh that finds the session over leaves the tab as it is, so the tab's own idle
            # check still knows it was signed in and leaves through the sign-out route, with the reason.
            if not live_hub.refreshing():
                self.signed_in, self.display_name, self.role = False, "", ""
            return None
        if not self.signed_in:
            (await self.get_state(LanguageState))._adopt(info.language)
        self.signed_in = True
        self.display_name = info.actor.display_name
        self.role = info.actor.role
        return info.actor

    @rx.event
    async def sign_out(self):
        await run_service(sessions.sign_out, _cookie_token(self.router.headers.cookie))
        self.reset()
        # The HTTP route clears the cookie and tells the browser to drop cached data.
        return full_page_load(SIGN_OUT_ROUTE)


def full_page_load(path: str):
    """Leave the single-page app for an HTTP route (cookies are only set or cleared by HTTP)."""
    return rx.call_script(f"window.location.replace({json.dumps(path)})")


async def require_actor(state: rx.State, staff: bool) -> Actor | None:
    """The actor if this page's audience is signed in, else None (the caller redirects)."""
    actor = await (await state.get_state(SessionState))._actor()
    if actor is None or actor.is_staff != staff:
        return None
    return actor


def sign_in_then(path: str):
    """To sign in, then back to ``path`` (a page of this app opened while signed out, e.g. a claim link)."""
    query = next_query(path)
    return rx.redirect(f"{SIGN_IN_ROUTE}?{query}" if query else SIGN_IN_ROUTE)


def redirect_home(actor: Actor | None):
    if actor is None:
        return rx.redirect(SIGN_IN_ROUTE)
    return rx.redirect("/console" if actor.is_staff else "/home")
