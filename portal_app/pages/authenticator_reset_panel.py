"""The "lost my phone" panel of /console/patients: date of birth, how identity was checked, confirm."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import error_message
from portal_app.components.forms import submit_button
from portal_app.components.theme import TOUCH_TARGET
from portal_app.services.authenticator_reset import CHECKS
from portal_app.state.authenticator_reset import AuthenticatorResetState
from portal_app.state.language import tr

S = AuthenticatorResetState


def reset_button(row) -> rx.Component:
    return rx.button(rx.icon("smartphone", aria_hidden="true"), tr("app_reset.open"), size="3", variant="soft",
                     color_scheme="amber", min_height=TOUCH_TARGET, on_click=S.start(row["id"]),
                     aria_label=tr("app_reset.open") + " · " + row["name"].to(str))


def _number(name: str, label_key: str, width: str, size: int) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3"), html_for=f"field-{name}"),
        rx.input(id=f"field-{name}", name=name, input_mode="numeric", pattern="[0-9]*", max_length=size,
                 required=True, size="3", min_height=TOUCH_TARGET, width="100%"),
        spacing="1",
        width=width,
    )


def reset_panel() -> rx.Component:
    return rx.fragment(
        rx.cond(S.done != "", rx.callout.root(rx.callout.text(S.done), color_scheme="green", role="status",
                                              high_contrast=True, size="2", width="100%")),
        rx.cond(
            S.patient_id != "",
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading(tr("app_reset.title"), " ", S.patient_name, as_="h2", size="5"),
                        rx.text(tr("app_reset.intro"), size="3"),
                        error_message(S.error),
                        rx.el.fieldset(
                            rx.el.legend(rx.text(tr("app_reset.birth_date"), size="3", weight="medium")),
                            rx.hstack(_number("reset_month", "activation.dob.month", "5em", 2),
                                      _number("reset_day", "activation.dob.day", "5em", 2),
                                      _number("reset_year", "activation.dob.year", "7em", 4), spacing="3"),
                            border="none", padding="0", margin="0",
                        ),
                        rx.el.fieldset(
                            rx.el.legend(rx.text(tr("app_reset.check"), size="3", weight="medium")),
                            rx.radio_group.root(
                                rx.vstack(*[
                                    rx.el.label(rx.hstack(rx.radio_group.item(value=check, id=f"check-{check}"),
                                                          rx.text(tr(f"app_reset.check.{check}"), size="3"),
                                                          align="center", spacing="2", min_height=TOUCH_TARGET),
                                                html_for=f"check-{check}")
                                    for check in CHECKS
                                ], spacing="1"),
                                name="check", required=True,
                            ),
                            border="none", padding="0", margin="0",
                        ),
                        rx.text(tr("app_reset.what_happens"), size="3"),
                        rx.flex(
                            submit_button(tr("app_reset.confirm"), color_scheme="red"),
                            rx.button(tr("profile.cancel"), type="button", size="3", variant="soft", color_scheme="gray",
                                      min_height=TOUCH_TARGET, on_click=S.cancel),
                            spacing="3", wrap="wrap",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=S.confirm,
                    reset_on_submit=False,
                    width="100%",
                ),
                size="3",
                width="100%",
                id="reset-panel",
                border=f"3px solid {rx.color('amber', 8)}",
            ),
        ),
    )
