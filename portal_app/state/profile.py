"""My profile (/account/profile): contact details, emergency contacts, name, birth date, insurance,
and how the portal contacts me.

Every handler re-checks the session and passes the caller's own chart to services/profile.py,
which checks access and audits. Public vars hold only what the page shows, as text; the password
typed to confirm a contact change is passed straight to the service and never kept.
"""

from __future__ import annotations

from datetime import date

import asyncio

import reflex as rx
from babel.dates import format_date

from portal_app import i18n
from portal_app.models.people import Role
from portal_app.services import notification_prefs, profile, push_devices
from portal_app.services.access import Actor
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import SessionState
from portal_app.state.uploads import upload_outcome

FIELD_LIMIT = 300
CARD_ROUTE = "/files/insurance-card?t="


def card_url(token: str | None) -> str:
    """Where the page loads a card photo from (the route checks who may see it)."""
    return f"{CARD_ROUTE}{token}" if token else ""


def _field(form: object, name: str, limit: int = FIELD_LIMIT) -> str:
    value = form.get(name) if isinstance(form, dict) else None
    return value[:limit] if isinstance(value, str) else ""


def _birth_date(form: object) -> date | None:
    parts = [_field(form, name, 6).strip() for name in ("bday_year", "bday_month", "bday_day")]
    if not all(part.isdecimal() for part in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _as_id(value: object) -> int | None:
    if isinstance(value, str) and value.isdecimal() and len(value) <= 18:
        return int(value)
    return None


class ProfileState(rx.State):
    has_chart: bool = False  # a proxy's own account has no chart: only the notice choices show
    error: str = ""
    done: str = ""
    form_key: int = 0  # bumped to empty the forms after a save
    name: str = ""
    birth_date: str = ""
    email: str = ""
    phone: str = ""
    contacts: list[dict[str, str]] = []  # id, name, relationship_key, phone
    plan_name: str = ""
    member_id: str = ""
    card_front: str = ""  # the photos on file, as addresses of the checking route
    card_back: str = ""
    new_front_name: str = ""  # photos chosen for the next insurance request
    new_back_name: str = ""
    _new_front: str = ""
    _new_back: str = ""
    changes: list[dict[str, str]] = []  # kind_key, status, proposed, reason, when
    channels: list[dict[str, str]] = []  # topic, email, sms, push ("yes" or "")
    editing_contact: bool = False
    push_key: str = ""  # the VAPID public key this device subscribes with (public by design)

    # ---- helpers --------------------------------------------------------------------------------

    async def _actor(self) -> Actor | None:
        actor = await (await self.get_state(SessionState))._actor()
        if actor is None or actor.role not in (Role.PATIENT, Role.PROXY):
            self.reset()
            return None
        return actor

    async def _t(self, key: str, **params: object) -> str:
        return (await self.get_state(LanguageState))._t(key, **params)

    async def _refused(self, refused: ServiceError) -> None:
        self.error, self.done = await self._t(refused.key, **refused.params), ""

    async def _saved(self, key: str = "profile.saved") -> None:
        self.error, self.done = "", await self._t(key)
        self.form_key += 1

    async def _load(self, actor: Actor) -> None:
        language = i18n.normalise((await self.get_state(LanguageState)).language)
        choices = await run_service(notification_prefs.choices, actor)
        self.channels = [{"topic": c.topic, "email": "yes" if c.email else "", "sms": "yes" if c.sms else "",
                          "push": "yes" if c.push else ""} for c in choices]
        self.has_chart = actor.role == Role.PATIENT and actor.patient_id is not None
        if not self.push_key:
            self.push_key = await asyncio.to_thread(push_devices.public_key)
        if not self.has_chart:
            return
        seen = await run_service(profile.view, actor, actor.patient_id)
        self.name = f"{seen.given_name} {seen.family_name}"
        self.birth_date = format_date(seen.birth_date, "long", locale=language)
        self.email, self.phone = seen.email, seen.phone
        self.contacts = [{"id": str(c.id), "name": c.name, "relationship_key": f"profile.relationship.{c.relationship}",
                          "phone": c.phone} for c in seen.emergency]
        self.plan_name = seen.insurance.get("plan_name", "")
        self.member_id = seen.insurance.get("member_id", "")
        self.card_front, self.card_back = card_url(seen.insurance.get("front")), card_url(seen.insurance.get("back"))
        self.changes = [
            {"kind_key": f"profile.kind.{c.kind}", "status": c.status,
             "proposed": " · ".join(self._shown(c.kind, c.proposed, language)), "reason": c.reason,
             "when": format_date(c.requested_at, "medium", locale=language)}
            for c in seen.changes
        ]

    @staticmethod
    def _shown(kind: str, values: dict[str, str], language: str) -> list[str]:
        if kind == "name":
            return [f"{values['given_name']} {values['family_name']}"]
        if kind == "birth_date":
            return [format_date(date.fromisoformat(values["birth_date"]), "long", locale=language)]
        return [values["plan_name"], values["member_id"]]

    async def _run(self, fn, *args, done_key: str = "profile.saved") -> bool:
        actor = await self._actor()
        if actor is None or not self.has_chart:
            return False
        try:
            await run_service(fn, actor, actor.patient_id, *args)
        except ServiceError as refused:
            await self._refused(refused)
            return False
        await self._saved(done_key)
        await self._load(actor)
        return True

    # ---- handlers -------------------------------------------------------------------------------

    @rx.event
    async def opened(self):
        actor = await self._actor()
        if actor is None:
            return
        self.error = self.done = ""
        self.editing_contact = False
        try:
            await self._load(actor)
        except ServiceError as refused:
            await self._refused(refused)

    @rx.event
    def edit_contact(self, open_it: bool):
        self.editing_contact = open_it is True
        self.error = self.done = ""

    @rx.event
    async def save_contact(self, form: dict):
        actor = await self._actor()
        if actor is None or not self.has_chart:
            return
        try:
            outcome = await run_service(profile.change_contact, actor, actor.patient_id,
                                        _field(form, "password", profile.MAX_PASSWORD + 1), _field(form, "email"),
                                        _field(form, "phone"), ip=self.router.session.client_ip or "")
        except ServiceError as refused:
            await self._refused(refused)
            return
        if not outcome.ok:
            self.error, self.done = await self._t(outcome.error, seconds=outcome.wait_seconds), ""
            return
        self.editing_contact = False
        await self._saved("profile.contact_saved")
        await self._load(actor)

    @rx.event
    async def add_contact(self, form: dict):
        await self._run(profile.add_emergency_contact, _field(form, "contact_name", 200),
                        _field(form, "relationship", 40), _field(form, "contact_phone", 40))

    @rx.event
    async def remove_contact(self, contact_id: str):
        found = _as_id(contact_id)
        if found is not None and any(c["id"] == contact_id for c in self.contacts):
            await self._run(profile.remove_emergency_contact, found, done_key="profile.contact_removed")

    @rx.event
    async def ask_name(self, form: dict):
        await self._run(profile.request_change, "name",
                        {"given_name": _field(form, "given_name", 100), "family_name": _field(form, "family_name", 100)},
                        done_key="profile.asked")

    @rx.event
    async def ask_birth_date(self, form: dict):
        born = _birth_date(form)
        if born is None:
            self.error, self.done = await self._t("activation.error.birth_date"), ""
            return
        await self._run(profile.request_change, "birth_date", {"birth_date": born}, done_key="profile.asked")

    async def _card_uploaded(self, answer: object) -> tuple[str, str]:
        actor = await self._actor()
        if actor is None:
            return "", ""
        language = await self.get_state(LanguageState)
        view, problem = await upload_outcome(actor, answer, profile.CARD_PURPOSE, language._t)
        if view is None:
            self.error, self.done = problem, ""
            return "", ""
        self.error = ""
        return view.token, view.name

    @rx.event
    async def front_uploaded(self, answer: dict):
        self._new_front, self.new_front_name = await self._card_uploaded(answer)

    @rx.event
    async def back_uploaded(self, answer: dict):
        self._new_back, self.new_back_name = await self._card_uploaded(answer)

    @rx.event
    async def ask_insurance(self, form: dict):
        values = {"plan_name": _field(form, "plan_name", 120), "member_id": _field(form, "member_id", 64),
                  "front": self._new_front, "back": self._new_back}
        if await self._run(profile.request_change, "insurance", values, done_key="profile.asked"):
            self._new_front = self._new_back = self.new_front_name = self.new_back_name = ""

    @rx.event
    async def set_channel(self, topic: str, channel: str, enabled: bool):
        actor = await self._actor()
        if actor is None:
            return
        try:
            await run_service(notification_prefs.set_channel, actor, topic, channel, enabled)
        except ServiceError as refused:
            await self._refused(refused)
            return
        self.error, self.done = "", await self._t("profile.saved")
        await self._load(actor)

    @rx.event
    async def push_answer(self, answer: dict):
        """What the browser said after turning this device's notices on or off (assets/portal-push.js)."""
        if await self._actor() is None or not isinstance(answer, dict):
            return
        if answer.get("ok") is True:
            self.error, self.done = "", await self._t("push.on" if answer.get("on") is True else "push.off")
            return
        reason = answer.get("reason")
        key = f"push.error.{reason}" if reason in ("unsupported", "denied") else "push.error.failed"
        self.error, self.done = await self._t(key), ""
