"""The frame every signed-in page shares: skip link, navigation, header and a readable column."""

from __future__ import annotations

import reflex as rx

from portal_app.components.theme import CONTENT_MAX_WIDTH, SIDEBAR_WIDTH, TAB_BAR_HEIGHT, phone_or_wide


def skip_link(label: rx.Var | str) -> rx.Component:
    """Lets keyboard and screen-reader users jump past the navigation."""
    return rx.el.a(
        label,
        href="#main",
        class_name="portal-skip-link",
        # The router handles the hash itself, so move focus explicitly.
        on_click=rx.call_script("document.getElementById('main')?.focus()"),
    )


def page_header(title: rx.Var | str, subtitle: rx.Var | str | None = None, action: rx.Component | None = None) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading(title, as_="h1", size="7"),
            *([rx.text(subtitle, size="3", color=rx.color("gray", 11))] if subtitle is not None else []),
            spacing="1",
            align="start",
        ),
        rx.spacer(),
        *([action] if action is not None else []),
        align="center",
        width="100%",
        padding_bottom="2",
    )


def app_frame(nav: list[rx.Component], top_bar: rx.Component, content: rx.Component, skip_label: rx.Var | str) -> rx.Component:
    """Phones: top bar, content, bottom tabs. Wide screens: sidebar and content."""
    return rx.box(
        skip_link(skip_label),
        *nav,
        rx.box(
            top_bar,
            rx.el.main(
                rx.box(content, max_width=CONTENT_MAX_WIDTH, width="100%", margin_x="auto"),
                id="main",
                tab_index=-1,
                padding_x=phone_or_wide("16px", "32px"),
                padding_top=phone_or_wide("16px", "32px"),
                padding_bottom=phone_or_wide(f"calc({TAB_BAR_HEIGHT} + 24px)", "48px"),
            ),
            margin_left=phone_or_wide("0", SIDEBAR_WIDTH),
        ),
        min_height="100vh",
    )


def top_bar(title: rx.Var | str, right: rx.Component) -> rx.Component:
    """The phone's slim top bar (wide screens have the sidebar instead)."""
    return rx.el.header(
        rx.hstack(
            rx.hstack(
                rx.icon("heart-pulse", size=24, aria_hidden="true", color=rx.color("accent", 10)),
                rx.text(title, weight="bold", size="3"),
                align="center",
                spacing="2",
            ),
            rx.spacer(),
            right,
            align="center",
            width="100%",
        ),
        padding_x="16px",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        display=phone_or_wide("block", "none"),
    )
