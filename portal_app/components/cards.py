"""Cards: the one container for a block of content."""

from __future__ import annotations

import reflex as rx


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.vstack(*children, spacing="3", width="100%", align="stretch"),
        size="3",
        width="100%",
        **props,
    )


def link_card(icon: str, title: rx.Var | str, text: rx.Var | str, href: str, **props) -> rx.Component:
    """A whole-card link: one large touch target with an icon, a title and a line of text."""
    return rx.link(
        rx.card(
            rx.hstack(
                rx.box(rx.icon(icon, size=26, aria_hidden="true"), color=rx.color("accent", 11)),
                rx.vstack(
                    rx.text(title, weight="bold", size="4"),
                    rx.text(text, size="3", color=rx.color("gray", 11)),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.icon("chevron-right", size=22, aria_hidden="true", color=rx.color("gray", 10)),
                align="center",
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
            class_name="portal-link-card",
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
        **props,
    )
