"""The clinician's results queue (/console/results): what came in and is not reviewed, and what is held."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.health_parts import category_word
from portal_app.pages.medication_parts import bare_list, item, success
from portal_app.pages.shell import staff_page
from portal_app.state.language import tr
from portal_app.state.results_console import ResultsConsoleState

S = ResultsConsoleState


def _hidden(name: str, value) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)


def _hold_form(row) -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.text(tr("rec.console.hold"), size="3", weight="medium"), min_height=TOUCH_TARGET,
                      display="flex", align_items="center", cursor="pointer"),
        rx.form(
            rx.vstack(
                _hidden("patient", row["patient_id"]), _hidden("kind", row["kind"]), _hidden("target", row["target"]),
                rx.vstack(
                    rx.el.label(rx.text(tr("rec.console.reason"), size="3", weight="medium"),
                                html_for="reason-" + row["kind"] + row["target"]),
                    rx.text_area(id="reason-" + row["kind"] + row["target"], name="reason", max_length=300, size="3",
                                 width="100%", rows="2"),
                    spacing="1", width="100%"),
                rx.vstack(
                    rx.el.label(rx.text(tr("rec.console.days"), size="3", weight="medium"),
                                html_for="days-" + row["kind"] + row["target"]),
                    rx.input(id="days-" + row["kind"] + row["target"], name="days", type="number", min="1", max="30",
                             default_value="3", size="3", min_height=TOUCH_TARGET, width="8em",
                             aria_describedby="days-hint-" + row["kind"] + row["target"]),
                    rx.text(tr("rec.console.days_hint"), id="days-hint-" + row["kind"] + row["target"], size="2",
                            color=rx.color("gray", 11)),
                    spacing="1", width="100%"),
                submit_button(tr("rec.console.hold_button"), color_scheme="amber"),
                spacing="3", width="100%"),
            on_submit=S.hold, reset_on_submit=False, width="100%"),
        width="100%")


def _row(row) -> rx.Component:
    return item(card(
        rx.hstack(rx.heading(row["name"], as_="h3", size="4"),
                  rx.cond(row["hold"] != "", status_badge(tr("rec.console.held_until") + " " + row["until"], "warning")),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(row["patient"], size="3", weight="medium"),
        rx.text(category_word(row["category"]), " · ", row["when"], size="3", color=rx.color("gray", 11)),
        rx.cond(row["reason"] != "", rx.text(rx.text.span(tr("rec.console.reason"), ": ", weight="medium"), row["reason"],
                                             size="3")),
        rx.hstack(
            rx.button(tr("rec.console.mark_reviewed"), on_click=S.reviewed(row["patient_id"], row["kind"], row["target"]),
                      size="3", min_height=TOUCH_TARGET),
            rx.cond(row["hold"] != "",
                    rx.button(tr("rec.console.release"), on_click=S.release(row["patient_id"], row["hold"]), size="3",
                              variant="soft", min_height=TOUCH_TARGET)),
            spacing="3", wrap="wrap"),
        rx.cond(row["hold"] == "", _hold_form(row)),
    ))


@staff_page("/console/results", on_load=[ResultsConsoleState.opened])
def results_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("rec.console.title"), tr("rec.console.subtitle")),
        error_message(S.error),
        success(S.notice),
        rx.cond(
            S.loaded,
            rx.cond(S.rows.length() > 0, bare_list(S.rows, _row, tr("rec.console.title")),
                    card(empty_state("circle-check", tr("rec.console.empty_title"), tr("rec.console.empty_text")))),
            loading_block(tr("status.loading")),
        ),
        spacing="4", width="100%")
