"""The clinic's queue of profile changes: what is on file, what the patient asked for, approve or reject."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.profile import card_photo
from portal_app.pages.shell import staff_page
from portal_app.state.language import LanguageState, tr
from portal_app.state.profile_reviews import MAX_REASON, ProfileReviewState

S = ProfileReviewState


def _request(row: rx.Var) -> rx.Component:
    reason_id = "reason-" + row["id"].to(str)
    return rx.el.li(
        card(
            rx.heading(row["patient"], " · ", LanguageState.strings[row["kind_key"].to(str)].to(str), as_="h2", size="4"),
            rx.text(tr("profile_reviews.mrn"), " ", row["mrn"], " · ", tr("profile_reviews.asked_on"), " ", row["when"],
                    size="2", color=rx.color("gray", 11)),
            rx.grid(
                rx.vstack(rx.text(tr("profile_reviews.on_file"), size="2", color=rx.color("gray", 11)),
                          rx.text(rx.cond(row["current"] != "", row["current"], tr("profile.none")), size="3"),
                          spacing="0"),
                rx.vstack(rx.text(tr("profile_reviews.asked_for"), size="2", color=rx.color("gray", 11)),
                          rx.text(row["proposed"], size="3", weight="bold"), spacing="0"),
                columns={"initial": "1", "sm": "2"},
                spacing="3",
                width="100%",
            ),
            rx.flex(card_photo(row["front"], "profile.insurance.front_alt"),
                    card_photo(row["back"], "profile.insurance.back_alt"), spacing="3", wrap="wrap", width="100%"),
            rx.button(rx.icon("check", aria_hidden="true"), tr("profile_reviews.approve"), size="3",
                      min_height=TOUCH_TARGET, on_click=S.approve(row["id"]), width="100%",
                      aria_label=tr("profile_reviews.approve") + " · " + row["patient"].to(str)),
            rx.form(
                rx.vstack(
                    rx.el.label(rx.text(tr("profile_reviews.reason"), size="3", weight="medium"), html_for=reason_id),
                    rx.text_area(id=reason_id, name="reason", required=True, max_length=MAX_REASON, width="100%",
                                 size="3", rows="2"),
                    rx.el.input(type="hidden", name="change_id", value=row["id"]),
                    submit_button(tr("profile_reviews.reject"), variant="soft", color_scheme="red", width="100%"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.reject,
                reset_on_submit=True,
                width="100%",
            ),
        ),
        list_style="none",
    )


@staff_page("/console/profile-reviews", on_load=[ProfileReviewState.opened])
def profile_reviews() -> rx.Component:
    return rx.vstack(
        page_header(tr("profile_reviews.title"), tr("profile_reviews.subtitle")),
        error_message(S.error),
        rx.cond(S.done != "", rx.callout.root(rx.callout.text(S.done), color_scheme="green", role="status",
                                              high_contrast=True, size="2", width="100%")),
        rx.cond(
            S.requests.length() > 0,
            rx.el.ul(rx.foreach(S.requests, _request), padding="0", margin="0", width="100%", id="profile-reviews",
                     display="flex", flex_direction="column", gap="16px"),
            empty_state("id-card", tr("profile_reviews.empty"), tr("profile_reviews.empty_text")),
        ),
        spacing="4",
        width="100%",
    )
