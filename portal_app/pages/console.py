"""The staff console's first page: who is signed in, what is waiting for them, and the notices
patients see right now."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card, link_card
from portal_app.components.feedback import empty_state, status_badge
from portal_app.components.page import page_header
from portal_app.config import settings
from portal_app.pages.notices import notice_list
from portal_app.pages.shell import staff_page
from portal_app.state.language import LanguageState, tr
from portal_app.state.notices import NoticesState
from portal_app.state.session import SessionState
from portal_app.state.work_summary import WorkSummaryState


@staff_page("/console", on_load=[NoticesState.watch, WorkSummaryState.load])
def console() -> rx.Component:
    role_label = LanguageState.strings[("role." + SessionState.role).to(str)].to(str)
    return rx.vstack(
        page_header(tr("console.title"), SessionState.display_name, status_badge(role_label, "info")),
        _waiting(),
        card(
            rx.heading(tr("console.notices_title"), as_="h2", size="5"),
            rx.text(tr("console.notices_text"), size="3", color=rx.color("gray", 11)),
            rx.cond(
                NoticesState.notices.length() > 0,
                notice_list(),
                empty_state("megaphone", tr("console.no_notices"), tr("console.no_notices_text")),
            ),
        ),
        _admin_links(),
        spacing="4",
        width="100%",
    )


def _waiting_row(item: dict) -> rx.Component:
    label = LanguageState.strings[("console.waiting." + item["key"]).to(str)].to(str)
    return rx.el.li(rx.link(
        rx.hstack(
            rx.text(item["count"], weight="bold", size="6", min_width="2.5em", text_align="right"),
            rx.text(label, size="4"),
            rx.spacer(),
            rx.icon("chevron-right", size=22, aria_hidden="true", color=rx.color("gray", 10)),
            align="center", spacing="4", width="100%", min_height="48px",
        ),
        href=item["route"], underline="none", color="inherit", width="100%",
    ), list_style="none", width="100%")


def _waiting() -> rx.Component:
    """The day's work in numbers, each a link to where it is done (nothing for roles with no queue)."""
    return rx.cond(
        WorkSummaryState.items.length() > 0,
        card(
            rx.heading(tr("console.waiting.title"), as_="h2", size="5"),
            rx.el.ul(rx.foreach(WorkSummaryState.items, _waiting_row), id="console-waiting",
                     style={"padding": 0, "margin": 0, "width": "100%"}),
        ),
    )


def _admin_links() -> rx.Component:
    """Admin tools, for phones too (the tab bar has room for a few items only). Pages check the role again."""
    return rx.cond(
        SessionState.role == "admin",
        card(
            rx.heading(tr("console.admin_title"), as_="h2", size="5"),
            link_card("megaphone", tr("nav.console_notices"), tr("console.admin_notices_text"), "/console/notices"),
            link_card("scroll-text", tr("nav.console_audit"), tr("console.admin_audit_text"), "/console/audit"),
            link_card("user-cog", tr("nav.console_staff"), tr("console.admin_staff_text"), "/console/staff"),
            link_card("calendar-cog", tr("nav.console_setup"), tr("console.admin_setup_text"), "/console/setup"),
            *([] if settings.production else [
                link_card("mail", tr("nav.console_outbox"), tr("console.admin_outbox_text"), "/console/outbox")]),
        ),
    )
