"""What a staff page shows instead of a restricted chart: a reason, then an hour of access."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message
from portal_app.components.forms import primary_button
from portal_app.state.break_glass import BreakGlassState
from portal_app.state.language import tr


def break_glass_prompt(patient_id: rx.Var | str) -> rx.Component:
    return card(
        rx.hstack(
            rx.icon("shield-alert", size=28, aria_hidden="true", color=rx.color("red", 11)),
            rx.heading(tr("break_glass.title"), as_="h2", size="5"),
            align="center",
            spacing="3",
        ),
        rx.text(tr("break_glass.text"), size="3"),
        rx.form(
            rx.el.input(type="hidden", name="patient_id", value=patient_id),
            rx.vstack(
                rx.el.label(rx.text(tr("break_glass.reason_label"), size="3", weight="medium"),
                            html_for="field-break-glass-reason"),
                rx.text_area(id="field-break-glass-reason", name="reason", required=True, min_length=10,
                             max_length=500, rows="3", size="3", width="100%"),
                error_message(BreakGlassState.error),
                primary_button(tr("break_glass.open"), type="submit", color_scheme="red"),
                spacing="2",
                width="100%",
            ),
            on_submit=BreakGlassState.start,
            width="100%",
        ),
        id="break-glass",
    )
