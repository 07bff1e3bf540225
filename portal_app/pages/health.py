"""The health record (/health): problems, medicines, allergies, immunizations, vital signs, visits,
procedures, notes, care team and other facts, newest first, with a date filter."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message, loading_block, status_badge
from portal_app.components.page import page_header
from portal_app.pages.health_parts import date_filter, section
from portal_app.pages.medication_parts import bare_list, item, link_button
from portal_app.pages.shell import patient_page
from portal_app.state.health import HealthState
from portal_app.state.language import LanguageState, tr
from portal_app.state.patient_context import PatientContextState

S = HealthState


def _muted(text) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="3", color=rx.color("gray", 11)))


def _line(row, *details) -> rx.Component:
    return item(rx.vstack(
        rx.hstack(rx.text(row["name"], size="3", weight="bold"), *details, spacing="2", align="center", wrap="wrap"),
        _muted(row["when"]),
        spacing="1", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"))


def _problem(row) -> rx.Component:
    return _line(row, rx.cond(row["ended"] != "",
                              status_badge(tr("rec.resolved_on") + " " + row["ended"], "neutral")))


SEVERITIES = ("mild", "moderate", "severe", "low", "high", "unable-to-assess")


def _severity(word) -> rx.Component:
    """The EHR's severity (or, without one, its criticality) in the reader's words."""
    return rx.match(word, *[(w, status_badge(tr(f"rec.severity.{w.replace('-', '_')}"),
                                             "danger" if w in ("severe", "high") else "warning")) for w in SEVERITIES],
                    status_badge(word, "warning"))


def _allergy(row) -> rx.Component:
    return item(rx.vstack(
        rx.hstack(rx.text(row["name"], size="3", weight="bold"),
                  rx.cond(row["extra"] != "", _severity(row["extra"])), spacing="2", wrap="wrap"),
        rx.cond(row["detail"] != "", rx.text(rx.text.span(tr("rec.reaction"), ": ", weight="medium"), row["detail"],
                                             size="3")),
        _muted(row["when"]),
        spacing="1", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"))


def _measure(row) -> rx.Component:
    return item(rx.hstack(
        rx.vstack(rx.text(row["name"], size="3", weight="medium"), _muted(row["when"]), spacing="0"),
        rx.spacer(),
        rx.text(row["detail"], size="4", weight="bold", white_space="nowrap"),
        align="center", width="100%", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}"))


def _visit(row) -> rx.Component:
    return item(rx.vstack(
        rx.text(row["name"], size="3", weight="bold"),
        _muted(row["when"]),
        rx.cond(row["detail"] != "", rx.text(rx.text.span(tr("rec.why"), ": ", weight="medium"), row["detail"], size="3")),
        rx.cond(row["extra"] != "", rx.text(rx.text.span(tr("rec.with"), ": ", weight="medium"), row["extra"], size="3")),
        spacing="1", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"))


def _document(row) -> rx.Component:
    return item(rx.el.details(
        rx.el.summary(rx.vstack(rx.text(row["name"], size="3", weight="bold"), _muted(row["when"]), spacing="0"),
                      min_height="48px", cursor="pointer"),
        rx.text(row["extra"], size="3", white_space="pre-wrap"),
        width="100%"))


def _person(row) -> rx.Component:
    return item(rx.vstack(
        rx.text(row["name"], size="3", weight="bold"),
        _muted(row["detail"]),
        rx.cond(row["extra"] != "", rx.link(row["extra"], href="tel:" + row["extra"], size="3")),
        spacing="1", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"))


def _file_link(icon: str, label, href, filename: str, variant: str) -> rx.Component:
    return rx.el.a(rx.button(rx.icon(icon, aria_hidden="true"), label, size="3", variant=variant, min_height="48px",
                             width="100%"),
                   href=href, download=filename,
                   # Reflex turns a same-site link into a router link; the file must come from the server.
                   custom_attrs={"reloadDocument": True}, width="100%", display="block")


def _downloads() -> rx.Component:
    """The record on screen (and, for the PDF, the dates chosen) as a file to keep or give another doctor."""
    chart = "?patient=" + PatientContextState.current_id
    return card(
        rx.hstack(rx.icon("download", size=24, aria_hidden="true", color=rx.color("accent", 11), flex_shrink="0"),
                  rx.heading(tr("rec.download_heading"), as_="h2", size="5"), spacing="3", align="center"),
        rx.text(tr("rec.download_text"), size="3", color=rx.color("gray", 11)),
        _file_link("file-text", tr("rec.download_pdf"),
                   "/record/pdf" + chart + "&since=" + S.since + "&until=" + S.until + "&lang=" + LanguageState.language,
                   "health-record.pdf", "solid"),
        _file_link("file-json", tr("rec.download_fhir"), "/record/fhir" + chart, "health-record.fhir.json", "soft"),
    )


CHANGE_KINDS = (("new_problem", "info"), ("resolved_problem", "good"), ("started_medicine", "info"),
                ("stopped_medicine", "neutral"), ("new_result", "info"))


def _change(row) -> rx.Component:
    return item(rx.hstack(
        rx.match(row["kind"], *[(k, status_badge(tr(f"rec.change.{k}"), tone)) for k, tone in CHANGE_KINDS]),
        rx.text(row["name"], size="3", weight="medium"),
        spacing="2", align="center", wrap="wrap", width="100%"))


def _changes() -> rx.Component:
    """What is new since the latest visit: a short list an older patient can take in at a glance."""
    return rx.cond(S.last_visit != "", card(
        rx.hstack(rx.icon("sparkles", size=24, aria_hidden="true", color=rx.color("accent", 11), flex_shrink="0"),
                  rx.heading(tr("rec.changes_title"), as_="h2", size="5"), spacing="3", align="center"),
        rx.text(tr("rec.changes_since"), " ", S.last_visit, size="3", color=rx.color("gray", 11)),
        rx.cond(S.changes.length() > 0, bare_list(S.changes, _change, tr("rec.changes_title")),
                rx.text(tr("rec.changes_none"), size="3")),
    ))


def record_sections(state) -> list[rx.Component]:
    """The record's sections, for the patient's page and the staff view of a chart (same variable names)."""
    return [
        section("heart-pulse", "rec.problems", state.problems, _problem),
        section("triangle-alert", "rec.allergies", state.allergies, _allergy, "rec.no_allergies"),
        section("syringe", "rec.immunizations", state.immunizations, _line),
        section("activity", "rec.vitals", state.vitals, _measure),
        section("stethoscope", "rec.visits", state.visits, _visit),
        section("scissors", "rec.procedures", state.procedures, _line),
        section("file-text", "rec.documents", state.documents, _document),
        section("users", "rec.care_team", state.care_team, _person),
        section("circle-check", "rec.problems_resolved", state.resolved, _problem),
        section("list", "rec.other", state.other, _measure),
    ]


@patient_page("/health", on_load=[HealthState.opened])
def health_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("rec.title"), tr("rec.subtitle")),
        rx.grid(
            link_button("flask-conical", tr("rec.results_link"), "/health/results"),
            link_button("pill", tr("rec.medicines_link"), "/medications", variant="soft"),
            link_button("share-2", tr("share.link"), "/health/sharing", variant="soft"),
            link_button("calendar-range", tr("timeline.link"), "/health/timeline", variant="soft"),
            columns={"initial": "1", "sm": "2"}, spacing="3", width="100%"),
        date_filter(S),
        error_message(S.error),
        rx.cond(
            S.loaded,
            rx.vstack(
                _changes(),
                *record_sections(S),
                _downloads(),
                spacing="4", width="100%"),
            loading_block(tr("status.loading")),
        ),
        spacing="4",
        width="100%",
    )
