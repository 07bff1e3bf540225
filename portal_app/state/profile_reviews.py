"""The profile review queue (/console/profile-reviews): name, birth date and insurance changes
patients asked for, approved or rejected with a reason by front desk or an admin.

Every handler re-checks the staff session; services/profile.py checks the permission and each
chart (restricted charts need break-glass) and audits each read and decision.
"""

from __future__ import annotations

from datetime import date

import reflex as rx
from babel.dates import format_date

from portal_app import i18n
from portal_app.services import profile
from portal_app.services.errors import ServiceError
from portal_app.state.admin import ConsoleHelpers
from portal_app.state.calls import run_service
from portal_app.state.language import LanguageState
from portal_app.state.profile import card_url

MAX_REASON = profile.MAX_REASON


def _shown(kind: str, values: dict[str, str], language: str) -> str:
    if not values:
        return ""
    if kind == "name":
        return f"{values['given_name']} {values['family_name']}"
    if kind == "birth_date":
        return format_date(date.fromisoformat(values["birth_date"]), "long", locale=language)
    return f"{values['plan_name']} · {values['member_id']}"


class ProfileReviewState(ConsoleHelpers, rx.State):
    requests: list[dict[str, str]] = []  # id, patient, mrn, kind_key, current, proposed, when, front, back
    error: str = ""
    done: str = ""

    async def _load(self, actor) -> None:
        language = i18n.normalise((await self.get_state(LanguageState)).language)
        try:
            found = await run_service(profile.review_queue, actor)
        except ServiceError as refused:
            self.requests, self.error = [], await self._t(refused.key, **refused.params)
            return
        self.requests = [
            {"id": str(c.id), "patient": c.patient_name, "mrn": c.mrn, "kind_key": f"profile.kind.{c.kind}",
             "current": _shown(c.kind, c.current, language), "proposed": _shown(c.kind, c.proposed, language),
             "when": format_date(c.requested_at, "medium", locale=language),
             "front": card_url(c.proposed.get("front")), "back": card_url(c.proposed.get("back"))}
            for c in found
        ]

    async def _decide(self, change_id: object, approve: bool, reason: str) -> None:
        actor = await self._staff()
        if actor is None:
            return
        if not isinstance(change_id, str) or not any(r["id"] == change_id for r in self.requests):
            return
        try:
            await run_service(profile.decide, actor, int(change_id), approve, reason)
        except ServiceError as refused:
            self.error, self.done = await self._t(refused.key, **refused.params), ""
            return
        self.error, self.done = "", await self._t("profile_reviews.approved" if approve else "profile_reviews.rejected")
        await self._load(actor)

    @rx.event
    async def opened(self):
        actor = await self._staff()
        if actor is None:
            return await self._refuse()
        self.error = self.done = ""
        await self._load(actor)

    @rx.event
    async def approve(self, change_id: str):
        if await self._staff() is None:
            return await self._refuse()
        await self._decide(change_id, True, "")

    @rx.event
    async def reject(self, form: dict):
        if await self._staff() is None:
            return await self._refuse()
        if not isinstance(form, dict):
            return
        reason = form.get("reason")
        await self._decide(form.get("change_id"), False, reason[: MAX_REASON + 1] if isinstance(reason, str) else "")
