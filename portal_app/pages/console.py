"""The staff console's first page: who is signed in, and the notices patients see right now."""

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


@staff_page("/console", on_load=[NoticesState.watch])
def console() -> rx.Component:
    role_label = LanguageState.strings[("role." + SessionState.role).to(str)].to(str)
    return rx.vstack(
        page_header(tr("console.title"), SessionState.display_name, status_badge(role_label, "info")),
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
