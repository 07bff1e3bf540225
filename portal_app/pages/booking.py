"""Booking a visit (/appointments/book) and moving one (?move=<id>): one step per screen.

The month calendar is a table of days: a day with open times is a button named with its full
date ("Monday, December 7, 2026, has open times"), other days are plain text, so it works by
keyboard (Tab / Enter) and reads clearly with a screen reader.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, detail, item, link_button, textarea_field
from portal_app.pages.shell import patient_page
from portal_app.state.booking import ANY, BookingState
from portal_app.state.language import tr

B = BookingState
ZONE_SCRIPT = "Intl.DateTimeFormat().resolvedOptions().timeZone"


def _heading(key: str) -> rx.Component:
    return rx.heading(tr(key), as_="h2", size="5")


def _choice_button(label, on_click, *lines, **props) -> rx.Component:
    return rx.button(
        rx.vstack(rx.text(label, size="4", weight="bold"), *lines, spacing="1", align="start"),
        on_click=on_click, variant="surface", size="3", width="100%", height="auto", min_height=TOUCH_TARGET,
        padding="12px 16px", justify="start", text_align="left", **props)


def _back(stage: str) -> rx.Component:
    return rx.button(rx.icon("arrow-left", aria_hidden="true"), tr("appt.book.back"), on_click=B.back(stage),
                     variant="soft", color_scheme="gray", size="3", min_height=TOUCH_TARGET, width="100%")


def _types() -> rx.Component:
    return card(
        _heading("appt.book.type_heading"),
        rx.cond(B.types.length() > 0,
                bare_list(B.types, lambda t: item(_choice_button(
                    t["name"], B.choose_type(t["id"]),
                    rx.text(t["minutes"], " ", tr("appt.book.minutes"),
                            rx.cond(t["video"] == "yes", rx.text.span(" · ", tr("appt.video_visit"))), size="2"))),
                    tr("appt.book.type_heading")),
                empty_state("calendar-x", tr("appt.book.no_types_title"), tr("appt.book.no_types_text"))),
    )


def _clinicians() -> rx.Component:
    return card(
        _heading("appt.book.clinician_heading"),
        rx.text(B.type_name, size="3", color=rx.color("gray", 11)),
        rx.el.ul(
            item(_choice_button(tr("appt.book.first_available"), B.choose_clinician(ANY),
                                rx.text(tr("appt.book.first_available_text"), size="2"))),
            rx.foreach(B.clinicians, lambda c: item(_choice_button(c["name"], B.choose_clinician(c["id"])))),
            aria_label=tr("appt.book.clinician_heading"), padding="0", margin="0", display="flex",
            flex_direction="column", gap="12px", width="100%"),
        _back("type"),
    )


def _day_cell(cell) -> rx.Component:
    return rx.el.td(
        rx.cond(
            cell["blank"] == "yes",
            rx.fragment(),
            rx.cond(
                cell["open"] == "yes",
                rx.el.button(cell["label"], on_click=B.choose_day(cell["day"]), type="button",
                             aria_label=cell["full"] + ", " + tr("appt.book.has_times"),
                             class_name="appt-day appt-day-open",
                             style={"width": "100%", "min_height": "44px", "border_radius": "10px",
                                    "border": f"2px solid {rx.color('accent', 9)}",
                                    "background": rx.color("accent", 3), "color": rx.color("accent", 12),
                                    "font_weight": "700", "font_size": "17px", "cursor": "pointer"}),
                rx.el.span(cell["label"], aria_label=cell["full"] + ", " + tr("appt.book.no_times"),
                           class_name="appt-day",
                           style={"display": "flex", "align_items": "center", "justify_content": "center",
                                  "min_height": "44px", "color": rx.color("gray", 11), "font_size": "16px"}),
            ),
        ),
        style={"padding": "2px", "text_align": "center", "width": "14.28%"},
    )


def _calendar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon_button(rx.icon("chevron-left", aria_hidden="true"), on_click=B.change_month(-1), variant="soft",
                           size="3", aria_label=tr("appt.book.previous_month")),
            rx.heading(B.month_label, as_="h3", size="4", aria_live="polite"),
            rx.icon_button(rx.icon("chevron-right", aria_hidden="true"), on_click=B.change_month(1), variant="soft",
                           size="3", aria_label=tr("appt.book.next_month")),
            justify="between", align="center", width="100%"),
        rx.el.table(
            rx.el.caption(tr("appt.book.calendar_caption"), style={"text_align": "left", "font_size": "15px",
                                                                   "padding_bottom": "6px"}),
            rx.el.thead(rx.el.tr(rx.foreach(B.weekdays, lambda d: rx.el.th(
                rx.el.abbr(d["short"], title=d["full"]), scope="col",
                style={"font_size": "14px", "font_weight": "600", "padding": "4px 0"})))),
            rx.el.tbody(rx.foreach(B.weeks, lambda week: rx.el.tr(rx.foreach(week, _day_cell)))),
            style={"width": "100%", "border_collapse": "separate", "table_layout": "fixed"},
        ),
        rx.cond(~B.any_open, rx.text(tr("appt.book.month_empty"), size="3")),
        spacing="3", width="100%",
    )


def _days() -> rx.Component:
    return card(
        _heading("appt.book.day_heading"),
        rx.cond(B.moving != "", rx.text(tr("appt.book.moving"), " ", B.moving_label, size="3")),
        rx.text(B.type_name, size="3", color=rx.color("gray", 11)),
        _calendar(),
        rx.cond(B.moving == "", _back("clinician"), link_button("arrow-left", tr("appt.book.keep_time"),
                                                              "/appointments", variant="soft")),
    )


def _times() -> rx.Component:
    return card(
        _heading("appt.book.time_heading"),
        rx.text(B.day_label, size="4", weight="bold"),
        rx.text(B.zone_note, size="2", color=rx.color("gray", 11)),
        rx.cond(B.times.length() > 0,
                rx.el.ul(rx.foreach(B.times, lambda t: item(rx.button(
                    rx.vstack(rx.text(t["label"], size="4", weight="bold"),
                              rx.cond(t["clinic"] != "", rx.text(tr("appt.book.clinic_time"), " ", t["clinic"], size="1")),
                              rx.cond(t["named"] == "yes", rx.text(t["clinician"], size="2")), spacing="0",
                              align="center"),
                    on_click=B.choose_time(t["at"]), variant="surface", size="3", height="auto", width="100%",
                    min_height=TOUCH_TARGET, padding="8px", class_name="appt-time"))),
                    aria_label=tr("appt.book.time_heading"), padding="0", margin="0", width="100%",
                    display="grid", grid_template_columns="repeat(auto-fill, minmax(140px, 1fr))", gap="10px"),
                rx.text(tr("appt.book.day_gone"), size="3")),
        _back("day"),
    )


def _reason() -> rx.Component:
    return card(
        _heading("appt.book.reason_heading"),
        rx.form(
            rx.vstack(
                textarea_field(tr("appt.book.reason_label"), "reason", tr("appt.book.reason_hint"), max_length=300),
                submit_button(tr("appt.book.next"), width="100%"),
                spacing="3", width="100%"),
            on_submit=B.details, reset_on_submit=False, width="100%"),
        _back("time"),
    )


def _review() -> rx.Component:
    return card(
        _heading("appt.book.review_heading"),
        rx.cond(B.moving != "", detail("appt.book.old_time", B.moving_label)),
        detail("appt.book.visit", B.type_name),
        detail("appt.book.when", B.at_label),
        detail("appt.book.with", B.at_clinician),
        detail("appt.list.your_reason", B.reason),
        rx.cond(B.prep_note != "", rx.text(rx.text.strong(tr("appt.list.prepare")), " ", B.prep_note, size="3")),
        rx.cond(B.at_soon,
                rx.callout.root(rx.callout.icon(rx.icon("info", aria_hidden="true")),
                                rx.callout.text(tr("appt.book.soon_rule")), color_scheme="amber", high_contrast=True,
                                size="2", width="100%"),
                rx.text(tr("appt.book.cancel_rule"), size="2", color=rx.color("gray", 11))),
        rx.button(rx.icon("check", aria_hidden="true"),
                  rx.cond(B.moving != "", tr("appt.book.confirm_move"), tr("appt.book.confirm")),
                  on_click=B.confirm, size="3", min_height=TOUCH_TARGET, width="100%", class_name="appt-confirm"),
        _back(rx.cond(B.moving != "", "time", "reason")),
    )


def _done() -> rx.Component:
    return card(
        rx.vstack(rx.icon("circle-check", size=40, color=rx.color("green", 10), aria_hidden="true"),
                  rx.heading(rx.cond(B.moving != "", tr("appt.book.moved_heading"), tr("appt.book.done_heading")),
                             as_="h2", size="5"),
                  rx.text(B.at_label, " · ", B.at_clinician, size="3", text_align="center"),
                  align="center", spacing="3", width="100%", role="status"),
        link_button("list", tr("appt.book.see_list"), "/appointments"),
    )


@patient_page("/appointments/book", on_load=[BookingState.opened, rx.call_script(ZONE_SCRIPT,
                                                                                    callback=BookingState.zone_known)])
def booking_page() -> rx.Component:
    return rx.vstack(
        page_header(rx.cond(B.moving != "", tr("appt.book.move_title"), tr("appt.book.title"))),
        error_message(B.error),
        rx.cond(B.loaded,
                rx.match(B.stage, ("clinician", _clinicians()), ("day", _days()), ("time", _times()),
                         ("reason", _reason()), ("review", _review()), ("done", _done()), _types()),
                loading_block(tr("status.loading"))),
        spacing="4", width="100%",
    )
