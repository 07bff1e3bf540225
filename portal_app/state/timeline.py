"""The record timeline (/health/timeline): one page of events at a time, under month headings, with
the same date filter as the other record pages and a choice of section.

The service checks access, applies the release rules and audits; the page gets only the words and
dates it shows (and, for a result, the id its own page opens with).
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app import localtime
from portal_app.services import record_timeline
from portal_app.services.errors import ServiceError
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.health import _filter
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home

ALL = "all"


@dataclasses.dataclass
class EventRow:
    kind: str = ""
    name: str = ""
    when: str = ""
    detail: str = ""
    link: str = ""  # a result's page, or ""


@dataclasses.dataclass
class MonthRow:
    month: str = ""
    events: list[EventRow] = dataclasses.field(default_factory=list)


def _months(items: list[record_timeline.TimelineItem], lang: str) -> list[MonthRow]:
    months: list[MonthRow] = []
    for item in items:
        heading = localtime.format_month(item.when, lang)
        if not months or months[-1].month != heading:
            months.append(MonthRow(heading, []))
        link = f"/health/result?id={item.result_id}" if item.result_id else \
            ("/health/results" if item.kind == "result" else "")
        months[-1].events.append(EventRow(item.kind, item.name, mt.day(item.when, lang), item.detail, link))
    return months


class TimelineState(rx.State):
    months: list[MonthRow] = []
    section: str = ALL  # one of record_timeline.SECTIONS, or ALL
    page: int = 0
    has_more: bool = False
    total: int = 0
    since: str = ""
    until: str = ""
    loaded: bool = False
    error: str = ""
    _dates: tuple = (None, None)

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        chosen = None if self.section == ALL else [self.section]
        try:
            found = await run_service(record_timeline.timeline, *seen, *self._dates, chosen, self.page)
        except ServiceError as refused:
            self.months, self.has_more, self.total = [], False, 0
            self.error, self.loaded = await mt.refusal(self, refused), True
            return True
        self.months = _months(found.items, lang)
        self.has_more, self.total, self.loaded = found.has_more, found.total, True
        return True

    @rx.event
    async def opened(self):
        self.error, self.section, self.page, self._dates, self.since, self.until = "", ALL, 0, (None, None), "", ""
        if not await self._load():
            return redirect_home(None)

    @rx.event
    async def filter_dates(self, form: dict):
        self.page = 0
        return await _filter(self, form)

    @rx.event
    async def clear_dates(self):
        self.page = 0
        return await _filter(self, {})

    @rx.event
    async def choose_section(self, section: str):
        if not isinstance(section, str) or section not in (ALL, *record_timeline.SECTIONS):
            return
        self.section, self.page, self.error = section, 0, ""
        if not await self._load():
            return redirect_home(None)

    @rx.event
    async def older(self):
        if self.has_more:
            self.page += 1
        if not await self._load():
            return redirect_home(None)

    @rx.event
    async def newer(self):
        self.page = max(self.page - 1, 0)
        if not await self._load():
            return redirect_home(None)
