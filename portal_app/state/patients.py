"""The front desk's patient list: search, register, invite. Every handler re-checks the staff session;
the services check the permission (patients.find, patients.register, invitations.create)."""

from __future__ import annotations

from datetime import date

import reflex as rx
from babel.dates import format_date

from portal_app import i18n
from portal_app.services import invitations, patients
from portal_app.services.access import Actor
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import SessionState, redirect_home, require_actor

FIELD_LIMIT = 300


def _field(form: dict, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) and len(value) <= FIELD_LIMIT else ""


class PatientConsoleState(rx.State):
    # search
    results: list[dict[str, str]] = []
    searched: bool = False
    page: int = 0
    has_more: bool = False
    search_error: str = ""
    _query: str = ""
    # registration
    form_error: str = ""
    registered: str = ""
    form_key: int = 0  # bumped to empty the form after a registration
    # the code just issued (shown once, for printing)
    invite_code: str = ""
    invite_name: str = ""
    invite_expires: str = ""
    invite_sent: str = ""

    async def _staff(self) -> Actor | None:
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _refuse(self):
        return redirect_home(await (await self.get_state(SessionState))._actor())

    async def _t(self, key: str, **params: object) -> str:
        return (await self.get_state(LanguageState))._t(key, **params)

    async def _date_text(self, moment: date) -> str:
        language = (await self.get_state(LanguageState)).language
        return format_date(moment, format="long", locale=i18n.normalise(language))

    async def _load(self, actor: Actor) -> None:
        try:
            found = await run_service(patients.console_search, actor, self._query, self.page)
        except ServiceError as refused:
            self.results, self.has_more, self.searched = [], False, False
            self.search_error = await self._t(refused.key, **refused.params)
            return
        rows = []
        for item in found.items:
            until = await self._date_text(date.fromisoformat(item.invitation_expires)) if item.invitation_expires else ""
            status = "account" if item.has_account else ("invited" if until else "none")
            rows.append({"id": str(item.id), "name": item.name, "mrn": item.mrn,
                         "born": await self._date_text(date.fromisoformat(item.birth_date)),
                         "status": status, "until": until})
        self.results, self.has_more, self.searched, self.search_error = rows, found.has_more, True, ""

    @rx.event
    async def opened(self):
        """Page load: a fresh screen (no code left over from earlier)."""
        if await self._staff() is None:
            return await self._refuse()
        self.invite_code = self.invite_name = self.invite_expires = self.invite_sent = ""
        self.registered = self.form_error = ""

    @rx.event
    async def search(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(form, dict):
            return
        self._query, self.page = _field(form, "query"), 0
        await self._load(actor)

    @rx.event
    async def next_page(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if self.searched and self.has_more:
            self.page += 1
            await self._load(actor)

    @rx.event
    async def previous_page(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if self.searched and self.page > 0:
            self.page -= 1
            await self._load(actor)

    @rx.event
    async def register(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(form, dict):
            return
        self.registered = ""
        try:
            born = date.fromisoformat(_field(form, "birth_date"))
        except ValueError:
            self.form_error = await self._t("patients.error.birth_date")
            return
        language = _field(form, "language") or i18n.DEFAULT_LANGUAGE
        try:
            await run_service(
                patients.register_patient, actor, _field(form, "given"), _field(form, "family"), born,
                _field(form, "sex"), _field(form, "email"), _field(form, "phone"), _field(form, "mrn"),
                language=language,
            )
        except ServiceError as refused:
            self.form_error = await self._t(refused.key, **refused.params)
            return
        name = f"{_field(form, 'given').strip()} {_field(form, 'family').strip()}"
        self.form_error = ""
        self.registered = await self._t("patients.registered", name=name)
        self.form_key += 1
        self._query, self.page = _field(form, "mrn").strip(), 0
        await self._load(actor)

    @rx.event
    async def invite(self, patient_id: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(patient_id, str) or not patient_id.isdecimal() or len(patient_id) > 12:
            return
        row = next((r for r in self.results if r["id"] == patient_id), None)
        if row is None:  # only patients this screen found can be invited from it
            return
        try:
            issued = await run_service(invitations.issue, actor, int(patient_id))
        except ServiceError as refused:
            self.search_error = await self._t(refused.key, **refused.params)
            return
        sent = set(issued.sent_to)
        sent_key = {frozenset(): "none", frozenset({"email"}): "email", frozenset({"sms"}): "sms"}.get(
            frozenset(sent), "both")
        self.invite_code = issued.code
        self.invite_name = await self._t("invitations.code_heading", name=row["name"])
        self.invite_expires = await self._t("invitations.expires", date=await self._date_text(issued.expires_at.date()))
        self.invite_sent = await self._t(f"invitations.sent.{sent_key}")
        await self._load(actor)

    @rx.event
    async def close_invite(self):
        self.invite_code = self.invite_name = self.invite_expires = self.invite_sent = ""
        if await self._staff() is None:
            return await self._refuse()
