"""The idle warning in both shells: a timer that asks the server how long is left (not activity),
and the dialog a minute before the session ends."""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.utils.format import format_queue_events

from portal_app.state.idle import CHECK_SECONDS, IdleState
from portal_app.state.language import tr
from portal_app.state.session import SessionState

WATCH_ID = "portal-idle-watch"


def _start_timer_script() -> str:
    """One interval per tab (a page change replaces it); it stops when the shell is gone."""
    tick = str(format_queue_events(IdleState.check))
    element = json.dumps(WATCH_ID)
    return (
        "(() => { if (window.__portalIdle) clearInterval(window.__portalIdle);"
        f" const tick = {tick};"
        " window.__portalIdle = setInterval(() => {"
        f"  if (!document.getElementById({element})) {{ clearInterval(window.__portalIdle); window.__portalIdle = null; return; }}"
        "  tick(); }, " + str(CHECK_SECONDS * 1000) + "); })()"
    )


def idle_watch() -> rx.Component:
    return rx.fragment(
        rx.el.div(id=WATCH_ID, hidden=True, on_mount=rx.call_script(_start_timer_script())),
        rx.alert_dialog.root(
            rx.alert_dialog.content(
                rx.alert_dialog.title(tr("idle.title")),
                rx.alert_dialog.description(tr("idle.text"), size="3"),
                rx.flex(
                    rx.button(tr("idle.sign_out"), on_click=SessionState.sign_out, variant="soft", color_scheme="gray",
                              size="3"),
                    rx.alert_dialog.action(rx.button(tr("idle.stay"), on_click=IdleState.stay, size="3")),
                    spacing="3",
                    justify="end",
                    wrap="wrap",
                    margin_top="16px",
                ),
                max_width="440px",
            ),
            open=IdleState.warning,
        ),
    )
