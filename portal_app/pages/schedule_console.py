"""The clinic's day (/console/schedule): visits by time with check-in, missed and cancel, and
booking a visit for a patient by MRN."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block
from portal_app.components.forms import submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.appointments import status
from portal_app.pages.medication_parts import bare_list, item, link_button, success
from portal_app.pages.shell import staff_page
from portal_app.state.language import tr
from portal_app.state.schedule_console import ScheduleConsoleState

S = ScheduleConsoleState


def _action(label_key: str, on_click, **props) -> rx.Component:
    return rx.button(tr(label_key), on_click=on_click, size="3", variant="soft", min_height=TOUCH_TARGET, **props)


def _visit(row) -> rx.Component:
    return item(card(
        rx.hstack(rx.text(row["time"], size="4", weight="bold"), rx.spacer(), status(row["status"]), width="100%",
                  align="start"),
        rx.cond(row["patient"] != "", rx.text(rx.text.strong(row["patient"]), " · ", tr("appt.desk.mrn"), " ",
                                              row["mrn"], size="3"),
                rx.text(tr("appt.desk.restricted"), size="3")),
        rx.text(row["type"], " · ", row["clinician"], " · ",
                rx.cond(row["video"] == "yes", tr("appt.video_visit"), row["location"]), size="3"),
        rx.cond(row["reason"] != "", rx.text(tr("appt.list.your_reason"), ": ", row["reason"], size="2",
                                             color=rx.color("gray", 11))),
        rx.cond(row["previsit"] == "yes", rx.text(rx.text.strong(tr("appt.desk.checked_in_online")),
                                                  rx.cond(row["ask"] != "", rx.text.span(" · ", tr("appt.desk.ask"),
                                                                                         " ", row["ask"])), size="3")),
        rx.cond(S.can_act & (row["patient_id"] != ""), rx.hstack(
            rx.cond(row["status"] == "booked", rx.fragment(
                _action("appt.desk.arrived", S.mark(row["id"], "arrived")),
                _action("appt.desk.no_show", S.mark(row["id"], "no_show"), color_scheme="amber"),
                _action("appt.desk.cancel", S.cancel(row["id"]), color_scheme="red"))),
            rx.cond(row["status"] == "arrived", _action("appt.desk.completed", S.mark(row["id"], "completed"))),
            spacing="2", wrap="wrap")),
    ), class_name="desk-visit")


def _book_for_patient() -> rx.Component:
    return card(
        rx.heading(tr("appt.desk.book_heading"), as_="h2", size="5"),
        rx.form(rx.vstack(text_field(tr("appt.desk.mrn_label"), "mrn"),
                          submit_button(tr("appt.desk.find"), width="100%"), spacing="3", width="100%"),
                on_submit=S.find_patient, reset_on_submit=False, width="100%"),
        rx.cond(S.patient_name != "", rx.vstack(
            rx.text(tr("appt.desk.booking_for"), " ", rx.text.strong(S.patient_name), " · ", S.day_label, size="3"),
            rx.form(rx.vstack(
                rx.el.label(rx.text(tr("appt.book.visit"), size="3", weight="medium"), html_for="field-type"),
                rx.el.select(rx.foreach(S.types, lambda t: rx.el.option(t["name"], value=t["id"])), id="field-type",
                             name="type", style={"min_height": "44px", "font_size": "16px", "width": "100%"}),
                rx.el.label(rx.text(tr("appt.book.with"), size="3", weight="medium"), html_for="field-clinician"),
                rx.el.select(rx.foreach(S.clinicians, lambda c: rx.el.option(c["name"], value=c["id"])),
                             id="field-clinician", name="clinician",
                             style={"min_height": "44px", "font_size": "16px", "width": "100%"}),
                submit_button(tr("appt.desk.show_times"), width="100%"), spacing="2", width="100%"),
                on_submit=S.show_times, reset_on_submit=False, width="100%"),
            rx.cond(S.times.length() > 0, rx.el.ul(
                rx.foreach(S.times, lambda t: item(rx.button(t["label"], on_click=S.book(t["at"]), variant="surface",
                                                             size="3", width="100%", min_height=TOUCH_TARGET,
                                                             class_name="desk-time"))),
                aria_label=tr("appt.book.time_heading"), padding="0", margin="0", width="100%", display="grid",
                grid_template_columns="repeat(auto-fill, minmax(120px, 1fr))", gap="8px")),
            spacing="3", width="100%")),
    )


@staff_page("/console/schedule", on_load=[ScheduleConsoleState.opened])
def schedule_console_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("appt.desk.title"), S.day_label),
        rx.hstack(
            rx.button(rx.icon("chevron-left", aria_hidden="true"), tr("appt.desk.previous_day"),
                      on_click=S.change_day(-1), variant="soft", size="3", min_height=TOUCH_TARGET),
            rx.button(tr("appt.desk.next_day"), rx.icon("chevron-right", aria_hidden="true"),
                      on_click=S.change_day(1), variant="soft", size="3", min_height=TOUCH_TARGET),
            spacing="2", justify="between", width="100%"),
        rx.cond(S.can_act, link_button("hourglass", tr("waitlist.desk.title"), "/console/waitlist", variant="soft")),
        error_message(S.error),
        success(S.notice),
        rx.cond(S.loaded, rx.cond(S.rows.length() > 0, bare_list(S.rows, _visit, tr("appt.desk.title")),
                                  card(empty_state("calendar-days", tr("appt.desk.none_title"),
                                                   tr("appt.desk.none_text")))),
                loading_block(tr("status.loading"))),
        rx.cond(S.can_act, _book_for_patient()),
        spacing="4", width="100%",
    )
