"""The record timeline (/health/timeline): what happened when, newest first, by month."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.health_parts import date_filter
from portal_app.pages.medication_parts import item, link_button
from portal_app.pages.shell import patient_page
from portal_app.services.record_timeline import SECTIONS
from portal_app.state.language import tr
from portal_app.state.timeline import ALL, TimelineState

S = TimelineState
# kind -> (icon, badge tone)
KINDS = {"visit": ("stethoscope", "info"), "result": ("flask-conical", "info"),
         "problem_started": ("heart-pulse", "warning"), "problem_resolved": ("circle-check", "good"),
         "medicine_started": ("pill", "info"), "medicine_stopped": ("pill-bottle", "neutral"),
         "immunization": ("syringe", "good"), "procedure": ("scissors", "neutral")}


def _kind_badge(kind) -> rx.Component:
    return rx.match(kind, *[(k, status_badge(tr(f"timeline.kind.{k}"), tone)) for k, (_i, tone) in KINDS.items()],
                    status_badge(kind))


def _kind_icon(kind) -> rx.Component:
    return rx.match(kind, *[(k, rx.icon(icon, size=22, aria_hidden="true")) for k, (icon, _t) in KINDS.items()],
                    rx.icon("circle", size=22, aria_hidden="true"))


def _event(row) -> rx.Component:
    body = rx.hstack(
        rx.box(_kind_icon(row.kind), color=rx.color("accent", 11), padding_top="2px", flex_shrink="0"),
        rx.vstack(
            rx.hstack(_kind_badge(row.kind), rx.text(row.when, size="2", color=rx.color("gray", 11)), spacing="2",
                      align="center", wrap="wrap"),
            rx.text(row.name, size="3", weight="bold"),
            rx.cond(row.detail != "", rx.text(row.detail, size="3", color=rx.color("gray", 11))),
            spacing="1", align="start", flex="1"),
        rx.cond(row.link != "", rx.icon("chevron-right", size=20, aria_hidden="true", color=rx.color("gray", 10))),
        spacing="3", align="start", width="100%", padding_y="8px", border_bottom=f"1px solid {rx.color('gray', 5)}")
    return item(rx.cond(row.link != "",
                        rx.link(body, href=row.link, underline="none", color="inherit", display="block",
                                min_height=TOUCH_TARGET),
                        body), class_name="timeline-event")


def _month(month) -> rx.Component:
    return item(card(
        rx.heading(month.month, as_="h2", size="5"),
        rx.el.ul(rx.foreach(month.events, _event), aria_label=month.month, padding="0", margin="0", width="100%"),
    ))


def _section_button(section: str) -> rx.Component:
    return rx.button(tr(f"timeline.section.{section}"), on_click=S.choose_section(section), size="3",
                     min_height=TOUCH_TARGET, variant=rx.cond(S.section == section, "solid", "outline"),
                     aria_pressed=S.section == section)


def _sections() -> rx.Component:
    return rx.vstack(
        rx.text(tr("timeline.show"), size="3", weight="medium", id="timeline-sections-label"),
        rx.flex(*[_section_button(s) for s in (ALL, *SECTIONS)], gap="8px", wrap="wrap", role="group",
                aria_labelledby="timeline-sections-label"),
        spacing="2", width="100%")


def _pager() -> rx.Component:
    return rx.hstack(
        rx.cond(S.page > 0, rx.button(rx.icon("arrow-up", aria_hidden="true"), tr("timeline.newer"), on_click=S.newer,
                                      variant="soft", size="3", min_height=TOUCH_TARGET, id="timeline-newer")),
        rx.cond(S.has_more, rx.button(rx.icon("arrow-down", aria_hidden="true"), tr("timeline.older"),
                                      on_click=S.older, variant="soft", size="3", min_height=TOUCH_TARGET,
                                      id="timeline-older")),
        spacing="3", wrap="wrap")


@patient_page("/health/timeline", on_load=[TimelineState.opened])
def timeline_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("timeline.title"), tr("timeline.subtitle")),
        link_button("arrow-left", tr("timeline.back"), "/health", variant="soft"),
        date_filter(S),
        _sections(),
        error_message(S.error),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.cond(S.total > 0, rx.text(tr("timeline.count"), " ", S.total, size="3", role="status",
                                             color=rx.color("gray", 11))),
                rx.cond(S.months.length() > 0,
                        rx.el.ul(rx.foreach(S.months, _month), aria_label=tr("timeline.title"), padding="0",
                                 margin="0", display="flex", flex_direction="column", gap="16px", width="100%"),
                        card(empty_state("calendar-x", tr("timeline.none_title"), tr("timeline.none_text")))),
                _pager(),
                spacing="4", width="100%"),
            loading_block(tr("status.loading")),
        ),
        spacing="4", width="100%",
    )
