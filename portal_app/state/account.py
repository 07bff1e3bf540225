"""Account security: where I am signed in (end one, or all), and who viewed or changed my record.

Every handler re-checks the session; the services decide what is the caller's own. Public vars hold
only what the page shows: device labels, addresses, times as text, names and translation keys.
"""

from __future__ import annotations

from datetime import datetime

import reflex as rx
from babel.dates import format_datetime

from portal_app import i18n
from portal_app.models.people import Role
from portal_app.services import audit, sessions
from portal_app.services.access import Actor
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import SIGN_OUT_ROUTE, SessionState, _cookie_token, full_page_load

PAGE_SIZE = 20
MAX_PAGE = 500  # 10 000 rows back is plenty; a larger page number is refused
ACTION_KEYS = {action: f"account.did.{action}" for action in audit.ACTIONS}


def _as_id(value: object) -> int | None:
    """A positive database id from a handler argument (an int, or digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdecimal() and len(value) <= 18:
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 2**63 else None


class AccountState(rx.State):
    devices: list[dict[str, str]] = []  # id, device, ip, since, last_seen, current ("yes" or "")
    history: list[dict[str, str]] = []  # who, role_key, action_key, outcome_key, when
    history_page: int = 0
    history_more: bool = False
    shows_history: bool = False  # patients only: staff have no record of their own here
    error: str = ""

    async def _actor(self) -> Actor | None:
        actor = await (await self.get_state(SessionState))._actor()
        if actor is None:
            self.reset()
        return actor

    async def _language(self) -> str:
        return i18n.normalise((await self.get_state(LanguageState)).language)

    async def _when(self, moment: datetime) -> str:
        return format_datetime(moment, "d MMM, HH:mm", locale=await self._language())

    async def _t(self, key: str, **params: object) -> str:
        return (await self.get_state(LanguageState))._t(key, **params)

    async def _load_devices(self, actor: Actor) -> None:
        views = await run_service(sessions.list_sessions, actor, _cookie_token(self.router.headers.cookie))
        unknown = await self._t("account.unknown_device")
        self.devices = [
            {"id": str(v.id), "device": v.device or unknown, "ip": v.ip, "since": await self._when(v.created_at),
             "last_seen": await self._when(v.last_seen_at), "current": "yes" if v.is_current else ""}
            for v in views
        ]

    async def _load_history(self, actor: Actor) -> None:
        self.shows_history = actor.role == Role.PATIENT and actor.patient_id is not None
        if not self.shows_history:
            self.history, self.history_more = [], False
            return
        rows = await run_service(audit.events_for_patient, actor, actor.patient_id, PAGE_SIZE + 1,
                                 self.history_page * PAGE_SIZE)
        self.history_more = len(rows) > PAGE_SIZE
        self.history = [
            {"who": row.who, "role_key": row.role_label_key if row.role_label_key in i18n.catalog("en") else "role.system",
             "action_key": ACTION_KEYS.get(row.action, "account.did.read"),
             "outcome_key": "" if row.outcome == "success" else f"account.outcome.{row.outcome}",
             "when": await self._when(row.when)}
            for row in rows[:PAGE_SIZE]
        ]

    async def _load(self, actor: Actor) -> None:
        try:
            await self._load_devices(actor)
            await self._load_history(actor)
            self.error = ""
        except ServiceError as refused:
            self.error = await self._t(refused.key, **refused.params)

    @rx.event
    async def opened(self):
        actor = await self._actor()
        if actor is None:
            return None
        self.history_page = 0
        await self._load(actor)

    @rx.event
    async def end_session(self, session_id: str):
        """"Sign out" on one device of the caller's own; their current one signs this tab out."""
        actor = await self._actor()
        if actor is None:
            return None
        wanted = _as_id(session_id)
        if wanted is None:
            self.error = await self._t("error.not_found")
            return None
        try:
            was_current = await run_service(sessions.end_session, actor, wanted,
                                            _cookie_token(self.router.headers.cookie))
        except ServiceError as refused:
            self.error = await self._t(refused.key, **refused.params)
            await self._load_devices(actor)
            return None
        if was_current:
            return await self._leave()
        await self._load(actor)

    @rx.event
    async def end_everywhere(self):
        """"Sign out everywhere": every device, this one included."""
        actor = await self._actor()
        if actor is None:
            return None
        await run_service(sessions.end_all_sessions, actor)
        return await self._leave()

    async def _leave(self):
        self.reset()
        (await self.get_state(SessionState)).reset()
        return full_page_load(SIGN_OUT_ROUTE)

    @rx.event
    async def next_page(self):
        actor = await self._actor()
        if actor is None or not self.history_more or self.history_page >= MAX_PAGE:
            return None
        self.history_page += 1
        await self._load_history(actor)

    @rx.event
    async def previous_page(self):
        actor = await self._actor()
        if actor is None or self.history_page <= 0:
            return None
        self.history_page -= 1
        await self._load_history(actor)
