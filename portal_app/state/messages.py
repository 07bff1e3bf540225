"""The patient's messages: the unread badge (every patient page), the inbox, one conversation.

Each handler asks ``viewing`` for the signed-in patient or proxy and the chart, and the services
check again. All three refresh live on the chart's "messages" topic, so a reply from the care team
appears in an open conversation (and the badge moves) without a reload. Message rows are plain
dicts of what the page shows; nothing staff-only is ever in them (the patient services return none).
"""

from __future__ import annotations

import reflex as rx

from portal_app import localtime
from portal_app.services import live, message_drafts, messages
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home
from portal_app.state.uploads import upload_outcome


def message_row(view: messages.MessageView, lang: str) -> dict:
    """One message for a page: the text split into plain parts and web links, its files."""
    return {
        "id": str(view.id), "author": view.author, "staff": "yes" if view.from_staff else "",
        "mine": "yes" if view.mine else "", "when": mt.moment(view.created_at, lang),
        "parts": [{"text": text, "href": href} for text, href in messages.segments(view.body)],
        "files": [attachment_row(a) for a in view.attachments],
    }


def attachment_row(view) -> dict[str, str]:
    url = f"/files/message/{view.token}"
    image = view.kind != "pdf"
    return {"token": view.token, "name": view.name, "url": url, "src": f"{url}?inline=1" if image else "",
            "image": "yes" if image else "", "size": f"{max(view.size // 1024, 1)} KB"}


def form_body(form: object) -> object:
    """The message typed in a form, for the service to check (it refuses anything not text or too long)."""
    return form.get("body") if isinstance(form, dict) else None


async def attach(state: rx.State, actor, answer: object, pending: list[dict[str, str]]) -> tuple[list[dict[str, str]], str]:
    """An upload's answer added to the files waiting to be sent: (new list, error to show)."""
    if len(pending) >= messages.MAX_ATTACHMENTS:
        return pending, await mt.text(state, "msg.error.attachments", most=messages.MAX_ATTACHMENTS)
    translate = (await state.get_state(LanguageState))._t
    view, error = await upload_outcome(actor, answer, messages.PURPOSE, translate)
    if view is None:
        return pending, error
    return [*pending, attachment_row(view)], ""


def result_words(link: messages.ResultLink | None, lang: str) -> tuple[str, str]:
    """(name and day, page address) of the result a thread asks about; ("", "") for none."""
    if link is None:
        return "", ""
    day = mt.day(link.when.date() if link.when else None, lang)
    return ", ".join(p for p in (link.name, day) if p), f"/health/result?id={link.observation_id}"


THREAD_ROUTE = "/messages/thread"


class MessageBadgeState(rx.State):
    """The unread count on the Messages tab and the home page."""

    unread: int = 0

    async def _count(self) -> None:
        seen = await viewing(self)
        if seen is None:
            self.unread = 0
            return
        self.unread = await run_service(messages.badge_count, *seen)

    @rx.event
    async def refresh(self):
        await self._count()
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "messages"))

    async def _on_live(self, topic: str) -> None:
        await self._count()


class InboxState(rx.State):
    threads: list[dict[str, str]] = []
    words: str = ""  # a search in my messages; "" for the whole inbox
    page: int = 0
    has_more: bool = False
    loaded: bool = False
    error: str = ""

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        try:
            if self.words:
                box = await run_service(messages.search, *seen, self.words, self.page)
            else:
                box = await run_service(messages.inbox, *seen, self.page)
        except ServiceError as refused:
            self.threads, self.error, self.loaded = [], await mt.refusal(self, refused), True
            return True
        self.threads = [{"id": str(t.id), "topic": t.topic, "subject": t.subject, "status": t.status,
                         "when": mt.moment(t.last_message_at, lang), "unread": str(t.unread)} for t in box.threads]
        self.has_more, self.loaded, self.error = box.has_more, True, ""
        return True

    @rx.event
    async def opened(self):
        self.page, self.words = 0, ""
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "messages"))

    @rx.event
    async def search(self, form: dict):
        words = form.get("words") if isinstance(form, dict) else None
        self.words = words.strip()[:messages.MAX_SEARCH] if isinstance(words, str) else ""
        self.page = 0
        if not await self._load():
            return redirect_home(None)

    @rx.event
    async def clear_search(self):
        self.words, self.page = "", 0
        if not await self._load():
            return redirect_home(None)
        return rx.set_value("message-search", "")

    @rx.event
    async def next_page(self):
        if self.has_more:
            self.page += 1
        if not await self._load():
            return redirect_home(None)

    @rx.event
    async def previous_page(self):
        self.page = max(self.page - 1, 0)
        if not await self._load():
            return redirect_home(None)

    async def _on_live(self, topic: str) -> None:
        await self._load()


class ThreadState(rx.State):
    """One conversation (/messages/thread?t=<id>) and the reply box under it."""

    thread_id: str = ""
    subject: str = ""
    topic: str = ""
    status: str = ""
    reply_by: str = ""
    about_result: str = ""  # the result this conversation asks about, by name and day
    result_link: str = ""
    items: list[dict] = []
    pending: list[dict[str, str]] = []  # files uploaded for the next reply
    draft: str = ""  # the reply being written, as kept on the server
    urgent: bool = False  # the last reply tried had urgent words: show the stronger notice
    error: str = ""
    sent: str = ""
    loaded: bool = False

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        wanted = mt.digits(self.thread_id)
        lang = await mt.language(self)
        try:
            view = await run_service(messages.read_thread, *seen, wanted)
        except ServiceError as refused:
            self.items, self.subject, self.error, self.loaded = [], "", await mt.refusal(self, refused), True
            return True
        self.subject, self.topic, self.status = view.subject, view.topic, view.status
        self.reply_by = mt.day(localtime.local(view.reply_due).date(), lang) if view.reply_due else ""
        self.items = [message_row(m, lang) for m in view.messages]
        self.about_result, self.result_link = result_words(view.result, lang)
        self.loaded = True
        await (await self.get_state(MessageBadgeState))._count()  # reading it changed the unread count
        return True

    @rx.event
    async def opened(self):
        self.thread_id = self.router.url.query_parameters.get("t", "")[:12]
        self.pending, self.error, self.sent, self.urgent, self.loaded, self.draft = [], "", "", False, False, ""
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None and self.subject:
            try:
                kept = await run_service(message_drafts.load, *seen, mt.digits(self.thread_id))
            except ServiceError:  # a proxy who may read but not write: no reply box to fill
                kept = None
            self.draft = kept.body if kept else ""
            live_hub.subscribe(self, live.patient_topic(seen[1], "messages"))

    async def _on_live(self, topic: str) -> None:
        # The subscription outlives the page: reading the thread from another page of this tab
        # would mark it read behind the patient's back (and clear the badge they are looking at).
        if self.router.url.path.rstrip("/") == THREAD_ROUTE:
            await self._load()

    @rx.event
    async def attached(self, answer: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        self.pending, self.error = await attach(self, seen[0], answer, self.pending)

    @rx.event
    async def keep_draft(self, text: str):
        """A moment after typing stops: keep what is written, so closing the page loses nothing."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        try:
            await run_service(message_drafts.save, *seen, mt.digits(self.thread_id), None, text)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)

    @rx.event
    async def remove_file(self, token: str):
        """Forget a file before sending (it stays unclaimed and is deleted after a day)."""
        if await viewing(self) is None:
            self.reset()
            return redirect_home(None)
        self.pending = [p for p in self.pending if p["token"] != token]

    @rx.event
    async def send(self, form: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        body = form_body(form)
        try:
            await run_service(messages.reply, *seen, mt.digits(self.thread_id), body,
                              [p["token"] for p in self.pending], self.router.session.client_ip)
        except ServiceError as refused:
            self.error, self.sent = await mt.refusal(self, refused), ""
            return
        self.urgent = messages.is_urgent(body)
        self.pending, self.error, self.sent = [], "", await mt.text(self, "msg.thread.sent")
        await self._load()
        return rx.set_value("field-body", "")
