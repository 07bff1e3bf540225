"""The record as one timeline (/health/timeline): visits, results, problems started and resolved,
medicines started and stopped, immunizations and procedures, newest first, a page at a time.

Access as for the record (``record.read``); results only for a reader who may see results and only
as released (holds and "after review" apply, through ``record``'s release filter), medicines only
for one who may read medicines. One audited read per page asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.medication import Medication
from portal_app.models.record import Condition, Encounter, Immunization, Procedure
from portal_app.services import access, audit
from portal_app.services.errors import InvalidInput
from portal_app.services.medications import is_id
from portal_app.services.record import DateRange, _released

SECTIONS = ("visits", "results", "problems", "medicines", "immunizations", "procedures")
PAGE = 50
# Kinds of line, in the order they show within one day.
KINDS = ("visit", "result", "problem_started", "problem_resolved", "medicine_started", "medicine_stopped",
         "immunization", "procedure")


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # one of KINDS
    name: str
    when: date
    detail: str = ""
    result_id: int | None = None  # for a result: the value its page opens with


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    page: int
    total: int  # items in the whole period and sections chosen

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * PAGE < self.total


def _sections(value: object) -> tuple[str, ...]:
    if value is None:
        return SECTIONS
    if not isinstance(value, (list, tuple)) or not value or any(s not in SECTIONS for s in value):
        raise InvalidInput("timeline.error.section")
    return tuple(value)


def _events(session: Session, actor, patient_id: int, chosen: tuple[str, ...], dates: DateRange) -> list[TimelineItem]:
    found: list[TimelineItem] = []

    def add(kind: str, name: str, when: date | None, detail: str = "", result_id: int | None = None) -> None:
        if when is not None and dates.holds(when):
            found.append(TimelineItem(kind, name, when, detail, result_id))

    if "visits" in chosen:
        for e in session.exec(select(Encounter).where(Encounter.patient_id == patient_id)):
            add("visit", e.name, clock.as_utc(e.started_at).date() if e.started_at else None, e.reason or "")
    if "problems" in chosen:
        for c in session.exec(select(Condition).where(Condition.patient_id == patient_id)):
            add("problem_started", c.name, c.onset_on or c.recorded_on)
            add("problem_resolved", c.name, c.resolved_on)
    if "immunizations" in chosen:
        for i in session.exec(select(Immunization).where(Immunization.patient_id == patient_id)):
            add("immunization", i.name, i.given_on)
    if "procedures" in chosen:
        for p in session.exec(select(Procedure).where(Procedure.patient_id == patient_id)):
            add("procedure", p.name, p.performed_on, p.reason or "")
    if "medicines" in chosen and access.check_patient_access(session, actor, patient_id, "medications.read").allowed:
        for m in session.exec(select(Medication).where(Medication.patient_id == patient_id)):
            add("medicine_started", m.name, m.started_on)
            add("medicine_stopped", m.name, m.ended_on)
    if "results" in chosen and access.check_patient_access(session, actor, patient_id, "results.read").allowed:
        groups, _pending, _total = _released(session, patient_id, dates)  # held results are not in it, nor "pending" lines
        for g in groups:
            add("result", g.name, g.when.date(), result_id=g.values[0].id if g.values else None)
    return found


def timeline(session: Session, actor, patient_id: int, since: object = None, until: object = None,
             sections: object = None, page: object = 0) -> Timeline:
    """One page of the record's events, newest first, in the dates and sections chosen (all by default)."""
    access.require_patient_access(session, actor, patient_id, "record.read")
    dates = DateRange.checked(since, until)
    chosen = _sections(sections)
    number = page if is_id(page) or page == 0 else None
    if number is None:
        raise InvalidInput("timeline.error.page")
    events = _events(session, actor, patient_id, chosen, dates)
    events.sort(key=lambda i: (-i.when.toordinal(), KINDS.index(i.kind), i.name.casefold()))
    audit.record(session, actor, "read", "record", patient_id=patient_id,
                 detail=f"timeline page {number} ({','.join(chosen)})")
    return Timeline(events[number * PAGE:(number + 1) * PAGE], number, len(events))
