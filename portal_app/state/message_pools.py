"""The admin's message teams page (/console/message-teams): pool members and canned replies.

Each handler re-checks the staff session; services/message_pools.py checks the permission
("messages.pools"), the rules (no front desk in a clinical team) and audits.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import message_pools
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.session import SessionState, redirect_home, require_actor


def _text(form: object, name: str, limit: int = message_pools.MAX_CANNED) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) and len(value) <= limit else ""


class MessagePoolsState(rx.State):
    pools: list[dict] = []
    canned: list[dict[str, str]] = []
    error: str = ""
    notice: str = ""
    loaded: bool = False

    async def _load(self, actor) -> None:
        views = await run_service(message_pools.overview, actor)
        self.pools = [{
            "code": v.code, "name": v.name, "clinical": "yes" if v.clinical else "",
            "members": [{"id": str(m.user_id), "name": m.name, "role": m.role} for m in v.members],
            "candidates": [{"id": str(m.user_id), "name": m.name, "role": m.role} for m in v.candidates],
        } for v in views]
        self.canned = [{"id": str(c.id), "pool": c.pool, "title": c.title, "body": c.body}
                       for c in await run_service(message_pools.canned, actor)]
        self.loaded = True

    async def _do(self, fn, *args, done_key: str):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
            return redirect_home(None)
        try:
            await run_service(fn, actor, *args)
            self.error, self.notice = "", await mt.text(self, done_key)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
        try:
            await self._load(actor)
        except ServiceError:
            self.reset()
            return redirect_home(await (await self.get_state(SessionState))._actor())

    @rx.event
    async def opened(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
            return redirect_home(None)
        self.error, self.notice = "", ""
        try:
            await self._load(actor)
        except ServiceError:
            self.reset()
            return redirect_home(actor)

    @rx.event
    async def add_member(self, form: dict):
        return await self._do(message_pools.add_member, _text(form, "pool", 32), mt.digits(_text(form, "user", 12)),
                              done_key="msg.teams.added")

    @rx.event
    async def remove_member(self, code: str, user_id: str):
        return await self._do(message_pools.remove_member, code, mt.digits(user_id), done_key="msg.teams.removed")

    @rx.event
    async def add_canned(self, form: dict):
        return await self._do(message_pools.add_canned, _text(form, "pool", 32), _text(form, "title"),
                              _text(form, "body"), done_key="msg.teams.canned_added")

    @rx.event
    async def remove_canned(self, canned_id: str):
        return await self._do(message_pools.remove_canned, mt.digits(canned_id), done_key="msg.teams.canned_removed")
