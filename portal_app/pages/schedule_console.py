"""The clinic's schedule (/console/schedule): a day or a week of visits, narrowed to a location or a
clinician, with check-in, missed, cancel and move, and booking a visit for a patient by MRN. The
week is a list of days (each day's visits in a grid that wraps), so it reads on a phone too."""

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
SELECT_STYLE = {"min_height": "44px", "font_size": "16px", "width": "100%"}


def _action(label_key: str, on_click, **props) -> rx.Component:
    props.setdefault("size", "3")
    return rx.button(tr(label_key), on_click=on_click, variant="soft", min_height=TOUCH_TARGET, **props)


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
                _action("console_week.move", S.start_move(row["id"])),
                _action("appt.desk.cancel", S.cancel(row["id"]), color_scheme="red"))),
            rx.cond(row["status"] == "arrived", _action("appt.desk.completed", S.mark(row["id"], "completed"))),
            spacing="2", wrap="wrap")),
    ), class_name="desk-visit")


def _week_visit(row) -> rx.Component:
    return item(rx.vstack(
        rx.hstack(rx.text(row["time"], size="3", weight="bold"), rx.spacer(), status(row["status"]), width="100%",
                  align="start", wrap="wrap"),
        rx.cond(row["patient"] != "", rx.text(rx.text.strong(row["patient"]), size="3"),
                rx.text(tr("appt.desk.restricted"), size="3")),
        rx.text(row["type"], " · ", row["clinician"], rx.cond(row["video"] == "yes", "", " · " + row["location"]),
                size="2"),
        rx.cond(row["reason"] != "", rx.text(tr("appt.list.your_reason"), ": ", row["reason"], size="2",
                                             color=rx.color("gray", 11))),
        rx.cond(S.can_act & (row["patient_id"] != "") & (row["status"] == "booked"),
                _action("console_week.move", S.start_move(row["id"]), size="2")),
        spacing="1", padding="10px", border=f"1px solid {rx.color('gray', 6)}", border_radius="8px", height="100%",
    ), class_name="desk-week-visit")


def _week_day(day) -> rx.Component:
    return rx.el.section(
        rx.heading(day.label, as_="h2", size="4", margin_bottom="8px"),
        rx.cond(day.rows.length() > 0,
                rx.el.ul(rx.foreach(day.rows, _week_visit), aria_label=day.label, padding="0", margin="0",
                         display="grid", grid_template_columns="repeat(auto-fill, minmax(210px, 1fr))", gap="8px"),
                rx.text(tr("console_week.no_visits"), size="3", color=rx.color("gray", 11))),
        class_name="desk-week-day", width="100%",
    )


def _choice(label_key: str, name: str, options, all_key: str, value) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        rx.el.select(rx.el.option(tr(all_key), value=""),
                     rx.foreach(options, lambda o: rx.el.option(o["name"], value=o["id"])),
                     id=field_id, name=name, default_value=value, style=SELECT_STYLE),
        spacing="1", width="100%",
    )


def _view_button(view: str) -> rx.Component:
    return rx.button(tr(f"console_week.view_{view}"), on_click=S.show_view(view), size="3", min_height=TOUCH_TARGET,
                     variant=rx.cond(S.view == view, "solid", "soft"), aria_pressed=rx.cond(S.view == view, "true",
                                                                                            "false"))


def _controls() -> rx.Component:
    return card(
        rx.hstack(rx.text(tr("console_week.view"), size="3", weight="medium"), _view_button("day"),
                  _view_button("week"), role="group", aria_label=tr("console_week.view"), spacing="2", align="center"),
        rx.form(rx.flex(
            _choice("console_week.location", "location", S.locations, "console_week.all_locations", S.location_id),
            _choice("console_week.clinician", "clinician", S.people, "console_week.all_clinicians", S.clinician_id),
            submit_button(tr("console_week.apply"), flex_shrink="0"),
            direction=rx.breakpoints(initial="column", sm="row"), gap="12px", align=rx.breakpoints(
                initial="stretch", sm="end"), width="100%"),
            on_submit=S.narrow, reset_on_submit=False, width="100%"),
    )


def _steps() -> rx.Component:
    def step(key: str, icon: str, amount: int, icon_first: bool) -> rx.Component:
        mark = rx.icon(icon, aria_hidden="true")
        label = tr(key)
        return rx.button(*((mark, label) if icon_first else (label, mark)), on_click=S.change_day(amount),
                         variant="soft", size="3", min_height=TOUCH_TARGET)

    return rx.cond(
        S.view == "week",
        rx.hstack(step("console_week.previous_week", "chevron-left", -1, True),
                  step("console_week.next_week", "chevron-right", 1, False), spacing="2", justify="between",
                  width="100%"),
        rx.hstack(step("appt.desk.previous_day", "chevron-left", -1, True),
                  step("appt.desk.next_day", "chevron-right", 1, False), spacing="2", justify="between",
                  width="100%"),
    )


def _move_panel() -> rx.Component:
    return rx.cond(S.move_id != "", card(
        rx.heading(tr("console_week.move_heading"), as_="h2", size="5", id="move-heading", tab_index=-1),
        rx.text(tr("console_week.moving"), ": ", rx.text.strong(S.move_summary), size="3"),
        rx.form(rx.flex(
            rx.vstack(rx.el.label(rx.text(tr("console_week.new_day"), size="3", weight="medium"),
                                  html_for="field-move_day"),
                      rx.el.input(type="date", id="field-move_day", name="move_day", default_value=S.move_day,
                                  style=SELECT_STYLE), spacing="1", width="100%"),
            _choice("console_week.with", "move_with", S.people, "console_week.anyone", S.move_with),
            submit_button(tr("console_week.show_times"), flex_shrink="0"),
            direction=rx.breakpoints(initial="column", sm="row"), gap="12px",
            align=rx.breakpoints(initial="stretch", sm="end"), width="100%"),
            key=S.move_id, on_submit=S.show_move_times, reset_on_submit=False, width="100%"),
        error_message(S.move_error),
        rx.cond(S.move_times.length() > 0, rx.el.ul(
            rx.foreach(S.move_times, lambda t: item(rx.button(
                rx.vstack(rx.text(t["label"], size="3", weight="bold"),
                          rx.cond(S.move_with == "", rx.text(t["clinician"], size="1")), spacing="0", align="center"),
                on_click=S.move_to(t["at"]), variant="surface", size="3", width="100%", height="auto",
                min_height=TOUCH_TARGET, padding_y="6px", class_name="desk-move-time"))),
            aria_label=tr("console_week.times"), padding="0", margin="0", width="100%", display="grid",
            grid_template_columns="repeat(auto-fill, minmax(140px, 1fr))", gap="8px")),
        rx.box(_action("console_week.keep", S.keep_time, color_scheme="gray")),
        id="move-panel",
    ))


def _book_for_patient() -> rx.Component:
    return card(
        rx.heading(tr("appt.desk.book_heading"), as_="h2", size="5"),
        rx.form(rx.vstack(text_field(tr("appt.desk.mrn_label"), "mrn"),
                          submit_button(tr("appt.desk.find"), width="100%"), spacing="3", width="100%"),
                on_submit=S.find_patient, reset_on_submit=False, width="100%"),
        rx.cond(S.patient_name != "", rx.vstack(
            rx.text(tr("appt.desk.booking_for"), " ", rx.text.strong(S.patient_name), " · ", S.book_day, size="3"),
            rx.form(rx.vstack(
                rx.el.label(rx.text(tr("appt.book.visit"), size="3", weight="medium"), html_for="field-type"),
                rx.el.select(rx.foreach(S.types, lambda t: rx.el.option(t["name"], value=t["id"])), id="field-type",
                             name="type", style=SELECT_STYLE),
                rx.el.label(rx.text(tr("appt.book.with"), size="3", weight="medium"), html_for="field-clinician"),
                rx.el.select(rx.foreach(S.clinicians, lambda c: rx.el.option(c["name"], value=c["id"])),
                             id="field-clinician", name="clinician", style=SELECT_STYLE),
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
        _controls(),
        rx.cond(S.can_act, link_button("hourglass", tr("waitlist.desk.title"), "/console/waitlist", variant="soft")),
        _steps(),
        error_message(S.error),
        success(S.notice),
        _move_panel(),
        rx.cond(S.loaded, rx.cond(
            S.view == "week",
            rx.vstack(rx.foreach(S.week, _week_day), spacing="5", width="100%"),
            rx.cond(S.rows.length() > 0, bare_list(S.rows, _visit, tr("appt.desk.title")),
                    card(empty_state("calendar-days", tr("appt.desk.none_title"), tr("appt.desk.none_text"))))),
                loading_block(tr("status.loading"))),
        rx.cond(S.can_act, _book_for_patient()),
        spacing="4", width="100%",
    )
