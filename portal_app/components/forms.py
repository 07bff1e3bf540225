"""Form fields with visible labels, the right autocomplete and large touch targets."""

from __future__ import annotations

import reflex as rx

from portal_app.components.theme import TOUCH_TARGET


def text_field(
    label: rx.Var | str,
    name: str,
    *,
    type: str = "text",
    autocomplete: str = "off",
    required: bool = True,
    hint: rx.Var | str | None = None,
    **props,
) -> rx.Component:
    field_id = f"field-{name}"
    hint_id = f"{field_id}-hint"
    return rx.vstack(
        rx.el.label(rx.text(label, size="3", weight="medium"), html_for=field_id),
        rx.input(
            id=field_id,
            name=name,
            type=type,
            auto_complete=autocomplete,
            required=required,
            size="3",
            width="100%",
            min_height=TOUCH_TARGET,
            aria_describedby=hint_id if hint is not None else None,
            **props,
        ),
        *([rx.text(hint, id=hint_id, size="2", color=rx.color("gray", 11))] if hint is not None else []),
        spacing="1",
        width="100%",
        align="stretch",
    )


def primary_button(label: rx.Var | str, **props) -> rx.Component:
    return rx.button(label, size="3", min_height=TOUCH_TARGET, width="100%", **props)
