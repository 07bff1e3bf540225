"""Asking for a refill (/medications/refill) and following it (/medications/refills)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import (bare_list, detail, item, link_button, step_badge, step_word,
                                               textarea_field)
from portal_app.pages.shell import patient_page
from portal_app.state.language import tr
from portal_app.state.refill_request import RefillRequestState
from portal_app.state.refill_tracker import RefillTrackerState

R = RefillRequestState
T = RefillTrackerState


def _stage_heading(number: str, key: str) -> rx.Component:
    return rx.vstack(rx.text(tr("refills.ask.stage"), " ", number, " / 3", size="2", color=rx.color("gray", 11)),
                     rx.heading(tr(key), as_="h2", size="5"), spacing="1")


def _choice(row) -> rx.Component:
    askable = (row["option"] == "refill") | (row["option"] == "renewal")
    return item(rx.card(rx.vstack(
        rx.cond(
            askable,
            rx.checkbox(rx.text(row["name"], size="3", weight="bold"), checked=R.chosen.contains(row["id"]),
                        on_change=lambda _checked: R.toggle(row["id"]), size="3",
                        aria_label=row["name"]),
            rx.text(row["name"], size="3", weight="bold"),
        ),
        rx.match(
            row["option"],
            ("renewal", rx.text(tr("refills.ask.renewal_note"), size="2", color=rx.color("gray", 11))),
            ("needs_visit", rx.vstack(rx.text(tr("medications.needs_visit"), size="2"),
                                      rx.link(tr("medications.book_visit"), href="/appointments/book", size="3"),
                                      spacing="1")),
            ("already_requested", rx.hstack(rx.text(tr("medications.asked"), size="2"), step_badge(row["step"]),
                                            spacing="2", align="center")),
            rx.cond(row["refills"] != "", rx.text(tr("medications.refills_left"), ": ", row["refills"], size="2",
                                                  color=rx.color("gray", 11))),
        ),
        spacing="2"), size="2", width="100%"))


def _choose() -> rx.Component:
    return card(
        _stage_heading("1", "refills.ask.choose_heading"),
        rx.cond(R.medicines.length() > 0, bare_list(R.medicines, _choice, tr("refills.ask.choose_heading")),
                empty_state("pill", tr("medications.none_title"), tr("medications.none_text"))),
        rx.button(tr("refills.ask.next"), on_click=R.go_to("pharmacy"), size="3", min_height=TOUCH_TARGET, width="100%"),
    )


def _pharmacy_option(row) -> rx.Component:
    field_id = "pharmacy-" + row["id"]
    return item(rx.el.label(
        rx.hstack(
            rx.el.input(type="radio", name="pharmacy", value=row["id"], id=field_id,
                        default_checked=row["id"] == R.pharmacy_id, width="22px", height="22px"),
            rx.vstack(rx.text(row["name"], size="3", weight="bold"),
                      rx.text(rx.cond(row["mail"] == "yes", tr("pharmacies.mail_order"), row["address"]), size="2",
                              color=rx.color("gray", 11)),
                      spacing="0"),
            spacing="3", align="center"),
        html_for=field_id, display="block", padding="12px", min_height=TOUCH_TARGET,
        border=f"1px solid {rx.color('gray', 6)}", border_radius="10px", cursor="pointer"))


def _pharmacy() -> rx.Component:
    return card(
        _stage_heading("2", "refills.ask.pharmacy_heading"),
        rx.text(tr("refills.ask.for"), ": ", rx.foreach(R.chosen_rows, lambda m: rx.text.strong(m["name"], " ")), size="3"),
        rx.cond(
            R.pharmacies.length() > 0,
            rx.form(
                rx.vstack(
                    rx.el.fieldset(
                        rx.el.legend(rx.text(tr("refills.ask.pharmacy_legend"), size="3", weight="medium")),
                        bare_list(R.pharmacies, _pharmacy_option, tr("refills.ask.pharmacy_legend")),
                        border="none", padding="0", margin="0", width="100%"),
                    rx.link(tr("pharmacies.add_heading"), href="/medications/pharmacies", size="3"),
                    textarea_field(tr("refills.ask.note"), "note", tr("refills.ask.note_hint")),
                    submit_button(tr("refills.ask.next"), width="100%"),
                    spacing="3", width="100%"),
                on_submit=R.details, reset_on_submit=False, width="100%"),
            empty_state("store", tr("pharmacies.none_title"), tr("pharmacies.none_text"),
                        link_button("plus", tr("pharmacies.add_heading"), "/medications/pharmacies")),
        ),
        rx.button(tr("refills.ask.back"), on_click=R.go_to("choose"), variant="soft", color_scheme="gray", size="3",
                  min_height=TOUCH_TARGET, width="100%"),
    )


def _confirm() -> rx.Component:
    return card(
        _stage_heading("3", "refills.ask.confirm_heading"),
        rx.el.ul(rx.foreach(R.chosen_rows, lambda m: rx.el.li(
            rx.text(rx.text.strong(m["name"]), rx.cond(m["option"] == "renewal",
                                                      rx.text.span(" — ", tr("refills.kind.renewal"))), size="3"))),
            padding_left="20px", margin="0"),
        detail("refills.ask.pharmacy_label", R.pharmacy_name),
        detail("refills.ask.note_label", R.note),
        rx.text(tr("refills.ask.promise"), size="3", color=rx.color("gray", 11)),
        rx.button(rx.icon("send", aria_hidden="true"), tr("refills.ask.send"), on_click=R.send, size="3",
                  min_height=TOUCH_TARGET, width="100%"),
        rx.button(tr("refills.ask.back"), on_click=R.go_to("pharmacy"), variant="soft", color_scheme="gray", size="3",
                  min_height=TOUCH_TARGET, width="100%"),
    )


def _done() -> rx.Component:
    return card(
        rx.vstack(rx.icon("circle-check", size=40, color=rx.color("green", 10), aria_hidden="true"),
                  rx.heading(tr("refills.ask.done_heading"), as_="h2", size="5"),
                  rx.text(tr("refills.ask.done_text"), size="3", text_align="center"),
                  align="center", spacing="3", width="100%"),
        link_button("route", tr("medications.track"), "/medications/refills"),
        link_button("pill", tr("medications.open_list"), "/medications", variant="soft"),
    )


@patient_page("/medications/refill", on_load=[RefillRequestState.opened])
def refill_request_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("refills.ask.title")),
        error_message(R.error),
        rx.cond(R.loaded, rx.match(R.stage, ("pharmacy", _pharmacy()), ("confirm", _confirm()), ("done", _done()),
                                   _choose()),
                loading_block(tr("status.loading"))),
        spacing="4", width="100%",
    )


# --- the tracker --------------------------------------------------------------------------------


def _timeline_step(step) -> rx.Component:
    marker = rx.match(
        step["state"],
        ("done", rx.icon("circle-check", size=24, color=rx.color("green", 10), aria_hidden="true")),
        ("current", rx.icon("circle-dot", size=24, color=rx.color("accent", 10), aria_hidden="true")),
        rx.icon("circle", size=24, color=rx.color("gray", 8), aria_hidden="true"),
    )
    return rx.el.li(
        rx.hstack(
            marker,
            rx.vstack(
                rx.text(step_word(step["step"]), size="3", weight=rx.cond(step["state"] == "current", "bold", "regular"),
                        color=rx.cond(step["state"] == "todo", rx.color("gray", 11), rx.color("gray", 12))),
                rx.cond(step["when"] != "", rx.text(step["when"], " · ", step["by"], size="2", color=rx.color("gray", 11))),
                spacing="0"),
            spacing="3", align="start"),
        aria_current=rx.cond(step["state"] == "current", "step", None),
        list_style="none",
    )


def _request_card(row) -> rx.Component:
    steps = row["steps"].to(list[dict[str, str]])
    return item(card(
        rx.hstack(rx.heading(row["medicine"].to(str), as_="h2", size="4"),
                  rx.cond(row["kind"] == "renewal", status_badge(tr("refills.kind.renewal"), "info")),
                  spacing="2", align="center", wrap="wrap"),
        rx.hstack(step_badge(row["status"].to(str)), rx.text(tr("refills.track.asked"), " ", row["asked"].to(str),
                                                             size="2", color=rx.color("gray", 11)),
                  spacing="2", align="center", wrap="wrap"),
        rx.el.ol(rx.foreach(steps, _timeline_step), aria_label=tr("refills.track.steps"), padding="0", margin="0",
                 display="flex", flex_direction="column", gap="10px"),
        rx.cond(row["status"].to(str) == "denied", rx.callout.root(
            rx.callout.text(rx.text.strong(tr("refills.track.why")), " ",
                            rx.match(row["deny_reason"].to(str),
                                     *[(r, tr(f"refills.reason.{r}")) for r in
                                       ("needs_visit", "needs_lab", "too_soon", "stopped", "changed", "other")], ""),
                            rx.cond(row["deny_note"].to(str) != "", rx.text.span(" ", row["deny_note"].to(str)))),
            color_scheme="red", width="100%")),
        rx.cond(row["status"].to(str) == "requested",
                rx.text(tr("refills.track.answer_by"), " ", row["answer_due"].to(str), size="3")),
        detail("refills.ask.pharmacy_label", row["pharmacy"].to(str)),
        detail("refills.ask.note_label", row["note"].to(str)),
        rx.cond(row["cancellable"].to(str) == "yes",
                rx.button(tr("refills.track.cancel"), on_click=T.cancel(row["id"].to(str)), variant="soft",
                          color_scheme="red", size="3", min_height=TOUCH_TARGET)),
    ), class_name="refill-request")


@patient_page("/medications/refills", on_load=[RefillTrackerState.opened])
def refill_tracker_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("refills.track.title"), tr("refills.track.subtitle")),
        error_message(T.error),
        rx.cond(
            T.loaded,
            rx.cond(T.requests.length() > 0, bare_list(T.requests, _request_card, tr("refills.track.title")),
                    card(empty_state("route", tr("refills.track.none_title"), tr("refills.track.none_text"),
                                     link_button("pill", tr("medications.ask_refill_any"), "/medications/refill")))),
            loading_block(tr("status.loading"))),
        link_button("pill", tr("medications.ask_refill_any"), "/medications/refill", variant="soft"),
        spacing="4", width="100%",
    )
