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


def submit_button(*children, **props) -> rx.Component:
    """A form's submit button, off until the page is connected to the server: a form sent before
    then goes out as a plain GET, with what was typed (a password, say) in the address."""
    props.setdefault("size", "3")
    props.setdefault("min_height", TOUCH_TARGET)
    return rx.button(*children, type="submit", disabled=~rx.State.is_hydrated, **props)


def primary_button(label: rx.Var | str, **props) -> rx.Component:
    if props.pop("type", None) == "submit":
        return submit_button(label, width="100%", **props)
    return rx.button(label, size="3", min_height=TOUCH_TARGET, width="100%", **props)
