"""The clinic's refill queue (/console/refills)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, detail, item, step_badge, step_word, success
from portal_app.pages.shell import staff_page
from portal_app.services.refills import DENY_REASONS
from portal_app.state.language import tr
from portal_app.state.refill_console import TAB_ROLES, RefillConsoleState
from portal_app.state.session import SessionState

C = RefillConsoleState


def _tab(name: str) -> rx.Component:
    roles = TAB_ROLES[name]
    shown = SessionState.role == roles[0]
    for role in roles[1:]:
        shown = shown | (SessionState.role == role)
    return rx.cond(shown, rx.button(
        tr(f"refills.console.tab.{name}"), " (", C.counts[name].to(int), ")", on_click=C.show(name), size="3",
        min_height=TOUCH_TARGET, variant=rx.cond(C.tab == name, "solid", "outline"), aria_pressed=C.tab == name))


def _row_error(row) -> rx.Component:
    return rx.cond((C.error != "") & (C.error_id == row["id"].to(str)), error_message(C.error))


def _number_field(label_key: str, name: str, row_id, hint_key: str) -> rx.Component:
    field_id = name + "-" + row_id
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="2", weight="medium"), html_for=field_id),
        rx.input(id=field_id, name=name, type="number", size="3", min_height=TOUCH_TARGET, width="100%",
                 aria_describedby=field_id + "-hint"),
        rx.text(tr(hint_key), id=field_id + "-hint", size="1", color=rx.color("gray", 11)),
        spacing="1", width="100%")


def _history_line(line) -> rx.Component:
    return rx.el.tr(rx.el.td(line["name"]), rx.el.td(line["refills"]), rx.el.td(line["last"]), rx.el.td(line["fills"]))


def _recent_line(line) -> rx.Component:
    return rx.el.li(rx.text(line["when"], " · ", line["medicine"], " · ", step_word(line["status"]), size="2"))


def _decision_forms(rid) -> rx.Component:
    """Approve (quantity, refills left) or do not approve (a reason the patient reads)."""
    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="request", value=rid),
                rx.grid(_number_field("refills.console.quantity", "quantity", rid, "refills.console.quantity_hint"),
                        _number_field("refills.console.refills", "refills", rid, "refills.console.refills_hint"),
                        columns="2", spacing="3", width="100%"),
                submit_button(rx.icon("check", aria_hidden="true"), tr("refills.console.approve"),
                              color_scheme="green", width="100%"),
                spacing="2", width="100%"),
            on_submit=C.approve, reset_on_submit=False, width="100%"),
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="request", value=rid),
                rx.el.label(rx.text(tr("refills.console.reason"), size="2", weight="medium"), html_for="reason-" + rid),
                rx.el.select(rx.el.option("—", value=""),
                             *[rx.el.option(tr(f"refills.reason.{r}"), value=r) for r in DENY_REASONS],
                             id="reason-" + rid, name="reason", min_height=TOUCH_TARGET, width="100%", font_size="16px",
                             padding_x="12px", border_radius="8px", border=f"1px solid {rx.color('gray', 8)}",
                             background=rx.color("gray", 1), color=rx.color("gray", 12)),
                rx.el.label(rx.text(tr("refills.console.deny_note"), size="2", weight="medium"), html_for="deny-note-" + rid),
                rx.text_area(id="deny-note-" + rid, name="note", max_length=300, rows="2", width="100%"),
                submit_button(rx.icon("x", aria_hidden="true"), tr("refills.console.deny"),
                              color_scheme="red", variant="soft", width="100%"),
                spacing="2", width="100%"),
            on_submit=C.deny, reset_on_submit=False, width="100%"),
        spacing="3", width="100%")


def _review_card(row) -> rx.Component:
    rid = row["id"].to(str)
    history = row["history"].to(list[dict[str, str]])
    recent = row["recent"].to(list[dict[str, str]])
    return item(card(
        rx.hstack(rx.heading(row["medicine"].to(str), as_="h2", size="4"),
                  rx.cond(row["kind"].to(str) == "renewal", status_badge(tr("refills.kind.renewal"), "info")),
                  rx.cond(row["controlled"].to(str) == "yes", status_badge(tr("medications.controlled"), "warning")),
                  rx.cond(row["overdue"].to(str) == "yes", status_badge(tr("refills.console.late"), "danger")),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(rx.text.strong(row["patient"].to(str)), " · ", tr("patients.mrn_short"), " ", row["mrn"].to(str), size="3"),
        rx.text(tr("refills.console.asked"), " ", row["asked"].to(str), " · ", tr("refills.console.due"), " ",
                row["due"].to(str), size="2", color=rx.color("gray", 11)),
        detail("medications.dose", row["dose"].to(str)),
        detail("refills.console.instructions", row["instructions"].to(str)),
        detail("medications.refills_left", row["refills"].to(str)),
        detail("refills.console.patient_note", row["note"].to(str)),
        detail("refills.ask.pharmacy_label", row["pharmacy"].to(str)),
        rx.el.details(
            rx.el.summary(rx.text(tr("refills.console.history"), size="3", weight="medium"), min_height=TOUCH_TARGET,
                          display="flex", align_items="center", cursor="pointer"),
            rx.box(rx.el.table(
                rx.el.thead(rx.el.tr(rx.el.th(tr("refills.console.col_medicine")), rx.el.th(tr("medications.refills_left")),
                                     rx.el.th(tr("medications.last_filled")), rx.el.th(tr("refills.console.col_fills")))),
                rx.el.tbody(rx.foreach(history, _history_line)), class_name="portal-table"), overflow_x="auto"),
            rx.el.ul(rx.foreach(recent, _recent_line), padding_left="20px"),
            rx.text(tr("refills.console.last_visit_pending"), size="2", color=rx.color("gray", 11)),
        ),
        _row_error(row),
        rx.cond((row["kind"].to(str) == "renewal") & (SessionState.role != "clinician"),
                rx.callout(tr("refills.console.renewal_for_clinician"), icon="info", color_scheme="blue", width="100%"),
                _decision_forms(rid)),
        rx.cond(SessionState.role == "clinician", rx.el.label(rx.hstack(
            rx.switch(checked=row["eligible"].to(str) == "yes", on_change=lambda on: C.allow_auto(rid, on), size="3"),
            rx.text(tr("refills.console.allow_auto"), size="3"), spacing="3", align="center"),
            min_height=TOUCH_TARGET, display="flex", align_items="center")),
    ), class_name="refill-review")


def _pharmacy_card(row) -> rx.Component:
    rid = row["id"].to(str)
    nxt = row["next"].to(str)
    return item(card(
        rx.hstack(rx.heading(row["medicine"].to(str), as_="h2", size="4"), step_badge(row["status"].to(str)),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(rx.text.strong(row["patient"].to(str)), " · ", tr("patients.mrn_short"), " ", row["mrn"].to(str), size="3"),
        detail("refills.console.quantity", row["quantity"].to(str)),
        detail("refills.ask.pharmacy_label", row["pharmacy"].to(str)),
        rx.cond(row["pharmacy_phone"].to(str) != "",
                rx.link(row["pharmacy_phone_text"].to(str), href="tel:" + row["pharmacy_phone"].to(str), size="3")),
        _row_error(row),
        rx.flex(
            rx.button(rx.match(nxt, ("sent", tr("refills.console.mark_sent")), ("ready", tr("refills.console.mark_ready")),
                               tr("refills.console.mark_picked_up")),
                      on_click=C.record(rid, nxt), size="3", min_height=TOUCH_TARGET),
            rx.button(tr("refills.console.cancel"), on_click=C.record(rid, "cancelled"), size="3", variant="soft",
                      color_scheme="red", min_height=TOUCH_TARGET),
            spacing="3", wrap="wrap"),
    ), class_name="refill-pharmacy")


def _note_card(row) -> rx.Component:
    return item(card(
        rx.hstack(rx.heading(row["medicine"], as_="h2", size="4"),
                  status_badge(rx.match(row["kind"], ("stopped", tr("refills.console.report_stopped")),
                                        tr("refills.console.report_not_listed")), "info"),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(rx.text.strong(row["patient"]), " · ", tr("patients.mrn_short"), " ", row["mrn"], " · ", row["when"],
                size="3"),
        detail("refills.console.patient_note", row["note"]),
        rx.text(tr("refills.console.report_hint"), size="2", color=rx.color("gray", 11)),
        rx.button(tr("refills.console.mark_reviewed"), on_click=C.reviewed(row["id"]), size="3", min_height=TOUCH_TARGET),
    ))


@staff_page("/console/refills", on_load=[RefillConsoleState.opened])
def refill_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("refills.console.title"), tr("refills.console.subtitle")),
        rx.flex(_tab("review"), _tab("pharmacy"), _tab("notes"), spacing="3", wrap="wrap",
                role="group", aria_label=tr("refills.console.title")),
        rx.cond((C.error != "") & (C.error_id == ""), error_message(C.error)),
        success(C.notice),
        rx.cond(C.hidden > 0, rx.text(tr("refills.console.hidden"), " ", C.hidden, size="2", color=rx.color("gray", 11))),
        rx.match(
            C.tab,
            ("review", rx.cond(C.items.length() > 0, bare_list(C.items, _review_card, tr("refills.console.tab.review")),
                               card(empty_state("inbox", tr("refills.console.empty"), tr("refills.console.empty_text"))))),
            ("pharmacy", rx.cond(C.items.length() > 0, bare_list(C.items, _pharmacy_card,
                                                                  tr("refills.console.tab.pharmacy")),
                                 card(empty_state("inbox", tr("refills.console.empty"),
                                                  tr("refills.console.empty_text"))))),
            ("notes", rx.cond(C.notes.length() > 0, bare_list(C.notes, _note_card, tr("refills.console.tab.notes")),
                              card(empty_state("inbox", tr("refills.console.empty"), tr("refills.console.empty_text"))))),
            rx.cond(C.loaded, card(empty_state("pill", tr("refills.console.no_role"), tr("refills.console.no_role_text"))),
                    loading_block(tr("status.loading"))),
        ),
        spacing="4", width="100%",
    )
