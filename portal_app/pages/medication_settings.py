"""The patient's pharmacies (/medications/pharmacies) and medication reminders (/medications/reminders)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import primary_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, item, link_button, success
from portal_app.pages.shell import patient_page
from portal_app.state.language import tr
from portal_app.state.medication_reminders import ReminderState
from portal_app.state.pharmacies import PharmacyState

P = PharmacyState
M = ReminderState


def _pharmacy(row) -> rx.Component:
    return item(card(
        rx.hstack(rx.heading(row["name"], as_="h3", size="4"),
                  rx.cond(row["preferred"] == "yes", status_badge(tr("pharmacies.preferred"), "good")),
                  spacing="2", align="center", wrap="wrap"),
        rx.cond(row["mail"] == "yes", rx.text(tr("pharmacies.mail_order"), size="3")),
        rx.cond(row["address"] != "", rx.text(row["address"], size="3")),
        rx.cond(row["phone"] != "", rx.link(row["phone_text"], href="tel:" + row["phone"], size="3")),
        rx.flex(
            rx.cond(row["preferred"] != "yes",
                    rx.button(tr("pharmacies.make_preferred"), on_click=P.prefer(row["id"]), variant="soft", size="3",
                              min_height=TOUCH_TARGET)),
            rx.button(tr("pharmacies.remove"), on_click=P.remove(row["id"]), variant="soft", color_scheme="red",
                      size="3", min_height=TOUCH_TARGET, aria_label=tr("pharmacies.remove") + ": " + row["name"]),
            spacing="3", wrap="wrap"),
    ))


def _add_pharmacy() -> rx.Component:
    return card(
        rx.heading(tr("pharmacies.add_heading"), as_="h2", size="5"),
        rx.form(
            rx.vstack(
                text_field(tr("pharmacies.name"), "name", max_length=120),
                text_field(tr("pharmacies.address"), "address", required=False, max_length=300,
                           autocomplete="street-address"),
                text_field(tr("pharmacies.phone"), "phone", type="tel", required=False, max_length=32,
                           hint=tr("pharmacies.phone_hint")),
                rx.box(rx.checkbox(tr("pharmacies.mail_order_label"), name="mail_order", size="3"),
                       min_height=TOUCH_TARGET, display="flex", align_items="center"),
                primary_button(tr("pharmacies.add"), type="submit"),
                spacing="3", width="100%"),
            on_submit=P.add, reset_on_submit=False, key=P.form_key, width="100%"),
    )


@patient_page("/medications/pharmacies", on_load=[PharmacyState.opened])
def pharmacies_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("pharmacies.title"), tr("pharmacies.subtitle")),
        error_message(P.error),
        success(P.notice),
        rx.cond(P.loaded,
                rx.cond(P.pharmacies.length() > 0, bare_list(P.pharmacies, _pharmacy, tr("pharmacies.title")),
                        card(empty_state("store", tr("pharmacies.none_title"), tr("pharmacies.none_text")))),
                loading_block(tr("status.loading"))),
        _add_pharmacy(),
        link_button("pill", tr("medications.open_list"), "/medications", variant="soft"),
        spacing="4", width="100%",
    )


def _reminder(row) -> rx.Component:
    return item(card(
        rx.heading(row["medicine"], as_="h3", size="4"),
        rx.text(tr("reminders.at"), ": ", rx.text.strong(row["times"]), size="3"),
        rx.button(tr("reminders.remove"), on_click=M.remove(row["id"]), variant="soft", color_scheme="red", size="3",
                  min_height=TOUCH_TARGET, aria_label=tr("reminders.remove") + ": " + row["medicine"]),
    ))


def _time_field(number: int) -> rx.Component:
    field_id = f"field-time{number}"
    return rx.vstack(
        rx.el.label(rx.text(tr(f"reminders.time{number}"), size="3", weight="medium"), html_for=field_id),
        rx.input(id=field_id, name=f"time{number}", type="time", size="3", min_height=TOUCH_TARGET, width="100%",
                 required=number == 1),
        spacing="1", width="100%")


def _add_reminder() -> rx.Component:
    return card(
        rx.heading(tr("reminders.add_heading"), as_="h2", size="5"),
        rx.text(M.zone_note, size="2", color=rx.color("gray", 11)),
        rx.form(
            rx.vstack(
                rx.el.label(rx.text(tr("reminders.medicine"), size="3", weight="medium"), html_for="field-medicine"),
                rx.el.select(
                    rx.el.option(tr("reminders.choose"), value=""),
                    rx.foreach(M.medicines, lambda m: rx.el.option(m["name"], value=m["id"])),
                    id="field-medicine", name="medicine", required=True, min_height=TOUCH_TARGET, width="100%",
                    padding_x="12px", font_size="16px", border_radius="8px", border=f"1px solid {rx.color('gray', 8)}",
                    background=rx.color("gray", 1), color=rx.color("gray", 12)),
                rx.grid(_time_field(1), _time_field(2), _time_field(3), columns={"initial": "1", "sm": "3"},
                        spacing="3", width="100%"),
                rx.text(tr("reminders.how"), size="2", color=rx.color("gray", 11)),
                primary_button(tr("reminders.save"), type="submit"),
                spacing="3", width="100%"),
            on_submit=M.save, reset_on_submit=False, key=M.form_key, width="100%"),
    )


@patient_page("/medications/reminders", on_load=[ReminderState.opened])
def reminders_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("reminders.title"), tr("reminders.subtitle")),
        error_message(M.error),
        success(M.notice),
        rx.cond(M.loaded,
                rx.cond(M.reminders.length() > 0, bare_list(M.reminders, _reminder, tr("reminders.title")),
                        card(empty_state("alarm-clock", tr("reminders.none_title"), tr("reminders.none_text")))),
                loading_block(tr("status.loading"))),
        _add_reminder(),
        link_button("pill", tr("medications.open_list"), "/medications", variant="soft"),
        spacing="4", width="100%",
    )
