"""Staff first sign-in (/first-sign-in): a new password, the authenticator app, the recovery codes.

Only a password step that proved a one-time password gives this tab a set-up token
(``SignInState.submit`` hands it over through ``_begin``); it lives in a backend-only variable,
so a client that calls these handlers without it changes nothing. As on activation, the app's key,
link and QR code reach the browser only on their screen and the recovery codes only on theirs.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import staff_setup
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import full_page_load

SCREENS = ("password", "authenticator", "recovery")
LOST = "lost"  # no live set-up in this tab: the page offers the way back to sign-in
MAX_PASSWORD = 256


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


class StaffSetupState(rx.State):
    _token: str = ""

    screen: str = LOST
    step_number: int = 1
    error: str = ""
    busy: bool = False
    show_password: bool = False
    strength: int = -1
    password_advice: str = ""
    qr_svg: str = ""
    secret: str = ""
    otpauth_uri: str = ""
    recovery_codes: list[str] = []
    codes_saved: bool = False

    # ---- helpers (private: not callable from a client) ------------------------------------------

    def _begin(self, token: str) -> None:
        """Called by the sign-in form after a one-time password was accepted."""
        self._clear()
        self._token = token

    def _clear(self) -> None:
        self._token = ""
        self.screen, self.step_number, self.error, self.busy = LOST, 1, "", False
        self.show_password, self.strength, self.password_advice = False, -1, ""
        self.qr_svg = self.secret = self.otpauth_uri = ""
        self.recovery_codes, self.codes_saved = [], False

    async def _say(self, key: str, **params) -> None:
        self.error = (await self.get_state(LanguageState))._t(key, **params)

    async def _show(self, screen: str) -> None:
        """Move to a screen: load what it shows and drop what the others showed."""
        if screen != "authenticator":
            self.qr_svg = self.secret = self.otpauth_uri = ""
        if screen != "recovery":
            self.recovery_codes, self.codes_saved = [], False
        if screen != "password":
            self.show_password, self.strength, self.password_advice = False, -1, ""
        if screen == "authenticator":
            enrolment = await run_service(staff_setup.begin_authenticator, self._token)
            self.qr_svg, self.secret, self.otpauth_uri = enrolment.qr_svg, _grouped(enrolment.secret), enrolment.uri
        self.screen, self.step_number, self.error = screen, SCREENS.index(screen) + 1, ""

    async def _lost(self, refused: ServiceError) -> None:
        self._clear()
        await self._say(refused.key, **refused.params)

    # ---- handlers -------------------------------------------------------------------------------

    @rx.event
    async def opened(self):
        """Page load: show the step this set-up is at (or the way back to sign-in)."""
        self.busy = False
        if not self._token:
            self._clear()
            return
        if self.screen == "recovery":  # the codes are shown once, and stay while this tab holds them
            return
        try:
            await self._show(await run_service(staff_setup.current_step, self._token))
        except ServiceError as refused:
            await self._lost(refused)

    @rx.event
    def toggle_password(self):
        if self.screen == "password":
            self.show_password = not self.show_password

    @rx.event
    async def password_typed(self, value: str):
        """Strength and advice while typing (debounced in the page); the value is not kept."""
        if self.screen != "password" or not self._token or not isinstance(value, str):
            return
        if not value:
            self.strength, self.password_advice = -1, ""
            return
        try:
            verdict = await run_service(staff_setup.password_feedback, self._token, value[: MAX_PASSWORD + 1])
        except ServiceError as refused:
            await self._lost(refused)
            return
        self.strength = verdict.strength
        self.password_advice = (await self.get_state(LanguageState))._t(verdict.problems[0]) if verdict.problems else ""

    @rx.event
    async def choose_password(self, form: dict):
        if self.screen != "password" or not self._token:
            return
        password = form.get("password") if isinstance(form, dict) else None
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            await self._say("password.error.too_long")
            return
        self.busy = True
        yield
        try:
            await run_service(staff_setup.choose_password, self._token, password,
                              ip=self.router.session.client_ip or "")
            await self._show("authenticator")
        except ServiceError as refused:
            if refused.key.startswith("signin.error."):
                await self._lost(refused)
            else:
                await self._say(refused.key, **refused.params)
        self.busy = False

    @rx.event
    async def confirm_app(self, form: dict):
        if self.screen != "authenticator" or not self._token:
            return
        code = form.get("otp") if isinstance(form, dict) else None
        if not isinstance(code, str) or len(code) > staff_setup.MAX_CODE:
            await self._say("mfa.error.wrong_code")
            return
        self.busy = True
        yield
        try:
            codes = await run_service(staff_setup.confirm_authenticator, self._token, code,
                                      ip=self.router.session.client_ip or "")
            await self._show("recovery")
            self.recovery_codes = codes
        except ServiceError as refused:
            if refused.key.startswith("signin.error."):
                await self._lost(refused)
            else:
                await self._say(refused.key, **refused.params)
        self.busy = False

    @rx.event
    def set_codes_saved(self, checked: bool):
        if self.screen == "recovery" and isinstance(checked, bool):
            self.codes_saved = checked

    @rx.event
    async def finish(self):
        if self.screen != "recovery" or not self._token:
            return
        if not self.codes_saved:
            await self._say("activation.error.save_first")
            return
        try:
            handoff = await run_service(staff_setup.finish, self._token, ip=self.router.session.client_ip or "")
        except ServiceError as refused:
            await self._lost(refused)
            return
        self._clear()
        yield full_page_load(f"/auth/complete?h={handoff}")

    @rx.event
    def start_over(self):
        self._clear()
        return rx.redirect("/signin")
