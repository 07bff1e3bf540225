"""The public sign-in page: clinic notices, the sign-in form, language choice and help."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.forms import primary_button, text_field
from portal_app.components.page import skip_link
from portal_app.config import settings
from portal_app.pages.language_picker import language_picker
from portal_app.pages.notices import notice_list
from portal_app.state.guards import GuardState
from portal_app.state.language import tr
from portal_app.state.notices import NoticesState
from portal_app.state.signin import SignInState


class PasswordVisibility(rx.State):
    """Only whether the password is shown; the password itself never enters state."""

    shown: bool = False

    @rx.event
    def toggle(self):
        self.shown = not self.shown


def _password_field() -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr("signin.password"), size="3", weight="medium"), html_for="field-password"),
        rx.hstack(
            rx.input(
                id="field-password",
                name="password",
                type=rx.cond(PasswordVisibility.shown, "text", "password"),
                auto_complete="current-password",
                required=True,
                size="3",
                width="100%",
                max_length=256,
            ),
            rx.button(
                rx.cond(PasswordVisibility.shown, tr("signin.hide_password"), tr("signin.show_password")),
                type="button",
                variant="soft",
                size="3",
                on_click=PasswordVisibility.toggle,
                aria_controls="field-password",
                aria_pressed=PasswordVisibility.shown,
            ),
            width="100%",
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


@rx.page(route="/signin", title=f"Sign in · {settings.clinic_name}", on_load=[GuardState.public_page, NoticesState.watch])
def signin() -> rx.Component:
    return rx.box(
        skip_link(tr("nav.skip")),
        rx.el.main(
            rx.vstack(
                rx.hstack(
                    rx.icon("heart-pulse", size=36, aria_hidden="true", color=rx.color("accent", 10)),
                    rx.text(settings.clinic_name, size="5", weight="bold"),
                    align="center",
                    spacing="2",
                ),
                notice_list(),
                card(
                    rx.heading(tr("signin.title"), as_="h1", size="7"),
                    rx.text(tr("signin.intro"), size="3", color=rx.color("gray", 11)),
                    rx.form(
                        rx.vstack(
                            error_message(SignInState.error),
                            text_field(tr("signin.username"), "username", autocomplete="username", max_length=64),
                            _password_field(),
                            primary_button(tr("signin.submit"), type="submit", loading=SignInState.busy),
                            spacing="4",
                            width="100%",
                        ),
                        on_submit=SignInState.submit,
                        reset_on_submit=False,
                        width="100%",
                    ),
                ),
                rx.text(tr("signin.help"), " ", rx.link(settings.clinic_phone, href=f"tel:{settings.clinic_phone}", underline="always"), size="3"),
                language_picker(),
                spacing="5",
                width="100%",
                max_width="440px",
                margin_x="auto",
                padding_x="16px",
                padding_y="24px",
            ),
            id="main",
            tab_index=-1,
        ),
        min_height="100vh",
        background=rx.color("accent", 2),
    )
