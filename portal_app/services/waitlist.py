"""The wait list: "tell me if an earlier time opens" for a booked visit, offers, and claiming one.

Asking: the patient's side (self, or a proxy with the "appointments" scope) or staff who run the
schedule, for a visit that may still be moved online (``booking.require_changeable``); with the
same clinician or any clinician for that visit type, and optionally "not before" a day.

Offering (``offer_open_times``, the job): waiting requests in the order they were made (first
come, first served). Each gets at most one live offer at a time: the earliest open time that
matches and is earlier than its visit. A time is offered to at most ``OFFERS_PER_TIME`` requests
at once; when their offers lapse (``OFFER_LIFETIME``) and the time is still open, the next in line
get it. The notice says only "an earlier time is open" with the claim link (a 256-bit token kept as
a SHA-256). The run holds a lock (SQLite: the write lock; PostgreSQL: an advisory lock) and each
(request, time) pair is unique, so a second scheduler process or a restart never offers twice.

Claiming: the link's offer must be live and the person allowed to move that patient's visits.
The move is ``booking.reschedule``: the new time is held by the database first (the holds'
primary key, so of two claimers exactly one gets it), then the old visit is released, in one
transaction; reminders are planned afresh for the new visit. The others are told it has gone.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.config import settings
from portal_app.models.appointment import Appointment
from portal_app.models.clinic_setup import Location, VisitType
from portal_app.models.people import Patient, User
from portal_app.models.waitlist import WaitlistOffer, WaitlistRequest
from portal_app.services import access, audit, booking, live
from portal_app.services.access import Actor
from portal_app.services.booking import CATEGORY, clinician_label, is_id, localized
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.notification_prefs import queue_to_patient
from portal_app.services.open_times import openings

OFFERS_PER_TIME = 3  # how many waiting patients hear about one open time at once
OFFER_LIFETIME = timedelta(hours=2)
TOKEN_BYTES = 32  # token_urlsafe gives 43 characters
LINK_PATH = "/appointments/earlier"
DESK_TOPIC = "staff:waitlist"  # the front desk's wait-list page refreshes on it
_JOB_LOCK = 4_0304  # PostgreSQL advisory lock key of the offering job


@dataclass(frozen=True)
class WaitChoice:
    """A visit's wait-list request, as the patient's card shows it."""

    appointment_id: int
    same_clinician: bool
    not_before: date | None
    offer_id: int | None = None  # a live offer of an earlier time for this visit


@dataclass(frozen=True)
class OfferView:
    state: str  # "open", "gone" (taken, lapsed or no longer open), "claimed" (this offer was taken up)
    starts_at: datetime
    ends_at: datetime
    visit_type: str
    clinician: str
    location: str
    video: bool
    current_starts_at: datetime  # the visit it would replace
    expires_at: datetime


@dataclass(frozen=True)
class DeskRow:
    patient: str
    mrn: str
    visit_type: str
    clinician: str  # the visit's clinician
    any_clinician: bool
    current_starts_at: datetime
    not_before: date | None
    asked_at: datetime
    offered: bool  # a live offer is out to this patient now


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _changed(session: Session, patient_id: int) -> None:
    live.announce(session, live.patient_topic(patient_id, "appointments"))
    live.announce(session, DESK_TOPIC)


def _not_before(value: object, visit: Appointment) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidInput("waitlist.error.not_before")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("waitlist.error.not_before") from None
    if not localtime.today() <= day < localtime.local(visit.starts_at).date():
        raise InvalidInput("waitlist.error.not_before")
    return day


def ask(session: Session, actor: Actor | None, patient_id: int, appointment_id: object, same_clinician: object,
        not_before: object = None) -> None:
    """Put a booked visit on the wait list (or change its choices); asking again keeps the place in line."""
    visit = booking.patient_appointment(session, actor, patient_id, appointment_id, "appointments.write")
    booking.require_changeable(actor, visit)
    if not isinstance(same_clinician, bool):
        raise InvalidInput("waitlist.error.choice")
    day = _not_before(not_before, visit)
    row = session.exec(select(WaitlistRequest).where(WaitlistRequest.appointment_id == visit.id)).first()
    if row is None or row.status != "waiting":
        row = row or WaitlistRequest(patient_id=patient_id, appointment_id=visit.id, visit_type_id=visit.visit_type_id)
        row.asked_at, row.closed_at, row.status = clock.now(), None, "waiting"
    row.clinician_user_id = visit.clinician_user_id if same_clinician else None
    row.not_before, row.asked_by = day, actor.user_id
    session.add(row)
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {visit.id} on the wait list")
    _changed(session, patient_id)


def withdraw(session: Session, actor: Actor | None, patient_id: int, appointment_id: object) -> None:
    """Take a visit off the wait list; its live offers are withdrawn."""
    visit = booking.patient_appointment(session, actor, patient_id, appointment_id, "appointments.write")
    row = session.exec(select(WaitlistRequest).where(WaitlistRequest.appointment_id == visit.id,
                                                     WaitlistRequest.status == "waiting")).first()
    if row is None:
        raise InvalidInput("waitlist.error.not_waiting")
    _close(session, row, "cancelled")
    audit.record(session, actor, "update", CATEGORY, patient_id=patient_id,
                 detail=f"appointment {visit.id} off the wait list")
    _changed(session, patient_id)


def _close(session: Session, row: WaitlistRequest, status: str) -> None:
    row.status, row.closed_at = status, clock.now()
    session.add(row)
    session.execute(update(WaitlistOffer).where(WaitlistOffer.request_id == row.id, WaitlistOffer.status == "open")
                    .values(status="withdrawn", closed_at=clock.now()))


def choices(session: Session, actor: Actor | None, patient_id: int) -> dict[int, WaitChoice]:
    """The patient's waiting requests, by visit id (for the appointment cards)."""
    booking.require_booker(session, actor, patient_id, "appointments.read")
    rows = session.exec(select(WaitlistRequest).where(WaitlistRequest.patient_id == patient_id,
                                                      WaitlistRequest.status == "waiting")).all()
    offers = {o.request_id: o.id for o in session.exec(select(WaitlistOffer).where(
        WaitlistOffer.patient_id == patient_id, WaitlistOffer.status == "open",
        WaitlistOffer.expires_at > clock.now())).all()}
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail="wait list")
    return {r.appointment_id: WaitChoice(r.appointment_id, r.clinician_user_id is not None, r.not_before,
                                         offers.get(r.id)) for r in rows}


# ---- the job ------------------------------------------------------------------------------------

def _lock_job(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _JOB_LOCK})
    else:
        booking.take_write_lock(session)


def _insert_offer(session: Session, request: WaitlistRequest, opening, token: str, moment: datetime) -> int | None:
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(WaitlistOffer.__table__)
    expires = min(moment + OFFER_LIFETIME, opening.starts_at - timedelta(minutes=30))
    made = session.execute(insert.values(
        request_id=request.id, patient_id=request.patient_id, clinician_user_id=opening.clinician_user_id,
        starts_at=opening.starts_at, token_hash=_digest(token), status="open", created_at=moment,
        expires_at=expires).on_conflict_do_nothing().returning(WaitlistOffer.__table__.c.id)).first()
    return made[0] if made else None


def offer_open_times(session: Session) -> int:
    """The job: offer open earlier times to waiting requests; returns how many offers were made."""
    _lock_job(session)
    moment = clock.now()
    waiting = session.exec(select(WaitlistRequest).where(WaitlistRequest.status == "waiting")
                           .order_by(WaitlistRequest.asked_at, WaitlistRequest.id)).all()
    visits = {v.id: v for v in session.exec(select(Appointment).where(
        Appointment.id.in_([r.appointment_id for r in waiting]))).all()} if waiting else {}
    live_offers = session.exec(select(WaitlistOffer).where(WaitlistOffer.status == "open",
                                                           WaitlistOffer.expires_at > moment)).all()
    busy_requests = {o.request_id for o in live_offers}
    per_time: dict[tuple[int, datetime], int] = {}
    for o in live_offers:
        key = (o.clinician_user_id, clock.as_utc(o.starts_at))
        per_time[key] = per_time.get(key, 0) + 1
    made_before = {(o.request_id, o.clinician_user_id, clock.as_utc(o.starts_at)) for o in session.exec(
        select(WaitlistOffer).where(WaitlistOffer.request_id.in_([r.id for r in waiting]))).all()} if waiting else set()
    found: dict[int, list] = {}  # visit type -> its openings, soonest first
    base = settings.origins[0].rstrip("/")  # the portal's own address (PORTAL_ORIGINS)
    offered = 0
    for request in waiting:
        visit = visits[request.appointment_id]
        if visit.status != "booked" or clock.as_utc(visit.starts_at) - moment < booking.PATIENT_NOTICE:
            _close(session, request, "ended")  # cancelled, moved, or too close to move online now
            continue
        if request.id in busy_requests:
            continue
        if request.visit_type_id not in found:
            visit_type = session.get(VisitType, request.visit_type_id)
            last = max(localtime.local(visits[r.appointment_id].starts_at).date() for r in waiting
                       if r.visit_type_id == request.visit_type_id)
            days = openings(session, visit_type, localtime.today(), last)
            found[request.visit_type_id] = [o for day in sorted(days) for o in days[day]]
        for opening in found[request.visit_type_id]:
            key = (opening.clinician_user_id, opening.starts_at)
            if opening.starts_at >= clock.as_utc(visit.starts_at):
                break
            if (request.clinician_user_id not in (None, opening.clinician_user_id)
                    or (request.not_before and localtime.local(opening.starts_at).date() < request.not_before)
                    or (request.id, *key) in made_before or per_time.get(key, 0) >= OFFERS_PER_TIME):
                continue
            token = secrets.token_urlsafe(TOKEN_BYTES)
            offer_id = _insert_offer(session, request, opening, token, moment)
            if offer_id is None:
                break
            per_time[key] = per_time.get(key, 0) + 1
            queue_to_patient(session, request.patient_id, "appointments", dedupe_key=f"waitlist:offer:{offer_id}",
                             template_key="waitlist_offer",
                             params={"link": f"{base}{LINK_PATH}?t={token}",
                                     "hours": int(OFFER_LIFETIME.total_seconds() // 3600)})
            offered += 1
            _changed(session, request.patient_id)
            break
    return offered


# ---- the claim link -----------------------------------------------------------------------------

def _offer(session: Session, actor: Actor | None, link: object, action: str) -> WaitlistOffer:
    """The offer behind a link: the notice's token, or the offer's id (from the patient's own
    appointment list), if this person may act for its patient (refusals audited)."""
    row = None
    if isinstance(link, str) and 20 <= len(link) <= 100:
        row = session.exec(select(WaitlistOffer).where(WaitlistOffer.token_hash == _digest(link))).first()
    elif is_id(link):
        row = session.get(WaitlistOffer, link)
    if row is None:
        audit.record_refusal(session, actor, "read", CATEGORY, detail="refused: unknown wait-list link")
        raise NotFound("waitlist.error.link")
    booking.require_booker(session, actor, row.patient_id, action)
    return row


def _still_open(session: Session, offer: WaitlistOffer, request: WaitlistRequest, visit: Appointment) -> bool:
    if offer.status != "open" or clock.as_utc(offer.expires_at) <= clock.now() or request.status != "waiting" \
            or visit.status != "booked":
        return False
    day = localtime.local(offer.starts_at).date()
    times = openings(session, session.get(VisitType, request.visit_type_id), day, day,
                     clinician_ids=[offer.clinician_user_id], ignore_appointment=visit.id).get(day, [])
    return any(o.starts_at == clock.as_utc(offer.starts_at) for o in times)


def view_offer(session: Session, actor: Actor | None, link: object, language: str = "en") -> OfferView:
    """What the claim link (token or offer id) shows: the time offered, or that it has gone."""
    offer = _offer(session, actor, link, "appointments.read")
    request = session.get(WaitlistRequest, offer.request_id)
    visit = session.get(Appointment, request.appointment_id)
    visit_type = session.get(VisitType, request.visit_type_id)
    state = "claimed" if offer.status == "claimed" else ("open" if _still_open(session, offer, request, visit)
                                                          else "gone")
    starts = clock.as_utc(offer.starts_at)
    location = session.get(Location, visit.location_id)
    audit.record(session, actor, "read", CATEGORY, patient_id=offer.patient_id, detail=f"wait-list offer {offer.id}")
    return OfferView(state=state, starts_at=starts, ends_at=starts + timedelta(minutes=visit_type.duration_minutes),
                     visit_type=localized(visit_type.name, visit_type.name_es, language),
                     clinician=clinician_label(session.get(User, offer.clinician_user_id)),
                     location=location.name if location else "", video=visit_type.mode == "video",
                     current_starts_at=clock.as_utc(visit.starts_at), expires_at=clock.as_utc(offer.expires_at))


def claim(session: Session, actor: Actor | None, link: object) -> int:
    """Take the offered time: the visit moves there (the old time is let go only once it is held).

    Raises InvalidInput("waitlist.error.gone") when another patient was first, the offer lapsed, or
    the time is no longer open; nothing changes then.
    """
    booking.take_write_lock(session)
    offer = _offer(session, actor, link, "appointments.write")
    request = session.get(WaitlistRequest, offer.request_id)
    if offer.status != "open" or clock.as_utc(offer.expires_at) <= clock.now() or request.status != "waiting":
        raise InvalidInput("waitlist.error.gone")
    try:
        new_id = booking.reschedule(session, actor, offer.patient_id, request.appointment_id,
                                    offer.clinician_user_id, clock.as_utc(offer.starts_at).isoformat())
    except InvalidInput as refused:
        if refused.key in ("appt.error.slot_taken", "appt.error.not_changeable", "appt.error.overlap",
                           "appt.error.too_late"):
            raise InvalidInput("waitlist.error.gone") from None
        raise
    taken = session.execute(update(WaitlistOffer).where(WaitlistOffer.id == offer.id, WaitlistOffer.status == "open")
                            .values(status="claimed", claimed_appointment_id=new_id, closed_at=clock.now())).rowcount
    if taken != 1:
        raise InvalidInput("waitlist.error.gone")
    _close(session, request, "moved")
    others = session.exec(select(WaitlistOffer.patient_id).where(
        WaitlistOffer.clinician_user_id == offer.clinician_user_id, WaitlistOffer.starts_at == offer.starts_at,
        WaitlistOffer.status == "open")).all()
    session.execute(update(WaitlistOffer).where(WaitlistOffer.clinician_user_id == offer.clinician_user_id,
                                                WaitlistOffer.starts_at == offer.starts_at,
                                                WaitlistOffer.status == "open")
                    .values(status="gone", closed_at=clock.now()))
    audit.record(session, actor, "update", CATEGORY, patient_id=offer.patient_id,
                 detail=f"wait-list offer {offer.id} taken: appointment {new_id}")
    for patient_id in {offer.patient_id, *others}:
        _changed(session, patient_id)
    return new_id


# ---- the front desk -----------------------------------------------------------------------------

def desk_list(session: Session, actor: Actor | None, language: str = "en") -> list[DeskRow]:
    """Everyone waiting, by visit type and then place in line. Each chart listed is audited as a read;
    restricted charts are left out unless this staff member has break-glass access to them."""
    if not access.allowed(actor, "appointments.schedule"):
        audit.record_refusal(session, actor, "read", CATEGORY, detail="refused: wait list")
        raise PermissionDenied()
    rows = session.exec(select(WaitlistRequest, Appointment, Patient, VisitType)
                        .join(Appointment, Appointment.id == WaitlistRequest.appointment_id)
                        .join(Patient, Patient.id == WaitlistRequest.patient_id)
                        .join(VisitType, VisitType.id == WaitlistRequest.visit_type_id)
                        .where(WaitlistRequest.status == "waiting", Appointment.status == "booked",
                               Appointment.starts_at > clock.now())
                        .order_by(VisitType.name, WaitlistRequest.asked_at, WaitlistRequest.id)).all()
    live_requests = set(session.exec(select(WaitlistOffer.request_id).where(
        WaitlistOffer.status == "open", WaitlistOffer.expires_at > clock.now())).all())
    names: dict[int, str] = {}
    found = []
    for request, visit, patient, visit_type in rows:
        if not access.check_patient_access(session, actor, patient.id, "appointments.read").allowed:
            continue
        if visit.clinician_user_id not in names:
            names[visit.clinician_user_id] = clinician_label(session.get(User, visit.clinician_user_id))
        found.append(DeskRow(patient=f"{patient.given_name} {patient.family_name}", mrn=patient.mrn,
                             visit_type=localized(visit_type.name, visit_type.name_es, language),
                             clinician=names[visit.clinician_user_id], any_clinician=request.clinician_user_id is None,
                             current_starts_at=clock.as_utc(visit.starts_at), not_before=request.not_before,
                             asked_at=clock.as_utc(request.asked_at), offered=request.id in live_requests))
        audit.record(session, actor, "read", CATEGORY, patient_id=patient.id, detail="wait list (desk)")
    return found
