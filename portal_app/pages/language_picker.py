"""Choosing the portal's language (offered on the sign-in page and under More)."""

from __future__ import annotations

import reflex as rx

from portal_app import i18n
from portal_app.state.language import LanguageState, tr
from portal_app.state.notices import NoticesState
from portal_app.state.preferences import PreferencesState


def language_picker() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(rx.text(tr("language.label"), size="3", weight="medium")),
        rx.hstack(
            *[
                rx.button(
                    name,
                    lang=code,
                    type="button",
                    size="3",
                    variant=rx.cond(LanguageState.language == code, "solid", "outline"),
                    aria_pressed=LanguageState.language == code,
                    on_click=[PreferencesState.choose_language(code), NoticesState.watch],
                )
                for code, name in i18n.LANGUAGES.items()
            ],
            spacing="2",
        ),
        border="none",
        padding="0",
        margin="0",
    )
