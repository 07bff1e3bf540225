"""The admin's message teams page (/console/message-teams): who answers which messages, canned replies."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, item, success
from portal_app.pages.shell import staff_page
from portal_app.services import message_pools
from portal_app.state.language import tr
from portal_app.state.message_pools import MessagePoolsState

P = MessagePoolsState
SELECT = dict(min_height=TOUCH_TARGET, font_size="16px", padding_x="8px", width="100%", border_radius="8px",
              border=f"1px solid {rx.color('gray', 7)}")


def _role(role) -> rx.Component:
    return rx.match(role, *[(r, tr(f"role.{r}")) for r in ("front_desk", "nurse", "clinician")], role)


def _member(pool_code, member) -> rx.Component:
    return item(rx.hstack(
        rx.text(member["name"], size="3", weight="medium"), rx.text(_role(member["role"]), size="2",
                                                                      color=rx.color("gray", 11)),
        rx.spacer(),
        rx.button(tr("msg.teams.remove"), on_click=P.remove_member(pool_code, member["id"]), variant="soft",
                  color_scheme="red", size="2", min_height=TOUCH_TARGET,
                  aria_label=tr("msg.teams.remove") + ": " + member["name"]),
        align="center", width="100%", wrap="wrap"))


def _pool(pool) -> rx.Component:
    code = pool["code"].to(str)
    members = pool["members"].to(list[dict[str, str]])
    candidates = pool["candidates"].to(list[dict[str, str]])
    field_id = "join-" + code
    return item(card(
        rx.hstack(rx.heading(pool["name"].to(str), as_="h2", size="5"),
                  rx.cond(pool["clinical"].to(str) == "yes", status_badge(tr("msg.teams.clinical"), "info")),
                  spacing="2", align="center", wrap="wrap"),
        rx.cond(members.length() > 0, bare_list(members, lambda m: _member(code, m), pool["name"].to(str)),
                rx.text(tr("msg.teams.nobody"), size="3")),
        rx.cond(candidates.length() > 0, rx.form(rx.vstack(
            rx.el.input(type="hidden", name="pool", value=code),
            rx.el.label(rx.text(tr("msg.teams.add_label"), size="3", weight="medium"), html_for=field_id),
            rx.el.select(rx.foreach(candidates, lambda m: rx.el.option(m["name"], value=m["id"])), id=field_id,
                         name="user", **SELECT),
            submit_button(tr("msg.teams.add"), variant="outline", width="100%"),
            spacing="2", width="100%"), on_submit=P.add_member, width="100%")),
    ), class_name="message-pool")


def _canned(row) -> rx.Component:
    return item(rx.box(rx.vstack(
        rx.hstack(rx.text(row["title"], size="3", weight="bold"),
                  rx.text(rx.cond(row["pool"] != "", row["pool"], tr("msg.teams.every_team")), size="2",
                          color=rx.color("gray", 11)),
                  rx.spacer(),
                  rx.button(tr("msg.teams.remove"), on_click=P.remove_canned(row["id"]), variant="soft",
                            color_scheme="red", size="2", min_height=TOUCH_TARGET,
                            aria_label=tr("msg.teams.remove") + ": " + row["title"]),
                  align="center", width="100%", wrap="wrap"),
        rx.text(row["body"], size="2", white_space="pre-wrap"), spacing="1", width="100%"),
        border=f"1px solid {rx.color('gray', 6)}", border_radius="10px", padding="10px", width="100%"))


def _canned_card() -> rx.Component:
    return card(
        rx.heading(tr("msg.teams.canned_heading"), as_="h2", size="5"),
        rx.text(tr("msg.teams.canned_hint"), size="2", color=rx.color("gray", 11)),
        bare_list(P.canned, _canned, tr("msg.teams.canned_heading")),
        rx.form(rx.vstack(
            rx.el.label(rx.text(tr("msg.teams.canned_team"), size="3", weight="medium"), html_for="canned-pool"),
            rx.el.select(rx.el.option(tr("msg.teams.every_team"), value=""),
                         rx.foreach(P.pools, lambda p: rx.el.option(p["name"].to(str), value=p["code"].to(str))),
                         id="canned-pool", name="pool", **SELECT),
            rx.el.label(rx.text(tr("msg.teams.canned_title"), size="3", weight="medium"), html_for="canned-title"),
            rx.input(id="canned-title", name="title", max_length=message_pools.MAX_TITLE, size="3",
                     min_height=TOUCH_TARGET, width="100%"),
            rx.el.label(rx.text(tr("msg.teams.canned_body"), size="3", weight="medium"), html_for="canned-body"),
            rx.text_area(id="canned-body", name="body", max_length=message_pools.MAX_CANNED, rows="3", size="3",
                         width="100%"),
            submit_button(tr("msg.teams.canned_add"), width="100%"),
            spacing="2", width="100%"), on_submit=P.add_canned, reset_on_submit=True, width="100%"),
    )


@staff_page("/console/message-teams", on_load=[MessagePoolsState.opened])
def message_teams() -> rx.Component:
    return rx.vstack(
        page_header(tr("msg.teams.title"), tr("msg.teams.subtitle")),
        error_message(P.error),
        success(P.notice),
        rx.cond(P.loaded, rx.vstack(bare_list(P.pools, _pool, tr("msg.teams.title")), _canned_card(), spacing="4",
                                    width="100%"),
                loading_block(tr("status.loading"))),
        spacing="4", width="100%", max_width="900px",
    )
