"""Staff first sign-in: choose a password, add the authenticator app, save the recovery codes."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.theme import TOUCH_TARGET
from portal_app.config import settings
from portal_app.pages import setup_steps as steps
from portal_app.pages.public_frame import public_frame
from portal_app.state.guards import GuardState
from portal_app.state.language import tr
from portal_app.state.staff_setup import LOST, SCREENS, StaffSetupState

S = StaffSetupState


def _password_step() -> rx.Component:
    return rx.vstack(
        steps.heading("staff_setup.password.heading"),
        rx.text(tr("staff_setup.password.intro"), size="3"),
        rx.form(
            rx.vstack(
                error_message(S.error),
                steps.password_field(S, "staff_setup.password.label"),
                steps.busy_button(S, "staff_setup.password.save"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.choose_password,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _lost_step() -> rx.Component:
    return rx.vstack(
        steps.heading("staff_setup.lost.heading"),
        error_message(S.error),
        rx.text(tr("staff_setup.lost.text"), size="3"),
        rx.button(
            rx.link(tr("activation.done.signin"), href="/signin", id="signin-link", underline="none"),
            as_child=True, size="3", min_height=TOUCH_TARGET, width="100%",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(route="/first-sign-in", title=f"First sign-in · {settings.clinic_name}",
         on_load=[GuardState.public_page, StaffSetupState.opened])
def first_signin() -> rx.Component:
    return public_frame(
        rx.cond(S.screen != LOST, steps.progress(S, len(SCREENS))),
        card(
            rx.match(
                S.screen,
                ("password", _password_step()),
                ("authenticator", steps.authenticator_step(S)),
                ("recovery", steps.recovery_step(S, "staff_setup.recovery.file_title")),
                _lost_step(),
            ),
        ),
        rx.cond(
            (S.screen == "password") | (S.screen == "authenticator"),  # later the set-up is done: just finish
            rx.button(rx.icon("rotate-ccw", aria_hidden="true"), tr("staff_setup.start_over"),
                      on_click=S.start_over, variant="soft", size="3", min_height=TOUCH_TARGET,
                      type="button", color_scheme="gray", high_contrast=True),
        ),
        help_key="staff_setup.help",
    )
