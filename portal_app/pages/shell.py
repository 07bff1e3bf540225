"""The patient shell and the staff console shell, with their navigation and page guards."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app.components.feedback import loading_block
from portal_app.components.navigation import NavItem, bottom_tab_bar, sidebar
from portal_app.components.page import app_frame, top_bar
from portal_app.config import settings
from portal_app.pages.idle_watch import idle_watch
from portal_app.pages.record_switcher import record_switcher, viewing_banner
from portal_app.state.guards import GuardState
from portal_app.state.language import tr
from portal_app.state.messages import MessageBadgeState
from portal_app.state.patient_context import PatientContextState
from portal_app.state.session import SessionState


def _patient_nav() -> list[NavItem]:
    return [
        NavItem("/home", "house", tr("nav.home")),
        NavItem("/appointments", "calendar-days", tr("nav.appointments")),
        NavItem("/messages", "message-circle", tr("nav.messages"), badge=MessageBadgeState.unread),
        NavItem("/health", "clipboard-list", tr("nav.health")),
        NavItem("/more", "ellipsis", tr("nav.more")),
    ]


def _role_in(*roles: str) -> rx.Var:
    """Show a navigation item only to these roles (display only: each page and handler checks again)."""
    shown = SessionState.role == roles[0]
    for role in roles[1:]:
        shown = shown | (SessionState.role == role)
    return shown


def _staff_nav() -> list[NavItem]:
    return [
        NavItem("/console", "layout-dashboard", tr("nav.console_today")),
        NavItem("/console/patients", "users", tr("nav.console_patients")),
        NavItem("/console/refills", "pill", tr("nav.console_refills"), show=_role_in("nurse", "clinician", "front_desk")),
        NavItem("/console/messages", "messages-square", tr("nav.console_messages"),
                show=_role_in("nurse", "clinician", "front_desk")),
        NavItem("/console/message-teams", "users-round", tr("nav.console_message_teams"), show=_role_in("admin"),
                tab_bar=False),
        NavItem("/console/setup", "calendar-cog", tr("nav.console_setup"), show=_role_in("admin"), tab_bar=False),
        NavItem("/console/schedule", "calendar-days", tr("nav.console_schedule"),
                show=_role_in("front_desk", "nurse", "clinician")),
        NavItem("/console/signups", "user-plus", tr("nav.signups"), show=_role_in("front_desk", "admin"), tab_bar=False),
        NavItem("/console/profile-reviews", "id-card", tr("nav.profile_reviews"), show=_role_in("front_desk", "admin"),
                tab_bar=False),
        NavItem("/console/notices", "megaphone", tr("nav.console_notices"), show=_role_in("front_desk", "admin")),
        NavItem("/console/audit", "scroll-text", tr("nav.console_audit"), show=_role_in("admin"), tab_bar=False),
        NavItem("/console/results", "flask-conical", tr("rec.console.nav"), show=_role_in("clinician"), tab_bar=False),
        NavItem("/console/import", "file-up", tr("recstaff.import.nav"), show=_role_in("clinician", "admin"), tab_bar=False),
        NavItem("/console/staff", "user-cog", tr("nav.console_staff"), show=_role_in("admin"), tab_bar=False),
        NavItem("/console/account", "shield-check", tr("account.nav"), tab_bar=False),
        *([] if settings.production else [
            NavItem("/console/outbox", "mail", tr("nav.console_outbox"), show=_role_in("admin"), tab_bar=False)]),
    ]


def _sign_out_button(**props) -> rx.Component:
    return rx.button(
        rx.icon("log-out", size=18, aria_hidden="true"),
        tr("action.sign_out"),
        on_click=SessionState.sign_out,
        variant="soft",
        color_scheme="gray",
        size="3",
        **props,
    )


def _user_footer() -> rx.Component:
    return rx.vstack(
        rx.text(SessionState.display_name, size="2", weight="medium"),
        _sign_out_button(width="100%"),
        spacing="2",
        width="100%",
    )


def _frame(items: list[NavItem], active: str, content: rx.Component, title: rx.Var | str) -> rx.Component:
    return app_frame(
        nav=[
            sidebar(items, active, title, tr("nav.label"), _user_footer()),
            bottom_tab_bar(items, active, tr("nav.label")),
        ],
        top_bar=top_bar(title, rx.text(SessionState.display_name, size="2", color=rx.color("gray", 11))),
        # The idle watch runs only while signed in (SECURITY.md: warn a minute before the idle sign-out).
        content=rx.cond(SessionState.signed_in, rx.fragment(content, idle_watch()), loading_block(tr("status.loading"))),
        skip_label=tr("nav.skip"),
    )


def patient_page(route: str, on_load: list | None = None):
    """Register a patient page: guarded, in the patient shell."""

    def wrap(body: Callable[[], rx.Component]):
        @rx.page(route=route, title=f"{settings.clinic_name}",
                 on_load=[GuardState.patient_page, PatientContextState.opened, MessageBadgeState.refresh,
                          *(on_load or [])])
        def page() -> rx.Component:
            content = rx.fragment(record_switcher(), viewing_banner(), body())
            return _frame(_patient_nav(), route, content, settings.clinic_name)

        page.__name__ = body.__name__
        return page

    return wrap


def staff_page(route: str, on_load: list | None = None, section: str | None = None):
    """Register a console page: guarded for staff, in the console shell. ``section``: the menu item
    this page belongs to when it has none of its own (the wait list is part of the schedule)."""

    def wrap(body: Callable[[], rx.Component]):
        @rx.page(route=route, title=f"{settings.clinic_name} console", on_load=[GuardState.staff_page, *(on_load or [])])
        def page() -> rx.Component:
            return _frame(_staff_nav(), section or route, body(), tr("console.title"))

        page.__name__ = body.__name__
        return page

    return wrap
