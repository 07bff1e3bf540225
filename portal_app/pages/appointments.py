"""My appointments (/appointments): upcoming visits with where, when, how to prepare, and the
actions (add to calendar, change the time, cancel); past visits below. Also the home page card."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.config import settings
from portal_app.services.appointment_reminders import LEAD_CHOICES
from portal_app.pages.medication_parts import bare_list, item, link_button, success, textarea_field
from portal_app.pages.shell import patient_page
from portal_app.pages.waitlist import waitlist_messages, waitlist_part
from portal_app.state.appointments import AppointmentsState, NextVisitState
from portal_app.state.language import tr
from portal_app.state.patient_context import PatientContextState
from portal_app.state.waitlist import WaitlistState

A = AppointmentsState
STATUS_TONES = (("booked", "info"), ("arrived", "good"), ("completed", "neutral"), ("no_show", "warning"),
                ("cancelled", "danger"))


def status(value) -> rx.Component:
    return rx.match(value, *[(name, status_badge(tr(f"appt.status.{name}"), tone)) for name, tone in STATUS_TONES],
                    status_badge(value, "neutral"))


def _line(icon: str, *children, **props) -> rx.Component:
    return rx.hstack(rx.icon(icon, size=20, aria_hidden="true", color=rx.color("gray", 11), flex_shrink="0"),
                     rx.text(*children, size="3", **props), spacing="2", align="start")


def _where(row) -> rx.Component:
    return rx.cond(
        row["video"] == "yes",
        _line("video", tr("appt.video_visit")),
        rx.vstack(
            _line("map-pin", rx.text.strong(row["location"]), rx.cond(row["address"] != "",
                                                                    rx.text.span(", ", row["address"]))),
            rx.cond(row["directions"] != "", rx.text(row["directions"], size="2", color=rx.color("gray", 11),
                                                      padding_left="28px")),
            rx.cond(row["map"] != "", rx.link(tr("appt.list.map"), href=row["map"], is_external=True, size="3",
                                              padding_left="28px")),
            spacing="1", width="100%"),
    )


def _when(row, level: str = "h2") -> rx.Component:
    return rx.vstack(rx.heading(row["day"], as_=level, size="4"), rx.text(row["time"], size="4", weight="medium"),
                     spacing="0")


def _cancel_form(row) -> rx.Component:
    return rx.form(
        rx.vstack(
            textarea_field(tr("appt.list.cancel_reason"), "reason", tr("appt.list.cancel_hint"), max_length=300),
            submit_button(tr("appt.list.cancel_yes"), color_scheme="red", width="100%"),
            rx.button(tr("appt.list.keep"), type="button", on_click=A.ask_cancel(""), variant="soft",
                      color_scheme="gray", size="3", min_height=TOUCH_TARGET, width="100%"),
            spacing="3", width="100%"),
        on_submit=A.cancel, reset_on_submit=True, width="100%")


def _radio_group(legend_key: str, name: str, options: list[tuple[str, str]]) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text(tr(legend_key), size="3", weight="medium")),
        rx.vstack(*[rx.el.label(rx.hstack(rx.el.input(type="radio", name=name, value=value, required=True,
                                                      style={"width": "22px", "height": "22px"}),
                                          rx.text(tr(key), size="3"), spacing="2", align="center"),
                                style={"min_height": "44px", "display": "flex", "align_items": "center"})
                    for value, key in options], spacing="0"),
        style={"border": "none", "padding": "0", "margin": "0"})


def _check_in_form(row) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(tr("appt.checkin.heading"), as_="h3", size="4"),
            rx.text(tr("appt.checkin.on_file"), size="3"),
            rx.text(rx.cond(A.contact["email"] != "", A.contact["email"], tr("appt.checkin.no_email")), size="3",
                    weight="bold"),
            rx.text(rx.cond(A.contact["phone"] != "", A.contact["phone"], tr("appt.checkin.no_phone")), size="3",
                    weight="bold"),
            _radio_group("appt.checkin.contact_question", "contact",
                         [("yes", "appt.checkin.contact_yes"), ("no", "appt.checkin.contact_no")]),
            _radio_group("appt.checkin.insurance_question", "insurance",
                         [("same", "appt.checkin.insurance_same"), ("changed", "appt.checkin.insurance_changed"),
                          ("none", "appt.checkin.insurance_none")]),
            submit_button(tr("appt.checkin.submit"), width="100%"),
            rx.button(tr("appt.checkin.later"), type="button", on_click=A.start_check_in(""), variant="soft",
                      color_scheme="gray", size="3", min_height=TOUCH_TARGET, width="100%"),
            spacing="3", width="100%"),
        on_submit=A.check_in, reset_on_submit=False, width="100%")


def _check_in(row) -> rx.Component:
    return rx.match(
        row["checkin"],
        ("done", rx.callout.root(rx.callout.icon(rx.icon("circle-check", aria_hidden="true")),
                                 rx.callout.text(tr("appt.checkin.checked_in")), color_scheme="green", size="2",
                                 high_contrast=True,
                                 width="100%")),
        ("open", rx.cond(A.checking_in == row["id"], _check_in_form(row),
                         rx.button(rx.icon("clipboard-check", aria_hidden="true"), tr("appt.checkin.start"),
                                   on_click=A.start_check_in(row["id"]), size="3", min_height=TOUCH_TARGET,
                                   width="100%"))),
        rx.fragment(),
    )


def _actions(row) -> rx.Component:
    calendar = "/calendar/" + row["id"] + ".ics?patient=" + PatientContextState.current_id
    return rx.vstack(
        # a plain link styled as a button (not the router's link), so the browser downloads from the HTTP route
        rx.button(rx.el.a(rx.icon("calendar-plus", aria_hidden="true"), tr("appt.list.add_calendar"), href=calendar,
                          download="appointment-" + row["id"] + ".ics", class_name="appt-ics"),
                  as_child=True, size="3", variant="soft", min_height=TOUCH_TARGET, width="100%"),
        rx.cond(
            row["changeable"] == "yes",
            rx.cond(
                A.cancelling == row["id"],
                _cancel_form(row),
                rx.hstack(
                    rx.link(rx.button(rx.icon("calendar-clock", aria_hidden="true"), tr("appt.list.change"), size="3",
                                      variant="soft", min_height=TOUCH_TARGET, width="100%"),
                            href="/appointments/book?move=" + row["id"], flex="1"),
                    rx.button(rx.icon("calendar-x", aria_hidden="true"), tr("appt.list.cancel"),
                              on_click=A.ask_cancel(row["id"]), variant="soft", color_scheme="red", size="3",
                              min_height=TOUCH_TARGET, flex="1"),
                    spacing="2", width="100%", wrap="wrap"),
            ),
            rx.vstack(
                rx.text(tr("appt.list.call_to_change"), size="3"),
                rx.link(rx.button(rx.icon("phone", aria_hidden="true"), settings.clinic_phone, size="3", variant="soft",
                                  min_height=TOUCH_TARGET), href=f"tel:{settings.clinic_phone}"),
                spacing="2"),
        ),
        spacing="2", width="100%")


def _upcoming(row) -> rx.Component:
    return item(card(
        rx.hstack(_when(row), rx.spacer(), status(row["status"]), align="start", width="100%"),
        _line("stethoscope", row["type"], " · ", row["clinician"]),
        _where(row),
        rx.cond(row["prep"] != "", rx.callout.root(
            rx.callout.icon(rx.icon("clipboard-check", aria_hidden="true")),
            rx.callout.text(rx.text.strong(tr("appt.list.prepare")), " ", row["prep"]), size="2", width="100%")),
        rx.cond(row["reason"] != "", _line("message-square-text", tr("appt.list.your_reason"), ": ", row["reason"])),
        rx.cond(row["changeable"] == "yes",
                rx.text(tr("appt.list.change_until"), " ", row["change_until"], size="2", color=rx.color("gray", 11))),
        _check_in(row),
        waitlist_part(row),
        _actions(row),
    ), class_name="appt-upcoming")


def _past(row) -> rx.Component:
    return item(rx.card(rx.vstack(
        rx.hstack(rx.text(row["day"], ", ", row["time"], size="3", weight="bold"), rx.spacer(), status(row["status"]),
                  width="100%", align="start", wrap="wrap"),
        rx.text(row["type"], " · ", row["clinician"], size="3"),
        rx.cond(row["cancel_reason"] != "", rx.text(tr("appt.list.cancel_why"), ": ", row["cancel_reason"], size="2",
                                                    color=rx.color("gray", 11))),
        spacing="1", width="100%"), size="2", width="100%"), class_name="appt-past")


def _reminders() -> rx.Component:
    return card(
        rx.heading(tr("appt.reminders.title"), as_="h2", size="5"),
        rx.form(
            rx.el.fieldset(
                rx.el.legend(rx.text(tr("appt.reminders.legend"), size="3")),
                rx.vstack(*[rx.checkbox(tr(f"appt.reminders.lead_{hours}"), name=f"lead_{hours}", size="3",
                                        default_checked=A.leads.contains(str(hours)))
                            for hours in LEAD_CHOICES], spacing="3", padding_y="8px"),
                border="none", padding="0", margin="0"),
            rx.text(tr("appt.reminders.how"), size="2", color=rx.color("gray", 11)),
            submit_button(tr("appt.reminders.save"), width="100%", margin_top="8px"),
            on_submit=A.save_reminders, reset_on_submit=False, width="100%"),
    )


def _book_button() -> rx.Component:
    return link_button("calendar-plus", tr("appt.book.title"), "/appointments/book")


@patient_page("/appointments", on_load=[AppointmentsState.opened, WaitlistState.opened])
def appointments_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("appt.list.title"), A.zone_note),
        error_message(A.error),
        success(A.done),
        waitlist_messages(),
        rx.cond(
            A.loaded,
            rx.vstack(
                _book_button(),
                rx.heading(tr("appt.list.upcoming"), as_="h2", size="5"),
                rx.cond(A.upcoming.length() > 0, bare_list(A.upcoming, _upcoming, tr("appt.list.upcoming")),
                        card(empty_state("calendar-days", tr("appt.list.none_title"), tr("appt.list.none_text")))),
                _reminders(),
                rx.cond(A.past.length() > 0, rx.vstack(
                    rx.heading(tr("appt.list.past"), as_="h2", size="5"),
                    bare_list(A.past, _past, tr("appt.list.past")), spacing="3", width="100%")),
                spacing="4", width="100%"),
            loading_block(tr("status.loading"))),
        spacing="4", width="100%",
    )


def next_visit_card() -> rx.Component:
    """Home page: the next visit with one-tap actions, or a way to book one."""
    visit = NextVisitState.visit
    return card(
        rx.hstack(rx.icon("calendar-days", size=26, aria_hidden="true", color=rx.color("accent", 11)),
                  rx.heading(tr("appt.home.title"), as_="h2", size="5"), spacing="3", align="center"),
        rx.cond(
            visit.contains("id"),
            rx.vstack(
                rx.text(visit["day"], size="4", weight="bold"),
                rx.text(visit["time"], " · ", visit["clinician"], size="3"),
                rx.cond(visit["video"] == "yes", rx.text(tr("appt.video_visit"), size="3"),
                        rx.text(visit["location"], size="3")),
                rx.hstack(
                    link_button("list", tr("appt.home.details"), "/appointments", variant="soft"),
                    rx.cond(visit["changeable"] == "yes",
                            link_button("calendar-clock", tr("appt.list.change"),
                                        "/appointments/book?move=" + visit["id"].to(str), variant="soft")),
                    spacing="2", width="100%", wrap="wrap"),
                spacing="2", width="100%", class_name="appt-next"),
            rx.vstack(rx.text(tr("appt.home.none"), size="3", color=rx.color("gray", 11)),
                      link_button("calendar-plus", tr("appt.book.title"), "/appointments/book"),
                      spacing="2", width="100%"),
        ),
    )
