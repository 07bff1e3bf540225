"""The frame of the pages people see before signing in: sign-in, activation, sign-up, reset."""

from __future__ import annotations

import reflex as rx

from portal_app.components.page import skip_link
from portal_app.config import settings
from portal_app.pages.language_picker import language_picker
from portal_app.state.language import tr


def public_frame(*middle: rx.Component, help_key: str, max_width: str = "480px") -> rx.Component:
    """Clinic name on top, the page's own content, then how to call the clinic and the language."""
    return rx.box(
        skip_link(tr("nav.skip")),
        rx.el.main(
            rx.vstack(
                rx.hstack(
                    rx.icon("heart-pulse", size=36, aria_hidden="true", color=rx.color("accent", 10)),
                    rx.text(settings.clinic_name, size="5", weight="bold"),
                    align="center",
                    spacing="2",
                ),
                *middle,
                rx.text(tr(help_key), " ",
                        rx.link(settings.clinic_phone, href=f"tel:{settings.clinic_phone}", underline="always"),
                        size="3"),
                language_picker(),
                spacing="5",
                width="100%",
                max_width=max_width,
                margin_x="auto",
                padding_x="16px",
                padding_y="24px",
            ),
            id="main",
            tab_index=-1,
        ),
        min_height="100vh",
        background=rx.color("accent", 2),
    )
