"""The clinic-notice list, shared by the sign-in page and home pages."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import notice_banner
from portal_app.state.language import tr
from portal_app.state.notices import NoticesState


def notice_list() -> rx.Component:
    return rx.box(
        rx.foreach(
            NoticesState.notices,
            lambda n: rx.box(notice_banner(n["text"], tr("notice.heading")), width="100%", class_name="clinic-notice"),
        ),
        # Screen readers announce a notice that arrives while the page is open.
        aria_live="polite",
        id="clinic-notices",
        display="flex",
        flex_direction="column",
        gap="8px",
        width="100%",
    )
