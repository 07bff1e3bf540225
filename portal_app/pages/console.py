"""The staff console's first page: who is signed in, and the notices patients see right now."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, status_badge
from portal_app.components.page import page_header
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
        spacing="4",
        width="100%",
    )
