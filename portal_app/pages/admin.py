"""The console's admin pages: audit report, clinic notices, staff accounts, demo outbox.

The pages only show; every handler in state/admin.py checks the session and the service the role.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, status_badge
from portal_app.components.forms import primary_button, submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.shell import staff_page
from portal_app.services import staff
from portal_app.state.admin import (
    AUDIT_ACTIONS,
    AuditConsoleState,
    NoticeConsoleState,
    OutboxConsoleState,
    StaffConsoleState,
)
from portal_app.state.language import LanguageState, tr

AUDIT_COLUMNS = ["occurred_at", "actor_label", "actor_role", "action", "category", "patient_id", "outcome"]
ROW_KEYS = {"occurred_at": "when", "actor_label": "who", "actor_role": "role", "action": "action",
            "category": "category", "patient_id": "patient", "outcome": "outcome"}


def _role_label(role) -> rx.Var:
    return LanguageState.strings[("role." + role).to(str)].to(str)


def _native_select(field_id: str, name: str, options: list[tuple[str, rx.Var | str]], **props) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(label, value=value) for value, label in options],
        id=field_id,
        name=name,
        min_height=TOUCH_TARGET,
        width="100%",
        padding_x="12px",
        font_size="16px",
        border_radius="8px",
        border=f"1px solid {rx.color('gray', 8)}",
        background=rx.color("gray", 1),
        color=rx.color("gray", 12),
        **props,
    )


def _labelled(label_key: str, control: rx.Component, field_id: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=field_id),
        control,
        spacing="1",
        width="100%",
    )


def _done(text: rx.Var) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="circle-check", color_scheme="green", role="status"))


# --- audit ------------------------------------------------------------------------------------

A = AuditConsoleState


def _audit_filters() -> rx.Component:
    return card(
        rx.heading(tr("audit_console.filters"), as_="h2", size="5"),
        rx.form(
            rx.vstack(
                rx.grid(
                    text_field(tr("audit_console.from"), "from", type="date", default_value=A.date_from),
                    text_field(tr("audit_console.to"), "to", type="date", default_value=A.date_to),
                    text_field(tr("audit_console.user"), "user", required=False, max_length=64),
                    text_field(tr("audit_console.patient"), "patient", required=False, max_length=32),
                    _labelled("audit_console.action", _native_select(
                        "field-action", "action",
                        [("", tr("audit_console.any_action")), *[(a, a) for a in AUDIT_ACTIONS]]), "field-action"),
                    columns={"initial": "1", "sm": "2", "lg": "3"},
                    spacing="4",
                    width="100%",
                ),
                rx.flex(
                    submit_button(rx.icon("filter", aria_hidden="true"), tr("audit_console.apply")),
                    rx.button(rx.icon("download", aria_hidden="true"), tr("audit_console.download"), type="button",
                              size="3", variant="soft", min_height=TOUCH_TARGET, on_click=A.download),
                    direction={"initial": "column", "sm": "row"},
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=A.apply,
            reset_on_submit=False,
            key=A.date_from,  # re-render the date defaults once the page has loaded them
            width="100%",
        ),
        error_message(A.error),
    )


def _sort_header(column: str) -> rx.Component:
    active = A.sort == column
    return rx.table.column_header_cell(
        rx.button(
            tr(f"audit_console.col.{column}"),
            rx.cond(active, rx.icon(rx.cond(A.descending, "arrow-down", "arrow-up"), size=14, aria_hidden="true")),
            variant="ghost",
            size="2",
            on_click=A.sort_by(column),
            min_height="36px",
            color=rx.color("gray", 12),
            font_weight="bold",
        ),
        aria_sort=rx.cond(active, rx.cond(A.descending, "descending", "ascending"), "none"),
        scope="col",
        white_space="nowrap",
    )


def _audit_row(row) -> rx.Component:
    return rx.table.row(
        *[rx.table.cell(row[ROW_KEYS[c]], white_space="nowrap") for c in AUDIT_COLUMNS],
        rx.table.cell(row["detail"], min_width="240px", style={"overflow_wrap": "anywhere"}),
    )


def _audit_results() -> rx.Component:
    return card(
        rx.heading(tr("audit_console.results"), as_="h2", size="5"),
        rx.text(tr("audit_console.sort_hint"), size="2", color=rx.color("gray", 11)),
        rx.cond(
            A.rows.length() > 0,
            rx.vstack(
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(
                            *[_sort_header(c) for c in AUDIT_COLUMNS],
                            rx.table.column_header_cell(tr("audit_console.col.detail"), scope="col"),
                        )),
                        rx.table.body(rx.foreach(A.rows, _audit_row)),
                        size="1",
                        variant="surface",
                        id="audit-table",
                        min_width="1000px",  # scrolls sideways on narrow screens instead of squeezing
                    ),
                    overflow_x="auto",
                    width="100%",
                    tab_index=0,
                    role="region",
                    aria_label=tr("audit_console.results"),
                ),
                rx.hstack(
                    rx.cond(A.page > 0, rx.button(tr("audit_console.previous"), on_click=A.previous_page,
                                                  variant="soft", size="3", min_height=TOUCH_TARGET)),
                    rx.cond(A.has_more, rx.button(tr("audit_console.next"), on_click=A.next_page, variant="soft",
                                                  size="3", min_height=TOUCH_TARGET)),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(A.loaded, empty_state("scroll-text", tr("audit_console.empty"), tr("audit_console.empty_text"))),
        ),
    )


@staff_page("/console/audit", on_load=[AuditConsoleState.opened])
def audit_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("audit_console.title"), tr("audit_console.subtitle")),
        _audit_filters(),
        _audit_results(),
        spacing="4",
        width="100%",
    )


# --- notices ----------------------------------------------------------------------------------

N = NoticeConsoleState


def _notice_item(item) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.text(item["message"], size="3", weight="medium"),
                    rx.cond(item["message_es"] != "",
                            rx.text(tr("notices_console.spanish"), ": ", item["message_es"], size="2", lang="es")),
                    rx.text(tr("notices_console.since"), " ", item["starts"],
                            rx.cond(item["ends"] != "", rx.fragment(" · ", tr("notices_console.until"), " ",
                                                                     item["ends"])),
                            size="2", color=rx.color("gray", 11)),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.button(rx.icon("trash-2", aria_hidden="true"), tr("notices_console.withdraw"), size="3",
                          variant="soft", color_scheme="red", min_height=TOUCH_TARGET,
                          on_click=N.withdraw(item["id"])),
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


@staff_page("/console/notices", on_load=[NoticeConsoleState.opened])
def notices_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("notices_console.title"), tr("notices_console.subtitle")),
        card(
            rx.heading(tr("notices_console.new"), as_="h2", size="5"),
            _done(N.done),
            rx.form(
                rx.vstack(
                    error_message(N.error),
                    _labelled("notices_console.message",
                              rx.text_area(id="field-message", name="message", required=True, max_length=500,
                                           rows="3", size="3", width="100%"), "field-message"),
                    _labelled("notices_console.message_es",
                              rx.text_area(id="field-message_es", name="message_es", max_length=500, rows="3",
                                           size="3", width="100%", lang="es"), "field-message_es"),
                    text_field(tr("notices_console.ends"), "ends", type="date", required=False,
                               hint=tr("notices_console.ends_hint")),
                    primary_button(tr("notices_console.publish"), type="submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=N.publish,
                reset_on_submit=False,
                key=N.form_key,
                width="100%",
            ),
        ),
        card(
            rx.heading(tr("notices_console.current"), as_="h2", size="5"),
            rx.cond(
                N.items.length() > 0,
                rx.el.ul(rx.foreach(N.items, _notice_item), padding="0", margin="0", display="flex",
                         flex_direction="column", gap="8px", width="100%"),
                empty_state("megaphone", tr("console.no_notices"), tr("console.no_notices_text")),
            ),
        ),
        spacing="4",
        width="100%",
    )


# --- staff ------------------------------------------------------------------------------------

S = StaffConsoleState
ROLE_OPTIONS = [(str(role), tr(f"role.{role}")) for role in staff.ROLES]


def _password_panel() -> rx.Component:
    return rx.cond(
        S.new_password != "",
        rx.card(
            rx.vstack(
                rx.heading(tr("staff_console.password_heading_plain"), ": ", S.new_username, as_="h2", size="5"),
                rx.text(S.new_password, id="one-time-password", size={"initial": "7", "sm": "8"}, weight="bold",
                        style={"font_family": "monospace", "letter_spacing": "0.06em", "overflow_wrap": "anywhere"}),
                rx.text(tr("staff_console.password_text"), size="3"),
                rx.button(tr("staff_console.password_done"), size="3", min_height=TOUCH_TARGET,
                          on_click=S.dismiss_password),
                spacing="3",
                width="100%",
            ),
            size="4",
            width="100%",
            role="region",
            aria_label=tr("staff_console.password_heading_plain"),
            border=f"3px solid {rx.color('accent', 8)}",
        ),
    )


def _restart_button(person) -> rx.Component:
    """A new one-time password removes the member's app too, so it asks first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(tr("staff_console.restart"), size="2", variant="soft", color_scheme="amber",
                                          min_height=TOUCH_TARGET)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("staff_console.restart_title"), " ", person["name"]),
            rx.alert_dialog.description(tr("staff_console.restart_text"), size="3"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(tr("staff_console.restart_cancel"), variant="soft", color_scheme="gray",
                                                 size="3", min_height=TOUCH_TARGET)),
                rx.alert_dialog.action(rx.button(tr("staff_console.restart_confirm"), size="3", min_height=TOUCH_TARGET,
                                                 on_click=S.restart(person["id"]))),
                spacing="3",
                justify="end",
                wrap="wrap",
                margin_top="16px",
            ),
        ),
    )


def _person(person) -> rx.Component:
    select_id = "role-" + person["id"]
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.vstack(
                        rx.text(person["name"], rx.cond(person["title"] != "", ", " + person["title"], ""),
                                size="4", weight="bold"),
                        rx.text(person["username"], size="2", color=rx.color("gray", 11),
                                style={"font_family": "monospace"}),
                        spacing="0",
                        align="start",
                    ),
                    rx.spacer(),
                    rx.hstack(
                        status_badge(_role_label(person["role"]), "info"),
                        rx.cond(person["active"] == "yes", status_badge(tr("staff_console.active"), "good"),
                                status_badge(tr("staff_console.disabled"), "neutral")),
                        rx.cond(person["locked"] == "yes", status_badge(tr("staff_console.locked"), "warning")),
                        rx.cond(person["is_self"] == "yes", status_badge(tr("staff_console.you"), "neutral")),
                        spacing="2",
                        wrap="wrap",
                    ),
                    direction={"initial": "column", "sm": "row"},
                    spacing="2",
                    width="100%",
                ),
                rx.text(tr("staff_console.sessions"), ": ", person["sessions"], size="2",
                        color=rx.color("gray", 11)),
                rx.cond(
                    person["is_self"] != "yes",
                    rx.flex(
                        rx.box(
                            rx.el.label(tr("staff_console.change_role"), html_for=select_id,
                                        class_name="rt-Text rt-r-size-2", style={"display": "block"}),
                            _native_select(select_id, "role", ROLE_OPTIONS, value=person["role"],
                                           on_change=lambda value: S.change_role(person["id"], value)),
                            min_width="180px",
                        ),
                        rx.cond(
                            person["active"] == "yes",
                            rx.button(tr("staff_console.disable"), size="2", variant="soft", color_scheme="red",
                                      min_height=TOUCH_TARGET, on_click=S.set_active(person["id"], False)),
                            rx.button(tr("staff_console.enable"), size="2", variant="soft",
                                      min_height=TOUCH_TARGET, on_click=S.set_active(person["id"], True)),
                        ),
                        rx.cond(person["locked"] == "yes",
                                rx.button(tr("staff_console.unlock"), size="2", variant="soft",
                                          min_height=TOUCH_TARGET, on_click=S.unlock(person["id"]))),
                        rx.cond(person["sessions"] != "0",
                                rx.button(tr("staff_console.end_sessions"), size="2", variant="soft",
                                          color_scheme="gray", min_height=TOUCH_TARGET,
                                          on_click=S.end_sessions(person["id"]))),
                        _restart_button(person),
                        direction={"initial": "column", "sm": "row"},
                        align={"initial": "stretch", "sm": "end"},
                        spacing="3",
                        wrap="wrap",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            size="2",
            width="100%",
        ),
        list_style="none",
        width="100%",
    )


@staff_page("/console/staff", on_load=[StaffConsoleState.opened])
def staff_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("staff_console.title"), tr("staff_console.subtitle")),
        _password_panel(),
        _done(S.done),
        error_message(S.error),
        card(
            rx.heading(tr("staff_console.people"), as_="h2", size="5"),
            rx.el.ul(rx.foreach(S.people, _person), padding="0", margin="0", display="flex",
                     flex_direction="column", gap="8px", width="100%", aria_label=tr("staff_console.people")),
        ),
        card(
            rx.heading(tr("staff_console.new"), as_="h2", size="5"),
            rx.form(
                rx.vstack(
                    rx.grid(
                        text_field(tr("staff_console.username"), "username", max_length=64,
                                   hint=tr("staff_console.username_hint")),
                        text_field(tr("staff_console.display_name"), "display_name", max_length=200),
                        text_field(tr("staff_console.job_title"), "title", required=False, max_length=64),
                        text_field(tr("staff_console.email"), "email", type="email", required=False,
                                   max_length=254),
                        _labelled("staff_console.role", _native_select("field-role", "role", ROLE_OPTIONS,
                                                                       required=True), "field-role"),
                        columns={"initial": "1", "sm": "2"},
                        spacing="4",
                        width="100%",
                    ),
                    primary_button(tr("staff_console.create"), type="submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.create,
                reset_on_submit=False,
                key=S.form_key,
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


# --- outbox (demo) ----------------------------------------------------------------------------

O = OutboxConsoleState


def _message(message) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    status_badge(message["channel"], "info"),
                    status_badge(message["status"], "neutral"),
                    rx.text(message["kind"], size="2", color=rx.color("gray", 11)),
                    rx.spacer(),
                    rx.text(message["when"], size="2", color=rx.color("gray", 11)),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
                rx.text(tr("outbox_console.to"), ": ", message["recipient"], size="2"),
                rx.text(message["subject"], size="3", weight="bold"),
                rx.text(message["body"], size="3", style={"white_space": "pre-wrap", "overflow_wrap": "anywhere"}),
                spacing="1",
                width="100%",
            ),
            size="2",
            width="100%",
        ),
        list_style="none",
        width="100%",
    )


@staff_page("/console/outbox", on_load=[OutboxConsoleState.opened])
def outbox_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("outbox_console.title"), tr("outbox_console.subtitle")),
        error_message(O.error),
        rx.cond(
            O.messages.length() > 0,
            rx.el.ul(rx.foreach(O.messages, _message), padding="0", margin="0", display="flex",
                     flex_direction="column", gap="8px", width="100%"),
            rx.cond(O.error == "", empty_state("inbox", tr("outbox_console.empty"), tr("outbox_console.empty_text"))),
        ),
        spacing="4",
        width="100%",
    )
