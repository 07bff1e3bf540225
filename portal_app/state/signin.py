"""The sign-in form: checks the password through the service, then hands over to the cookie route."""

from __future__ import annotations

import reflex as rx

from portal_app.services import sessions
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.session import full_page_load


class SignInState(rx.State):
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict):
        language = await self.get_state(LanguageState)
        if not isinstance(form, dict):
            return
        username, password = form.get("username"), form.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            self.error = language._t("signin.error.wrong")
            return
        self.busy = True
        yield
        try:
            handoff = await run_service(
                sessions.sign_in,
                username,
                password,
                ip=self.router.session.client_ip,
                user_agent=self.router.headers.user_agent,
            )
        except ServiceError as refused:
            self.error = language._t(refused.key, **refused.params)
            self.busy = False
            return
        self.error = ""
        self.busy = False
        yield full_page_load(f"/auth/complete?h={handoff}")
