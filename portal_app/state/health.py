"""The health record pages (/health, /health/results, /health/result) and the home page's new-results card.

Each handler re-checks who is signed in and whose chart they see (``viewing``); the services check
access again, apply the release rules and audit. Only the words and numbers the pages show are
kept, as text (no rows, no ids but the result's own), so nothing held ever reaches the browser.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx

from portal_app.services import lab_guide, live, record, result_release
from portal_app.services.errors import ServiceError
from portal_app.state import live_hub
from portal_app.state import medication_text as mt
from portal_app.state.calls import run_service
from portal_app.state.patient_context import viewing
from portal_app.state.session import redirect_home


@dataclasses.dataclass
class ValueRow:
    id: str = ""
    name: str = ""
    plain: str = ""  # the guide's everyday name, or ""
    value: str = ""
    unit: str = ""
    usual: str = ""  # the usual (reference) range, as text
    flag: str = "none"


@dataclasses.dataclass
class GroupRow:
    key: str = ""
    name: str = ""
    when: str = ""
    category: str = "labs"
    conclusion: str = ""
    narrative: str = ""
    rows: list[ValueRow] = dataclasses.field(default_factory=list)
    appears_on: str = ""  # staff view only: the day the patient sees it ("" when they already do)
    held: bool = False  # staff view only


def _date_field(form: object, name: str) -> date | None | str:
    """A date the page sent (YYYY-MM-DD), None when empty, "bad" for anything else."""
    value = form.get(name, "") if isinstance(form, dict) else ""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10]) if len(value) == 10 else "bad"
    except ValueError:
        return "bad"


async def _filter(state, form: object):
    """Both record pages' date filter: check the dates, keep them (backend only), load again."""
    since, until = _date_field(form, "since"), _date_field(form, "until")
    if "bad" in (since, until) or (since and until and since > until):
        state.error = await mt.text(state, "rec.error.bad_dates")
        return None
    state.error = ""
    state._dates = (since, until)
    state.since, state.until = (since.isoformat() if since else ""), (until.isoformat() if until else "")
    if not await state._load():
        return redirect_home(None)
    return None


def record_line(entry: record.Entry, lang: str) -> dict[str, str]:
    return {"name": entry.name, "when": mt.day(entry.when, lang), "status": entry.status, "detail": entry.detail,
            "extra": entry.extra, "ended": mt.day(entry.ended, lang)}


# page variable -> RecordView section (the patient's page and the staff view use the same names)
RECORD_LISTS = {"problems": "problems_active", "resolved": "problems_resolved", "allergies": "allergies",
                "immunizations": "immunizations", "vitals": "vitals", "visits": "visits", "procedures": "procedures",
                "documents": "documents", "other": "other", "care_team": "care_team"}


def record_lists(view: record.RecordView, lang: str) -> dict[str, list[dict[str, str]]]:
    return {name: [record_line(e, lang) for e in getattr(view, section)] for name, section in RECORD_LISTS.items()}


class HealthState(rx.State):
    problems: list[dict[str, str]] = []
    resolved: list[dict[str, str]] = []
    allergies: list[dict[str, str]] = []
    immunizations: list[dict[str, str]] = []
    vitals: list[dict[str, str]] = []
    visits: list[dict[str, str]] = []
    procedures: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    other: list[dict[str, str]] = []
    care_team: list[dict[str, str]] = []
    changes: list[dict[str, str]] = []  # since the last visit
    last_visit: str = ""
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
        try:
            view = await run_service(record.health_record, *seen, *self._dates)
            changed = await run_service(record.changes_since_last_visit, *seen)
        except ServiceError as refused:
            self.error, self.loaded = await mt.refusal(self, refused), True
            return True
        for name, rows in record_lists(view, lang).items():
            setattr(self, name, rows)
        self.last_visit = mt.day(changed.last_visit, lang)
        self.changes = [{"kind": c.kind, "name": c.name, "when": mt.day(c.when, lang)} for c in changed.items]
        self.loaded = True
        return True

    @rx.event
    async def opened(self):
        self.error = ""
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "record"))

    async def _on_live(self, topic: str) -> None:
        await self._load()

    @rx.event
    async def filter_dates(self, form: dict):
        return await _filter(self, form)

    @rx.event
    async def clear_dates(self):
        return await _filter(self, {})


def group_row(group: record.ResultGroup, lang: str) -> GroupRow:
    values = []
    for v in group.values:
        guide = lab_guide.explain(v.loinc, lang)
        plain = guide.name if guide and guide.name.casefold() != v.name.casefold() else ""
        values.append(ValueRow(str(v.id), v.name, plain, v.value, v.unit, v.range, v.flag))
    return GroupRow(group.key, group.name, mt.day(group.when.date(), lang), group.category, group.conclusion,
                    group.narrative, values, mt.day(group.appears_on, lang), group.held)


RESULTS_PAGE = 10  # report groups drawn at a time: a chart with years of labs stays quick to open


class ResultsState(rx.State):
    """The newest ``RESULTS_PAGE`` groups are read and drawn; "Show older results" reads and adds
    the next ones (the service pages in the database, so a long chart opens as fast as a short one)."""

    groups: list[GroupRow] = []
    older: int = 0  # groups not drawn yet
    pending: list[dict[str, str]] = []
    choices: dict[str, str] = {}  # category -> at_once / after_review
    since: str = ""
    until: str = ""
    loaded: bool = False
    error: str = ""
    notice: str = ""
    _dates: tuple = (None, None)
    _found_for: tuple = ()  # (reader's user id, chart) that the drawn groups were read for
    _shown: int = RESULTS_PAGE  # groups drawn again when the list is read anew (a live change, a choice)

    async def _refused(self, refused: ServiceError) -> None:
        self.error, self.groups, self.pending, self.older, self.loaded = await mt.refusal(self, refused), [], [], 0, True

    def _pending_rows(self, found: record.ResultsView, lang: str) -> None:
        self.pending = [{"category": p.category, "on": mt.day(p.appears_on, lang)} for p in found.pending]

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        lang = await mt.language(self)
        try:
            found = await run_service(record.results, *seen, *self._dates, offset=0, limit=self._shown)
            self.choices = await run_service(result_release.preferences, *seen)
        except ServiceError as refused:
            await self._refused(refused)
            return True
        self._found_for = (seen[0].user_id, seen[1])
        self.groups = [group_row(g, lang) for g in found.groups]
        self.older = found.total - len(found.groups)
        self._pending_rows(found, lang)
        self.loaded = True
        return True

    @rx.event
    async def opened(self):
        self.error = self.notice = ""
        self._shown = RESULTS_PAGE
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "results"))

    @rx.event
    async def show_older(self):
        """Read (and so audit) the next groups after the drawn ones and add them; read the list anew
        if the reader or the chart changed since (another record chosen in the meantime)."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        self._shown += RESULTS_PAGE
        if (seen[0].user_id, seen[1]) != self._found_for:
            await self._load()
            return None
        lang = await mt.language(self)
        try:
            found = await run_service(record.results, *seen, *self._dates,
                                      offset=len(self.groups), limit=RESULTS_PAGE)
        except ServiceError as refused:
            await self._refused(refused)
            return None
        drawn = {g.key for g in self.groups}  # a result that came in since moved the rest down by one
        self.groups = self.groups + [group_row(g, lang) for g in found.groups if g.key not in drawn]
        self.older = max(found.total - len(self.groups), 0)
        self._pending_rows(found, lang)
        return None

    async def _on_live(self, topic: str) -> None:
        await self._load()

    @rx.event
    async def filter_dates(self, form: dict):
        self._shown = RESULTS_PAGE
        return await _filter(self, form)

    @rx.event
    async def clear_dates(self):
        self._shown = RESULTS_PAGE
        return await _filter(self, {})

    @rx.event
    async def choose(self, category: str, mode: str):
        """See this category's results at once, or only after a clinician reviewed them."""
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return redirect_home(None)
        try:
            await run_service(result_release.set_preference, *seen, category, mode)
        except ServiceError as refused:
            self.error = await mt.refusal(self, refused)
            return
        self.error, self.notice = "", await mt.text(self, "rec.choice_saved")
        await self._load()


class ResultDetailState(rx.State):
    group: GroupRow = GroupRow()
    value: ValueRow = ValueRow()
    measures: str = ""
    high: str = ""
    low: str = ""
    in_guide: bool = False
    trend: list[dict[str, str | float]] = []
    range_low: float | None = None
    range_high: float | None = None
    loaded: bool = False
    missing: bool = False

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        wanted = mt.digits(self.router.url.query_parameters.get("id", ""))
        lang = await mt.language(self)
        try:
            if wanted is None:
                raise ServiceError("error.not_found")
            detail = await run_service(record.result_detail, *seen, wanted)
        except ServiceError:
            self.reset()
            self.loaded = self.missing = True
            return True
        self.group = group_row(detail.group, lang)
        self.value = next(v for v in self.group.rows if v.id == str(wanted))
        guide = lab_guide.explain(detail.value.loinc, lang)
        self.in_guide = guide is not None
        self.measures, self.high, self.low = (guide.measures, guide.high, guide.low) if guide else ("", "", "")
        self.trend = [{"when": mt.day(p.when.date(), lang), "value": p.value} for p in detail.trend]
        self.range_low, self.range_high = detail.low, detail.high
        self.loaded, self.missing = True, False
        return True

    @rx.event
    async def opened(self):
        self.loaded = False
        if not await self._load():
            return redirect_home(None)
        seen = await viewing(self)
        if seen is not None:
            live_hub.subscribe(self, live.patient_topic(seen[1], "results"))

    async def _on_live(self, topic: str) -> None:
        await self._load()


class ResultsHomeState(rx.State):
    """The home page's card: how many new results (released ones only), and their names."""

    names: list[str] = []

    async def _load(self) -> bool:
        seen = await viewing(self)
        if seen is None:
            self.reset()
            return False
        try:
            groups = await run_service(record.new_results, *seen)
        except ServiceError:  # e.g. a proxy without "results": the card stays empty
            self.names = []
            return True
        self.names = [g.name for g in groups]
        return True

    @rx.event
    async def opened(self):
        if await self._load():
            seen = await viewing(self)
            if seen is not None:
                live_hub.subscribe(self, live.patient_topic(seen[1], "results"))

    async def _on_live(self, topic: str) -> None:
        await self._load()
