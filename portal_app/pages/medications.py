"""The medicine list (/medications): what the patient takes now and why, and what they took before."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import primary_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, detail, item, link_button, step_badge, success, textarea_field
from portal_app.pages.shell import patient_page
from portal_app.state.language import tr
from portal_app.state.medications import MedicationsState, MedsHomeState

S = MedicationsState


def _refill_line(row) -> rx.Component:
    """Refills left, and what asking for more would be."""
    return rx.match(
        row["option"],
        ("already_requested", rx.hstack(rx.text(tr("medications.asked"), size="3"), step_badge(row["step"]),
                                        rx.link(tr("medications.track"), href="/medications/refills", size="3"),
                                        spacing="2", align="center", wrap="wrap")),
        ("needs_visit", rx.vstack(
            rx.text(tr("medications.needs_visit"), size="3"),
            link_button("calendar-plus", tr("medications.book_visit"), "/appointments/book", variant="soft"),
            spacing="2", width="100%")),
        ("renewal", rx.vstack(
            rx.text(tr("medications.no_refills"), size="3"),
            link_button("file-plus", tr("medications.ask_renewal"), "/medications/refill?med=" + row["id"], variant="soft"),
            spacing="2", width="100%")),
        link_button("pill", tr("medications.ask_refill"), "/medications/refill?med=" + row["id"]),
    )


def _auto_refill(row) -> rx.Component:
    return rx.cond(
        (row["eligible"] == "yes") & (row["option"] != "not_current"),
        rx.el.label(
            rx.hstack(
                rx.switch(checked=row["auto"] == "yes", on_change=lambda on: S.switch_auto_refill(row["id"], on),
                          size="3", aria_describedby="auto-refill-hint-" + row["id"]),
                rx.vstack(rx.text(tr("medications.auto_refill"), size="3", weight="medium"),
                          rx.text(tr("medications.auto_refill_hint"), id="auto-refill-hint-" + row["id"], size="2",
                                  color=rx.color("gray", 11)),
                          spacing="0"),
                spacing="3", align="center",
            ),
            min_height=TOUCH_TARGET, display="flex", align_items="center",
        ),
    )


def _current(row) -> rx.Component:
    return item(card(
        rx.hstack(rx.heading(row["name"], as_="h3", size="4"),
                  rx.cond(row["controlled"] == "yes", status_badge(tr("medications.controlled"), "warning")),
                  spacing="2", align="center", wrap="wrap"),
        detail("medications.for", row["reason"]),
        rx.cond(row["instructions"] != "", rx.text(row["instructions"], size="4")),
        detail("medications.dose", row["dose"]),
        detail("medications.last_filled", row["last_filled"]),
        detail("medications.runs_out", row["runs_out"]),
        detail("medications.refills_left", row["refills"]),
        rx.el.details(
            rx.el.summary(rx.text(tr("medications.more"), size="3", weight="medium"), min_height=TOUCH_TARGET,
                          display="flex", align_items="center", cursor="pointer"),
            rx.vstack(
                detail("medications.strength", row["strength"]),
                detail("medications.prescriber", row["prescriber"]),
                detail("medications.started", row["started"]),
                detail("medications.pharmacy", row["pharmacy"]),
                spacing="1"),
        ),
        _refill_line(row),
        _auto_refill(row),
        rx.cond(
            row["reported"] == "yes",
            status_badge(tr("medications.report_waiting"), "info"),
            rx.button(tr("medications.stopped_button"), on_click=S.report_stopped(row["id"]), variant="ghost",
                      size="3", min_height=TOUCH_TARGET, color_scheme="gray"),
        ),
    ))


def _past(row) -> rx.Component:
    return item(rx.card(rx.vstack(
        rx.text(row["name"], size="3", weight="bold"),
        detail("medications.for", row["reason"]),
        detail("medications.ended", row["ended"]),
        spacing="1"), size="2", width="100%"))


def _waiting(row) -> rx.Component:
    return item(rx.text(rx.match(row["kind"], ("stopped", tr("medications.waiting_stopped")),
                                 tr("medications.waiting_not_listed")), ": ", rx.text.strong(row["medicine"]),
                        " (", row["when"], ")", size="3"))


def _not_listed() -> rx.Component:
    return card(
        rx.heading(tr("medications.not_listed_heading"), as_="h2", size="5"),
        rx.text(tr("medications.not_listed_text"), size="3", color=rx.color("gray", 11)),
        rx.form(
            rx.vstack(
                text_field(tr("medications.not_listed_name"), "medicine", max_length=200),
                textarea_field(tr("medications.not_listed_note"), "note", tr("medications.optional")),
                primary_button(tr("medications.not_listed_send"), type="submit"),
                spacing="3", width="100%"),
            on_submit=S.report_not_listed, reset_on_submit=False, key=S.form_key, width="100%"),
    )


@patient_page("/medications", on_load=[MedicationsState.opened])
def medications_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("medications.title"), tr("medications.subtitle")),
        rx.grid(
            link_button("pill", tr("medications.ask_refill_any"), "/medications/refill"),
            link_button("route", tr("medications.track"), "/medications/refills", variant="soft"),
            link_button("store", tr("pharmacies.title"), "/medications/pharmacies", variant="soft"),
            link_button("alarm-clock", tr("reminders.title"), "/medications/reminders", variant="soft"),
            columns={"initial": "1", "sm": "2"}, spacing="3", width="100%"),
        error_message(S.error),
        success(S.notice),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.heading(tr("medications.current"), as_="h2", size="5"),
                rx.cond(S.current.length() > 0, bare_list(S.current, _current, tr("medications.current")),
                        card(empty_state("pill", tr("medications.none_title"), tr("medications.none_text")))),
                rx.cond(S.waiting.length() > 0, card(
                    rx.heading(tr("medications.waiting_heading"), as_="h2", size="5"),
                    rx.text(tr("medications.waiting_text"), size="3", color=rx.color("gray", 11)),
                    bare_list(S.waiting, _waiting, tr("medications.waiting_heading")))),
                _not_listed(),
                rx.cond(S.past.length() > 0, rx.vstack(
                    rx.heading(tr("medications.past"), as_="h2", size="5"),
                    bare_list(S.past, _past, tr("medications.past")), spacing="3", width="100%")),
                spacing="4", width="100%"),
            loading_block(tr("status.loading")),
        ),
        spacing="4",
        width="100%",
    )


def _step_line(row) -> rx.Component:
    return item(rx.hstack(rx.text(row["medicine"], size="3", weight="medium"), step_badge(row["step"]),
                          spacing="2", align="center", wrap="wrap"))


def _dose_line(row) -> rx.Component:
    return item(rx.hstack(
        rx.text(row["time"], size="3", weight="bold", min_width="5.5em"),
        rx.text(row["medicine"], rx.cond(row["dose"] != "", rx.text.span(" · ", row["dose"])), size="3"),
        rx.cond(row["past"] == "yes", status_badge(tr("medications.due_past"), "neutral")),
        spacing="2", align="center", wrap="wrap"))


def medicines_card() -> rx.Component:
    """Home page: refills on their way (with their step) and today's doses."""
    H = MedsHomeState
    return card(
        rx.hstack(rx.icon("pill", size=26, aria_hidden="true", color=rx.color("accent", 11)),
                  rx.heading(tr("medications.title"), as_="h2", size="5"), spacing="3", align="center"),
        rx.cond(H.steps.length() > 0, rx.vstack(
            rx.text(tr("medications.home_refills"), size="3", weight="medium"),
            bare_list(H.steps, _step_line, tr("medications.home_refills")),
            rx.link(tr("medications.track"), href="/medications/refills", size="3"),
            spacing="2", width="100%")),
        rx.vstack(
            rx.text(tr("medications.due_today"), size="3", weight="medium"),
            rx.cond(H.doses.length() > 0, bare_list(H.doses, _dose_line, tr("medications.due_today")),
                    rx.text(tr("medications.due_none"), size="3", color=rx.color("gray", 11))),
            spacing="2", width="100%"),
        link_button("chevron-right", tr("medications.open_list"), "/medications", variant="soft"),
    )
