"""The health record as the patient reads it: sections with date filters, and results grouped by
report with a flag in words, following the release rules (``services/result_release.py``).

Every function checks access (``record.read`` / ``results.read``: the patient, a proxy with the
"record" / "results" scope, nurses and clinicians; never the front desk or admin) and audits the
read. Rows go out as small dataclasses holding only what the pages show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.care_team import CareTeamMember, Organization, Practitioner
from portal_app.models.medication import Medication
from portal_app.models.record import (Allergy, ClinicalDocument, Condition, DiagnosticReport, Encounter, Immunization,
                                      Observation, Procedure)
from portal_app.services import access, audit, result_list
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.medications import is_id
from portal_app.services.result_list import RESULT_CATEGORIES
from portal_app.services.result_release import ReleaseRules, Visibility, came_in, observation_category

RESOLVED = ("resolved", "inactive", "remission")
NEW_RESULT_DAYS = 30

# Flags, worst first. "none": no range and no interpretation, so nothing to compare with.
CRITICAL_HIGH, CRITICAL_LOW, HIGH, LOW, ABNORMAL, IN_RANGE, NO_FLAG = (
    "critical_high", "critical_low", "high", "low", "abnormal", "in_range", "none")
INTERPRETATION_FLAGS = {"HH": CRITICAL_HIGH, "H>": CRITICAL_HIGH, ">": CRITICAL_HIGH, "LL": CRITICAL_LOW,
                        "L<": CRITICAL_LOW, "<": CRITICAL_LOW, "AA": CRITICAL_HIGH, "H": HIGH, "HU": HIGH, "L": LOW,
                        "LU": LOW, "A": ABNORMAL, "N": IN_RANGE, "NEG": IN_RANGE, "POS": ABNORMAL}


@dataclass(frozen=True)
class DateRange:
    since: date | None = None
    until: date | None = None

    @classmethod
    def checked(cls, since: object = None, until: object = None) -> "DateRange":
        for value in (since, until):
            if value is not None and not isinstance(value, date):
                raise InvalidInput("rec.error.bad_dates")
        if since and until and since > until:
            raise InvalidInput("rec.error.bad_dates")
        return cls(since, until)

    def holds(self, value: date | datetime | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if value is None:
            return False
        day = clock.as_utc(value).date() if isinstance(value, datetime) else value
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def flag(obs: Observation) -> str:
    """In range / high / low / critical / abnormal from the lab's interpretation, else from its range."""
    if obs.interpretation and obs.interpretation.upper() in INTERPRETATION_FLAGS:
        return INTERPRETATION_FLAGS[obs.interpretation.upper()]
    if obs.value_num is None or (obs.range_low is None and obs.range_high is None):
        return NO_FLAG
    if obs.range_low is not None and obs.value_num < obs.range_low:
        return LOW
    if obs.range_high is not None and obs.value_num > obs.range_high:
        return HIGH
    return IN_RANGE


# UCUM units as people write them.
UNIT_WORDS = {"mm[Hg]": "mmHg", "[in_i]": "in", "[lb_av]": "lb", "Cel": "°C", "[degF]": "°F", "kg/m2": "kg/m²",
              "10*3/uL": "thousand/µL", "10*6/uL": "million/µL", "/min": "/min", "{score}": "points"}


def unit_text(obs: Observation) -> str:
    return UNIT_WORDS.get(obs.unit or "", obs.unit or "")


def value_text(obs: Observation) -> str:
    if obs.value_num is not None:
        return f"{obs.value_num:g}"
    return obs.value_text or ""


def range_text(obs: Observation) -> str:
    if obs.range_low is not None and obs.range_high is not None:
        return f"{obs.range_low:g} – {obs.range_high:g}"
    if obs.range_low is not None:
        return f"≥ {obs.range_low:g}"
    if obs.range_high is not None:
        return f"≤ {obs.range_high:g}"
    return obs.range_text or ""


# --- the record's sections ----------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One line of a record section: what, when, and a few details in the EHR's words."""

    id: int
    name: str
    when: date | None
    status: str = ""
    detail: str = ""
    extra: str = ""
    code: str = ""
    ended: date | None = None  # a resolved problem's end


@dataclass
class RecordView:
    problems_active: list[Entry] = field(default_factory=list)
    problems_resolved: list[Entry] = field(default_factory=list)
    allergies: list[Entry] = field(default_factory=list)
    immunizations: list[Entry] = field(default_factory=list)
    vitals: list[Entry] = field(default_factory=list)
    visits: list[Entry] = field(default_factory=list)
    procedures: list[Entry] = field(default_factory=list)
    documents: list[Entry] = field(default_factory=list)
    other: list[Entry] = field(default_factory=list)  # smoking, surveys and other facts
    care_team: list[Entry] = field(default_factory=list)


def _day(value: datetime | None) -> date | None:
    return clock.as_utc(value).date() if value else None


def _rows(session: Session, model, patient_id: int, order) -> list:
    return list(session.exec(select(model).where(model.patient_id == patient_id).order_by(order.desc(), model.id)).all())


def _measure(obs: Observation) -> str:
    text = value_text(obs)
    return f"{text} {unit_text(obs)}".strip() if text and obs.unit else text


def health_record(session: Session, actor: Actor, patient_id: int, since: object = None,
                  until: object = None) -> RecordView:
    """Every section of the record but results (``results``), newest first, within the dates given."""
    access.require_patient_access(session, actor, patient_id, "record.read")
    with_notes = access.check_patient_access(session, actor, patient_id, "notes.read").allowed
    view = record_sections(session, patient_id, DateRange.checked(since, until), with_notes)
    audit.record(session, actor, "read", "record", patient_id=patient_id, detail="health record")
    return view


def record_sections(session: Session, patient_id: int, dates: DateRange, with_notes: bool) -> RecordView:
    """One chart's sections, with no access check or audit: for the services that did both
    (``health_record``; a provider's share in ``services/record_share.py``)."""
    view = RecordView()
    for c in _rows(session, Condition, patient_id, Condition.onset_on):
        if not dates.holds(c.onset_on or c.recorded_on) and not dates.holds(c.resolved_on):
            continue
        entry = Entry(c.id, c.name, c.onset_on or c.recorded_on, c.clinical_status, code=c.code or "",
                      ended=c.resolved_on)
        (view.problems_resolved if c.clinical_status in RESOLVED else view.problems_active).append(entry)
    view.allergies = [Entry(a.id, a.substance, a.recorded_on, a.clinical_status, a.reaction or "",
                            a.severity or a.criticality or "", a.category or "")
                      for a in _rows(session, Allergy, patient_id, Allergy.recorded_on) if dates.holds(a.recorded_on)]
    view.immunizations = [Entry(i.id, i.name, i.given_on, i.status, code=i.cvx_code or "")
                          for i in _rows(session, Immunization, patient_id, Immunization.given_on) if dates.holds(i.given_on)]
    view.procedures = [Entry(p.id, p.name, p.performed_on, p.status, p.reason or "")
                       for p in _rows(session, Procedure, patient_id, Procedure.performed_on) if dates.holds(p.performed_on)]
    people = {p.id: p for p in session.exec(select(Practitioner).join(
        CareTeamMember, CareTeamMember.practitioner_id == Practitioner.id).where(CareTeamMember.patient_id == patient_id))}
    for e in _rows(session, Encounter, patient_id, Encounter.started_at):
        if dates.holds(e.started_at):
            who = people.get(e.practitioner_id)
            view.visits.append(Entry(e.id, e.name, _day(e.started_at), e.status, e.reason or "",
                                     who.name if who else "", e.summary or ""))
    for o in _rows(session, Observation, patient_id, Observation.effective_at):
        if o.category in RESULT_CATEGORIES or not dates.holds(o.effective_at):
            continue
        target = view.vitals if o.category == "vital-signs" else view.other
        target.append(Entry(o.id, o.name, _day(o.effective_at), o.category, _measure(o), code=o.loinc_code or ""))
    if with_notes:
        view.documents = [Entry(d.id, d.kind, d.written_on, d.status, d.description or "", d.text or "")
                          for d in _rows(session, ClinicalDocument, patient_id, ClinicalDocument.written_on)
                          if dates.holds(d.written_on)]
    for member, person, org in session.exec(
            select(CareTeamMember, Practitioner, Organization).join(Practitioner, CareTeamMember.practitioner_id == Practitioner.id)
            .outerjoin(Organization, CareTeamMember.organization_id == Organization.id)
            .where(CareTeamMember.patient_id == patient_id).order_by(CareTeamMember.last_seen_on.desc())):
        view.care_team.append(Entry(person.id, person.name, member.last_seen_on, member.role or "",
                                    org.name if org else "", person.phone or (org.phone if org else "") or ""))
    return view


# --- results --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResultValue:
    id: int
    name: str
    loinc: str
    value: str
    unit: str
    range: str
    flag: str


@dataclass(frozen=True)
class ResultGroup:
    key: str  # "report-<id>" or "value-<id>" (a value outside any report)
    name: str
    category: str  # labs, imaging, pathology, genetic
    when: datetime
    values: list[ResultValue]
    conclusion: str = ""
    narrative: str = ""
    performer: str = ""
    appears_on: date | None = None  # staff view only: not shown to the patient before this day
    held: bool = False  # staff view only: hidden by a clinician's hold


@dataclass(frozen=True)
class Pending:
    category: str
    appears_on: date


@dataclass
class ResultsView:
    groups: list[ResultGroup]
    pending: list[Pending]
    total: int = 0  # the groups within the dates, on every page
    has_more: bool = False  # groups after this page


def _value(obs: Observation) -> ResultValue:
    return ResultValue(obs.id, obs.name, obs.loinc_code or "", value_text(obs), unit_text(obs), range_text(obs), flag(obs))


# What the results list reads of each value, as plain rows with the same attribute names: a page
# of a long chart would spend most of its time building ORM objects it only reads from.
_RESULT_COLUMNS = (Observation.id, Observation.report_id, Observation.name, Observation.loinc_code, Observation.category,
                   Observation.value_num, Observation.value_text, Observation.unit, Observation.range_low,
                   Observation.range_high, Observation.range_text, Observation.interpretation,
                   Observation.effective_at, Observation.issued_at, Observation.created_at, Observation.reviewed_at)
_SHOWN = Visibility(True)


def _groups(session: Session, patient_id: int, keys: list[result_list.Key], hidden: dict) -> list[ResultGroup]:
    """The groups named by ``keys``, in that order, each with its values; ``hidden`` marks those the
    patient does not see yet (for the staff view)."""
    report_ids = [i for kind, i in keys if kind == result_list.REPORT]
    value_ids = [i for kind, i in keys if kind == result_list.VALUE]
    reports = {r.id: r for r in session.exec(select(DiagnosticReport).where(DiagnosticReport.id.in_(report_ids)))} \
        if report_ids else {}
    values = defaultdict(list)
    if report_ids:
        for obs in session.exec(select(*_RESULT_COLUMNS).where(Observation.patient_id == patient_id,
                                                               Observation.category.in_(RESULT_CATEGORIES),
                                                               Observation.report_id.in_(report_ids))
                                .order_by(Observation.id)):
            values[obs.report_id].append(obs)
    alone = {o.id: o for o in session.exec(select(*_RESULT_COLUMNS).where(Observation.id.in_(value_ids)))} \
        if value_ids else {}
    groups = []
    for key in keys:
        seen = hidden[key][1] if key in hidden else _SHOWN
        if key[0] == result_list.REPORT:
            report = reports[key[1]]
            groups.append(ResultGroup(f"report-{report.id}", report.name, report.category,
                                      clock.as_utc(report.effective_at or came_in(report)),
                                      [_value(o) for o in values[report.id]], report.conclusion or "",
                                      report.narrative or "", report.performer or "", *_hidden_until(seen)))
        else:
            obs = alone[key[1]]
            groups.append(ResultGroup(f"value-{obs.id}", obs.name, observation_category(obs),
                                      clock.as_utc(obs.effective_at or came_in(obs)), [_value(obs)], "", "", "",
                                      *_hidden_until(seen)))
    return groups


def _pending(hidden: dict, dates: DateRange) -> list[Pending]:
    """What the patient waits for within the dates, and the day each appears, soonest first."""
    pending = []
    for (kind, _id), (row, seen) in sorted(hidden.items(), key=lambda item: item[0]):
        if kind == result_list.REPORT and dates.holds(came_in(row)):
            pending.append(Pending(row.category, seen.appears_on.date()))
        elif kind == result_list.VALUE and dates.holds(row.effective_at or came_in(row)):
            pending.append(Pending(observation_category(row), seen.appears_on.date()))
    return sorted(pending, key=lambda p: p.appears_on)


def _released(session: Session, patient_id: int, dates: DateRange, staff_view: bool = False, offset: int = 0,
              limit: int | None = None) -> tuple[list[ResultGroup], list[Pending], int]:
    """(the page's visible groups, pending, how many visible groups in all) for one chart; for
    staff, hidden groups are in the list too, marked with when they appear."""
    hidden = result_list.hidden(session, patient_id, ReleaseRules(session, patient_id))
    keys, total = result_list.page(session, patient_id, dates.since, dates.until, () if staff_view else hidden,
                                   offset, limit)
    return _groups(session, patient_id, keys, hidden), _pending(hidden, dates), total


def _hidden_until(seen: Visibility) -> tuple[date | None, bool]:
    return (None, False) if seen.visible else (seen.appears_on.date(), seen.held)


def _paging(offset: object, limit: object) -> tuple[int, int | None]:
    """A page as the caller asked for it: ``limit`` groups (all when None) after the first ``offset``."""
    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)
    if not whole(offset) or offset < 0 or not (limit is None or (whole(limit) and limit > 0)):
        raise InvalidInput("rec.error.page")
    return offset, limit


def chart_results(session: Session, actor: Actor, patient_id: int) -> list[ResultGroup]:
    """Staff (nurses, clinicians): every result of the chart, newest first, the ones the patient does
    not see yet marked with the day they appear and whether a clinician holds them."""
    access.require_patient_access(session, actor, patient_id, "results.read")
    if not actor.is_staff:
        raise PermissionDenied()
    groups, _pending, _total = _released(session, patient_id, DateRange(), staff_view=True)
    audit.record(session, actor, "read", "results", patient_id=patient_id, detail="results (staff view of the chart)")
    return groups


def results(session: Session, actor: Actor, patient_id: int, since: object = None, until: object = None,
            offset: object = 0, limit: object = None) -> ResultsView:
    """Released results, newest first, grouped by report: ``limit`` groups after the first ``offset``
    (all by default), how many there are in all; and what is pending, with the day it appears."""
    access.require_patient_access(session, actor, patient_id, "results.read")
    dates = DateRange.checked(since, until)
    start, size = _paging(offset, limit)
    groups, pending, total = _released(session, patient_id, dates, offset=start, limit=size)
    audit.record(session, actor, "read", "results", patient_id=patient_id, detail="results list")
    return ResultsView(groups, pending, total, start + len(groups) < total)


def released_results(session: Session, patient_id: int) -> ResultsView:
    """What the patient sees of their results, with no access check or audit: for a provider's
    share (``services/record_share.py``), which checked the code and date of birth and audits."""
    groups, pending, total = _released(session, patient_id, DateRange())
    return ResultsView(groups, pending, total)


def new_results(session: Session, actor: Actor, patient_id: int) -> list[ResultGroup]:
    """For the home page: released results of the last NEW_RESULT_DAYS days (never held ones)."""
    access.require_patient_access(session, actor, patient_id, "results.read")
    since = (clock.now() - timedelta(days=NEW_RESULT_DAYS)).date()
    groups, _pending, _total = _released(session, patient_id, DateRange(since, None))
    audit.record(session, actor, "read", "results", patient_id=patient_id, detail="new results")
    return groups


@dataclass(frozen=True)
class TrendPoint:
    when: datetime
    value: float


@dataclass(frozen=True)
class ResultDetail:
    group: ResultGroup
    value: ResultValue
    low: float | None
    high: float | None
    trend: list[TrendPoint]  # this test's newest released values (at most TREND_POINTS), oldest first, this one included


def result_detail(session: Session, actor: Actor, patient_id: int, observation_id: object) -> ResultDetail:
    """One value with its report and the newest released values of the same test, for the trend chart."""
    access.require_patient_access(session, actor, patient_id, "results.read")
    obs = session.get(Observation, observation_id) if is_id(observation_id) else None
    if obs is None or obs.patient_id != patient_id:
        audit.record_refusal(session, actor, "read", "results", patient_id=patient_id,
                             detail="refused: result not on this chart")
        raise NotFound()
    if obs.category not in RESULT_CATEGORIES:
        raise NotFound()  # a vital sign or another fact: in the record, not a result
    report = session.get(DiagnosticReport, obs.report_id) if obs.report_id else None
    if report is not None and report.patient_id != patient_id:
        report = None  # a value pointing at another chart's report stands alone, as in the list
    rules = ReleaseRules(session, patient_id)
    if not rules.observation(obs, report).visible:
        raise NotFound()  # held or waiting for review: not there yet, as far as the patient is concerned
    key = (result_list.REPORT, report.id) if report else (result_list.VALUE, obs.id)
    [group] = _groups(session, patient_id, [key], {})
    value = next(v for v in group.values if v.id == obs.id)
    points = result_list.trend(session, patient_id, result_list.hidden(session, patient_id, rules), value.loinc, obs.name)
    audit.record(session, actor, "read", "results", patient_id=patient_id, detail="result detail")
    return ResultDetail(group, value, obs.range_low, obs.range_high,
                        [TrendPoint(clock.as_utc(when), number) for when, number in points])


@dataclass(frozen=True)
class Change:
    kind: str  # new_problem, resolved_problem, started_medicine, stopped_medicine, new_result
    name: str
    when: date | None


@dataclass(frozen=True)
class Changes:
    last_visit: date | None  # None: no visit yet, so nothing to compare with
    items: list[Change]


def changes_since_last_visit(session: Session, actor: Actor, patient_id: int) -> Changes:
    """New or resolved problems, started or stopped medicines and new (released) results since the
    day of the latest visit, that day included: what the visit itself brought counts as new."""
    access.require_patient_access(session, actor, patient_id, "record.read")
    visit = session.exec(select(Encounter).where(Encounter.patient_id == patient_id, Encounter.started_at.is_not(None),
                                                 Encounter.started_at <= clock.now())
                         .order_by(Encounter.started_at.desc())).first()
    if visit is None:
        return Changes(None, [])
    since = clock.as_utc(visit.started_at).date()
    items: list[Change] = []
    for c in session.exec(select(Condition).where(Condition.patient_id == patient_id)):
        if c.resolved_on and c.resolved_on >= since:
            items.append(Change("resolved_problem", c.name, c.resolved_on))
        elif (c.onset_on or c.recorded_on) and (c.onset_on or c.recorded_on) >= since:
            items.append(Change("new_problem", c.name, c.onset_on or c.recorded_on))
    if access.check_patient_access(session, actor, patient_id, "medications.read").allowed:
        for m in session.exec(select(Medication).where(Medication.patient_id == patient_id)):
            if m.ended_on and m.ended_on >= since:
                items.append(Change("stopped_medicine", m.name, m.ended_on))
            elif m.started_on and m.started_on >= since:
                items.append(Change("started_medicine", m.name, m.started_on))
    if access.check_patient_access(session, actor, patient_id, "results.read").allowed:
        groups, _pending, _total = _released(session, patient_id, DateRange(since, None))
        items += [Change("new_result", g.name, g.when.date()) for g in groups]
    audit.record(session, actor, "read", "record", patient_id=patient_id, detail="changes since last visit")
    return Changes(since, sorted(items, key=lambda c: (c.when or since, c.kind), reverse=True))
