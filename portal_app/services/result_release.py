"""When a patient sees a result: at once by default, unless a clinician holds it (with a reason and
an end date) or the patient chose, for its category, to see it only after a clinician reviewed it.

That wait lasts at most ``REVIEW_WAIT_DAYS`` after the result came in, and a hold at most
``HOLD_MAX_DAYS``: results are the patient's, and the law lets a clinic delay them only briefly.
Every hidden result tells the patient that something is pending and the day it will appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Patient
from portal_app.models.record import DiagnosticReport, Observation
from portal_app.models.result_release import CATEGORIES, MODES, ReleasePreference, ResultHold
from portal_app.services import access, audit, live, notification_prefs
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput
from portal_app.services.medications import is_id

REVIEW_WAIT_DAYS = 7
HOLD_MAX_DAYS = 30
REASON_LIMIT = 300


def observation_category(obs: Observation) -> str:
    return "imaging" if obs.category == "imaging" else "labs"


def came_in(row: DiagnosticReport | Observation) -> datetime:
    moment = row.issued_at or row.effective_at or row.created_at
    return clock.as_utc(moment)


@dataclass(frozen=True)
class Visibility:
    visible: bool
    appears_on: datetime | None = None  # when hidden: the moment it will show at the latest
    held: bool = False  # hidden by a clinician's hold (staff see this; patients only see "pending")


class ReleaseRules:
    """The release state of one chart's results, read once: holds and the patient's choices."""

    def __init__(self, session: Session, patient_id: int, moment: datetime | None = None):
        self.now = moment or clock.now()
        holds = session.exec(select(ResultHold).where(ResultHold.patient_id == patient_id,
                                                      ResultHold.released_at.is_(None))).all()
        self.report_holds = {h.report_id: h for h in holds if h.report_id is not None
                             and clock.as_utc(h.ends_at) > self.now}
        self.observation_holds = {h.observation_id: h for h in holds if h.observation_id is not None
                                  and clock.as_utc(h.ends_at) > self.now}
        self.modes = dict(session.exec(select(ReleasePreference.category, ReleasePreference.mode)
                                       .where(ReleasePreference.patient_id == patient_id)).all())

    def _decide(self, hold: ResultHold | None, category: str, row: DiagnosticReport | Observation) -> Visibility:
        if hold is not None:
            return Visibility(False, clock.as_utc(hold.ends_at), held=True)
        if self.modes.get(category) == "after_review" and row.reviewed_at is None:
            latest = came_in(row) + timedelta(days=REVIEW_WAIT_DAYS)
            if latest > self.now:
                return Visibility(False, latest)
        return Visibility(True)

    def report(self, report: DiagnosticReport) -> Visibility:
        return self._decide(self.report_holds.get(report.id), report.category, report)

    def observation(self, obs: Observation, report: DiagnosticReport | None = None) -> Visibility:
        """A value in a report follows its report; a value on its own follows its own hold and category."""
        if report is not None:
            return self.report(report)
        return self._decide(self.observation_holds.get(obs.id), observation_category(obs), obs)


# --- the patient's choice per category ----------------------------------------------------------

def preferences(session: Session, actor: Actor, patient_id: int) -> dict[str, str]:
    access.require_patient_access(session, actor, patient_id, "results.settings")
    kept = dict(session.exec(select(ReleasePreference.category, ReleasePreference.mode)
                             .where(ReleasePreference.patient_id == patient_id)).all())
    return {category: kept.get(category, "at_once") for category in CATEGORIES}


def set_preference(session: Session, actor: Actor, patient_id: int, category: object, mode: object) -> None:
    access.require_patient_access(session, actor, patient_id, "results.settings")
    if category not in CATEGORIES or mode not in MODES:
        raise InvalidInput("rec.error.bad_choice")
    row = session.exec(select(ReleasePreference).where(ReleasePreference.patient_id == patient_id,
                                                       ReleasePreference.category == category)).first()
    if row is None:
        row = ReleasePreference(patient_id=patient_id, category=category)
        session.add(row)
    row.mode, row.updated_at = mode, clock.now()
    audit.record(session, actor, "update", "results", patient_id=patient_id, detail=f"release {category}: {mode}")
    live.announce(session, live.patient_topic(patient_id, "results"))


# --- the clinician's hold and review ------------------------------------------------------------

def _target(session: Session, patient_id: int, report_id: object, observation_id: object):
    row = None
    if is_id(report_id):
        row = session.get(DiagnosticReport, report_id)
    elif is_id(observation_id):
        row = session.get(Observation, observation_id)
    if row is None or row.patient_id != patient_id:
        raise InvalidInput("rec.error.unknown_result")
    return row


def hold(session: Session, actor: Actor, patient_id: int, *, report_id: object = None, observation_id: object = None,
         reason: object, ends_at: object) -> int:
    """Hold one result until ``ends_at`` (at most HOLD_MAX_DAYS from now), for a reason kept for staff."""
    access.require_patient_access(session, actor, patient_id, "results.hold")
    row = _target(session, patient_id, report_id, observation_id)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > REASON_LIMIT:
        raise InvalidInput("rec.error.hold_reason")
    now = clock.now()
    if not isinstance(ends_at, datetime) or not now < clock.as_utc(ends_at) <= now + timedelta(days=HOLD_MAX_DAYS):
        raise InvalidInput("rec.error.hold_end", days=HOLD_MAX_DAYS)
    is_report = isinstance(row, DiagnosticReport)
    held = ResultHold(patient_id=patient_id, report_id=row.id if is_report else None,
                      observation_id=None if is_report else row.id, reason=text, ends_at=clock.as_utc(ends_at),
                      held_by=actor.user_id)
    session.add(held)
    session.flush()
    audit.record(session, actor, "update", "results", patient_id=patient_id, detail=f"result held until {ends_at:%Y-%m-%d}")
    live.announce(session, live.patient_topic(patient_id, "results"))
    return held.id


def release(session: Session, actor: Actor, patient_id: int, hold_id: object) -> None:
    access.require_patient_access(session, actor, patient_id, "results.hold")
    held = session.get(ResultHold, hold_id) if is_id(hold_id) else None
    if held is None or held.patient_id != patient_id or held.released_at is not None:
        raise InvalidInput("rec.error.unknown_hold")
    held.released_at, held.released_by = clock.now(), actor.user_id
    audit.record(session, actor, "update", "results", patient_id=patient_id, detail="result hold released")
    live.announce(session, live.patient_topic(patient_id, "results"))
    session.flush()
    rules = ReleaseRules(session, patient_id)
    target = session.get(DiagnosticReport, held.report_id) if held.report_id else session.get(Observation, held.observation_id)
    if (rules.report(target) if held.report_id else rules.observation(target)).visible:
        _tell_patient(session, patient_id, f"hold-{held.id}")


def _tell_patient(session: Session, patient_id: int, what: str) -> None:
    """"A new test result is ready": never which one, nor its value."""
    notification_prefs.queue_to_patient(session, patient_id, "results", template_key="result_ready",
                                        dedupe_key=f"results-released:{patient_id}:{what}")


def mark_reviewed(session: Session, actor: Actor, patient_id: int, *, report_id: object = None,
                  observation_id: object = None) -> None:
    """A clinician has looked at the result: patients who chose "after review" now see it."""
    access.require_patient_access(session, actor, patient_id, "results.hold")
    row = _target(session, patient_id, report_id, observation_id)
    waiting = ReleaseRules(session, patient_id)
    was_hidden = not (waiting.report(row) if isinstance(row, DiagnosticReport) else waiting.observation(row)).visible
    row.reviewed_at, row.reviewed_by = clock.now(), actor.user_id
    audit.record(session, actor, "update", "results", patient_id=patient_id, detail="result reviewed")
    live.announce(session, live.patient_topic(patient_id, "results"))
    if was_hidden:
        _tell_patient(session, patient_id, f"reviewed-{type(row).__name__}-{row.id}")


# --- the clinician's queue ----------------------------------------------------------------------

QUEUE_DAYS = 30  # results that came in within this many days and are not yet reviewed


@dataclass(frozen=True)
class QueueRow:
    patient_id: int
    patient: str  # "Walter Pimm (MG-100202)"
    kind: str  # "report" or "value"
    target_id: int
    name: str
    category: str
    came_in: datetime
    reviewed: bool
    hold_id: int | None
    held_until: datetime | None
    hold_reason: str


def review_queue(session: Session, actor: Actor) -> list[QueueRow]:
    """Results that came in lately and are not reviewed, and every active hold, newest first.

    Only charts this clinician may act on (``results.hold``: restricted charts need break-glass);
    one audit row per chart shown.
    """
    access.require(actor, "results.queue")
    now = clock.now()
    since = now - timedelta(days=QUEUE_DAYS)
    holds = {(h.report_id, h.observation_id): h for h in session.exec(
        select(ResultHold).where(ResultHold.released_at.is_(None))) if clock.as_utc(h.ends_at) > now}
    rows: list[QueueRow] = []
    names: dict[int, str] = {}
    allowed: dict[int, bool] = {}

    def add(patient_id: int, kind: str, row, category: str) -> None:
        hold = holds.get((row.id, None) if kind == "report" else (None, row.id))
        if row.reviewed_at is not None and hold is None:
            return
        if patient_id not in allowed:
            allowed[patient_id] = access.check_patient_access(session, actor, patient_id, "results.hold").allowed
            chart = session.get(Patient, patient_id)
            names[patient_id] = f"{chart.given_name} {chart.family_name} ({chart.mrn})"
        if allowed[patient_id]:
            rows.append(QueueRow(patient_id, names[patient_id], kind, row.id, row.name, category, came_in(row),
                                 row.reviewed_at is not None, hold.id if hold else None,
                                 clock.as_utc(hold.ends_at) if hold else None, hold.reason if hold else ""))

    held_reports = [key[0] for key in holds if key[0] is not None]
    reports = session.exec(select(DiagnosticReport).where(
        (DiagnosticReport.issued_at >= since) | (DiagnosticReport.effective_at >= since) | DiagnosticReport.id.in_(held_reports)))
    for report in reports:
        add(report.patient_id, "report", report, report.category)
    held_values = [key[1] for key in holds if key[1] is not None]
    values = session.exec(select(Observation).where(
        Observation.report_id.is_(None), Observation.category.in_(("laboratory", "imaging")),
        (Observation.issued_at >= since) | (Observation.effective_at >= since) | Observation.id.in_(held_values)))
    for obs in values:
        add(obs.patient_id, "value", obs, observation_category(obs))
    for patient_id in sorted({r.patient_id for r in rows}):
        audit.record(session, actor, "read", "results", patient_id=patient_id, detail="results review queue")
    rows.sort(key=lambda r: r.came_in, reverse=True)
    return rows
