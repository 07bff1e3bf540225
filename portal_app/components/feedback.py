"""Empty, loading and status displays, and banners."""

from __future__ import annotations

import reflex as rx


def empty_state(icon: str, title: rx.Var | str, text: rx.Var | str, action: rx.Component | None = None) -> rx.Component:
    """What a list shows when it has nothing yet: say so plainly, and what to do next."""
    return rx.vstack(
        rx.box(rx.icon(icon, size=36, aria_hidden="true"), color=rx.color("accent", 10)),
        rx.heading(title, as_="h2", size="4", text_align="center"),
        rx.text(text, size="3", color=rx.color("gray", 11), text_align="center", max_width="36ch"),
        *([action] if action is not None else []),
        align="center",
        spacing="3",
        padding_y="32px",
        padding_x="16px",
        width="100%",
    )


def loading_block(label: rx.Var | str) -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(label, size="3"), spacing="3", align="center"),
        role="status",
        padding="24px",
        width="100%",
    )


TONES = {"info": "blue", "good": "green", "warning": "amber", "danger": "red", "neutral": "gray"}


def status_badge(label: rx.Var | str, tone: str = "neutral") -> rx.Component:
    """A coloured word; the word carries the meaning, the colour only helps."""
    return rx.badge(label, color_scheme=TONES[tone], size="2", variant="soft", radius="full", high_contrast=True)


def notice_banner(text: rx.Var | str, heading: rx.Var | str) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("megaphone", aria_hidden="true")),
        rx.callout.text(rx.text.strong(heading), " ", text),
        color_scheme="amber",
        high_contrast=True,  # amber's normal text is below the 4.5:1 contrast WCAG asks
        size="2",
        width="100%",
        role="note",
    )


def error_message(text: rx.Var | str) -> rx.Component:
    """A form's error, read out by screen readers as soon as it appears."""
    return rx.cond(
        text != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-alert", aria_hidden="true")),
            rx.callout.text(text),
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )
