"""The patient's home: clinic notices and the way to each part of the portal."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import link_card
from portal_app.components.page import page_header
from portal_app.pages.appointments import next_visit_card
from portal_app.pages.medications import medicines_card
from portal_app.pages.notices import notice_list
from portal_app.pages.results import results_card
from portal_app.pages.shell import patient_page
from portal_app.state.appointments import NextVisitState
from portal_app.state.health import ResultsHomeState
from portal_app.state.language import LanguageState, tr
from portal_app.state.medications import MedsHomeState
from portal_app.state.messages import MessageBadgeState
from portal_app.state.notices import NoticesState
from portal_app.state.session import SessionState


@patient_page("/home", on_load=[NoticesState.watch, MedsHomeState.opened, NextVisitState.opened, ResultsHomeState.opened])
def home() -> rx.Component:
    greeting = LanguageState.strings["home.greeting"].to(str).replace("{name}", SessionState.display_name)
    return rx.vstack(
        page_header(greeting, tr("home.subtitle")),
        notice_list(),
        next_visit_card(),
        link_card("message-circle", tr("nav.messages"),
                  rx.cond(MessageBadgeState.unread > 0,
                          LanguageState.strings["msg.home_unread"].to(str).replace("{count}",
                                                                                   MessageBadgeState.unread.to_string()),
                          tr("home.messages_text")), "/messages"),
        link_card("clipboard-list", tr("nav.health"), tr("home.health_text"), "/health"),
        results_card(),
        medicines_card(),
        spacing="4",
        width="100%",
    )
