"""The wait list for patients: the "earlier time" part of each visit card on /appointments, and the
claim-link page (/appointments/earlier?t=...) that a wait-list notice points to."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message, loading_block
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import link_button, success
from portal_app.pages.shell import patient_page
from portal_app.state.language import tr
from portal_app.state.waitlist import EarlierOfferState, WaitlistState

W = WaitlistState
O = EarlierOfferState


def _choice(name: str, value: str, label, checked: bool = False) -> rx.Component:
    return rx.el.label(rx.hstack(rx.el.input(type="radio", name=name, value=value, required=True,
                                             default_checked=checked, style={"width": "22px", "height": "22px"}),
                                 rx.text(label, size="3"), spacing="2", align="center"),
                       style={"min_height": "44px", "display": "flex", "align_items": "center"})


def _form(row) -> rx.Component:
    field_id = "field-not-before-" + row["id"]
    return rx.form(
        rx.vstack(
            rx.heading(tr("waitlist.form.heading"), as_="h3", size="4"),
            rx.text(tr("waitlist.form.intro"), size="3"),
            rx.el.fieldset(
                rx.el.legend(rx.text(tr("waitlist.form.who"), size="3", weight="medium")),
                _choice("who", "same", rx.text.span(tr("waitlist.form.same"), " ", row["clinician"]), checked=True),
                _choice("who", "any", tr("waitlist.form.any")),
                style={"border": "none", "padding": "0", "margin": "0"}),
            rx.el.label(rx.text(tr("waitlist.form.not_before"), size="3", weight="medium"), html_for=field_id),
            rx.el.input(type="date", id=field_id, name="not_before", aria_describedby=field_id + "-hint",
                        style={"min_height": TOUCH_TARGET, "font_size": "16px", "width": "100%", "padding": "0 8px"}),
            rx.text(tr("waitlist.form.not_before_hint"), id=field_id + "-hint", size="2", color=rx.color("gray", 11)),
            submit_button(tr("waitlist.form.submit"), width="100%"),
            rx.button(tr("waitlist.form.close"), type="button", on_click=W.open_form(""), variant="soft",
                      color_scheme="gray", size="3", min_height=TOUCH_TARGET, width="100%"),
            spacing="3", width="100%"),
        on_submit=W.ask, reset_on_submit=False, width="100%", class_name="waitlist-form")


def waitlist_part(row) -> rx.Component:
    """On a visit that may still be moved online: ask for an earlier time, or see and stop the request."""
    return rx.cond(
        row["changeable"] == "yes",
        rx.cond(
            W.waiting.contains(row["id"]),
            rx.vstack(
                rx.cond(W.offers.contains(row["id"]), rx.vstack(
                    rx.callout.root(rx.callout.icon(rx.icon("bell-ring", aria_hidden="true")),
                                    rx.callout.text(rx.text.strong(tr("waitlist.card.offer"))), color_scheme="green",
                                    high_contrast=True, size="2", width="100%"),
                    link_button("calendar-check", tr("waitlist.card.see_offer"),
                                "/appointments/earlier?offer=" + W.offers[row["id"]].to(str)),
                    spacing="2", width="100%", class_name="waitlist-offer")),
                rx.callout.root(rx.callout.icon(rx.icon("hourglass", aria_hidden="true")),
                                rx.callout.text(rx.text.strong(tr("waitlist.card.on_list")), " ",
                                                W.waiting[row["id"]]),
                                size="2", width="100%", class_name="waitlist-on"),
                rx.button(tr("waitlist.card.stop"), on_click=W.leave(row["id"]), variant="soft", color_scheme="gray",
                          size="3", min_height=TOUCH_TARGET, width="100%"),
                spacing="2", width="100%"),
            rx.cond(W.asking == row["id"], _form(row),
                    rx.button(rx.icon("hourglass", aria_hidden="true"), tr("waitlist.card.ask"),
                              on_click=W.open_form(row["id"]), variant="soft", size="3", min_height=TOUCH_TARGET,
                              width="100%", class_name="waitlist-ask")),
        ),
    )


def waitlist_messages() -> rx.Component:
    return rx.fragment(error_message(W.error), success(W.done))


def _offer_details() -> rx.Component:
    offer = O.offer
    return rx.vstack(
        rx.heading(offer["day"], as_="h2", size="5"),
        rx.text(offer["time"], size="4", weight="medium"),
        rx.text(offer["type"], " · ", offer["clinician"], size="3"),
        rx.text(rx.cond(offer["video"] == "yes", tr("appt.video_visit"), offer["location"]), size="3"),
        spacing="1", width="100%")


def _open() -> rx.Component:
    return card(
        _offer_details(),
        rx.text(tr("waitlist.offer.current"), " ", rx.text.strong(O.offer["current"]), size="3"),
        rx.text(tr("waitlist.offer.until"), " ", rx.text.strong(O.offer["until"]), size="3"),
        rx.button(rx.icon("calendar-check", aria_hidden="true"), tr("waitlist.offer.take"), on_click=O.take, size="3",
                  min_height=TOUCH_TARGET, width="100%", class_name="waitlist-take"),
        link_button("calendar-days", tr("waitlist.offer.keep"), "/appointments", variant="soft"),
    )


def _gone() -> rx.Component:
    return card(
        rx.callout.root(rx.callout.icon(rx.icon("info", aria_hidden="true")),
                        rx.callout.text(rx.text.strong(tr("waitlist.offer.gone_title")), " ",
                                        tr("waitlist.offer.gone_text")),
                        color_scheme="amber", high_contrast=True, size="2", width="100%", role="status",
                        class_name="waitlist-gone"),
        link_button("calendar-days", tr("waitlist.offer.see_list"), "/appointments"),
    )


def _taken() -> rx.Component:
    return card(
        success(tr("waitlist.offer.taken")),
        _offer_details(),
        link_button("calendar-days", tr("waitlist.offer.see_list"), "/appointments"),
    )


@patient_page("/appointments/earlier", on_load=[EarlierOfferState.opened])
def earlier_offer_page() -> rx.Component:
    return rx.vstack(
        page_header(tr("waitlist.offer.title")),
        error_message(O.error),
        rx.match(O.state, ("open", _open()), ("gone", _gone()), ("claimed", _gone()), ("taken", _taken()),
                 ("bad", link_button("calendar-days", tr("waitlist.offer.see_list"), "/appointments")),
                 loading_block(tr("status.loading"))),
        spacing="4", width="100%",
    )
