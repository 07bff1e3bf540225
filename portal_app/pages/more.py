"""More: language, light or dark screen, help and signing out."""

from __future__ import annotations

import reflex as rx
from reflex_base.style import color_mode, set_color_mode

from portal_app.components.cards import card, link_card
from portal_app.components.page import page_header
from portal_app.config import settings
from portal_app.pages.language_picker import language_picker
from portal_app.pages.shell import patient_page
from portal_app.state.language import tr
from portal_app.state.session import SessionState


def _theme_choice() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text(tr("more.theme"), size="3", weight="medium")),
        rx.hstack(
            *[
                rx.button(rx.icon(icon, aria_hidden="true"), tr(label), type="button", size="3",
                          variant=rx.cond(color_mode == mode, "solid", "outline"),
                          aria_pressed=color_mode == mode, on_click=set_color_mode(mode))
                for mode, icon, label in (("light", "sun", "more.theme_light"), ("dark", "moon", "more.theme_dark"),
                                          ("system", "monitor", "more.theme_system"))
            ],
            spacing="2",
            wrap="wrap",
        ),
        border="none",
        padding="0",
        margin="0",
    )


@patient_page("/more")
def more() -> rx.Component:
    return rx.vstack(
        page_header(tr("nav.more")),
        link_card("user-round", tr("profile.title"), tr("profile.more_text"), "/account/profile"),
        link_card("shield-check", tr("account.title"), tr("account.more_text"), "/account"),
        card(
            rx.heading(tr("more.settings"), as_="h2", size="5"),
            language_picker(),
            _theme_choice(),
        ),
        card(
            rx.heading(tr("more.help"), as_="h2", size="5"),
            rx.text(tr("more.help_text"), size="3"),
            rx.link(settings.clinic_phone, href=f"tel:{settings.clinic_phone}", size="4", weight="bold"),
        ),
        rx.button(
            rx.icon("log-out", aria_hidden="true"),
            tr("action.sign_out"),
            on_click=SessionState.sign_out,
            size="3",
            color_scheme="red",
            variant="soft",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
