"""The care team's message queue (/console/messages): lists by view and pool, one thread with its
internal notes, and the actions on it (take, hand back, reply, note, close, reopen, canned replies).

Each handler re-checks the staff session; services/messages.py checks the pool, the chart and
audits. The queue and the open thread refresh live when anyone changes a thread.
"""

from __future__ import annotations

import reflex as rx

from portal_app import localtime
from portal_app.models.message import TOPICS
from portal_app.services import messages
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.messages import attach, form_body, message_row, result_words
from portal_app.state.session import SessionState, redirect_home, require_actor


CONSOLE_ROUTE = "/console/messages"


class MessageConsoleState(rx.State):
    view: str = "open"
    pool: str = ""  # a pool code, "" for all of mine
    page: int = 0
    has_more: bool = False
    hidden: int = 0  # threads of this view on restricted charts, not listed
    items: list[dict[str, str]] = []
    pools: list[dict[str, str]] = []
    selected: str = ""  # the open thread's id
    thread: dict[str, str] = {}
    thread_messages: list[dict] = []
    notes: list[dict[str, str]] = []
    canned: list[dict[str, str]] = []
    pending: list[dict[str, str]] = []  # files uploaded for the next answer (or the first message)
    writing: bool = False  # the "write to a patient" form is open
    error: str = ""
    notice: str = ""
    loaded: bool = False

    @rx.var
    def topics(self) -> list[str]:
        """The topics this person may write about first: those their pools answer."""
        mine = {p["code"] for p in self.pools}
        return [t for t in TOPICS if messages.TOPIC_POOL[t] in mine]

    async def _staff(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _refuse(self):
        return redirect_home(await (await self.get_state(SessionState))._actor())

    async def _load_queue(self, actor) -> None:
        lang = await mt.language(self)
        try:
            found = await run_service(messages.queue, actor, self.view, self.pool, self.page)
        except ServiceError as refused:
            self.items, self.error = [], await mt.refusal(self, refused)
            return
        self.pools = [{"code": p.code, "name": p.name} for p in found.pools]
        self.items = [{
            "id": str(i.id), "patient": i.patient_name, "mrn": i.mrn, "topic": i.topic, "subject": i.subject,
            "status": i.status, "pool": i.pool, "assignee": i.assignee, "urgent": "yes" if i.urgent else "",
            "overdue": "yes" if i.overdue else "", "unread": str(i.unread), "when": mt.moment(i.last_message_at, lang),
            "due": mt.moment(i.reply_due, lang) if i.reply_due and i.status == "open" else "",
        } for i in found.items]
        self.has_more, self.hidden, self.loaded = found.has_more, found.hidden, True

    async def _load_thread(self, actor) -> None:
        if not self.selected:
            return
        lang = await mt.language(self)
        try:
            view = await run_service(messages.staff_thread, actor, mt.digits(self.selected))
            canned = await run_service(messages.canned_replies, actor, view.id)
        except ServiceError as refused:
            self.selected, self.thread, self.thread_messages, self.notes = "", {}, [], []
            self.error = await mt.refusal(self, refused)
            return
        self.thread = {
            "id": str(view.id), "patient": view.patient_name, "mrn": view.mrn, "topic": view.topic,
            "subject": view.subject, "status": view.status, "pool": view.pool, "assignee": view.assignee,
            "mine": "yes" if view.assigned_to_me else "", "urgent": "yes" if view.urgent else "",
            "overdue": "yes" if view.overdue else "",
            "due": mt.day(localtime.local(view.reply_due).date(), lang) if view.reply_due else "",
            "result": result_words(view.result, lang)[0],
        }
        self.thread_messages = [message_row(m, lang) for m in view.messages]
        self.notes = [{"id": str(n.id), "author": n.author, "body": n.body, "when": mt.moment(n.created_at, lang)}
                      for n in view.notes]
        self.canned = [{"id": str(c.id), "title": c.title, "body": c.body} for c in canned]

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.view, self.pool, self.page, self.selected, self.error, self.notice = "open", "", 0, "", "", ""
        wanted = mt.digits(self.router.url.query_parameters.get("t", ""))
        if wanted is not None:
            self.selected = str(wanted)
        await self._load_queue(actor)
        await self._load_thread(actor)
        live_hub.subscribe(self, messages.QUEUE_TOPIC)

    async def _on_live(self, topic: str) -> None:
        if self.router.url.path.rstrip("/") != CONSOLE_ROUTE:  # left the page: no reads behind the reader's back
            return
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
            return
        await self._load_queue(actor)
        await self._load_thread(actor)

    @rx.event
    async def show_view(self, view: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if isinstance(view, str) and view in messages.QUEUE_VIEWS:
            self.view, self.page, self.error = view, 0, ""
        await self._load_queue(actor)

    @rx.event
    async def choose_pool(self, code: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if isinstance(code, str) and (code == "all" or code in {p["code"] for p in self.pools}):
            self.pool, self.page = ("" if code == "all" else code), 0
        await self._load_queue(actor)

    @rx.event
    async def next_page(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if self.has_more:
            self.page += 1
        await self._load_queue(actor)

    @rx.event
    async def previous_page(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.page = max(self.page - 1, 0)
        await self._load_queue(actor)

    @rx.event
    async def open_thread(self, thread_id: str):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        if mt.digits(thread_id) is None:
            return
        self.selected, self.error, self.notice, self.pending = thread_id, "", "", []
        await self._load_thread(actor)
        await self._load_queue(actor)  # its unread count is now 0

    @rx.event
    async def close_thread(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.selected, self.thread, self.thread_messages, self.notes, self.canned, self.pending = "", {}, [], [], [], []
        self.error, self.notice = "", ""
        await self._load_queue(actor)

    async def _act(self, fn, *args, done_key: str) -> tuple[bool, object]:
        """Run one action on the open thread: (done, the event to return: a redirect when signed out)."""
        actor = await self._staff()
        if actor is None:
            return False, await self._refuse()
        try:
            await run_service(fn, actor, mt.digits(self.selected), *args)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
            return False, None
        self.error, self.notice = "", await mt.text(self, done_key)
        await self._load_thread(actor)
        await self._load_queue(actor)
        return True, None

    @rx.event
    async def take(self):
        return (await self._act(messages.assign, True, done_key="msg.console.taken"))[1]

    @rx.event
    async def release(self):
        return (await self._act(messages.assign, False, done_key="msg.console.released"))[1]

    @rx.event
    async def set_status(self, status: str):
        if not isinstance(status, str) or status not in ("open", "closed"):
            return
        return (await self._act(messages.set_status, status, done_key=f"msg.console.now_{status}"))[1]

    @rx.event
    async def add_note(self, form: dict):
        done, event = await self._act(messages.add_note, form_body(form), done_key="msg.console.noted")
        return rx.set_value("note-body", "") if done else event

    @rx.event
    async def reply(self, form: dict):
        done, event = await self._act(messages.staff_reply, form_body(form), [p["token"] for p in self.pending],
                                      done_key="msg.console.replied")
        if done:
            self.pending = []
            return rx.set_value("field-body", "")
        return event

    @rx.event
    async def attached(self, answer: dict):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.pending, self.error = await attach(self, actor, answer, self.pending)

    @rx.event
    async def remove_file(self, token: str):
        if await self._staff() is None:
            return await self._refuse()
        self.pending = [p for p in self.pending if p["token"] != token]

    @rx.event
    async def toggle_writing(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.writing, self.error, self.notice, self.pending = not self.writing, "", "", []

    @rx.event
    async def start(self, form: dict):
        """Write first to a patient, found by MRN; then show the new thread."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        values = form if isinstance(form, dict) else {}
        try:
            made = await run_service(messages.staff_start_thread, actor, values.get("mrn"), values.get("topic"),
                                     form_body(form), [p["token"] for p in self.pending])
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
            return
        self.writing, self.selected, self.error, self.pending = False, str(made), "", []
        self.notice = await mt.text(self, "msg.console.started")
        await self._load_thread(actor)
        await self._load_queue(actor)

    @rx.event
    async def use_canned(self, canned_id: str):
        """Put a canned reply in the reply box, to read and change before sending."""
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        chosen = next((c for c in self.canned if c["id"] == canned_id), None)
        if chosen is not None:
            return rx.set_value("field-body", chosen["body"])
