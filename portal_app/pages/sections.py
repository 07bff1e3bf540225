"""Appointments and Messages: the shell's destinations, filled in by their own issues.

Until then each says honestly that there is nothing here yet and how to reach the clinic.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state
from portal_app.components.page import page_header
from portal_app.config import settings
from portal_app.pages.shell import patient_page
from portal_app.state.language import tr


def _call_clinic() -> rx.Component:
    return rx.link(
        rx.button(rx.icon("phone", aria_hidden="true"), settings.clinic_phone, size="3", variant="soft"),
        href=f"tel:{settings.clinic_phone}",
    )


def _empty_section(route: str, icon: str, area: str, action: rx.Component | None) -> None:
    """Register a patient page that says plainly it has nothing yet (keys ``<area>.empty_*``)."""

    def body() -> rx.Component:
        return rx.vstack(
            page_header(tr(f"nav.{area}")),
            card(empty_state(icon, tr(f"{area}.empty_title"), tr(f"{area}.empty_text"), action)),
            width="100%",
        )

    body.__name__ = area
    patient_page(route)(body)


_empty_section("/appointments", "calendar-days", "appointments", _call_clinic())
_empty_section("/messages", "message-circle", "messages", _call_clinic())
