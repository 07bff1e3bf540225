"""Test results (/health/results) grouped by report, one result's page (/health/result?id=) with its
plain-words explanation and trend, and the home page's new-results card."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.health_parts import category_word, date_filter, flag_badge
from portal_app.pages.medication_parts import bare_list, item, link_button, success
from portal_app.pages.shell import patient_page
from portal_app.state.health import ResultDetailState, ResultsHomeState, ResultsState
from portal_app.state.language import tr

S = ResultsState
D = ResultDetailState


def _value_line(value, linked: bool = True) -> rx.Component:
    """One value; on the patient's page a link to its explanation and trend."""
    line = rx.hstack(
        rx.vstack(
            rx.text(value.name, size="3", weight="medium"),
            rx.cond(value.plain != "", rx.text(value.plain, size="2", color=rx.color("gray", 11))),
            rx.cond(value.usual != "", rx.text(tr("rec.range"), ": ", value.usual, " ", value.unit, size="2",
                                               color=rx.color("gray", 11))),
            spacing="0", align="start", flex="1"),
        rx.vstack(rx.text(value.value, " ", value.unit, size="4", weight="bold", text_align="right"),
                  flag_badge(value.flag), spacing="1", align="end"),
        *([rx.icon("chevron-right", size=20, aria_hidden="true", color=rx.color("gray", 10))] if linked else []),
        align="center", spacing="3", width="100%")
    lined = {"min_height": TOUCH_TARGET, "padding_y": "8px", "border_bottom": f"1px solid {rx.color('gray', 5)}",
             "width": "100%"}
    if not linked:
        return item(rx.box(line, **lined))
    return item(rx.link(line, href="/health/result?id=" + value.id, underline="none", color="inherit", display="block",
                        **lined))


def result_group(group, linked: bool = True, badge: Callable | None = None) -> rx.Component:
    """One report (or value on its own) as a card: for the patient's page, and read-only for staff."""
    return item(card(
        rx.hstack(rx.heading(group.name, as_="h3", size="4"), *([badge(group)] if badge is not None else []), spacing="2",
                  align="center", wrap="wrap"),
        rx.text(category_word(group.category), " · ", group.when, size="3", color=rx.color("gray", 11)),
        rx.cond(group.rows.length() > 0,
                rx.el.ul(rx.foreach(group.rows, lambda value: _value_line(value, linked)), aria_label=group.name,
                         padding="0", margin="0", width="100%")),
        rx.cond(group.conclusion != "", rx.text(rx.text.span(tr("rec.conclusion"), ": ", weight="bold"),
                                                group.conclusion, size="3")),
        rx.cond(group.narrative != "", rx.el.details(
            rx.el.summary(rx.text(tr("rec.read_report"), size="3", weight="medium"), min_height=TOUCH_TARGET,
                          display="flex", align_items="center", cursor="pointer"),
            rx.text(group.narrative, size="3", white_space="pre-wrap"))),
    ))


def _pending(row) -> rx.Component:
    return item(rx.callout.root(
        rx.callout.icon(rx.icon("hourglass", aria_hidden="true")),
        rx.callout.text(category_word(row["category"]), ": ", tr("rec.pending_text"), " ", rx.text.strong(row["on"]), "."),
        color_scheme="blue", width="100%", role="note"))


def _choice(category: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(tr(f"rec.category.{category}"), size="3", weight="medium"), html_for=f"choice-{category}"),
        rx.el.select(
            rx.el.option(tr("rec.mode.at_once"), value="at_once"),
            rx.el.option(tr("rec.mode.after_review"), value="after_review"),
            id=f"choice-{category}", value=S.choices[category], on_change=lambda mode: S.choose(category, mode),
            style={"minHeight": TOUCH_TARGET, "fontSize": "16px", "width": "100%", "padding": "0 8px",
                   "borderRadius": "8px", "border": f"1px solid {rx.color('gray', 7)}",
                   "background": rx.color("gray", 1), "color": rx.color("gray", 12)}),
        spacing="1", width="100%")


def _choices() -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.hstack(rx.icon("settings", aria_hidden="true"), rx.text(tr("rec.choices"), size="3",
                                                                                  weight="medium"),
                                spacing="2", align="center"),
                      min_height=TOUCH_TARGET, display="flex", align_items="center", cursor="pointer"),
        card(rx.text(tr("rec.choices_text"), size="3", color=rx.color("gray", 11)),
             rx.grid(*[_choice(c) for c in ("labs", "imaging", "pathology", "genetic")],
                     columns={"initial": "1", "sm": "2"}, spacing="3", width="100%")),
        width="100%")


def _show_older() -> rx.Component:
    """Years of results are drawn a page at a time; the count says how many are still to come."""
    return rx.vstack(
        rx.text(S.older, " ", tr("perf.results_more_count"), size="3", color=rx.color("gray", 11), role="status"),
        rx.button(rx.icon("chevron-down", aria_hidden="true"), tr("perf.results_show_older"), on_click=S.show_older,
                  variant="soft", size="3", min_height=TOUCH_TARGET, width="100%", id="results-older"),
        spacing="2", width="100%")


@patient_page("/health/results", on_load=[ResultsState.opened])
def results_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("rec.results_title"), tr("rec.results_subtitle")),
        date_filter(S),
        _choices(),
        error_message(S.error),
        success(S.notice),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.cond(S.pending.length() > 0, bare_list(S.pending, _pending, tr("rec.pending_heading"))),
                rx.cond(S.groups.length() > 0, rx.el.ul(rx.foreach(S.groups, lambda group: result_group(group)), aria_label=tr("rec.results_title"),
                                                        padding="0", margin="0", display="flex",
                                                        flex_direction="column", gap="16px", width="100%"),
                        card(empty_state("flask-conical", tr("rec.no_results_title"), tr("rec.no_results_text")))),
                rx.cond(S.older > 0, _show_older()),
                spacing="4", width="100%"),
            loading_block(tr("status.loading")),
        ),
        spacing="4",
        width="100%",
    )


# The chart is a picture of the table under it (which screen readers read), so it takes no keyboard focus.
NOT_FOCUSABLE = {"accessibilityLayer": False}


def _chart() -> rx.Component:
    line = rx.recharts.line(data_key="value", stroke=rx.color("accent", 10), stroke_width=3, dot=True,
                            is_animation_active=False, name=D.value.name)
    axes = [rx.recharts.x_axis(data_key="when"), rx.recharts.y_axis(domain=["auto", "auto"], width=48),
            rx.recharts.cartesian_grid(stroke_dasharray="3 3")]
    return rx.box(
        rx.cond(
            (D.range_low != None) & (D.range_high != None),  # noqa: E711 (a Var comparison)
            rx.recharts.line_chart(
                rx.recharts.reference_area(y1=D.range_low.to(int), y2=D.range_high.to(int),  # a type hint only: the number stays as it is
                                           fill=rx.color("green", 6), fill_opacity=0.5,
                                           if_overflow="extendDomain"),
                *axes, line, data=D.trend, width="100%", height=260, custom_attrs=NOT_FOCUSABLE),
            rx.recharts.line_chart(*axes, line, data=D.trend, width="100%", height=260, custom_attrs=NOT_FOCUSABLE),
        ),
        aria_hidden="true", width="100%", class_name="result-trend")


def _trend_row(point) -> rx.Component:
    return rx.el.tr(rx.el.td(point["when"], padding="6px 8px"), rx.el.td(point["value"], padding="6px 8px",
                                                                          text_align="right"))


def _detail() -> rx.Component:
    return rx.vstack(
        card(
            rx.heading(D.value.name, as_="h2", size="5"),
            rx.cond(D.value.plain != "", rx.text(D.value.plain, size="3", color=rx.color("gray", 11))),
            rx.hstack(rx.text(D.value.value, " ", D.value.unit, size="7", weight="bold"), flag_badge(D.value.flag),
                      spacing="3", align="center", wrap="wrap"),
            rx.text(D.group.name, " · ", D.group.when, size="3", color=rx.color("gray", 11)),
            rx.cond(D.value.usual != "",
                    rx.text(rx.text.span(tr("rec.range"), ": ", weight="medium"), D.value.usual, " ", D.value.unit,
                            size="3"),
                    rx.text(tr("rec.no_range"), size="3")),
        ),
        card(
            rx.heading(tr("rec.what_it_means"), as_="h2", size="5"),
            rx.cond(
                D.in_guide,
                rx.vstack(
                    rx.text(D.measures, size="3"),
                    rx.text(rx.text.span(tr("rec.if_high"), " ", weight="bold"), D.high, size="3"),
                    rx.text(rx.text.span(tr("rec.if_low"), " ", weight="bold"), D.low, size="3"),
                    rx.text(tr("rec.guide_note"), size="2", color=rx.color("gray", 11)),
                    spacing="2", width="100%"),
                rx.text(tr("rec.not_in_guide"), size="3"),
            ),
        ),
        rx.cond(D.trend.length() > 1, card(
            rx.heading(tr("rec.trend"), as_="h2", size="5"),
            rx.cond((D.range_low != None) & (D.range_high != None),  # noqa: E711
                    rx.text(tr("rec.trend_shaded"), size="2", color=rx.color("gray", 11))),
            _chart(),
            rx.el.table(
                rx.el.caption(tr("rec.trend_table"), style={"textAlign": "left", "fontWeight": "600"}),
                rx.el.thead(rx.el.tr(rx.el.th(tr("rec.date"), scope="col", text_align="left", padding="6px 8px"),
                                     rx.el.th(tr("rec.value"), " (", D.value.unit, ")", scope="col",
                                              text_align="right", padding="6px 8px"))),
                rx.el.tbody(rx.foreach(D.trend, _trend_row)),
                width="100%", style={"borderCollapse": "collapse", "fontSize": "16px"}),
        )),
        link_button("message-circle", tr("rec.ask_team"), "/messages/new?topic=result&result=" + D.value.id,
                    id="ask-about-result"),
        link_button("arrow-left", tr("rec.back_to_results"), "/health/results", variant="soft"),
        spacing="4", width="100%")


@patient_page("/health/result", on_load=[ResultDetailState.opened])
def result_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("rec.result_title")),
        rx.cond(
            D.loaded,
            rx.cond(D.missing,
                    card(empty_state("search-x", tr("rec.missing_title"), tr("rec.missing_text"),
                                     link_button("arrow-left", tr("rec.back_to_results"), "/health/results"))),
                    _detail()),
            loading_block(tr("status.loading")),
        ),
        spacing="4",
        width="100%",
    )


def results_card() -> rx.Component:
    """Home page: results released in the last 30 days (never held ones, never the values)."""
    H = ResultsHomeState
    return rx.link(
        rx.card(
            rx.hstack(
                rx.box(rx.icon("flask-conical", size=26, aria_hidden="true"), color=rx.color("accent", 11)),
                rx.vstack(
                    rx.text(tr("rec.home_title"), weight="bold", size="4"),
                    rx.cond(H.names.length() > 0,
                            rx.text(tr("rec.home_new"), " ", H.names.length(), ": ", H.names.join(", "), size="3"),
                            rx.text(tr("rec.home_none"), size="3", color=rx.color("gray", 11))),
                    spacing="1", align="start"),
                rx.spacer(),
                rx.icon("chevron-right", size=22, aria_hidden="true", color=rx.color("gray", 10)),
                align="center", spacing="4", width="100%"),
            size="3", width="100%", class_name="portal-link-card"),
        href="/health/results", underline="none", color="inherit", width="100%")
