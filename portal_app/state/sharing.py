"""Sharing the record: the patient's privacy page (/health/sharing) and the provider's page (/shared).

``SharingState`` re-checks who is signed in and whose chart they see on every call; the services
check access again and audit. ``SharedRecordState`` belongs to a visitor with no account: it holds
nothing until ``record_share.open_share`` accepted the code and date of birth, and forgets it all
when the page is opened again or closed. Handler arguments come from any client, so each is
checked before use.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx

from portal_app.config import settings
from portal_app.services import record_copy, record_share
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

SHARED_ROUTE = "/shared"
MAX_FIELD = 120  # longer form values are refused before any service sees them


def _field(form: object, name: str) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) and len(value) <= MAX_FIELD else ""


def _ticked(form: object, name: str) -> bool:
    return _field(form, name) in ("on", "true")


class SharingState(rx.State):
    shares: list[dict[str, str]] = []  # id, recipient, sections (words), ends, locked ("yes"/""), views (lines)
    code: str = ""  # the code just created: shown once
    code_until: str = ""
    error: str = ""
    notice: str = ""
    email_error: str = ""
    email_notice: str = ""
    loaded: bool = False

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        try:
            found = await run_service(record_share.active_shares, *seen)
        except ServiceError as refused:
            self.shares, self.error, self.loaded = [], await mt.refusal(self, refused), True
            return True
        doctor = await mt.text(self, "share.a_doctor")
        rows = []
        for s in found:
            words = ", ".join([await mt.text(self, f"share.section.{name}") for name in s.sections])
            views = [await mt.text(self, "share.viewed", when=mt.moment(v.when, lang), ip=v.source_ip or "?")
                     for v in s.views]
            rows.append({"id": str(s.id), "recipient": s.recipient or doctor,
                         "sections": await mt.text(self, "share.shows", what=words),
                         "ends": await mt.text(self, "share.ends", when=mt.moment(s.expires_at, lang)),
                         "locked": "yes" if s.locked else "",
                         "views": "\n".join(views) or await mt.text(self, "share.not_viewed")})
        self.shares, self.loaded = rows, True
        return True

    @rx.event
    async def opened(self):
        self.error = self.notice = self.email_error = self.email_notice = self.code = self.code_until = ""
        if not await self._load():
            return redirect_home(None)

    @rx.event
    async def create(self, form: dict):
        """A new share of the ticked sections for the chosen number of days."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        sections = [name for name in record_share.SECTIONS if _ticked(form, f"section_{name}")]
        try:
            made = await run_service(record_share.create_share, *seen, sections, _field(form, "days"),
                                     _field(form, "recipient"))
        except ServiceError as refused:
            self.error, self.notice, self.code = await mt.refusal(self, refused), "", ""
            return None
        lang = await mt.language(self)
        self.error, self.notice = "", await mt.text(self, "share.created")
        self.code, self.code_until = made.code, mt.moment(made.expires_at, lang)
        await self._load()

    @rx.event
    async def stop(self, share_id: str):
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        wanted = mt.digits(share_id) if isinstance(share_id, str) else None
        try:
            await run_service(record_share.revoke_share, *seen, wanted)
        except ServiceError as refused:
            self.error, self.notice = await mt.refusal(self, refused), ""
        else:
            self.error, self.notice, self.code = "", await mt.text(self, "share.stopped"), ""
        await self._load()

    @rx.event
    async def email_copy(self, form: dict):
        """Email the record PDF, once the warning that email is not secure was confirmed."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        try:
            await run_service(record_copy.email_copy, *seen, _field(form, "email"), _ticked(form, "understood"),
                              await mt.language(self))
        except ServiceError as refused:
            self.email_error, self.email_notice = await mt.refusal(self, refused), ""
            return None
        self.email_error, self.email_notice = "", await mt.text(self, "share.email_sent")


def _line(entry, lang: str) -> dict[str, str]:
    return {"name": entry.name, "when": mt.day(entry.when, lang), "detail": entry.detail, "extra": entry.extra,
            "ended": mt.day(entry.ended, lang)}


@dataclasses.dataclass
class SharedValue:
    name: str = ""
    value: str = ""
    usual: str = ""
    flag: str = "none"


@dataclasses.dataclass
class SharedGroup:
    name: str = ""
    when: str = ""
    conclusion: str = ""
    rows: list[SharedValue] = dataclasses.field(default_factory=list)


# RecordView field -> the SharedRecordState list that shows it
_RECORD_LISTS = {"problems_active": "problems", "problems_resolved": "resolved", "allergies": "allergies",
                 "immunizations": "immunizations", "vitals": "vitals", "visits": "visits",
                 "procedures": "procedures", "documents": "documents", "care_team": "care_team"}


class SharedRecordState(rx.State):
    shown: bool = False
    error: str = ""
    patient_name: str = ""
    born: str = ""
    until: str = ""
    chosen: list[str] = []  # the record_share.SECTIONS the patient chose
    problems: list[dict[str, str]] = []
    resolved: list[dict[str, str]] = []
    allergies: list[dict[str, str]] = []
    immunizations: list[dict[str, str]] = []
    vitals: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    procedures: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    care_team: list[dict[str, str]] = []
    medications: list[dict[str, str]] = []
    results: list[SharedGroup] = []

    @rx.event
    def opened(self):
        """Every visit starts empty: the code and date of birth are asked for again."""
        self.reset()

    @rx.event
    def close(self):
        self.reset()

    @rx.event
    async def open(self, form: dict):
        self.reset()
        born = _field(form, "born")
        try:
            birth_date = date.fromisoformat(born) if len(born) == 10 else None
        except ValueError:
            birth_date = None
        opening = await run_service(record_share.open_share, _field(form, "code"), birth_date,
                                    self.router.session.client_ip or "")
        if opening.shared is None:
            self.error = await mt.text(self, opening.error)
            return None
        lang = await mt.language(self)
        shared = opening.shared
        self.patient_name, self.born = shared.patient_name, mt.day(shared.birth_date, lang)
        self.until = mt.moment(shared.expires_at, lang)
        self.chosen = list(shared.sections)
        for field, target in _RECORD_LISTS.items():
            setattr(self, target, [_line(e, lang) for e in getattr(shared.record, field)])
        self.medications = [{"name": m.name, "detail": m.detail} for m in shared.medications]
        self.results = [SharedGroup(g.name, mt.day(g.when.date(), lang), g.conclusion,
                                    [SharedValue(v.name, f"{v.value} {v.unit}".strip(), v.range, v.flag) for v in g.values])
                        for g in shared.results]
        self.shown = True


def provider_address() -> str:
    """Where the provider opens a share, as the patient tells them."""
    return settings.origins[0] + SHARED_ROUTE
