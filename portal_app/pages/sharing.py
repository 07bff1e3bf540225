"""Sharing the record: the patient's privacy page (/health/sharing) and the provider's read-only
view (/shared), which has no way into the portal: no menu, no links but the clinic's phone."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, status_badge
from portal_app.components.forms import submit_button, text_field
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.health_parts import flag_badge, section
from portal_app.pages.medication_parts import bare_list, item
from portal_app.pages.public_frame import public_frame
from portal_app.pages.shell import patient_page
from portal_app.services.record_share import MAX_DAYS, SECTIONS
from portal_app.state.language import tr
from portal_app.state.sharing import SHARED_ROUTE, SharedRecordState, SharingState, provider_address

S = SharingState
P = SharedRecordState
DEFAULT_DAYS = 3
CODE_STYLE = {"font_family": "monospace", "font_size": "1.25rem", "letter_spacing": "0.05em"}


def _tr(key: str, **params) -> rx.Var:
    """A page string with its {placeholders} filled from state (or fixed text)."""
    text = tr(key)
    for name, value in params.items():
        text = text.replace("{" + name + "}", value)
    return text


def _heading(icon: str, key: str) -> rx.Component:
    return rx.hstack(rx.icon(icon, size=24, aria_hidden="true", color=rx.color("accent", 11), flex_shrink="0"),
                     rx.heading(tr(key), as_="h2", size="5"), spacing="3", align="center")


def _tick(name: str, label) -> rx.Component:
    """A native checkbox with its whole label as the touch target."""
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, width="22px", height="22px", flex_shrink="0", margin="0"),
        rx.text(label, size="3"),
        display="flex", align_items="center", gap="12px", min_height=TOUCH_TARGET, cursor="pointer",
    )


def _notice(text) -> rx.Component:
    return rx.cond(text != "", rx.callout.root(rx.callout.icon(rx.icon("circle-check", aria_hidden="true")),
                                               rx.callout.text(text), color_scheme="green", role="status",
                                               width="100%"))


# ---- the patient's page --------------------------------------------------------------------------


def _new_code() -> rx.Component:
    return rx.cond(
        S.code != "",
        rx.callout.root(
            rx.vstack(
                rx.heading(tr("share.code_heading"), as_="h3", size="4"),
                rx.text(S.code, id="share-code", size="8", weight="bold", style=CODE_STYLE),
                rx.text(_tr("share.code_text", address=provider_address()), size="3"),
                rx.text(_tr("share.code_until", when=S.code_until), size="3", weight="medium"),
                rx.text(tr("share.code_once"), size="3"),
                spacing="2", width="100%",
            ),
            color_scheme="green", role="status", width="100%",
        ),
    )


def _create_card() -> rx.Component:
    day_options = [rx.el.option(tr("share.days_one"), value="1")] + [
        rx.el.option(_tr("share.days_many", days=str(n)), value=str(n)) for n in range(2, MAX_DAYS + 1)]
    return card(
        _heading("share-2", "share.create_heading"),
        rx.text(tr("share.create_text"), size="3", color=rx.color("gray", 11)),
        rx.form(
            rx.vstack(
                text_field(tr("share.recipient_label"), "recipient", required=False, max_length=80,
                           hint=tr("share.recipient_hint")),
                rx.el.fieldset(
                    rx.el.legend(rx.text(tr("share.sections_legend"), size="3", weight="medium")),
                    rx.grid(*[_tick(f"section_{name}", tr(f"share.section.{name}")) for name in SECTIONS],
                            columns={"initial": "1", "sm": "2"}, spacing_x="4", width="100%"),
                    border="none", padding="0", margin="0", width="100%",
                ),
                rx.vstack(
                    rx.el.label(rx.text(tr("share.days_label"), size="3", weight="medium"), html_for="field-days"),
                    rx.el.select(*day_options, id="field-days", name="days", default_value=str(DEFAULT_DAYS),
                                 min_height=TOUCH_TARGET, font_size="16px", padding_x="8px", width="100%",
                                 border=f"1px solid {rx.color('gray', 8)}", border_radius="6px",
                                 background=rx.color("gray", 1), color=rx.color("gray", 12)),
                    spacing="1", width="100%",
                ),
                error_message(S.error),
                submit_button(rx.icon("key-round", aria_hidden="true"), tr("share.create_button"), width="100%"),
                spacing="4", width="100%",
            ),
            on_submit=S.create,
            reset_on_submit=True,
            width="100%",
        ),
        _new_code(),
    )


def _share_row(row) -> rx.Component:
    return item(rx.vstack(
        rx.hstack(rx.text(row["recipient"], size="4", weight="bold"),
                  rx.cond(row["locked"] == "yes", status_badge(tr("share.locked"), "danger")),
                  spacing="2", align="center", wrap="wrap"),
        rx.text(row["sections"], size="3"),
        rx.text(row["ends"], size="3", weight="medium"),
        rx.text(row["views"], size="3", color=rx.color("gray", 11), white_space="pre-line"),
        rx.button(rx.icon("circle-stop", aria_hidden="true"), tr("share.stop"),
                  aria_label=tr("share.stop") + " · " + row["recipient"].to(str),
                  on_click=S.stop(row["id"]), color_scheme="red", variant="soft", size="3",
                  min_height=TOUCH_TARGET),
        spacing="2", align="start", padding_bottom="12px", border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%"))


def _active_card() -> rx.Component:
    return card(
        _heading("eye", "share.active_heading"),
        _notice(S.notice),
        rx.cond(S.shares.length() > 0,
                rx.box(bare_list(S.shares, _share_row, tr("share.active_heading")), id="share-list", width="100%"),
                empty_state("shield-check", tr("share.active_empty"), tr("share.active_empty_text"))),
    )


def _email_card() -> rx.Component:
    return card(
        _heading("mail", "share.email_heading"),
        rx.text(tr("share.email_text"), size="3", color=rx.color("gray", 11)),
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", aria_hidden="true")),
            rx.callout.text(rx.text.strong(tr("share.email_warning_title")), " ", tr("share.email_warning")),
            color_scheme="amber", high_contrast=True, role="note", width="100%", id="share-email-warning",
        ),
        rx.form(
            rx.vstack(
                text_field(tr("share.email_label"), "email", type="email", autocomplete="email", max_length=120),
                _tick("understood", tr("share.email_confirm")),
                error_message(S.email_error),
                _notice(S.email_notice),
                submit_button(rx.icon("send", aria_hidden="true"), tr("share.email_button"), width="100%",
                              variant="soft"),
                spacing="4", width="100%",
            ),
            on_submit=S.email_copy,
            reset_on_submit=True,
            width="100%",
        ),
    )


@patient_page("/health/sharing", on_load=[SharingState.opened])
def sharing() -> rx.Component:
    return rx.vstack(
        page_header(tr("share.title"), tr("share.subtitle")),
        _create_card(),
        _active_card(),
        _email_card(),
        spacing="4",
        width="100%",
    )


# ---- the provider's page ---------------------------------------------------------------------------


def _muted(text) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="3", color=rx.color("gray", 11)))


def _entry(row) -> rx.Component:
    return item(rx.vstack(
        rx.text(row["name"], size="3", weight="bold"),
        _muted(row["detail"]),
        _muted(row["extra"]),
        _muted(row["when"]),
        spacing="1", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"))


def _medicine(row) -> rx.Component:
    return item(rx.vstack(rx.text(row["name"], size="3", weight="bold"), _muted(row["detail"]), spacing="1",
                          padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"))


def _value(value) -> rx.Component:
    return item(rx.hstack(
        rx.vstack(rx.text(value.name, size="3", weight="medium"),
                  rx.cond(value.usual != "", rx.text(tr("share.range"), ": ", value.usual, size="2",
                                                     color=rx.color("gray", 11))),
                  spacing="0"),
        rx.spacer(),
        rx.vstack(rx.text(value.value, size="3", weight="bold", white_space="nowrap"), flag_badge(value.flag),
                  spacing="1", align="end"),
        width="100%", padding_bottom="8px", border_bottom=f"1px solid {rx.color('gray', 5)}"))


def _group(group) -> rx.Component:
    return item(rx.vstack(
        rx.heading(group.name, as_="h3", size="4"),
        _muted(group.when),
        bare_list(group.rows, _value, group.name),
        _muted(group.conclusion),
        spacing="2", width="100%"))


# (section, icon, state list) in the order the view shows them
_VIEW_SECTIONS = (("problems", "heart-pulse", P.problems), ("allergies", "triangle-alert", P.allergies),
                  ("immunizations", "syringe", P.immunizations), ("vitals", "activity", P.vitals),
                  ("visits", "stethoscope", P.visits), ("procedures", "scissors", P.procedures),
                  ("documents", "file-text", P.documents), ("care_team", "users", P.care_team))


def _shared_view() -> rx.Component:
    return rx.vstack(
        card(
            rx.heading(_tr("share.view_heading", name=P.patient_name), as_="h1", size="6"),
            rx.text(_tr("share.view_born", when=P.born), size="3", weight="medium"),
            rx.text(_tr("share.view_until", when=P.until), size="3", color=rx.color("gray", 11)),
            rx.button(rx.icon("x", aria_hidden="true"), tr("share.view_close"), on_click=P.close, variant="soft",
                      size="3", min_height=TOUCH_TARGET, width="100%"),
        ),
        *[rx.cond(P.chosen.contains(key), section(icon, f"share.section.{key}", rows, _entry, "share.none"))
          for key, icon, rows in _VIEW_SECTIONS],
        rx.cond(P.chosen.contains("problems"),
                section("circle-check", "share.section.problems_resolved", P.resolved, _entry, "share.none")),
        rx.cond(P.chosen.contains("medications"),
                section("pill", "share.section.medications", P.medications, _medicine, "share.none")),
        rx.cond(P.chosen.contains("results"),
                section("flask-conical", "share.section.results", P.results, _group, "share.none")),
        spacing="4",
        width="100%",
        id="shared-record",
    )


def _open_form() -> rx.Component:
    return card(
        rx.heading(tr("share.open_title"), as_="h1", size="6"),
        rx.text(tr("share.open_text"), size="3"),
        rx.form(
            rx.vstack(
                error_message(P.error),
                text_field(tr("share.code_label"), "code", hint=tr("share.code_hint"), max_length=40,
                           auto_capitalize="characters", spell_check=False, style=CODE_STYLE),
                text_field(tr("share.dob_label"), "born", type="date", autocomplete="off"),
                submit_button(tr("share.open_button"), width="100%"),
                spacing="4", width="100%",
            ),
            on_submit=P.open,
            reset_on_submit=False,
            width="100%",
        ),
    )


@rx.page(route=SHARED_ROUTE, title="Shared health record", on_load=[SharedRecordState.opened])
def shared() -> rx.Component:
    return public_frame(rx.cond(P.shown, _shared_view(), _open_form()), help_key="share.help", max_width="720px")
