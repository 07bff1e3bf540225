"""Writing to the care team (/messages/new): what it is about, the message (and a photo or file),
then a check that shows who answers and by when, with the 911 notice, stronger for urgent words.

The urgent-word check runs when the writer moves on to the check (not on every key), and again in
the service when it is sent; it never stops the message.

From a result's page (``?topic=result&result=<id>``) the message starts about that result: the
service checks the writer may see it (released, their chart), the text starts with its name (never
its value, so the subject holds none either) and the thread is linked to it for the care team.
"""

from __future__ import annotations

import reflex as rx

from portal_app import localtime
from portal_app.models.message import TOPICS
from portal_app.services import message_drafts, messages
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.messages import attach, form_body, result_words
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

STAGES = ("topic", "write", "check", "done")


class ComposeState(rx.State):
    stage: str = "topic"
    topic: str = ""
    body: str = ""
    pending: list[dict[str, str]] = []
    urgent: bool = False
    answer_pool: str = ""  # care_team, front_desk, billing: who will answer
    answer_days: int = 0
    answer_by: str = ""
    thread_id: str = ""  # the conversation made by sending
    error: str = ""
    restored: str = ""  # said when a kept draft was put back
    about_result: str = ""  # "Cholesterol, May 4, 2026" when writing about a result
    _result_id: int | None = None

    async def _promise(self) -> None:
        promise = messages.expectation(self.topic)
        lang = await mt.language(self)
        self.answer_pool, self.answer_days = promise.pool, promise.working_days
        self.answer_by = mt.day(localtime.local(promise.reply_by).date(), lang)

    @rx.event
    async def opened(self):
        wanted = self.router.url.query_parameters.get("topic", "")
        self.stage, self.topic, self.body, self.pending, self.urgent, self.thread_id, self.error, self.restored = (
            "topic", "", "", [], False, "", "", "")
        self.about_result, self._result_id = "", None
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        result_id = mt.digits(self.router.url.query_parameters.get("result", ""))
        if wanted == "result" and result_id is not None:
            return await self._about_result(seen, result_id)
        try:
            kept = await run_service(message_drafts.load, *seen)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        if kept is not None:
            self.body, self.restored = kept.body, await mt.text(self, "msg.compose.restored")
            wanted = wanted if wanted in TOPICS else kept.topic
        if wanted in TOPICS:
            self.topic = wanted
            await self._promise()
            self.stage = "write"

    async def _about_result(self, seen, result_id: int) -> None:
        """Start the message about one result: its name and day shown, and written at the top."""
        try:
            about = await run_service(messages.asked_result, *seen, result_id)
        except ServiceError:
            self.error = await mt.text(self, "msg_more.error.no_result")
            return
        self.about_result, _page = result_words(about, await mt.language(self))
        self.body = await mt.text(self, "msg_more.ask_start", result=self.about_result)
        self._result_id, self.topic = about.observation_id, "result"
        await self._promise()
        self.stage = "write"

    @rx.event
    async def choose_topic(self, topic: str):
        if await viewing(self) is None:
            self.reset()
            return redirect_home(None)
        if not isinstance(topic, str) or topic not in TOPICS:
            self.error = await mt.text(self, "msg.error.topic")
            return
        self.topic, self.error = topic, ""
        if topic != "result":
            self.about_result, self._result_id = "", None
        await self._promise()
        self.stage = "write"

    @rx.event
    async def go_back(self):
        if await viewing(self) is None:
            self.reset()
            return redirect_home(None)
        self.stage, self.error = ("topic" if self.stage == "write" else "write"), ""

    @rx.event
    async def written(self, form: dict):
        """The message is written: on to the check, with the stronger notice if it sounds urgent."""
        if await viewing(self) is None:
            self.reset()
            return redirect_home(None)
        try:
            self.body = messages.clean_body(form_body(form))
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        if self.topic not in TOPICS:
            self.stage = "topic"
            return
        self.urgent, self.error, self.stage = messages.is_urgent(self.body), "", "check"

    @rx.event
    async def keep_draft(self, text: str):
        """A moment after typing stops: keep what is written, so closing the page loses nothing."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        try:
            await run_service(message_drafts.save, *seen, None, self.topic, text)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)

    @rx.event
    async def attached(self, answer: dict):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        self.pending, self.error = await attach(self, seen[0], answer, self.pending)

    @rx.event
    async def remove_file(self, token: str):
        if await viewing(self) is None:
            self.reset()
            return redirect_home(None)
        self.pending = [p for p in self.pending if p["token"] != token]

    @rx.event
    async def send(self):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        if self.stage != "check":  # a second tap (or a replayed event) after sending starts no second thread
            return
        try:
            made = await run_service(messages.start_thread, *seen, self.topic, self.body,
                                     [p["token"] for p in self.pending], self._result_id,
                                     self.router.session.client_ip)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        self.thread_id, self.pending, self.error, self.stage = str(made), [], "", "done"
