"""The staff side of the record: importing an EHR file (/console/import) and a chart's record, read
only, with a result typed in by hand (/console/record?patient=)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.components.uploads import file_picker
from portal_app.pages.health import record_sections
from portal_app.pages.medication_parts import bare_list, item, link_button, success
from portal_app.pages.results import result_group
from portal_app.pages.shell import staff_page
from portal_app.state.language import tr
from portal_app.state.record_staff import UPLOAD_LIMIT, UPLOAD_PURPOSE, FhirImportState, StaffRecordState

I = FhirImportState
R = StaffRecordState
FHIR_FILES = ".json,.ndjson,application/json,application/fhir+json,application/x-ndjson"


# --- /console/import ------------------------------------------------------------------------------

def _count_row(row) -> rx.Component:
    cell = {"padding": "6px 8px", "text_align": "right"}
    return rx.el.tr(rx.el.th(row["kind"], scope="row", padding="6px 8px", text_align="left"),
                    rx.el.td(row["imported"], **cell), rx.el.td(row["updated"], **cell),
                    rx.el.td(row["unchanged"], **cell))


def _skip(row) -> rx.Component:
    return item(rx.text(rx.text.strong(row["count"], " × "), row["reason"], size="3"))


def _report() -> rx.Component:
    head = {"scope": "col", "padding": "6px 8px", "text_align": "right"}
    return rx.cond(I.done, rx.cond(
        I.refused != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-x", aria_hidden="true")),
            rx.callout.text(rx.text.strong(tr("recstaff.import.refused")), " ", I.refused),
            color_scheme="red", role="alert", width="100%"),
        card(
            rx.heading(tr("recstaff.import.report"), as_="h2", size="5"),
            rx.text(I.file_name, " · ", I.charts, size="3", color=rx.color("gray", 11)),
            rx.box(rx.el.table(
                rx.el.caption(tr("recstaff.import.table"), style={"textAlign": "left", "fontWeight": "600"}),
                rx.el.thead(rx.el.tr(rx.el.th(tr("recstaff.import.kind"), scope="col", padding="6px 8px",
                                              text_align="left"),
                                     rx.el.th(tr("recstaff.import.imported"), **head),
                                     rx.el.th(tr("recstaff.import.updated"), **head),
                                     rx.el.th(tr("recstaff.import.unchanged"), **head))),
                rx.el.tbody(rx.foreach(I.counts, _count_row)),
                width="100%", style={"borderCollapse": "collapse", "fontSize": "16px"}), overflow_x="auto",
                width="100%"),
            rx.heading(tr("recstaff.import.skipped"), as_="h3", size="4"),
            rx.cond(I.skipped.length() > 0, bare_list(I.skipped, _skip, tr("recstaff.import.skipped")),
                    rx.text(tr("recstaff.import.none_skipped"), size="3")),
            role="status",
        ),
    ))


@staff_page("/console/import", on_load=[FhirImportState.opened])
def fhir_import_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("recstaff.import.title"), tr("recstaff.import.subtitle")),
        rx.cond(
            I.may_import,
            rx.vstack(
                card(
                    rx.text(tr("recstaff.import.text"), size="3"),
                    file_picker("fhir-file", UPLOAD_PURPOSE, UPLOAD_LIMIT,
                                tr("recstaff.import.choose"), I.uploaded, accept=FHIR_FILES,
                                hint=tr("recstaff.import.hint"), icon="file-up"),
                    rx.cond(I.importing, rx.hstack(rx.spinner(size="3"),
                                                   rx.text(tr("recstaff.import.working"), " ", I.file_name, size="3"),
                                                   role="status", spacing="2", align="center")),
                    error_message(I.error),
                ),
                _report(),
                spacing="4", width="100%"),
            card(empty_state("lock", tr("recstaff.import.not_allowed"), tr("recstaff.import.not_allowed_text"))),
        ),
        spacing="4", width="100%")


# --- /console/record?patient= -------------------------------------------------------------------

def _hidden_badge(group) -> rx.Component:
    return rx.cond(group.appears_on != "",
                   status_badge(rx.cond(group.held, tr("recstaff.record.held_until"),
                                        tr("recstaff.record.waits_until")) + " " + group.appears_on, "warning"))


def _test_picker() -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr("recstaff.entry.test"), size="3", weight="medium"), html_for="field-loinc"),
        rx.el.select(
            rx.el.option(tr("recstaff.entry.choose_test"), value=""),
            rx.foreach(R.tests, lambda t: rx.el.option(t["name"], value=t["loinc"])),
            id="field-loinc", name="loinc", required=True, value=R.chosen,
            on_change=R.choose_test,
            style={"minHeight": TOUCH_TARGET, "fontSize": "16px", "width": "100%", "padding": "0 8px",
                   "borderRadius": "8px", "border": f"1px solid {rx.color('gray', 7)}",
                   "background": rx.color("gray", 1), "color": rx.color("gray", 12)}),
        spacing="1", width="100%")


def _entry_form() -> rx.Component:
    return rx.cond(R.may_enter, card(
        rx.heading(tr("recstaff.entry.title"), as_="h2", size="5"),
        rx.text(tr("recstaff.entry.text"), size="3", color=rx.color("gray", 11)),
        success(R.notice),
        rx.form(
            rx.vstack(
                error_message(R.entry_error),
                _test_picker(),
                rx.grid(
                    text_field(tr("recstaff.entry.value"), "value", input_mode="decimal", max_length=20),
                    text_field(tr("recstaff.entry.unit"), "unit", required=False, max_length=40,
                               default_value=R.unit, key=R.chosen, hint=tr("recstaff.entry.unit_hint")),
                    text_field(tr("recstaff.entry.low"), "low", required=False, input_mode="decimal", max_length=20),
                    text_field(tr("recstaff.entry.high"), "high", required=False, input_mode="decimal",
                               max_length=20),
                    text_field(tr("recstaff.entry.taken_on"), "taken_on", type="date", min="1900-01-01"),
                    columns={"initial": "1", "sm": "2"}, spacing="4", width="100%"),
                submit_button(rx.icon("plus", aria_hidden="true"), tr("recstaff.entry.save")),
                spacing="4", width="100%"),
            on_submit=R.enter_result, reset_on_submit=False, key=R.form_key, width="100%"),
    ))


def _results() -> rx.Component:
    return card(
        rx.hstack(rx.icon("flask-conical", size=24, aria_hidden="true", color=rx.color("accent", 11), flex_shrink="0"),
                  rx.heading(tr("rec.results_title"), as_="h2", size="5"), spacing="3", align="center"),
        rx.cond(R.groups.length() > 0,
                rx.el.ul(rx.foreach(R.groups, lambda g: result_group(g, linked=False, badge=_hidden_badge)),
                         aria_label=tr("rec.results_title"), padding="0", margin="0", display="flex",
                         flex_direction="column", gap="16px", width="100%"),
                rx.text(tr("rec.none_here"), size="3", color=rx.color("gray", 11))),
    )


@staff_page("/console/record", on_load=[StaffRecordState.opened])
def staff_record() -> rx.Component:
    return rx.vstack(
        page_header(rx.cond(R.heading != "", R.heading, tr("recstaff.record.title")),
                    rx.cond(R.mrn != "", tr("patients.mrn_short") + ": " + R.mrn + " · " + tr("patients.born") + ": "
                            + R.born, tr("recstaff.record.subtitle"))),
        link_button("arrow-left", tr("recstaff.record.back"), "/console/patients", variant="soft"),
        rx.cond(
            R.loaded,
            rx.cond(R.error != "", error_message(R.error),
                    rx.vstack(
                        rx.text(tr("recstaff.record.read_only"), size="3", color=rx.color("gray", 11)),
                        _entry_form(),
                        _results(),
                        *record_sections(R),
                        spacing="4", width="100%")),
            loading_block(tr("status.loading")),
        ),
        spacing="4", width="100%")
