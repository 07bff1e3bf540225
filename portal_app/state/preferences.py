"""Choices the reader makes about the portal itself (language now; more in the profile)."""

from __future__ import annotations

import reflex as rx

from portal_app import i18n
from portal_app.services import users
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import SessionState


class PreferencesState(rx.State):
    @rx.event
    async def choose_language(self, language: str):
        if not isinstance(language, str) or language not in i18n.LANGUAGES:
            return
        (await self.get_state(LanguageState))._adopt(language)
        actor = await (await self.get_state(SessionState))._actor()
        if actor is not None:  # signed in: remember it on every device
            await run_service(users.set_language, actor, language)
