"""A file chooser that uploads at once to ``/files/upload`` and tells a state handler the outcome."""

from __future__ import annotations

import json

import reflex as rx

from portal_app.components.theme import TOUCH_TARGET


def file_picker(
    input_id: str,
    purpose: str,
    max_bytes: int,
    label: rx.Var | str,
    on_uploaded: rx.EventHandler,
    accept: str = "image/*,application/pdf",
    hint: rx.Var | str | None = None,
    icon: str = "paperclip",
) -> rx.Component:
    """A large "choose a file" button; ``on_uploaded`` receives the server's answer (a dict).

    The real input stays in the page (visually hidden, still focusable and announced), and the
    label is what people see and tap; the browser's own file dialog does the rest.
    """
    script = f"portalUpload({json.dumps(input_id)}, {json.dumps(purpose)}, {int(max_bytes)})"
    hint_id = f"{input_id}-hint"
    return rx.vstack(
        rx.el.input(
            type="file",
            id=input_id,
            accept=accept,
            class_name="portal-file-input",
            aria_describedby=hint_id if hint is not None else None,
            on_change=rx.call_script(script, callback=on_uploaded),
        ),
        rx.el.label(
            rx.icon(icon, size=20, aria_hidden="true"),
            label,
            html_for=input_id,
            class_name="portal-file-label",
            min_height=TOUCH_TARGET,
        ),
        rx.el.progress(id=f"{input_id}-progress", max=100, value=0, hidden=True, width="100%",
                       aria_label=label),
        *([rx.text(hint, id=hint_id, size="2", color=rx.color("gray", 11))] if hint is not None else []),
        spacing="1",
        align="start",
        width="100%",
    )
