"""The refill tracker (/medications/refills): each request as a timeline, updated live when staff
take a step (the patient's medications topic)."""

from __future__ import annotations

import reflex as rx

from portal_app.services import live, refills
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

CANCELLABLE = ("requested", "approved")  # the patient's own cancel (services/refills.MOVES)


def timeline(view: refills.RequestView, lang: str, automatic: str) -> list[dict[str, str]]:
    """The road's steps, each done (with when and who), current, or still to come; an end off the road last."""
    done = {s.step: s for s in view.steps}
    rows = []
    ended = view.status in ("denied", "cancelled")
    for step in refills.TIMELINE:
        if ended and step not in done:
            continue
        reached = done.get(step)
        state = "current" if step == view.status else ("done" if reached else "todo")
        rows.append({"step": step, "state": state, "when": mt.moment(reached.at, lang) if reached else "",
                     "by": (automatic if reached.automatic else reached.by) if reached else ""})
    if ended:
        last = done.get(view.status)
        rows.append({"step": view.status, "state": "current", "when": mt.moment(last.at, lang) if last else "",
                     "by": last.by if last else ""})
    return rows


class RefillTrackerState(rx.State):
    requests: list[dict] = []
    loaded: bool = False
    error: str = ""

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        views = await run_service(refills.tracker, *seen)
        automatic = await mt.text(self, "refills.track.by_auto")
        self.requests = [{
            "id": str(v.id), "medicine": v.medication, "kind": v.kind, "status": v.status, "pharmacy": v.pharmacy,
            "note": v.note, "deny_reason": v.deny_reason, "deny_note": v.deny_note,
            "answer_due": mt.day(v.answer_due.date(), lang), "asked": mt.moment(v.created_at, lang),
            "cancellable": "yes" if v.status in CANCELLABLE else "", "steps": timeline(v, lang, automatic),
        } for v in views]
        self.loaded = True
        return True

    @rx.event
    async def opened(self):
        self.error = ""
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "medications"))

    async def _on_live(self, topic: str) -> None:
        await self._load()

    @rx.event
    async def cancel(self, request_id: str):
        wanted = mt.digits(request_id)
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        if wanted is None:
            return
        try:
            await run_service(refills.cancel, seen[0], seen[1], wanted)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
        else:
            self.error = ""
        await self._load()
