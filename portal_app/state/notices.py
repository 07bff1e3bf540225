"""Clinic notices on the sign-in and home pages, kept current by the live hub."""

from __future__ import annotations

import reflex as rx

from portal_app.services import live, notices
from portal_app.state import live_hub
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState


class NoticesState(rx.State):
    notices: list[dict[str, str]] = []

    async def _load(self) -> None:
        language = (await self.get_state(LanguageState)).language
        views = await run_service(notices.current, language)
        self.notices = [{"id": str(v.id), "text": v.text} for v in views]

    @rx.event
    async def watch(self):
        """Show the current notices and follow new ones (public content: no session needed)."""
        await self._load()
        live_hub.subscribe(self, live.NOTICES)

    async def _on_live(self, topic: str) -> None:
        await self._load()
