"""The activation wizard: code and date of birth, terms, account, authenticator app, recovery codes.

Anyone may call these handlers (activation happens before sign-in), so each one checks its own
arguments, and the activation id — the only thing that ties this tab to an invitation — lives in a
backend-only variable that only a successful ``start`` sets. Secrets reach the browser only while
their step is on screen: the authenticator key, link and QR code on step 4, the recovery codes on
step 5; moving on clears them. The password is never kept in state at all.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from portal_app.services import invitations, password_policy
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState

# The screens, in order; "code" is step 1, "recovery" step 5, "done" the closing screen.
SCREENS = ("code", "consent", "account", "authenticator", "recovery", "done")
TOTAL_STEPS = 5
MAX_CODE = 40  # a 12-symbol code with generous room for spaces and dashes
MAX_PASSWORD = password_policy.MAX_LENGTH
MAX_USERNAME = 64


def _text(form: object, name: str, limit: int) -> str | None:
    """A form field that is text of a sane length, else None."""
    if not isinstance(form, dict):
        return None
    value = form.get(name)
    if not isinstance(value, str) or len(value) > limit:
        return None
    return value


def _birth_date(form: object) -> date | None:
    parts = [_text(form, name, 6) for name in ("bday_year", "bday_month", "bday_day")]
    if any(part is None or not part.strip().isdecimal() for part in parts):
        return None
    year, month, day = (int(part.strip()) for part in parts)  # type: ignore[union-attr]
    try:
        return date.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}")
    except ValueError:
        return None


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


class ActivationState(rx.State):
    _activation_id: int | None = None

    screen: str = "code"
    step_number: int = 1
    error: str = ""
    busy: bool = False
    # step 3: advice while typing (never the password itself)
    show_password: bool = False
    strength: int = -1  # -1: nothing typed yet
    password_advice: str = ""
    # step 4 only
    qr_svg: str = ""
    secret: str = ""
    otpauth_uri: str = ""
    # step 5 only
    recovery_codes: list[str] = []
    codes_saved: bool = False

    # ---- helpers (private: not callable from a client) ------------------------------------------

    async def _say(self, refused: ServiceError) -> None:
        self.error = (await self.get_state(LanguageState))._t(refused.key, **refused.params)

    async def _say_key(self, key: str) -> None:
        self.error = (await self.get_state(LanguageState))._t(key)

    def _clear(self) -> None:
        self._activation_id = None
        self.screen, self.step_number, self.error, self.busy = "code", 1, "", False
        self.show_password, self.strength, self.password_advice = False, -1, ""
        self.qr_svg = self.secret = self.otpauth_uri = ""
        self.recovery_codes, self.codes_saved = [], False

    async def _show(self, screen: str) -> None:
        """Move to a screen: load what it shows and drop what the others showed."""
        if screen != "authenticator":
            self.qr_svg = self.secret = self.otpauth_uri = ""
        if screen != "recovery":
            self.recovery_codes, self.codes_saved = [], False
        if screen != "account":
            self.show_password, self.strength, self.password_advice = False, -1, ""
        if screen == "authenticator":
            enrolment = await run_service(invitations.begin_authenticator, self._activation_id)
            self.qr_svg, self.secret, self.otpauth_uri = enrolment.qr_svg, _grouped(enrolment.secret), enrolment.uri
        elif screen == "recovery" and not self.recovery_codes:  # resumed: the first codes were shown once
            self.recovery_codes = await run_service(invitations.reissue_recovery_codes, self._activation_id)
        self.screen = screen
        self.step_number = min(SCREENS.index(screen) + 1, TOTAL_STEPS)
        self.error = ""

    async def _lost(self, refused: ServiceError | None = None) -> None:
        """The activation cannot go on (expired, used, or this tab never started one)."""
        self._clear()
        if refused is not None and refused.key == "activation.error.expired":
            await self._say(refused)
        else:
            await self._say_key("activation.error.lost")

    def _ready(self, screen: str) -> bool:
        return self._activation_id is not None and self.screen == screen

    # ---- handlers -------------------------------------------------------------------------------

    @rx.event
    def opened(self):
        """Page load: a finished activation makes room for the next person on this device."""
        if self.screen == "done":
            self._clear()
        self.busy = False

    @rx.event
    def start_over(self):
        self._clear()

    @rx.event
    async def start(self, form: dict):
        if self._activation_id is not None:
            return
        code = _text(form, "code", MAX_CODE)
        if not code or not code.strip():
            await self._say_key("activation.error.code_missing")
            return
        born = _birth_date(form)
        if born is None:
            await self._say_key("activation.error.birth_date")
            return
        self.busy = True
        yield
        try:
            activation_id = await run_service(invitations.start_activation, code, born,
                                              source_ip=self.router.session.client_ip or "")
            self._activation_id = activation_id
            screen = await run_service(invitations.current_step, activation_id)
            await self._show(screen)
        except ServiceError as refused:
            self._activation_id = None
            await self._say(refused)
        self.busy = False

    @rx.event
    async def agree(self):
        if not self._ready("consent"):
            return
        try:
            await run_service(invitations.accept_terms, self._activation_id, invitations.TERMS_VERSION)
            await self._show("account")
        except ServiceError as refused:
            await self._lost(refused)

    @rx.event
    def toggle_password(self):
        if self.screen == "account":
            self.show_password = not self.show_password

    @rx.event
    async def password_typed(self, value: str):
        """Strength and advice while typing (debounced in the page); the value is not kept."""
        if not self._ready("account") or not isinstance(value, str):
            return
        if not value:
            self.strength, self.password_advice = -1, ""
            return
        verdict = await run_service(invitations.password_feedback, self._activation_id, value[: MAX_PASSWORD + 1])
        self.strength = verdict.strength
        language = await self.get_state(LanguageState)
        self.password_advice = language._t(verdict.problems[0]) if verdict.problems else ""

    @rx.event
    async def create_account(self, form: dict):
        if not self._ready("account"):
            return
        username = _text(form, "username", MAX_USERNAME + 10)
        password = _text(form, "password", MAX_PASSWORD + 1)
        if username is None:
            await self._say_key("activation.error.username_length")
            return
        if password is None:
            await self._say_key("password.error.too_long")
            return
        self.busy = True
        yield
        try:
            await run_service(invitations.choose_credentials, self._activation_id, username, password)
            await self._show("authenticator")
        except ServiceError as refused:
            if refused.key == "activation.error.expired":
                await self._lost(refused)
            else:
                await self._say(refused)
        self.busy = False

    @rx.event
    async def confirm_app(self, form: dict):
        if not self._ready("authenticator"):
            return
        code = _text(form, "otp", 20)
        if code is None:
            await self._say_key("mfa.error.wrong_code")
            return
        self.busy = True
        yield
        try:
            codes = await run_service(invitations.confirm_authenticator, self._activation_id, code)
            self.recovery_codes = codes
            await self._show("recovery")
        except ServiceError as refused:
            if refused.key == "activation.error.expired":
                await self._lost(refused)
            else:
                await self._say(refused)
        self.busy = False

    @rx.event
    def set_codes_saved(self, checked: bool):
        if self.screen == "recovery" and isinstance(checked, bool):
            self.codes_saved = checked

    @rx.event
    async def finish(self):
        if not self._ready("recovery"):
            return
        if not self.codes_saved:
            await self._say_key("activation.error.save_first")
            return
        try:
            await run_service(invitations.finish, self._activation_id)
        except ServiceError as refused:
            await self._lost(refused)
            return
        await self._show("done")
        self._activation_id = None  # nothing more to do with it from this tab
