"""The clinician's results queue (/console/results): mark reviewed, hold with a reason and an end
date, release. Each handler re-checks the staff session; the services check the role and the chart,
validate the ids the page sends back, and audit."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx

from portal_app import clock
from portal_app.services import result_release
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.medications import _form_text
from portal_app.state.session import redirect_home, require_actor


def _target(kind: object, target: object) -> dict:
    wanted = mt.digits(target)
    return {"report_id": wanted} if kind == "report" else {"observation_id": wanted}


class ResultsConsoleState(rx.State):
    rows: list[dict[str, str]] = []
    error: str = ""
    notice: str = ""
    loaded: bool = False

    async def _staff(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.reset()
        return actor

    async def _load(self, actor) -> None:
        lang = await mt.language(self)
        try:
            queue = await run_service(result_release.review_queue, actor)
        except ServiceError as refused:
            self.rows, self.error = [], await mt.refusal(self, refused)
        else:
            self.rows = [{"patient_id": str(r.patient_id), "patient": r.patient, "kind": r.kind,
                          "target": str(r.target_id), "name": r.name, "category": r.category,
                          "when": mt.day(r.came_in.date(), lang), "hold": str(r.hold_id or ""),
                          "until": mt.day(r.held_until.date(), lang) if r.held_until else "", "reason": r.hold_reason}
                         for r in queue]
        self.loaded = True

    async def _act(self, fn, patient: object, done_key: str, **kwargs):
        actor = await self._staff()
        if actor is None:
            return redirect_home(None)
        patient_id = mt.digits(patient)
        if patient_id is None:
            return None
        try:
            await run_service(fn, actor, patient_id, **kwargs)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
        else:
            self.error, self.notice = "", await mt.text(self, done_key)
        await self._load(actor)
        return None

    @rx.event
    async def opened(self):
        self.error = self.notice = ""
        actor = await self._staff()
        if actor is None:
            return redirect_home(None)
        await self._load(actor)

    @rx.event
    async def reviewed(self, patient: str, kind: str, target: str):
        return await self._act(result_release.mark_reviewed, patient, "rec.console.reviewed_done", **_target(kind, target))

    @rx.event
    async def hold(self, form: dict):
        days = mt.digits(_form_text(form, "days"), longest=3)
        ends_at = clock.now() + timedelta(days=days) if days else None
        return await self._act(result_release.hold, _form_text(form, "patient"), "rec.console.held_done",
                               reason=_form_text(form, "reason"), ends_at=ends_at,
                               **_target(_form_text(form, "kind"), _form_text(form, "target")))

    @rx.event
    async def release(self, patient: str, hold: str):
        return await self._act(result_release.release, patient, "rec.console.released_done", hold_id=mt.digits(hold))
