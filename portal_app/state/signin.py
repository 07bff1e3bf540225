"""The sign-in form: password, then the authenticator (or a recovery) code, then the cookie route.

A staff member's one-time password leads to /first-sign-in instead (state/staff_setup.py). A
``?next=`` page (a link opened while signed out) is passed on to the cookie route, which checks it
again (services/return_path.py) and goes there instead of home.
"""

from __future__ import annotations

import reflex as rx

from portal_app.services import signin
from portal_app.services.return_path import next_query
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import full_page_load
from portal_app.state.staff_setup import StaffSetupState

PASSWORD_STAGE = "password"
CODE_STAGE = "code"


class SignInState(rx.State):
    stage: str = PASSWORD_STAGE
    use_recovery: bool = False  # typing a recovery code instead of the app's code
    error: str = ""
    busy: bool = False
    _pending: str = ""  # names the half-done sign-in on the server; never sent to the browser

    async def _show(self, step: signin.Step) -> None:
        language = await self.get_state(LanguageState)
        self.error = language._t(step.error, seconds=step.wait_seconds)

    @rx.event
    async def submit(self, form: dict):
        """The password step."""
        if not isinstance(form, dict):
            return
        self.busy = True
        yield
        step = await run_service(
            signin.check_password, form.get("username"), form.get("password"),
            ip=self.router.session.client_ip, user_agent=self.router.headers.user_agent,
        )
        self.busy = False
        if not step.ok:
            await self._show(step)
            return
        if step.first_sign_in:
            (await self.get_state(StaffSetupState))._begin(step.token)
            self._pending, self.error = "", ""
            yield rx.redirect("/first-sign-in")
            return
        self._pending, self.error, self.stage, self.use_recovery = step.token, "", CODE_STAGE, False

    @rx.event
    async def submit_code(self, form: dict):
        """The second step: a 6-digit code, or one recovery code."""
        if not isinstance(form, dict) or self.stage != CODE_STAGE:
            return
        self.busy = True
        yield
        step = await run_service(signin.check_second_factor, self._pending, form.get("code"),
                                 recovery=self.use_recovery, ip=self.router.session.client_ip)
        self.busy = False
        if not step.ok:
            await self._show(step)
            if step.error == "signin.error.start_again":
                self._pending, self.stage = "", PASSWORD_STAGE
            return
        self._pending, self.error = "", ""
        back = next_query(self.router.url.query_parameters.get("next"))
        yield full_page_load(f"/auth/complete?h={step.token}" + (f"&{back}" if back else ""))

    @rx.event
    def switch_to_recovery(self, recovery: bool):
        self.use_recovery = recovery is True
        self.error = ""

    @rx.event
    def start_over(self):
        self._pending, self.error, self.stage, self.use_recovery = "", "", PASSWORD_STAGE, False
