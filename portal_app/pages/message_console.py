"""The care team's message queue (/console/messages): the list, then one thread with its notes."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.pages.medication_parts import bare_list, item, success
from portal_app.pages.messages import about_result, attach_picker, message_bubble, pending_files, status_word, topic_word
from portal_app.pages.shell import staff_page
from portal_app.services import messages
from portal_app.state.language import tr
from portal_app.state.message_console import CONSOLE_ROUTE, MessageConsoleState

M = MessageConsoleState


def _view_button(view: str) -> rx.Component:
    return rx.button(tr(f"msg.console.view.{view}"), on_click=M.show_view(view), size="3", min_height=TOUCH_TARGET,
                     variant=rx.cond(M.view == view, "solid", "outline"), aria_pressed=M.view == view)


def _filters() -> rx.Component:
    return rx.vstack(
        rx.flex(*[_view_button(v) for v in messages.QUEUE_VIEWS], gap="8px", wrap="wrap",
                role="group", aria_label=tr("msg.console.views")),
        rx.hstack(
            rx.el.label(rx.text(tr("msg.console.pool"), size="3", weight="medium"), html_for="pool-choice"),
            rx.el.select(
                rx.el.option(tr("msg.console.all_pools"), value="all"),
                rx.foreach(M.pools, lambda p: rx.el.option(p["name"], value=p["code"])),
                id="pool-choice", value=rx.cond(M.pool == "", "all", M.pool),
                on_change=M.choose_pool, min_height=TOUCH_TARGET, font_size="16px", padding_x="8px",
                border_radius="8px", border=f"1px solid {rx.color('gray', 7)}"),
            spacing="2", align="center", wrap="wrap"),
        spacing="3", width="100%")


def _queue_row(row) -> rx.Component:
    return item(rx.card(rx.vstack(
        rx.hstack(
            rx.text(row["patient"], size="4", weight="bold"),
            rx.text(tr("msg.console.mrn"), " ", row["mrn"], size="2", color=rx.color("gray", 11)),
            rx.cond(row["urgent"] == "yes", status_badge(tr("msg.console.urgent"), "danger")),
            rx.cond(row["overdue"] == "yes", status_badge(tr("msg.console.overdue"), "warning")),
            rx.cond(row["unread"] != "0", rx.badge(row["unread"], " ", tr("msg.new"), color_scheme="red",
                                                  radius="full", size="2")),
            spacing="2", align="center", wrap="wrap"),
        rx.text(row["subject"], size="3"),
        rx.hstack(rx.text(topic_word(row["topic"]), size="2"), status_word(row["status"]),
                  rx.text(row["pool"], size="2", color=rx.color("gray", 11)),
                  rx.text(rx.cond(row["assignee"] != "", row["assignee"], tr("msg.console.nobody")), size="2",
                          color=rx.color("gray", 11)),
                  rx.cond(row["due"] != "", rx.text(tr("msg.console.due"), " ", row["due"], size="2")),
                  spacing="2", align="center", wrap="wrap"),
        rx.button(tr("msg.console.open"), on_click=M.open_thread(row["id"]), size="3", min_height=TOUCH_TARGET,
                  variant="soft", aria_label=tr("msg.console.open") + ": " + row["patient"]),
        spacing="2", width="100%"), size="2", width="100%"), class_name="queue-item")


def _write_first() -> rx.Component:
    """Start a conversation with a patient (e.g. about a result), by their MRN."""
    return rx.vstack(
        rx.button(rx.icon("pencil", aria_hidden="true"), tr("msg.console.write_first"), on_click=M.toggle_writing,
                  variant=rx.cond(M.writing, "soft", "outline"), size="3", min_height=TOUCH_TARGET,
                  aria_expanded=M.writing),
        rx.cond(M.writing, card(rx.form(rx.vstack(
            rx.el.label(rx.text(tr("msg.console.mrn_label"), size="3", weight="medium"), html_for="start-mrn"),
            rx.input(id="start-mrn", name="mrn", max_length=32, size="3", min_height=TOUCH_TARGET, width="100%"),
            rx.el.label(rx.text(tr("msg.console.topic_label"), size="3", weight="medium"), html_for="start-topic"),
            rx.el.select(rx.foreach(M.topics, lambda t: rx.el.option(topic_word(t), value=t)), id="start-topic",
                         name="topic", min_height=TOUCH_TARGET, font_size="16px", padding_x="8px", width="100%",
                         border_radius="8px", border=f"1px solid {rx.color('gray', 7)}"),
            rx.el.label(rx.text(tr("msg.console.reply_label"), size="3", weight="medium"), html_for="start-body"),
            rx.text_area(id="start-body", name="body", max_length=messages.MAX_BODY, size="3", rows="4", width="100%"),
            attach_picker("start-file", M.attached),
            pending_files(M.pending, M.remove_file),
            submit_button(rx.icon("send", aria_hidden="true"), tr("msg.console.send_first"), width="100%"),
            spacing="2", width="100%"), on_submit=M.start, reset_on_submit=False, width="100%"))),
        spacing="2", width="100%")


def _queue() -> rx.Component:
    return rx.vstack(
        _write_first(),
        _filters(),
        rx.cond(M.hidden > 0, rx.callout.root(
            rx.callout.icon(rx.icon("lock", aria_hidden="true")),
            rx.callout.text(tr("msg_more.hidden_count"), " ", rx.text.strong(M.hidden), ". ", tr("msg_more.hidden_why")),
            color_scheme="gray", size="2", width="100%", role="status", class_name="queue-hidden")),
        rx.cond(M.items.length() > 0, bare_list(M.items, _queue_row, tr("msg.console.title")),
                card(empty_state("inbox", tr("msg.console.none_title"), tr("msg.console.none_text")))),
        rx.hstack(
            rx.cond(M.page > 0, rx.button(tr("msg.newer"), on_click=M.previous_page, variant="soft", size="3",
                                          min_height=TOUCH_TARGET, id="queue-newer")),
            rx.cond(M.has_more, rx.button(tr("msg.older"), on_click=M.next_page, variant="soft", size="3",
                                          min_height=TOUCH_TARGET, id="queue-older")),
            spacing="3"),
        spacing="4", width="100%")


def _note(row) -> rx.Component:
    return item(rx.box(
        rx.text(rx.text.strong(row["author"]), " · ", row["when"], size="2"),
        rx.text(row["body"], size="3", white_space="pre-wrap", overflow_wrap="anywhere"),
        background=rx.color("amber", 3), border=f"1px dashed {rx.color('amber', 8)}", border_radius="10px",
        padding="10px", width="100%"), class_name="internal-note")


def _actions() -> rx.Component:
    t = M.thread
    return rx.flex(
        rx.cond(t["mine"] == "yes",
                rx.button(tr("msg.console.release"), on_click=M.release, variant="outline", size="3",
                          min_height=TOUCH_TARGET),
                rx.button(rx.icon("hand", aria_hidden="true"), tr("msg.console.take"), on_click=M.take, size="3",
                          min_height=TOUCH_TARGET)),
        rx.cond(t["status"] == "closed",
                rx.button(tr("msg.console.reopen"), on_click=M.set_status("open"), variant="outline", size="3",
                          min_height=TOUCH_TARGET),
                rx.button(tr("msg.console.close"), on_click=M.set_status("closed"), variant="outline",
                          color_scheme="gray", size="3", min_height=TOUCH_TARGET)),
        gap="8px", wrap="wrap")


def _thread() -> rx.Component:
    t = M.thread
    return rx.vstack(
        rx.button(rx.icon("arrow-left", aria_hidden="true"), tr("msg.console.back"), on_click=M.close_thread,
                  variant="ghost", size="3", min_height=TOUCH_TARGET),
        card(
            rx.hstack(rx.heading(t["patient"], as_="h2", size="5"),
                      rx.text(tr("msg.console.mrn"), " ", t["mrn"], size="2", color=rx.color("gray", 11)),
                      rx.cond(t["urgent"] == "yes", status_badge(tr("msg.console.urgent"), "danger")),
                      rx.cond(t["overdue"] == "yes", status_badge(tr("msg.console.overdue"), "warning")),
                      spacing="2", align="center", wrap="wrap"),
            rx.text(t["subject"], size="4", weight="medium"),
            about_result(t["result"], "thread-result"),
            rx.hstack(rx.text(topic_word(t["topic"]), size="2"), status_word(t["status"]),
                      rx.text(t["pool"], size="2", color=rx.color("gray", 11)),
                      rx.text(tr("msg.console.assignee"), ": ",
                              rx.cond(t["assignee"] != "", t["assignee"], tr("msg.console.nobody")), size="2"),
                      rx.cond(t["due"] != "", rx.text(tr("msg.console.due"), " ", t["due"], size="2")),
                      spacing="2", align="center", wrap="wrap"),
            _actions(),
        ),
        rx.el.ol(rx.foreach(M.thread_messages, lambda row: message_bubble(row, tr("msg.you"))),
                 aria_label=tr("msg.thread.list"), padding="0", margin="0", display="flex", flex_direction="column",
                 gap="10px", width="100%"),
        card(
            rx.heading(tr("msg.console.reply_heading"), as_="h3", size="4"),
            rx.cond(M.canned.length() > 0, rx.flex(
                rx.text(tr("msg.console.canned"), size="2", weight="medium"),
                rx.foreach(M.canned, lambda c: rx.button(c["title"], on_click=M.use_canned(c["id"]), variant="soft",
                                                         size="2", min_height=TOUCH_TARGET)),
                gap="6px", wrap="wrap", align="center")),
            rx.form(rx.vstack(
                rx.el.label(rx.text(tr("msg.console.reply_label"), size="3", weight="medium"), html_for="field-body"),
                rx.text_area(id="field-body", name="body", max_length=messages.MAX_BODY, size="3", rows="5",
                             width="100%"),
                attach_picker("staff-file", M.attached),
                pending_files(M.pending, M.remove_file),
                submit_button(rx.icon("send", aria_hidden="true"), tr("msg.console.send_reply"), width="100%"),
                spacing="2", width="100%"), on_submit=M.reply, reset_on_submit=False, width="100%"),
        ),
        card(
            rx.heading(tr("msg.console.notes_heading"), as_="h3", size="4"),
            rx.text(tr("msg.console.notes_hint"), size="2", color=rx.color("gray", 11)),
            rx.cond(M.notes.length() > 0, bare_list(M.notes, _note, tr("msg.console.notes_heading"))),
            rx.form(rx.vstack(
                rx.el.label(rx.text(tr("msg.console.note_label"), size="3", weight="medium"), html_for="note-body"),
                rx.text_area(id="note-body", name="body", max_length=messages.MAX_BODY, size="3", rows="3",
                             width="100%"),
                submit_button(rx.icon("notebook-pen", aria_hidden="true"), tr("msg.console.add_note"),
                              variant="outline", width="100%"),
                spacing="2", width="100%"), on_submit=M.add_note, reset_on_submit=False, width="100%"),
        ),
        spacing="4", width="100%")


@staff_page(CONSOLE_ROUTE, on_load=[MessageConsoleState.opened])
def message_console() -> rx.Component:
    return rx.vstack(
        page_header(tr("msg.console.title"), tr("msg.console.subtitle")),
        error_message(M.error),
        success(M.notice),
        rx.cond(M.loaded, rx.cond(M.selected != "", _thread(), _queue()), loading_block(tr("status.loading"))),
        spacing="4", width="100%", max_width="900px",
    )
