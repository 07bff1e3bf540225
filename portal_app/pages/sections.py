"""Appointments, Messages and Health: the shell's destinations, filled in by their own issues.

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


@patient_page("/appointments", "nav.appointments")
def appointments() -> rx.Component:
    return rx.vstack(
        page_header(tr("nav.appointments")),
        card(empty_state("calendar-days", tr("appointments.empty_title"), tr("appointments.empty_text"), _call_clinic())),
        width="100%",
    )


@patient_page("/messages", "nav.messages")
def messages() -> rx.Component:
    return rx.vstack(
        page_header(tr("nav.messages")),
        card(empty_state("message-circle", tr("messages.empty_title"), tr("messages.empty_text"), _call_clinic())),
        width="100%",
    )


@patient_page("/health", "nav.health")
def health() -> rx.Component:
    return rx.vstack(
        page_header(tr("nav.health")),
        card(empty_state("clipboard-list", tr("health.empty_title"), tr("health.empty_text"))),
        width="100%",
    )
