"""The patient's messages: the inbox (/messages), one conversation (/messages/thread?t=<id>) and
writing a new message (/messages/new). Message text is always shown as text, links as plain
addresses marked as leaving the portal."""

from __future__ import annotations

import reflex as rx

from portal_app.components.cards import card
from portal_app.components.feedback import empty_state, error_message, loading_block, status_badge
from portal_app.components.forms import submit_button
from portal_app.components.page import page_header
from portal_app.components.theme import TOUCH_TARGET
from portal_app.components.uploads import file_picker
from portal_app.config import settings
from portal_app.models.message import TOPICS
from portal_app.pages.medication_parts import bare_list, item, link_button, success
from portal_app.pages.shell import patient_page
from portal_app.services import files, messages
from portal_app.state.language import tr
from portal_app.state.message_compose import ComposeState
from portal_app.state.messages import THREAD_ROUTE, InboxState, ThreadState

C = ComposeState
TOPIC_ICONS = {"clinical": "stethoscope", "appointment": "calendar-days", "prescription": "pill",
               "result": "flask-conical", "billing": "receipt", "other": "message-circle"}
DRAFT_AFTER_MS = 1500
STATUS_TONES = (("open", "info"), ("waiting", "good"), ("closed", "neutral"))


def topic_word(topic) -> rx.Component:
    return rx.match(topic, *[(t, tr(f"msg.topic.{t}")) for t in TOPICS], topic)


def status_word(status) -> rx.Component:
    return rx.match(status, *[(s, status_badge(tr(f"msg.status.{s}"), tone)) for s, tone in STATUS_TONES],
                    status_badge(status))


def emergency_notice(urgent=None) -> rx.Component:
    """The 911 notice on every messages page; the stronger one when the words sound urgent."""
    calm = rx.callout.root(
        rx.callout.icon(rx.icon("siren", aria_hidden="true")),
        rx.callout.text(rx.text.strong(tr("msg.emergency.title")), " ", tr("msg.emergency.text")),
        color_scheme="red", variant="surface", size="2", width="100%", role="note")
    if urgent is None:
        return calm
    strong = rx.callout.root(
        rx.callout.icon(rx.icon("siren", aria_hidden="true")),
        rx.vstack(
            rx.heading(tr("msg.urgent.title"), as_="h2", size="5"),
            rx.text(tr("msg.urgent.text"), size="3"),
            rx.link(rx.button(rx.icon("phone", aria_hidden="true"), tr("msg.urgent.call"), size="3", color_scheme="red",
                              min_height=TOUCH_TARGET), href="tel:911"),
            rx.text(tr("msg.urgent.crisis"), size="3"),
            spacing="2"),
        color_scheme="red", variant="surface", high_contrast=True, size="3", width="100%", role="alert",
        border="2px solid var(--red-9)")
    return rx.cond(urgent, strong, calm)


def _part(part) -> rx.Component:
    return rx.cond(
        part["href"] != "",
        rx.link(part["text"], rx.icon("external-link", size=14, aria_hidden="true", margin_left="2px"),
                rx.text.span(" (", tr("msg.external"), ")", font_size="0.85em"),
                href=part["href"], is_external=True, rel="noopener noreferrer nofollow", word_break="break-all",
                underline="always"),
        rx.text.span(part["text"]),
    )


def _file(row) -> rx.Component:
    return rx.cond(
        row["image"] == "yes",
        rx.link(rx.image(src=row["src"], alt=tr("msg.photo_alt"), max_width="220px", max_height="220px",
                         border_radius="8px"), href=row["url"], aria_label=row["name"]),
        rx.link(rx.hstack(rx.icon("file-text", size=20, aria_hidden="true"),
                          rx.text(row["name"], " (", row["size"], ")", size="3"), spacing="2", align="center"),
                href=row["url"]),
    )


def message_bubble(row, me_label) -> rx.Component:
    """One message: who and when, the text as written, its files. ``me_label`` replaces one's own name."""
    parts = row["parts"].to(list[dict[str, str]])
    found = row["files"].to(list[dict[str, str]])
    mine = row["mine"].to(str) == "yes"
    return item(rx.box(
        rx.vstack(
            rx.hstack(rx.text(rx.cond(mine, me_label, row["author"].to(str)), size="2", weight="bold"),
                      rx.text(row["when"].to(str), size="2", color=rx.color("gray", 11)), spacing="2", wrap="wrap"),
            rx.text(rx.foreach(parts, _part), size="3", white_space="pre-wrap", overflow_wrap="anywhere"),
            rx.cond(found.length() > 0, rx.flex(rx.foreach(found, _file), gap="8px", wrap="wrap")),
            spacing="1", align="start"),
        background=rx.cond(row["staff"].to(str) == "yes", rx.color("accent", 3), rx.color("gray", 3)),
        border_radius="12px", padding="12px", width="100%",
        margin_left=rx.cond(mine, "auto", "0"), max_width="92%",
    ), class_name="message")


def pending_files(rows, remove) -> rx.Component:
    return rx.foreach(rows, lambda row: rx.hstack(
        rx.cond(row["image"] == "yes", rx.icon("image", size=20, aria_hidden="true"),
                rx.icon("file-text", size=20, aria_hidden="true")),
        rx.text(row["name"], " (", row["size"], ")", size="3"),
        rx.button(rx.icon("x", aria_hidden="true"), tr("msg.remove_file"), on_click=remove(row["token"]),
                  variant="soft", color_scheme="gray", size="2", min_height=TOUCH_TARGET),
        spacing="2", align="center", wrap="wrap", class_name="pending-file"))


def attach_picker(input_id: str, on_uploaded) -> rx.Component:
    return file_picker(input_id, messages.PURPOSE, files.PURPOSES[messages.PURPOSE].max_bytes, tr("msg.attach"),
                       on_uploaded, hint=tr("msg.attach_hint"), icon="camera")


def _body_field(default, keep_draft) -> rx.Component:
    """The message box; what is typed is kept on the server as a draft a moment after typing stops."""
    return rx.vstack(
        rx.el.label(rx.text(tr("msg.body_label"), size="3", weight="medium"), html_for="field-body"),
        rx.text_area(id="field-body", name="body", max_length=messages.MAX_BODY, size="3", width="100%", rows="6",
                     default_value=default, aria_describedby="field-body-hint",
                     on_change=keep_draft.debounce(DRAFT_AFTER_MS)),
        rx.text(tr("msg.body_hint"), id="field-body-hint", size="2", color=rx.color("gray", 11)),
        spacing="1", width="100%")


# --- inbox --------------------------------------------------------------------------------------

I = InboxState


def _thread_row(row) -> rx.Component:
    unread = row["unread"] != "0"
    return item(rx.link(card(
        rx.hstack(
            rx.text(row["subject"], size="4", weight=rx.cond(unread, "bold", "regular"), flex="1"),
            rx.cond(unread, rx.badge(row["unread"], " ", tr("msg.new"), color_scheme="red", radius="full", size="2")),
            align="center", spacing="2", width="100%"),
        rx.hstack(rx.text(topic_word(row["topic"]), size="2", color=rx.color("gray", 11)), status_word(row["status"]),
                  rx.text(row["when"], size="2", color=rx.color("gray", 11)), spacing="2", align="center", wrap="wrap"),
    ), href="/messages/thread?t=" + row["id"], underline="none", color="inherit", display="block"),
        class_name="message-thread")


@patient_page("/messages", on_load=[InboxState.opened])
def messages_inbox() -> rx.Component:
    return rx.vstack(
        page_header(tr("nav.messages"), tr("msg.inbox.subtitle")),
        link_button("pencil", tr("msg.new_message"), "/messages/new"),
        emergency_notice(),
        rx.form(rx.hstack(
            rx.input(id="message-search", name="words", type="search", placeholder=tr("msg.search_label"),
                     aria_label=tr("msg.search_label"),
                     default_value=I.words, max_length=messages.MAX_SEARCH, size="3", flex="1",
                     min_height=TOUCH_TARGET),
            submit_button(rx.icon("search", aria_hidden="true"), tr("msg.search")),
            spacing="2", width="100%", align="center"), on_submit=I.search, reset_on_submit=False, width="100%",
            role="search"),
        rx.cond(I.words != "", rx.hstack(
            rx.text(tr("msg.search_results"), " ", rx.text.strong(I.words), size="3"),
            rx.button(tr("msg.search_clear"), on_click=I.clear_search, variant="soft", size="2",
                      min_height=TOUCH_TARGET), spacing="2", align="center", wrap="wrap")),
        error_message(I.error),
        rx.cond(
            I.loaded,
            rx.cond(I.threads.length() > 0, bare_list(I.threads, _thread_row, tr("msg.inbox.list")),
                    rx.cond(I.words != "",
                            card(empty_state("search", tr("msg.search_none_title"), tr("msg.search_none_text"))),
                            card(empty_state("message-circle", tr("msg.inbox.none_title"), tr("msg.inbox.none_text"))))),
            loading_block(tr("status.loading"))),
        rx.hstack(
            rx.cond(I.page > 0, rx.button(tr("msg.newer"), on_click=I.previous_page, variant="soft", size="3",
                                          min_height=TOUCH_TARGET, id="inbox-newer")),
            rx.cond(I.has_more, rx.button(tr("msg.older"), on_click=I.next_page, variant="soft", size="3",
                                          min_height=TOUCH_TARGET, id="inbox-older")),
            spacing="3"),
        spacing="4", width="100%",
    )


# --- one conversation ---------------------------------------------------------------------------

T = ThreadState


@patient_page(THREAD_ROUTE, on_load=[ThreadState.opened])
def message_thread() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", aria_hidden="true"), tr("msg.back_to_inbox"), align="center"),
                href="/messages", size="3"),
        rx.cond(
            T.loaded,
            rx.cond(
                T.subject != "",
                rx.vstack(
                    page_header(T.subject),
                    rx.hstack(rx.text(topic_word(T.topic), size="3"), status_word(T.status), spacing="2",
                              align="center"),
                    about_result(T.about_result, "thread-result", T.result_link),
                    rx.cond(T.reply_by != "", rx.text(tr("msg.thread.answer_by"), " ", T.reply_by, size="3")),
                    rx.el.ol(rx.foreach(T.items, lambda row: message_bubble(row, tr("msg.you"))),
                             aria_label=tr("msg.thread.list"), aria_live="polite", padding="0", margin="0",
                             display="flex", flex_direction="column", gap="10px", width="100%"),
                    card(
                        rx.heading(tr("msg.thread.reply_heading"), as_="h2", size="4"),
                        emergency_notice(T.urgent),
                        error_message(T.error),
                        success(T.sent),
                        rx.form(rx.vstack(
                            _body_field(T.draft, ThreadState.keep_draft),
                            attach_picker("reply-file", ThreadState.attached),
                            pending_files(T.pending, ThreadState.remove_file),
                            submit_button(rx.icon("send", aria_hidden="true"), tr("msg.send"), width="100%"),
                            spacing="3", width="100%"),
                            on_submit=ThreadState.send, reset_on_submit=False, width="100%"),
                    ),
                    spacing="4", width="100%"),
                error_message(T.error)),
            loading_block(tr("status.loading"))),
        spacing="4", width="100%",
    )


# --- writing a new message ----------------------------------------------------------------------


def _stage_heading(number: str, key: str) -> rx.Component:
    return rx.vstack(rx.text(tr("msg.stage"), " ", number, " / 3", size="2", color=rx.color("gray", 11)),
                     rx.heading(tr(key), as_="h2", size="5"), spacing="1")


def _topic_button(topic: str) -> rx.Component:
    pool = messages.TOPIC_POOL[topic]
    return item(rx.button(
        rx.icon(TOPIC_ICONS[topic], size=24, aria_hidden="true"),
        rx.vstack(rx.text(tr(f"msg.topic.{topic}"), size="4", weight="bold"),
                  rx.text(tr(f"msg.answers.{pool}"), size="2", weight="regular"),
                  spacing="0", align="start"),
        on_click=C.choose_topic(topic), variant="surface", size="3", width="100%", height="auto",
        min_height="64px", padding="12px", justify_content="start", text_align="left", white_space="normal"))


def _choose_topic() -> rx.Component:
    return card(
        _stage_heading("1", "msg.compose.topic_heading"),
        rx.el.ul(*[_topic_button(t) for t in TOPICS], aria_label=tr("msg.compose.topic_heading"), padding="0",
                 margin="0", display="flex", flex_direction="column", gap="10px", width="100%"),
    )


def _promise() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("clock", aria_hidden="true")),
        rx.callout.text(rx.match(C.answer_pool, *[(p, tr(f"msg.answers.{p}")) for p in messages.REPLY_WORKING_DAYS], ""),
                        " ", tr("msg.compose.answer_by"), " ", rx.text.strong(C.answer_by), "."),
        color_scheme="blue", size="2", width="100%", role="note", class_name="reply-promise")


def about_result(words, class_name: str, href=None) -> rx.Component:
    """Which result a message is about (its name and day), when there is one; a link to it if given."""
    line = rx.text(tr("msg_more.about_result"), ": ", rx.text.strong(words), size="3")
    return rx.cond(words != "", rx.hstack(
        rx.icon("flask-conical", size=18, aria_hidden="true", flex_shrink="0", margin_top="3px"),
        rx.link(line, href=href, underline="always") if href is not None else line,
        spacing="2", align="start", class_name=class_name))


def _about_result() -> rx.Component:
    return about_result(C.about_result, "compose-result")


def _write() -> rx.Component:
    return card(
        _stage_heading("2", "msg.compose.write_heading"),
        rx.text(tr("msg.compose.about"), ": ", rx.text.strong(topic_word(C.topic)), size="3"),
        _about_result(),
        _promise(),
        success(C.restored),
        rx.form(rx.vstack(
            _body_field(C.body, ComposeState.keep_draft),
            attach_picker("new-file", ComposeState.attached),
            pending_files(C.pending, ComposeState.remove_file),
            submit_button(tr("msg.compose.next"), width="100%"),
            spacing="3", width="100%"),
            on_submit=ComposeState.written, reset_on_submit=False, width="100%"),
        rx.button(tr("msg.compose.back"), on_click=C.go_back, variant="soft", color_scheme="gray", size="3",
                  min_height=TOUCH_TARGET, width="100%"),
    )


def _check() -> rx.Component:
    return card(
        _stage_heading("3", "msg.compose.check_heading"),
        emergency_notice(C.urgent),
        rx.text(tr("msg.compose.about"), ": ", rx.text.strong(topic_word(C.topic)), size="3"),
        _about_result(),
        rx.box(rx.text(C.body, size="3", white_space="pre-wrap", overflow_wrap="anywhere"),
               background=rx.color("gray", 3), border_radius="12px", padding="12px", width="100%"),
        rx.cond(C.pending.length() > 0, rx.vstack(rx.foreach(C.pending, lambda row: rx.text(
            rx.icon("paperclip", size=16, aria_hidden="true"), " ", row["name"], size="3")), spacing="1")),
        _promise(),
        rx.button(rx.icon("send", aria_hidden="true"), tr("msg.send"), on_click=C.send, size="3",
                  min_height=TOUCH_TARGET, width="100%"),
        rx.button(tr("msg.compose.back"), on_click=C.go_back, variant="soft", color_scheme="gray", size="3",
                  min_height=TOUCH_TARGET, width="100%"),
    )


def _done() -> rx.Component:
    return card(
        rx.vstack(rx.icon("circle-check", size=40, color=rx.color("green", 10), aria_hidden="true"),
                  rx.heading(tr("msg.compose.done_heading"), as_="h2", size="5"),
                  rx.text(tr("msg.compose.done_text"), " ", rx.text.strong(C.answer_by), ".", size="3",
                          text_align="center"),
                  align="center", spacing="3", width="100%"),
        rx.link(rx.button(rx.icon("message-circle", aria_hidden="true"), tr("msg.compose.open_thread"), size="3",
                          min_height=TOUCH_TARGET, width="100%"),
                href="/messages/thread?t=" + C.thread_id, width="100%"),
        link_button("inbox", tr("msg.back_to_inbox"), "/messages", variant="soft"),
    )


@patient_page("/messages/new", on_load=[ComposeState.opened])
def message_new() -> rx.Component:
    return rx.vstack(
        page_header(tr("msg.new_message")),
        rx.cond(C.stage != "check", emergency_notice()),
        error_message(C.error),
        rx.match(C.stage, ("write", _write()), ("check", _check()), ("done", _done()), _choose_topic()),
        rx.text(tr("msg.compose.call"), " ", rx.link(settings.clinic_phone, href=f"tel:{settings.clinic_phone}", underline="always"),
                size="2", color=rx.color("gray", 11)),
        spacing="4", width="100%",
    )
