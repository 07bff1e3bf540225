"""The "whose record" menu and banner, for accounts that may see more than their own record."""

from __future__ import annotations

import reflex as rx

from portal_app.components.theme import TOUCH_TARGET
from portal_app.state.language import LanguageState, tr
from portal_app.state.patient_context import PatientContextState


def record_switcher() -> rx.Component:
    """A plain select (the most familiar control on every phone), shown only with two or more records."""
    return rx.cond(
        PatientContextState.choices.length() > 1,
        rx.hstack(
            rx.el.label(tr("context.label"), html_for="record-switcher", font_weight="500"),
            rx.el.select(
                rx.foreach(
                    PatientContextState.choices,
                    lambda choice: rx.el.option(
                        rx.cond(choice["self"] == "yes",
                                LanguageState.strings["context.you"].to(str).replace("{name}", choice["name"]),
                                choice["name"]),
                        value=choice["id"],
                    ),
                ),
                id="record-switcher",
                value=PatientContextState.current_id,
                on_change=PatientContextState.choose,
                class_name="portal-select",
                min_height=TOUCH_TARGET,
                flex="1",
            ),
            align="center",
            spacing="3",
            width="100%",
            padding_bottom="12px",
        ),
    )


def viewing_banner() -> rx.Component:
    """Says plainly, on every page, that this is someone else's record."""
    return rx.cond(
        PatientContextState.viewing_other,
        rx.callout.root(
            rx.callout.icon(rx.icon("users", aria_hidden="true")),
            rx.callout.text(
                LanguageState.strings["context.viewing"].to(str).replace("{name}", PatientContextState.current_name)
            ),
            color_scheme="blue",
            size="2",
            width="100%",
            role="note",
            margin_bottom="12px",
        ),
    )
