"""Forgotten password (/forgot, /reset), asking for an account (/signup) and the staff's sign-up queue."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message
from portal_app.components.forms import primary_button, submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.config import settings
from portal_app.pages.activate import _birth_date_fields
from portal_app.pages.shell import staff_page
from portal_app.state.guards import GuardState
from portal_app.state.language import LanguageState, tr
from portal_app.pages.public_frame import public_frame
from portal_app.state.recovery import ForgotState, ResetState, SignupConsoleState, SignupState


def _public(*content: rx.Component) -> rx.Component:
    return public_frame(
        card(rx.vstack(*content, spacing="4", width="100%")),
        rx.link(tr("forgot.back"), href="/signin", underline="always", size="3"),
        help_key="activation.help",
    )


def _status(text_key: str, element_id: str) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("mail-check", aria_hidden="true")),
        rx.callout.text(tr(text_key)),
        color_scheme="green", size="2", width="100%", role="status", id=element_id,
    )


# ---- /forgot ------------------------------------------------------------------------------------


@rx.page(route="/forgot", title=f"Forgot your password · {settings.clinic_name}",
         on_load=[GuardState.public_page, ForgotState.opened])
def forgot() -> rx.Component:
    return _public(
        rx.heading(tr("forgot.page_title"), as_="h1", size="7"),
        rx.cond(
            ForgotState.sent,
            _status("forgot.sent", "forgot-sent"),
            rx.fragment(
                rx.text(tr("forgot.intro"), size="3"),
                rx.form(
                    rx.vstack(
                        text_field(tr("forgot.identifier"), "identifier", autocomplete="username", max_length=254),
                        primary_button(tr("forgot.submit"), type="submit", loading=ForgotState.busy),
                        spacing="4", width="100%",
                    ),
                    on_submit=ForgotState.submit, reset_on_submit=False, width="100%",
                ),
            ),
        ),
    )


# ---- /reset -------------------------------------------------------------------------------------


def _strength() -> rx.Component:
    level = LanguageState.strings["password.strength." + ResetState.strength.to_string()].to(str)
    return rx.cond(
        ResetState.strength >= 0,
        rx.text(tr("activation.strength"), " ", rx.text.strong(level), size="3", id="password-strength"),
    )


@rx.page(route="/reset", title=f"Choose a new password · {settings.clinic_name}",
         on_load=[GuardState.public_page, ResetState.opened])
def reset() -> rx.Component:
    return _public(
        rx.heading(tr("reset.page_title"), as_="h1", size="7"),
        rx.cond(
            ResetState.done,
            rx.vstack(
                _status("reset.done", "reset-done"),
                rx.link(primary_button(tr("signin.submit"), type="button"), href="/signin", width="100%"),
                width="100%",
            ),
            rx.cond(
                ResetState.link_ok,
                rx.fragment(
                    rx.text(tr("reset.intro"), size="3"),
                    rx.form(
                        rx.vstack(
                            error_message(ResetState.error),
                            rx.el.label(rx.text(tr("reset.password"), size="3", weight="medium"),
                                        html_for="field-password"),
                            rx.debounce_input(
                                rx.input(id="field-password", name="password", type="password",
                                         auto_complete="new-password", required=True, size="3", width="100%",
                                         min_height=TOUCH_TARGET, max_length=256,
                                         aria_describedby="password-advice",
                                         on_change=ResetState.password_typed),
                                debounce_timeout=300,
                            ),
                            _strength(),
                            rx.text(ResetState.advice, size="3", id="password-advice", aria_live="polite"),
                            primary_button(tr("reset.submit"), type="submit", loading=ResetState.busy),
                            spacing="3", width="100%",
                        ),
                        on_submit=ResetState.submit, reset_on_submit=False, width="100%",
                    ),
                ),
                rx.vstack(
                    error_message(tr("reset.error.link")),
                    rx.link(tr("reset.ask_again"), href="/forgot", underline="always", size="3"),
                    width="100%",
                ),
            ),
        ),
    )


# ---- /signup ------------------------------------------------------------------------------------


@rx.page(route="/signup", title=f"Ask for an account · {settings.clinic_name}",
         on_load=[GuardState.public_page, SignupState.opened])
def signup_page() -> rx.Component:
    return _public(
        rx.heading(tr("signup.page_title"), as_="h1", size="7"),
        rx.cond(
            SignupState.sent,
            rx.vstack(
                _status("signup.sent", "signup-sent"),
                rx.form(
                    rx.vstack(
                        error_message(SignupState.code_error),
                        text_field(tr("signup.code"), "code", autocomplete="one-time-code", max_length=8,
                                   input_mode="numeric", pattern="[0-9 ]*"),
                        primary_button(tr("signup.code_submit"), type="submit", loading=SignupState.busy),
                        spacing="4", width="100%",
                    ),
                    on_submit=SignupState.submit_code, reset_on_submit=True, width="100%",
                ),
                spacing="4", width="100%",
            ),
            rx.fragment(
                rx.text(tr("signup.intro"), size="3"),
                rx.form(
                    rx.vstack(
                        error_message(SignupState.error),
                        text_field(tr("signup.given_name"), "given_name", autocomplete="given-name", max_length=100),
                        text_field(tr("signup.family_name"), "family_name", autocomplete="family-name",
                                   max_length=100),
                        _birth_date_fields(),
                        text_field(tr("signup.contact"), "contact", autocomplete="email", max_length=254),
                        text_field(tr("signup.mrn"), "mrn", required=False, max_length=32),
                        primary_button(tr("signup.submit"), type="submit", loading=SignupState.busy),
                        spacing="4", width="100%",
                    ),
                    on_submit=SignupState.submit, reset_on_submit=False, width="100%",
                ),
            ),
        ),
    )


# ---- /console/signups ---------------------------------------------------------------------------


def _request_card(row: rx.Var) -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(row["name"], as_="h2", size="4"),
            rx.text(tr("signups.born"), ": ", row["born"], size="3"),
            rx.text(tr("signups.contact"), ": ", row["contact"], size="3"),
            rx.cond(row["mrn"] != "", rx.text(tr("signups.mrn"), ": ", row["mrn"], size="3")),
            rx.text(row["created"], size="2", color=rx.color("gray", 11)),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="request_id", value=row["id"]),
                    rx.el.label(rx.text(tr("signups.chart_mrn"), size="3", weight="medium"),
                                html_for="mrn-" + row["id"].to(str)),
                    rx.input(id="mrn-" + row["id"].to(str), name="mrn", default_value=row["mrn"], size="3",
                             width="100%", min_height=TOUCH_TARGET, max_length=32, required=True),
                    rx.hstack(
                        submit_button(tr("signups.match")),
                        rx.button(tr("signups.reject"), type="button", size="3", variant="soft", color_scheme="gray",
                                  high_contrast=True, min_height=TOUCH_TARGET,
                                  on_click=SignupConsoleState.reject(row["id"])),
                        spacing="3", wrap="wrap",
                    ),
                    spacing="2", width="100%",
                ),
                on_submit=SignupConsoleState.match, reset_on_submit=False, width="100%",
            ),
            spacing="2", width="100%",
        ),
    )


@staff_page("/console/signups", on_load=[SignupConsoleState.opened])
def signups_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("signups.page_title")),
        error_message(SignupConsoleState.error),
        rx.cond(SignupConsoleState.message != "",
                rx.callout.root(rx.callout.text(SignupConsoleState.message), color_scheme="green", size="2",
                                width="100%", role="status", id="signups-message")),
        rx.cond(
            SignupConsoleState.requests.length() > 0,
            rx.vstack(rx.foreach(SignupConsoleState.requests, _request_card), spacing="3", width="100%"),
            empty_state("inbox", tr("signups.empty"), ""),
        ),
        spacing="4",
        width="100%",
    )
