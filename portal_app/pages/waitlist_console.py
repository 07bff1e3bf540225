"""The front desk's wait list (/console/waitlist): who wants an earlier visit, by visit type, in
the order they asked; linked from the day's schedule."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.page import page_header
from portal_app.pages.medication_parts import bare_list, item, link_button
from portal_app.pages.shell import staff_page
from portal_app.state.language import tr
from portal_app.state.waitlist import WaitlistDeskState

D = WaitlistDeskState


def _row(row) -> rx.Component:
    return item(card(
        rx.hstack(rx.text(rx.text.strong(row["patient"]), " · ", tr("appt.desk.mrn"), " ", row["mrn"], size="3"),
                  rx.spacer(), rx.cond(row["offered"] == "yes", status_badge(tr("waitlist.desk.offered"), "info")),
                  width="100%", align="start", wrap="wrap"),
        rx.text(rx.text.strong(row["type"]), " · ", row["clinician"], " · ", row["who"], size="3"),
        rx.text(tr("waitlist.desk.current"), " ", row["current"], size="3"),
        rx.cond(row["not_before"] != "", rx.text(tr("waitlist.desk.not_before"), " ", row["not_before"], size="3")),
        rx.text(tr("waitlist.desk.asked"), " ", row["asked"], size="2", color=rx.color("gray", 11)),
    ), class_name="desk-waitlist")


@staff_page("/console/waitlist", on_load=[WaitlistDeskState.opened], section="/console/schedule")
def waitlist_console_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("waitlist.desk.title"), tr("waitlist.desk.subtitle")),
        link_button("calendar-days", tr("waitlist.desk.to_schedule"), "/console/schedule", variant="soft"),
        error_message(D.error),
        rx.cond(D.loaded, rx.cond(D.rows.length() > 0, bare_list(D.rows, _row, tr("waitlist.desk.title")),
                                  card(empty_state("hourglass", tr("waitlist.desk.none_title"),
                                                   tr("waitlist.desk.none_text")))),
                rx.cond(D.error == "", loading_block(tr("status.loading")))),
        spacing="4", width="100%",
    )
