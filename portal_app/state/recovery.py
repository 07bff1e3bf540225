"""Forgotten password (/forgot, /reset) and self sign-up (/signup, /console/signups).

The public handlers run before sign-in, so each checks its own arguments. The reset token (from
the link) and the sign-up request id live only in backend variables; the page shows the same answer
whatever the services found.
"""

from __future__ import annotations


import reflex as rx

from portal_app.config import settings
from portal_app.services import invitations, recovery, signup
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, ServiceError
from portal_app.state.activation import ActivationState, _birth_date, _text
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import SessionState, redirect_home, require_actor

MAX_FIELD = 254
MAX_PASSWORD = 257


async def _t(state: rx.State, key: str, **params: object) -> str:
    return (await state.get_state(LanguageState))._t(key, **params)


def _origin(state: rx.State) -> str:
    origin = (getattr(state.router.headers, "origin", "") or "").rstrip("/")
    return origin if origin in settings.origins else settings.origins[0]


class ForgotState(rx.State):
    sent: bool = False
    busy: bool = False

    @rx.event
    def opened(self):
        self.sent, self.busy = False, False

    @rx.event
    async def submit(self, form: dict):
        identifier = _text(form, "identifier", MAX_FIELD)
        if identifier is None or not identifier.strip():
            return
        self.busy = True
        yield
        await run_service(recovery.request_reset, identifier, source_ip=self.router.session.client_ip or "",
                          origin=_origin(self))
        self.sent, self.busy = True, False


class ResetState(rx.State):
    _token: str = ""
    link_ok: bool = False
    done: bool = False
    error: str = ""
    busy: bool = False
    strength: int = -1
    advice: str = ""

    @rx.event
    async def opened(self):
        token = self.router.url.query_parameters.get("t", "")
        self._token = token if isinstance(token, str) and len(token) <= 100 else ""
        self.done, self.error, self.busy, self.strength, self.advice = False, "", False, -1, ""
        self.link_ok = bool(self._token) and await run_service(recovery.link_works, self._token)

    @rx.event
    async def password_typed(self, value: str):
        if not self.link_ok or not isinstance(value, str):
            return
        if not value:
            self.strength, self.advice = -1, ""
            return
        verdict = await run_service(recovery.password_feedback, self._token, value[:MAX_PASSWORD])
        self.strength = verdict.strength
        self.advice = await _t(self, verdict.problems[0]) if verdict.problems else ""

    @rx.event
    async def submit(self, form: dict):
        if not self.link_ok or self.done:
            return
        password = _text(form, "password", MAX_PASSWORD)
        if password is None:
            self.error = await _t(self, "password.error.too_long")
            return
        self.busy = True
        yield
        try:
            await run_service(recovery.reset_password, self._token, password,
                              source_ip=self.router.session.client_ip or "")
            self._token, self.done, self.error = "", True, ""
        except ServiceError as refused:
            if refused.key == "reset.error.link":
                self._token, self.link_ok = "", False
            self.error = await _t(self, refused.key, **refused.params)
        self.busy = False


class SignupState(rx.State):
    _request_id: int | None = None
    sent: bool = False
    error: str = ""
    code_error: str = ""
    busy: bool = False

    @rx.event
    def opened(self):
        self._request_id = None
        self.sent, self.error, self.code_error, self.busy = False, "", "", False

    @rx.event
    async def submit(self, form: dict):
        if self.sent:
            return
        given, family = _text(form, "given_name", 100), _text(form, "family_name", 100)
        contact, mrn = _text(form, "contact", MAX_FIELD), _text(form, "mrn", 32)
        born = _birth_date(form)
        if given is None or family is None or contact is None or born is None:
            self.error = await _t(self, "signup.error.fields")
            return
        self.busy = True
        yield
        try:
            language = (await self.get_state(LanguageState)).language
            request_id = await run_service(signup.request_account, given, family, born, contact, mrn or "",
                                           language=language, source_ip=self.router.session.client_ip or "")
        except InvalidInput as refused:
            key = refused.key if refused.key.startswith("signup.") else "signup.error.fields"
            self.error, self.busy = await _t(self, key), False
            return
        if request_id is None:
            self.error, self.busy = await _t(self, "signup.error.try_later"), False
            return
        self._request_id, self.sent, self.error, self.busy = request_id, True, "", False

    @rx.event
    async def submit_code(self, form: dict):
        code = _text(form, "code", 20)
        if self._request_id is None or code is None or not code.strip():
            return
        self.busy = True
        yield
        try:
            activation_id = await run_service(invitations.start_activation_with_verification, self._request_id, code,
                                              source_ip=self.router.session.client_ip or "")
        except ServiceError as refused:
            self.code_error, self.busy = await _t(self, refused.key, **refused.params), False
            return
        activation = await self.get_state(ActivationState)
        activation._clear()
        activation._activation_id = activation_id
        screen = await run_service(invitations.current_step, activation_id)
        await activation._show(screen)
        self._request_id, self.sent, self.busy = None, False, False
        yield rx.redirect("/activate")


class SignupConsoleState(rx.State):
    requests: list[dict[str, str]] = []
    message: str = ""
    error: str = ""

    async def _staff(self) -> Actor | None:
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _refuse(self):
        return redirect_home(await (await self.get_state(SessionState))._actor())

    async def _load(self, actor: Actor) -> None:
        try:
            rows = await run_service(signup.pending, actor)
        except ServiceError as refused:
            self.requests, self.error = [], await _t(self, refused.key, **refused.params)
            return
        self.requests = [{"id": str(r.id), "name": f"{r.given_name} {r.family_name}", "born": r.birth_date,
                          "contact": r.contact, "mrn": r.mrn, "created": r.created_at} for r in rows]

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.message = self.error = ""
        await self._load(actor)

    @rx.event
    async def match(self, form: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        request_id = _text(form, "request_id", 12)
        mrn = _text(form, "mrn", 32)
        if request_id is None or not request_id.isdecimal() or mrn is None:
            return
        try:
            await run_service(signup.match, actor, int(request_id), mrn)
            self.message, self.error = await _t(self, "signups.matched"), ""
        except ServiceError as refused:
            self.message, self.error = "", await _t(self, refused.key, **refused.params)
        await self._load(actor)

    @rx.event
    async def reject(self, request_id: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if not isinstance(request_id, str) or not request_id.isdecimal() or len(request_id) > 12:
            return
        try:
            await run_service(signup.reject, actor, int(request_id))
            self.message, self.error = await _t(self, "signups.rejected"), ""
        except ServiceError as refused:
            self.message, self.error = "", await _t(self, refused.key, **refused.params)
        await self._load(actor)
