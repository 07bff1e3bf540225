"""The public sign-in page: clinic notices, the sign-in form, language choice and help."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.forms import primary_button, text_field
from portal_app.config import settings
from portal_app.pages.notices import notice_list
from portal_app.pages.public_frame import public_frame
from portal_app.state.guards import GuardState
from portal_app.state.idle import SignedOutNoticeState
from portal_app.state.language import tr
from portal_app.state.notices import NoticesState
from portal_app.state.signin import CODE_STAGE, SignInState


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


def _password_step() -> rx.Component:
    return rx.fragment(
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
    )


def _code_step() -> rx.Component:
    """The second factor: the app's 6-digit code, or (no phone) one recovery code."""
    return rx.fragment(
        rx.heading(tr("signin.code_title"), as_="h1", size="7"),
        rx.text(rx.cond(SignInState.use_recovery, tr("signin.recovery_intro"), tr("signin.code_intro")),
                size="3", color=rx.color("gray", 11)),
        rx.form(
            rx.vstack(
                error_message(SignInState.error),
                rx.cond(
                    SignInState.use_recovery,
                    text_field(tr("signin.recovery_label"), "code", autocomplete="off", max_length=32,
                               auto_capitalize="characters", spell_check=False),
                    text_field(tr("signin.code_label"), "code", autocomplete="one-time-code", max_length=8,
                               input_mode="numeric", pattern="[0-9 ]*", auto_focus=True),
                ),
                primary_button(tr("signin.code_submit"), type="submit", loading=SignInState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=SignInState.submit_code,
            reset_on_submit=True,
            width="100%",
        ),
        rx.button(
            rx.cond(SignInState.use_recovery, tr("signin.use_app"), tr("signin.use_recovery")),
            on_click=SignInState.switch_to_recovery(~SignInState.use_recovery),
            variant="ghost", size="3", type="button",
        ),
        rx.button(tr("signin.start_over"), on_click=SignInState.start_over, variant="ghost", size="3",
                  color_scheme="gray", type="button"),
    )


@rx.page(route="/signin", title=f"Sign in · {settings.clinic_name}", on_load=[GuardState.public_page, SignInState.start_over, NoticesState.watch,
                                 SignedOutNoticeState.opened])
def signin() -> rx.Component:
    return public_frame(
        notice_list(),
        rx.cond(
            SignedOutNoticeState.away,
            rx.callout.root(
                rx.callout.icon(rx.icon("clock", aria_hidden="true")),
                rx.callout.text(tr("signin.away")),
                color_scheme="blue",
                high_contrast=True,
                size="2",
                width="100%",
                role="status",
                id="signed-out-away",
            ),
        ),
        card(rx.cond(SignInState.stage == CODE_STAGE, _code_step(), _password_step())),
        rx.hstack(
            rx.link(tr("signin.forgot_link"), href="/forgot", underline="always", size="3"),
            rx.link(tr("signin.signup_link"), href="/signup", underline="always", size="3"),
            spacing="4", wrap="wrap",
        ),
        rx.text(tr("signin.activate_question"), " ",
                rx.link(tr("signin.activate_link"), href="/activate", underline="always", weight="bold"),
                size="3"),
        help_key="signin.help",
        max_width="440px",
    )
