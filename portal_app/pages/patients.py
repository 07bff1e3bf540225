"""The front desk's patients page: find a patient, register a new one, invite them to the portal."""

from __future__ import annotations

import reflex as rx

from portal_app import i18n
from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, status_badge
from portal_app.components.forms import primary_button, submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.authenticator_reset_panel import reset_button, reset_panel
from portal_app.pages.shell import staff_page
from portal_app.services.patients import SEXES
from portal_app.state.language import tr
from portal_app.state.patients import PatientConsoleState
from portal_app.state.session import SessionState

S = PatientConsoleState


def _invite_panel() -> rx.Component:
    """The code just issued, large and printable (print shows only this card)."""
    return rx.cond(
        S.invite_code != "",
        rx.card(
            rx.vstack(
                rx.heading(S.invite_name, as_="h2", size="5"),
                rx.text(S.invite_code, id="invite-code", size={"initial": "7", "sm": "9"}, weight="bold",
                        style={"font_family": "monospace", "letter_spacing": "0.06em", "white_space": "nowrap"}),
                rx.text(S.invite_expires, size="4", weight="medium"),
                rx.text(tr("invitations.instructions"), size="3"),
                rx.text(S.invite_sent, size="3", color=rx.color("gray", 11), class_name="portal-no-print"),
                rx.text(tr("invitations.older_void"), size="2", color=rx.color("gray", 11), class_name="portal-no-print"),
                rx.hstack(
                    rx.button(rx.icon("printer", aria_hidden="true"), tr("invitations.print"), size="3",
                              min_height=TOUCH_TARGET, on_click=rx.call_script("window.print()")),
                    rx.button(tr("invitations.close"), size="3", variant="soft", color_scheme="gray",
                              min_height=TOUCH_TARGET, on_click=S.close_invite),
                    spacing="3",
                    class_name="portal-no-print",
                ),
                spacing="3",
                width="100%",
            ),
            size="4",
            width="100%",
            class_name="portal-printable",
            role="region",
            aria_label=S.invite_name,
            border=f"3px solid {rx.color('accent', 8)}",
        ),
    )


def _clinical():
    """Nurses and clinicians open a chart's record from the list; the front desk registers and invites."""
    return (SessionState.role == "nurse") | (SessionState.role == "clinician")


def _status(row) -> rx.Component:
    return rx.match(
        row["status"],
        ("account", status_badge(tr("patients.status.account"), "good")),
        ("invited", status_badge(tr("patients.status.invited"), "info")),
        status_badge(tr("patients.status.none"), "neutral"),
    )


def _result(row) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.text(row["name"], size="4", weight="bold"),
                    rx.text(tr("patients.mrn_short"), ": ", row["mrn"], " · ", tr("patients.born"), ": ", row["born"],
                            size="3", color=rx.color("gray", 11)),
                    rx.hstack(
                        _status(row),
                        rx.cond(row["until"] != "",
                                rx.text(tr("patients.until"), " ", row["until"], size="2", color=rx.color("gray", 11))),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.cond(
                    _clinical(),
                    rx.link(rx.button(rx.icon("folder-open", aria_hidden="true"), tr("recstaff.open_record"), size="3",
                                      min_height=TOUCH_TARGET, width="100%", tab_index=-1),
                            href="/console/record?patient=" + row["id"], aria_label=tr("recstaff.open_record_of") + " "
                            + row["name"]),
                    rx.cond(
                    row["status"] != "account",
                    rx.button(
                        rx.icon("send", aria_hidden="true"),
                        rx.cond(row["status"] == "invited", tr("patients.invite_again"), tr("patients.invite")),
                        size="3",
                        min_height=TOUCH_TARGET,
                        on_click=S.invite(row["id"]),
                    ),
                    reset_button(row),
                )),
                direction={"initial": "column", "sm": "row"},
                spacing="3",
                align={"initial": "stretch", "sm": "center"},
                width="100%",
            ),
            size="2",
            width="100%",
        ),
        list_style="none",
        width="100%",
    )


def _search() -> rx.Component:
    return card(
        rx.heading(tr("patients.search_heading"), as_="h2", size="5"),
        rx.form(
            rx.vstack(
                rx.el.label(rx.text(tr("patients.search_label"), size="3", weight="medium"), html_for="field-query"),
                rx.flex(
                    rx.input(id="field-query", name="query", type="search", auto_complete="off", required=True,
                             max_length=100, size="3", min_height=TOUCH_TARGET, width="100%",
                             aria_describedby="field-query-hint"),
                    submit_button(rx.icon("search", aria_hidden="true"), tr("patients.search")),
                    direction={"initial": "column", "sm": "row"},
                    align={"initial": "stretch", "sm": "center"},
                    spacing="3",
                    width="100%",
                ),
                rx.text(tr("patients.search_hint"), id="field-query-hint", size="2", color=rx.color("gray", 11)),
                spacing="1",
                width="100%",
            ),
            on_submit=S.search,
            reset_on_submit=False,
            width="100%",
        ),
        error_message(S.search_error),
        rx.cond(
            S.searched,
            rx.cond(
                S.results.length() > 0,
                rx.vstack(
                    rx.el.ul(rx.foreach(S.results, _result), aria_label=tr("patients.results_label"),
                             padding="0", margin="0", display="flex", flex_direction="column", gap="8px", width="100%"),
                    rx.hstack(
                        rx.cond(S.page > 0, rx.button(tr("patients.previous"), on_click=S.previous_page, variant="soft",
                                                      size="3", min_height=TOUCH_TARGET)),
                        rx.cond(S.has_more, rx.button(tr("patients.next"), on_click=S.next_page, variant="soft",
                                                      size="3", min_height=TOUCH_TARGET)),
                        spacing="3",
                    ),
                    spacing="3",
                    width="100%",
                ),
                empty_state("user-search", tr("patients.no_results"), tr("patients.no_results_text")),
            ),
        ),
    )


def _select(label_key: str, name: str, options: list[tuple[str, rx.Var | str]]) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        rx.el.select(
            *[rx.el.option(label, value=value) for value, label in options],
            id=field_id,
            name=name,
            required=True,
            min_height=TOUCH_TARGET,
            width="100%",
            padding_x="12px",
            font_size="16px",
            border_radius="8px",
            border=f"1px solid {rx.color('gray', 8)}",
            background=rx.color("gray", 1),
            color=rx.color("gray", 12),
        ),
        spacing="1",
        width="100%",
    )


def _register() -> rx.Component:
    return card(
        rx.heading(tr("patients.register_heading"), as_="h2", size="5"),
        rx.cond(S.registered != "", rx.callout(S.registered, icon="circle-check", color_scheme="green", role="status")),
        rx.form(
            rx.vstack(
                error_message(S.form_error),
                rx.grid(
                    text_field(tr("patients.given"), "given", autocomplete="off", max_length=100),
                    text_field(tr("patients.family"), "family", autocomplete="off", max_length=100),
                    text_field(tr("patients.birth_date"), "birth_date", type="date", autocomplete="off",
                               min="1900-01-01"),
                    _select("patients.sex", "sex", [("", "—"), *[(sex, tr(f"patients.sex.{sex}")) for sex in SEXES]]),
                    text_field(tr("patients.email"), "email", type="email", autocomplete="off", required=False,
                               max_length=254),
                    text_field(tr("patients.phone"), "phone", type="tel", autocomplete="off", required=False,
                               max_length=32),
                    text_field(tr("patients.mrn"), "mrn", autocomplete="off", max_length=32),
                    _select("patients.language", "language", list(i18n.LANGUAGES.items())),
                    columns={"initial": "1", "sm": "2"},
                    spacing="4",
                    width="100%",
                ),
                primary_button(tr("patients.register"), type="submit"),
                spacing="4",
                width="100%",
            ),
            on_submit=S.register,
            reset_on_submit=False,  # a refused form keeps what was typed; a registration empties it (key)
            key=S.form_key,
            width="100%",
        ),
    )


@staff_page("/console/patients", on_load=[PatientConsoleState.opened])
def patients_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("patients.title"), tr("patients.subtitle")),
        _invite_panel(),
        reset_panel(),
        _search(),
        rx.cond(_clinical(), rx.fragment(), _register()),
        spacing="4",
        width="100%",
    )
