"""Setting up an account with an activation code: one step per screen, phone first, plain words."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.forms import primary_button, text_field
from portal_app.components.theme import TOUCH_TARGET
from portal_app.config import settings
from portal_app.pages import setup_steps as steps
from portal_app.pages.public_frame import public_frame
from portal_app.state.activation import TOTAL_STEPS, ActivationState
from portal_app.state.guards import GuardState
from portal_app.state.language import LanguageState, tr

S = ActivationState


# ---- step 1: code and date of birth ------------------------------------------------------------


def _number_field(label_key: str, name: str, autocomplete: str, width: str, max_length: int) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        rx.input(id=field_id, name=name, input_mode="numeric", pattern="[0-9]*", auto_complete=autocomplete,
                 max_length=max_length, required=True, size="3", min_height=TOUCH_TARGET, width="100%",
                 aria_describedby="dob-hint"),
        spacing="1",
        width=width,
    )


def _birth_date_fields() -> rx.Component:
    month = _number_field("activation.dob.month", "bday_month", "bday-month", "5em", 2)
    day = _number_field("activation.dob.day", "bday_day", "bday-day", "5em", 2)
    year = _number_field("activation.dob.year", "bday_year", "bday-year", "7em", 4)
    return rx.el.fieldset(
        rx.el.legend(rx.text(tr("activation.dob.legend"), size="3", weight="medium")),
        rx.text(tr("activation.dob.hint"), id="dob-hint", size="2", color=rx.color("gray", 11)),
        # US order for English, day first for Spanish.
        rx.cond(
            LanguageState.language == "es",
            rx.hstack(day, month, year, spacing="3", padding_top="4px"),
            rx.hstack(month, day, year, spacing="3", padding_top="4px"),
        ),
        border="none",
        padding="0",
        margin="0",
    )


def _code_step() -> rx.Component:
    return rx.vstack(
        steps.heading("activation.code.heading"),
        rx.text(tr("activation.code.intro"), size="3"),
        rx.form(
            rx.vstack(
                error_message(S.error),
                text_field(tr("activation.code.label"), "code", hint=tr("activation.code.hint"), autocomplete="off",
                           max_length=40, auto_capitalize="characters", spell_check=False,
                           style={"font_family": "monospace", "font_size": "1.25rem", "letter_spacing": "0.05em"}),
                _birth_date_fields(),
                steps.busy_button(S, "activation.continue"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.start,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# ---- step 2: terms -----------------------------------------------------------------------------


def _terms_section(title_key: str, keys: list[str]) -> rx.Component:
    return rx.vstack(
        rx.heading(tr(title_key), as_="h2", size="4"),
        rx.el.ul(*[rx.el.li(rx.text(tr(key), size="3"), margin_bottom="6px") for key in keys],
                 padding_left="1.25em", margin="0"),
        spacing="2",
        width="100%",
    )


def _consent_step() -> rx.Component:
    return rx.vstack(
        steps.heading("terms.heading"),
        rx.text(tr("terms.intro"), size="3"),
        error_message(S.error),
        rx.box(
            rx.vstack(
                _terms_section("terms.use_title", ["terms.use_1", "terms.use_2", "terms.use_3"]),
                _terms_section("terms.account_title", ["terms.account_1", "terms.account_2", "terms.account_3"]),
                _terms_section("terms.privacy_title",
                               ["terms.privacy_1", "terms.privacy_2", "terms.privacy_3", "terms.privacy_4"]),
                rx.text(tr("terms.changes"), size="3"),
                spacing="4",
                width="100%",
            ),
            role="region",
            aria_label=tr("terms.region_label"),
            tab_index=0,  # keyboard users can scroll it
            max_height="50vh",
            overflow_y="auto",
            padding="16px",
            border=f"1px solid {rx.color('gray', 7)}",
            border_radius="8px",
            background=rx.color("gray", 2),
            width="100%",
        ),
        rx.text(tr("terms.agree_hint"), size="3"),
        primary_button(tr("terms.agree"), on_click=S.agree, type="button"),
        spacing="4",
        width="100%",
    )


# ---- step 3: username and password -------------------------------------------------------------


def _account_step() -> rx.Component:
    return rx.vstack(
        steps.heading("activation.account.heading"),
        rx.text(tr("activation.account.intro"), size="3"),
        rx.form(
            rx.vstack(
                error_message(S.error),
                text_field(tr("activation.username"), "username", autocomplete="username", max_length=64,
                           hint=tr("activation.username_hint"), auto_capitalize="none", spell_check=False),
                steps.password_field(S),
                steps.busy_button(S, "activation.create_account"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.create_account,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# ---- steps 4 and 5, the authenticator app and the recovery codes, are in pages/setup_steps.py ---


# ---- done --------------------------------------------------------------------------------------


def _done_step() -> rx.Component:
    return rx.vstack(
        rx.center(rx.icon("circle-check", size=56, color=rx.color("green", 10), aria_hidden="true"), width="100%"),
        steps.heading("activation.done.heading"),
        rx.text(tr("activation.done.text"), size="3"),
        rx.button(
            rx.link(tr("activation.done.signin"), href="/signin", id="signin-link", underline="none"),
            as_child=True, size="3", min_height=TOUCH_TARGET, width="100%",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route="/activate", title=f"Set up your account · {settings.clinic_name}",
         on_load=[GuardState.public_page, ActivationState.opened])
def activate() -> rx.Component:
    return public_frame(
        rx.cond(S.screen != "done", steps.progress(S, TOTAL_STEPS)),
        card(
            rx.match(
                S.screen,
                ("consent", _consent_step()),
                ("account", _account_step()),
                ("authenticator", steps.authenticator_step(S)),
                ("recovery", steps.recovery_step(S)),
                ("done", _done_step()),
                _code_step(),
            ),
        ),
        rx.cond(
            (S.screen != "code") & (S.screen != "done"),
            rx.button(rx.icon("rotate-ccw", aria_hidden="true"), tr("activation.start_over"),
                      on_click=S.start_over, variant="soft", size="3", min_height=TOUCH_TARGET,
                      type="button", color_scheme="gray", high_contrast=True),
        ),
        help_key="activation.help",
    )
