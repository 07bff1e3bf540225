"""Pieces the medication pages share: the step badge, the refill-step words, small layout helpers."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import status_badge
from portal_app.components.theme import TOUCH_TARGET
from portal_app.state.language import tr

STEP_TONES = (("requested", "info"), ("approved", "good"), ("denied", "danger"), ("sent", "info"),
              ("ready", "good"), ("picked_up", "neutral"), ("cancelled", "neutral"))


def step_badge(step) -> rx.Component:
    return rx.match(step, *[(name, status_badge(tr(f"refills.step.{name}"), tone)) for name, tone in STEP_TONES],
                    status_badge(step, "neutral"))


def step_word(step) -> rx.Component:
    return rx.match(step, *[(name, tr(f"refills.step.{name}")) for name, _tone in STEP_TONES], step)


def detail(label_key: str, value) -> rx.Component:
    """"Label: value" on one line, hidden when the value is empty."""
    return rx.cond(value != "", rx.text(rx.text.span(tr(label_key), ": ", weight="medium"), value, size="3"))


def link_button(icon: str, label, href: str, variant: str = "solid", **props) -> rx.Component:
    return rx.link(rx.button(rx.icon(icon, aria_hidden="true"), label, size="3", variant=variant,
                             min_height=TOUCH_TARGET, width="100%", **props), href=href, width="100%")


def bare_list(items, render, label) -> rx.Component:
    return rx.el.ul(rx.foreach(items, render), aria_label=label, padding="0", margin="0", display="flex",
                    flex_direction="column", gap="12px", width="100%")


def item(*children, **props) -> rx.Component:
    return rx.el.li(*children, list_style="none", width="100%", **props)


def textarea_field(label, name: str, hint=None, max_length: int = 500) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(rx.text(label, size="3", weight="medium"), html_for=field_id),
        rx.text_area(id=field_id, name=name, max_length=max_length, size="3", width="100%", rows="3",
                     aria_describedby=f"{field_id}-hint" if hint is not None else None),
        *([rx.text(hint, id=f"{field_id}-hint", size="2", color=rx.color("gray", 11))] if hint is not None else []),
        spacing="1", width="100%",
    )


def success(text) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="circle-check", color_scheme="green", high_contrast=True,
                                          role="status", width="100%"))
