"""Pieces the health pages share: the date filter, the result flag in words, a record section."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import status_badge
from portal_app.components.forms import submit_button
from portal_app.pages.medication_parts import bare_list
from portal_app.state.language import tr

FLAG_TONES = (("critical_high", "danger"), ("critical_low", "danger"), ("high", "warning"), ("low", "warning"),
              ("abnormal", "warning"), ("in_range", "good"))


def flag_badge(flag) -> rx.Component:
    """In range / high / low / critical as a word (the colour only helps); nothing to compare: says so."""
    return rx.match(flag, *[(name, status_badge(tr(f"rec.flag.{name}"), tone)) for name, tone in FLAG_TONES],
                    status_badge(tr("rec.flag.none"), "neutral"))


def category_word(category) -> rx.Component:
    return rx.match(category, *[(c, tr(f"rec.category.{c}")) for c in ("labs", "imaging", "pathology", "genetic")],
                    category)


def date_filter(state) -> rx.Component:
    """From / to dates for a page's lists; clearing shows everything again."""
    def day_field(label_key: str, name: str, value) -> rx.Component:
        return rx.vstack(
            rx.el.label(rx.text(tr(label_key), size="3", weight="medium"), html_for=f"field-{name}"),
            rx.input(id=f"field-{name}", name=name, type="date", default_value=value, size="3", min_height="48px",
                     width="100%"),
            spacing="1", width="100%")

    return rx.el.details(
        rx.el.summary(rx.hstack(rx.icon("calendar-search", aria_hidden="true"), rx.text(tr("rec.filter"), size="3",
                                                                                        weight="medium"),
                                rx.cond((state.since != "") | (state.until != ""),
                                        status_badge(tr("rec.filter_on"), "info")),
                                spacing="2", align="center"),
                      min_height="48px", display="flex", align_items="center", cursor="pointer"),
        rx.form(
            rx.vstack(
                rx.grid(day_field("rec.from", "since", state.since), day_field("rec.to", "until", state.until),
                        columns="2", spacing="3", width="100%"),
                rx.hstack(submit_button(tr("rec.filter_apply")),
                          rx.button(tr("rec.filter_clear"), type="button", on_click=state.clear_dates, size="3",
                                    variant="soft", color_scheme="gray", min_height="48px"),
                          spacing="3", wrap="wrap"),
                spacing="3", width="100%"),
            on_submit=state.filter_dates, reset_on_submit=False, width="100%"),
        width="100%",
    )


def section(icon: str, title_key: str, rows, render, empty_key: str = "rec.none_here", anchor: str = "") -> rx.Component:
    """A record section: its heading, its list, or a plain line when it has nothing."""
    return card(
        rx.hstack(rx.icon(icon, size=24, aria_hidden="true", color=rx.color("accent", 11), flex_shrink="0"),
                  rx.heading(tr(title_key), as_="h2", size="5"), spacing="3", align="center"),
        rx.cond(rows.length() > 0, bare_list(rows, render, tr(title_key)),
                rx.text(tr(empty_key), size="3", color=rx.color("gray", 11))),
        id=anchor or None,
    )
