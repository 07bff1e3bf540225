"""Security and privacy: where you are signed in, and who viewed or changed your record.

One body, two shells: /account for patients, /console/account for staff.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card, link_card
from portal_app.components.feedback import empty_state, error_message, status_badge
from portal_app.components.page import page_header
from portal_app.pages.shell import patient_page, staff_page
from portal_app.state.account import AccountState
from portal_app.state.language import LanguageState, tr


def _text(key: rx.Var) -> rx.Var:
    return LanguageState.strings[key.to(str)].to(str)


def _device(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.box(rx.icon("monitor-smartphone", size=26, aria_hidden="true"), color=rx.color("accent", 11)),
            rx.vstack(
                rx.hstack(
                    rx.text(row["device"], weight="bold", size="4"),
                    rx.cond(row["current"] == "yes", status_badge(tr("account.this_device"), "good")),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(tr("account.signed_in_at"), " ", row["since"], size="3"),
                rx.text(tr("account.last_used"), " ", row["last_seen"], size="3", color=rx.color("gray", 11)),
                rx.cond(row["ip"] != "",
                        rx.text(tr("account.address"), " ", row["ip"], size="2", color=rx.color("gray", 11))),
                rx.button(
                    tr("account.sign_out_device"),
                    aria_label=tr("account.sign_out_device") + " · " + row["device"].to(str),
                    on_click=AccountState.end_session(row["id"]),
                    variant="soft",
                    color_scheme="red",
                    size="3",
                    margin_top="8px",
                ),
                spacing="1",
                align="start",
                flex="1",
            ),
            align="start",
            spacing="3",
            width="100%",
        ),
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        list_style="none",
    )


def _devices_card() -> rx.Component:
    return card(
        rx.heading(tr("account.devices_title"), as_="h2", size="5"),
        rx.text(tr("account.devices_text"), size="3", color=rx.color("gray", 11)),
        rx.el.ul(rx.foreach(AccountState.devices, _device), padding="0", margin="0", id="account-devices"),
        rx.button(
            rx.icon("log-out", aria_hidden="true"),
            tr("account.sign_out_everywhere"),
            on_click=AccountState.end_everywhere,
            color_scheme="red",
            size="3",
            width="100%",
        ),
        rx.text(tr("account.sign_out_everywhere_hint"), size="2", color=rx.color("gray", 11)),
    )


def _event(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.strong(row["who"]), " (", _text(row["role_key"]), ") ", _text(row["action_key"]),
            rx.cond(row["outcome_key"] != "", rx.fragment(" ", _text(row["outcome_key"]))),
            size="3",
        ),
        rx.text(row["when"], size="2", color=rx.color("gray", 11)),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        list_style="none",
    )


def _history_card() -> rx.Component:
    return card(
        rx.heading(tr("account.history_title"), as_="h2", size="5"),
        rx.text(tr("account.history_text"), size="3", color=rx.color("gray", 11)),
        rx.cond(
            AccountState.history.length() > 0,
            rx.el.ul(rx.foreach(AccountState.history, _event), padding="0", margin="0", id="account-history"),
            empty_state("history", tr("account.history_empty"), tr("account.history_empty_text")),
        ),
        rx.cond(
            (AccountState.history_page > 0) | AccountState.history_more,
            _pager(),
        ),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("chevron-left", aria_hidden="true"), tr("account.newer"),
                  on_click=AccountState.previous_page, disabled=AccountState.history_page == 0,
                  variant="soft", size="3"),
        rx.spacer(),
        rx.button(tr("account.older"), rx.icon("chevron-right", aria_hidden="true"),
                  on_click=AccountState.next_page, disabled=~AccountState.history_more,
                  variant="soft", size="3"),
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        page_header(tr("account.title"), tr("account.subtitle")),
        error_message(AccountState.error),
        _devices_card(),
        rx.cond(AccountState.shows_history, _history_card()),
        rx.cond(AccountState.shows_history,
                link_card("share-2", tr("share.link"), tr("share.link_text"), "/health/sharing")),
        spacing="4",
        width="100%",
    )


@patient_page("/account", on_load=[AccountState.opened])
def account() -> rx.Component:
    return _body()


@staff_page("/console/account", on_load=[AccountState.opened])
def console_account() -> rx.Component:
    return _body()
