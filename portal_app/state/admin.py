"""The console's admin pages: audit report, clinic notices, staff accounts and the demo outbox.

Every handler re-checks the staff session (``require_actor``), validates its arguments (any client
may call any handler with anything), and lets the service check the permission. Public vars hold
display text only; the one-time password of a new account is cleared as soon as it is dismissed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import reflex as rx

from portal_app.services import audit, notices, staff
from portal_app.services.access import Actor
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import SessionState, redirect_home, require_actor

FIELD_LIMIT = 600
PAGE_SIZE = 25
AUDIT_ACTIONS = sorted(audit.ACTIONS)
DEFAULT_DAYS = 7


def _field(form: object, name: str, limit: int = FIELD_LIMIT) -> str:
    if not isinstance(form, dict):
        return ""
    value = form.get(name, "")
    return value if isinstance(value, str) and len(value) <= limit else ""


def _is_id_text(value: object) -> bool:
    return isinstance(value, str) and value.isdecimal() and 0 < len(value) <= 12


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


class ConsoleHelpers(rx.State, mixin=True):
    """Shared private helpers (no public methods here: every public method is a handler)."""

    async def _staff(self) -> Actor | None:
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _refuse(self):
        return redirect_home(await (await self.get_state(SessionState))._actor())

    async def _t(self, key: str, **params: object) -> str:
        return (await self.get_state(LanguageState))._t(key, **params)


class AuditConsoleState(ConsoleHelpers, rx.State):
    rows: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    sort: str = "occurred_at"
    descending: bool = True
    page: int = 0
    has_more: bool = False
    date_from: str = ""
    date_to: str = ""
    _user: str = ""
    _patient: str = ""
    _action: str = ""

    def _period(self) -> tuple[datetime, datetime] | None:
        start, end = _parse_day(self.date_from), _parse_day(self.date_to)
        if start is None or end is None:
            return None
        return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)

    async def _filters(self, actor: Actor) -> dict | None:
        period = self._period()
        if period is None:
            self.error = await self._t("audit.error.period")
            return None
        user_id, patient_id = await run_service(staff.audit_filter_ids, actor, self._user, self._patient)
        return {"since": period[0], "until": period[1], "user_id": user_id, "patient_id": patient_id,
                "action": self._action or None, "sort": self.sort, "descending": self.descending}

    async def _load(self, actor: Actor) -> None:
        try:
            filters = await self._filters(actor)
            if filters is None:
                self.rows, self.has_more, self.loaded = [], False, False
                return
            found = await run_service(audit.report, actor, limit=PAGE_SIZE + 1, offset=self.page * PAGE_SIZE,
                                      **filters)
        except ServiceError as refused:
            self.rows, self.has_more, self.loaded = [], False, False
            self.error = await self._t(refused.key, **refused.params)
            return
        self.has_more = len(found) > PAGE_SIZE
        self.rows = [
            {"id": str(r.id), "when": _when(r.occurred_at), "who": r.actor_label, "role": r.actor_role,
             "action": r.action, "category": r.category, "patient": str(r.patient_id or ""),
             "outcome": r.outcome, "detail": r.detail}
            for r in found[:PAGE_SIZE]
        ]
        self.loaded, self.error = True, ""

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        today = datetime.now(UTC).date()
        self.date_from = (today - timedelta(days=DEFAULT_DAYS)).isoformat()
        self.date_to = today.isoformat()
        self._user = self._patient = self._action = ""
        self.sort, self.descending, self.page = "occurred_at", True, 0
        await self._load(actor)

    @rx.event
    async def apply(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(form, dict):
            return
        action = _field(form, "action", 40)
        self.date_from, self.date_to = _field(form, "from", 10), _field(form, "to", 10)
        self._user, self._patient = _field(form, "user", 64), _field(form, "patient", 32)
        self._action = action if action in audit.ACTIONS else ""
        self.page = 0
        await self._load(actor)

    @rx.event
    async def sort_by(self, column: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(column, str) or column not in audit.SORT_COLUMNS:
            return
        if column == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = column, column == "occurred_at"
        self.page = 0
        await self._load(actor)

    @rx.event
    async def next_page(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if self.loaded and self.has_more:
            self.page += 1
            await self._load(actor)

    @rx.event
    async def previous_page(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if self.loaded and self.page > 0:
            self.page -= 1
            await self._load(actor)

    @rx.event
    async def download(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        try:
            filters = await self._filters(actor)
            if filters is None:
                return
            data = await run_service(audit.report_csv, actor, **filters)
        except ServiceError as refused:
            self.error = await self._t(refused.key, **refused.params)
            return
        return rx.download(data=data, filename=f"audit-{self.date_from}-{self.date_to}.csv")


class NoticeConsoleState(ConsoleHelpers, rx.State):
    items: list[dict[str, str]] = []
    error: str = ""
    done: str = ""
    form_key: int = 0

    async def _load(self, actor: Actor) -> None:
        try:
            found = await run_service(notices.list_all, actor)
        except ServiceError as refused:
            self.items, self.error = [], await self._t(refused.key, **refused.params)
            return
        self.items = [{"id": str(n.id), "message": n.message, "message_es": n.message_es,
                       "starts": _when(n.starts_at), "ends": _when(n.ends_at)} for n in found]

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.error = self.done = ""
        await self._load(actor)

    @rx.event
    async def publish(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(form, dict):
            return
        self.done = ""
        ends_text = _field(form, "ends", 10)
        ends_day = _parse_day(ends_text)
        if ends_text and ends_day is None:
            self.error = await self._t("notice.error.ends_before_start")
            return
        # The notice shows until the end of the chosen day (UTC).
        ends = datetime.combine(ends_day + timedelta(days=1), time(), UTC) if ends_day else None
        try:
            await run_service(notices.publish, actor, _field(form, "message"), _field(form, "message_es") or None,
                              None, ends)
        except ServiceError as refused:
            self.error = await self._t(refused.key, **refused.params)
            return
        self.error, self.done = "", await self._t("notices_console.published")
        self.form_key += 1
        await self._load(actor)

    @rx.event
    async def withdraw(self, notice_id: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not _is_id_text(notice_id) or not any(item["id"] == notice_id for item in self.items):
            return
        try:
            await run_service(notices.withdraw, actor, int(notice_id))
        except ServiceError as refused:
            self.error = await self._t(refused.key, **refused.params)
            return
        self.error, self.done = "", await self._t("notices_console.withdrawn")
        await self._load(actor)


class StaffConsoleState(ConsoleHelpers, rx.State):
    people: list[dict[str, str]] = []
    error: str = ""
    done: str = ""
    form_key: int = 0
    # the account just created: its one-time password is shown once, then cleared
    new_username: str = ""
    new_password: str = ""

    async def _load(self, actor: Actor) -> None:
        try:
            found = await run_service(staff.list_staff, actor)
        except ServiceError as refused:
            self.people, self.error = [], await self._t(refused.key, **refused.params)
            return
        self.people = [
            {"id": str(p.id), "username": p.username, "name": p.display_name, "title": p.title, "role": p.role,
             "active": "yes" if p.active else "no", "locked": "yes" if p.locked else "no",
             "sessions": str(p.sessions), "is_self": "yes" if p.id == actor.user_id else "no"}
            for p in found
        ]

    async def _change(self, fn, *args) -> None:
        actor = await self._staff()
        if actor is None:
            return
        try:
            await run_service(fn, actor, *args)
        except ServiceError as refused:
            self.error, self.done = await self._t(refused.key, **refused.params), ""
            return
        self.error, self.done = "", await self._t("staff.saved")
        await self._load(actor)

    def _known(self, user_id: object) -> bool:
        """Only accounts this screen listed can be changed from it."""
        return _is_id_text(user_id) and any(p["id"] == user_id for p in self.people)

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.error = self.done = self.new_username = self.new_password = ""
        await self._load(actor)

    @rx.event
    async def create(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(form, dict):
            return
        try:
            created = await run_service(staff.create_staff, actor, _field(form, "username", 64),
                                        _field(form, "display_name", 200), _field(form, "title", 64),
                                        _field(form, "role", 16), _field(form, "email", 254))
        except ServiceError as refused:
            self.error, self.done = await self._t(refused.key, **refused.params), ""
            return
        self.error, self.done = "", ""
        self.new_username, self.new_password = created.username, created.one_time_password
        self.form_key += 1
        await self._load(actor)

    @rx.event
    async def dismiss_password(self):
        self.new_username = self.new_password = ""
        if await self._staff() is None:
            return await self._refuse()

    @rx.event
    async def change_role(self, user_id: str, role: str):
        if await self._staff() is None:
            return await self._refuse()
        if self._known(user_id) and isinstance(role, str) and role in staff.ROLES:
            await self._change(staff.change_role, int(user_id), role)

    @rx.event
    async def set_active(self, user_id: str, active: bool):
        if await self._staff() is None:
            return await self._refuse()
        if self._known(user_id) and isinstance(active, bool):
            await self._change(staff.set_active, int(user_id), active)

    @rx.event
    async def unlock(self, user_id: str):
        if await self._staff() is None:
            return await self._refuse()
        if self._known(user_id):
            await self._change(staff.unlock, int(user_id))

    @rx.event
    async def end_sessions(self, user_id: str):
        if await self._staff() is None:
            return await self._refuse()
        if self._known(user_id):
            await self._change(staff.end_sessions, int(user_id))

    @rx.event
    async def restart(self, user_id: str):
        """A new one-time password (lost phone, expired first password): shown once, like a new account's."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not self._known(user_id):
            return
        try:
            created = await run_service(staff.new_one_time_password, actor, int(user_id))
        except ServiceError as refused:
            self.error, self.done = await self._t(refused.key, **refused.params), ""
            return
        self.error, self.done = "", ""
        self.new_username, self.new_password = created.username, created.one_time_password
        await self._load(actor)


class OutboxConsoleState(ConsoleHelpers, rx.State):
    messages: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        try:
            found = await run_service(staff.latest_outbox, actor)
        except ServiceError as refused:
            self.messages, self.error = [], await self._t(refused.key, **refused.params)
            return
        self.error = ""
        self.messages = [
            {"id": str(m.id), "when": _when(m.created_at), "recipient": m.recipient, "channel": m.channel,
             "kind": m.kind, "status": m.status, "subject": m.subject, "body": m.body}
            for m in found
        ]
