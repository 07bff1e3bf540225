"""What is waiting for a staff member, for the console's first page: how many messages, refill
requests, results and visits need them, each linking to the page where the work is done.

Numbers only: no name, chart or message is read here, so nothing is audited per chart. Restricted
charts are left out of the counts, as they are left out of the queues (they open by break-glass).
Each count is one SQL query; the queues themselves are paged elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, func, select

from portal_app import clock, localtime
from portal_app.models.appointment import Appointment
from portal_app.models.message import MessageThread
from portal_app.models.people import Patient, Role
from portal_app.models.record import DiagnosticReport, Observation
from portal_app.models.refill import RefillRequest
from portal_app.services import access, audit
from portal_app.services.errors import PermissionDenied
from portal_app.services.messages import my_pools
from portal_app.services.refills import PHARMACY_STEPS, REVIEW_STEPS
from portal_app.services.result_release import QUEUE_DAYS


@dataclass(frozen=True)
class Waiting:
    key: str  # names the label: console.waiting.<key>
    count: int
    route: str


def _count(session: Session, model, *where) -> int:
    query = (select(func.count(model.id)).join(Patient, Patient.id == model.patient_id)
             .where(Patient.restricted.is_(False), *where))
    return session.exec(query).one()


def _messages(session: Session, actor: access.Actor, moment: datetime) -> list[Waiting]:
    pools = [pool.id for pool in my_pools(session, actor)]
    if not pools:
        return []
    open_in_mine = (MessageThread.pool_id.in_(pools), MessageThread.status == "open")
    return [
        Waiting("messages_overdue", _count(session, MessageThread, *open_in_mine, MessageThread.reply_due < moment),
                "/console/messages"),
        Waiting("messages_unassigned",
                _count(session, MessageThread, *open_in_mine, MessageThread.assignee_user_id.is_(None)),
                "/console/messages"),
        Waiting("messages_mine",
                _count(session, MessageThread, *open_in_mine, MessageThread.assignee_user_id == actor.user_id),
                "/console/messages"),
    ]


def _refills(session: Session, actor: access.Actor) -> list[Waiting]:
    found = []
    if actor.role in access.PATIENT_DATA["refills.review"].staff:
        found.append(Waiting("refills_review", _count(session, RefillRequest, RefillRequest.status.in_(REVIEW_STEPS)),
                             "/console/refills"))
    if actor.role in access.PATIENT_DATA["refills.pharmacy"].staff:
        found.append(Waiting("refills_pharmacy",
                             _count(session, RefillRequest, RefillRequest.status.in_(PHARMACY_STEPS)),
                             "/console/refills"))
    return found


def _results(session: Session, moment: datetime) -> list[Waiting]:
    """Reports and stand-alone lab or imaging values of the last QUEUE_DAYS not yet reviewed (as the
    results queue lists them; its held results are counted there)."""
    since = moment - timedelta(days=QUEUE_DAYS)
    reports = _count(session, DiagnosticReport, DiagnosticReport.reviewed_at.is_(None),
                     (DiagnosticReport.issued_at >= since) | (DiagnosticReport.effective_at >= since))
    values = _count(session, Observation, Observation.reviewed_at.is_(None), Observation.report_id.is_(None),
                    Observation.category.in_(("laboratory", "imaging")),
                    (Observation.issued_at >= since) | (Observation.effective_at >= since))
    return [Waiting("results_review", reports + values, "/console/results")]


def _visits_today(session: Session, actor: access.Actor, moment: datetime) -> list[Waiting]:
    zone = localtime.clinic_zone()
    today = moment.astimezone(zone).date()
    low = datetime.combine(today, time(0), zone).astimezone(UTC)
    high = datetime.combine(today + timedelta(days=1), time(0), zone).astimezone(UTC)
    where = [Appointment.starts_at >= low, Appointment.starts_at < high, Appointment.status.in_(("booked", "arrived"))]
    if not access.allowed(actor, "appointments.schedule"):
        where.append(Appointment.clinician_user_id == actor.user_id)  # a clinician's own day
    return [Waiting("visits_today", _count(session, Appointment, *where), "/console/schedule")]


def waiting(session: Session, actor: access.Actor | None) -> list[Waiting]:
    """The counts this person's role works on, most pressing first; zeros included, so an empty
    queue reads as "nothing waiting" rather than as a missing section."""
    if actor is None or actor.role not in (Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.ADMIN):
        audit.record_refusal(session, actor, "read", "console", detail="refused: what is waiting")
        raise PermissionDenied()
    moment = clock.now()
    found: list[Waiting] = []
    if access.allowed(actor, "messages.queue"):
        found += _messages(session, actor, moment)
    if access.allowed(actor, "refills.queue"):
        found += _refills(session, actor)
    if access.allowed(actor, "results.queue"):
        found += _results(session, moment)
    if access.allowed(actor, "appointments.schedule") or access.allowed(actor, "appointments.own_day"):
        found += _visits_today(session, actor, moment)
    return found
