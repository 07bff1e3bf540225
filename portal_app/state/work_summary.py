"""What is waiting for the signed-in staff member (console first page); counts from services/work_summary."""

from __future__ import annotations

import reflex as rx

from portal_app.services import work_summary
from portal_app.services.errors import ServiceError
from portal_app.state.calls import run_service
from portal_app.state.session import require_actor


class WorkSummaryState(rx.State):
    items: list[dict[str, str]] = []  # key, count, route
    loaded: bool = False

    @rx.event
    async def load(self):
        actor = await require_actor(self, staff=True)
        if actor is None:
            self.items, self.loaded = [], False
            return
        try:
            found = await run_service(work_summary.waiting, actor)
        except ServiceError:
            found = []
        self.items = [{"key": w.key, "count": str(w.count), "route": w.route} for w in found]
        self.loaded = True
