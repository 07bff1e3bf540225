"""Refill requests: asking, the steps a request goes through, the clinic's queue, the tracker.

The steps are one table, ``MOVES``: which step may follow which, and who may take it. Nothing
else moves a request, so there is no skipping (requested -> ready), no going back (ready ->
approved) and no step by the wrong person (the front desk cannot approve). Cancelling is the only
way out besides the end of the road. A step is taken with a compare-and-set on the current step,
so when two people act at once one wins and the other is told the request changed.

    requested --approve--> approved --sent--> sent --ready--> ready --picked up--> picked_up
        \\--deny--> denied          (any open step) --cancel--> cancelled

Refills: approving a refill uses one of the prescription's refills (``medication.refills_used``);
the reviewer may set how many are left afterwards. A renewal (asked for when none are left) needs
a clinician, who writes the new number of refills. A cancelled request gives its refill back; the
pharmacy's fill is recorded at "ready" (it starts a new supply cycle for auto-refill).

Notices (no drug names: fixed templates) go to the patient and proxies at approval, denial and
ready-for-pickup. Every step is audited, added to the request's timeline with who and when, and
announced live on the patient's medications topic and the staff queue topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.medication import Medication
from portal_app.models.people import Patient, Role, User
from portal_app.models.pharmacy import Pharmacy
from portal_app.models.refill import OPEN_STEPS, MedicationFill, RefillRequest, RefillStep
from portal_app.services import access, audit, live, medications
from portal_app.services.access import SYSTEM, Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.medications import CATEGORY, is_id
from portal_app.services.notification_prefs import queue_to_patient
from portal_app.services.pharmacies import owned_pharmacy

QUEUE_TOPIC = "staff:refills"  # the console queue refreshes on it
PATIENT_SIDE = frozenset({Role.PATIENT, Role.PROXY})
REVIEWERS = frozenset({Role.NURSE, Role.CLINICIAN})
PHARMACY_DESK = frozenset({Role.FRONT_DESK, Role.NURSE})
STAFF_CANCEL = frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN})


@dataclass(frozen=True)
class Move:
    roles: frozenset[str]  # who may take this step
    renewal_roles: frozenset[str] | None = None  # for a renewal, when different


# (from, to) -> who may. A pair not listed is refused, whoever asks.
MOVES: dict[tuple[str, str], Move] = {
    ("requested", "approved"): Move(REVIEWERS, renewal_roles=frozenset({Role.CLINICIAN})),
    ("requested", "denied"): Move(REVIEWERS, renewal_roles=frozenset({Role.CLINICIAN})),
    ("requested", "cancelled"): Move(PATIENT_SIDE | STAFF_CANCEL),
    ("approved", "sent"): Move(PHARMACY_DESK),
    ("approved", "cancelled"): Move(PATIENT_SIDE | STAFF_CANCEL),
    ("sent", "ready"): Move(PHARMACY_DESK),
    ("sent", "cancelled"): Move(STAFF_CANCEL),
    ("ready", "picked_up"): Move(PHARMACY_DESK),
    ("ready", "cancelled"): Move(STAFF_CANCEL),
}
TIMELINE = ("requested", "approved", "sent", "ready", "picked_up")  # the road, for the tracker
NOTICES = {"approved": "refill_approved", "denied": "refill_denied", "ready": "refill_ready"}
DENY_REASONS = ("needs_visit", "needs_lab", "too_soon", "stopped", "changed", "other")
MAX_NOTE = 500
MAX_DENY_NOTE = 300
MAX_QUANTITY = 1000
MAX_REFILLS = 11
MAX_AT_ONCE = 10
ANSWER_WORKING_DAYS = 2  # the promise shown to patients; the queue flags requests past it
RECENT_CLOSED = timedelta(days=90)


# --- views --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    step: str
    at: datetime
    by: str  # who acted, as patients see it
    automatic: bool = False  # taken by the auto-refill job, not a person


@dataclass(frozen=True)
class RequestView:
    id: int
    medication_id: int
    medication: str
    kind: str
    status: str
    pharmacy: str
    note: str
    quantity: int | None
    refills_left: int | None
    deny_reason: str
    deny_note: str
    created_at: datetime
    answer_due: datetime
    steps: list[StepView]


@dataclass(frozen=True)
class HistoryLine:
    """One medicine in the reviewer's view of the patient's recent medication history."""

    name: str
    status: str
    refills_left: int | None
    last_filled: str  # ISO date or ""
    fills_last_year: int


@dataclass(frozen=True)
class QueueItem:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    medication: str
    kind: str
    status: str
    pharmacy: str
    pharmacy_phone: str
    quantity: int | None
    created_at: datetime
    answer_due: datetime
    overdue: bool
    # review only (nurses and clinicians); empty for the front desk
    dose: str = ""
    instructions: str = ""
    note: str = ""
    refills_left: int | None = None
    controlled: bool = False
    auto_refill_eligible: bool = False
    history: list[HistoryLine] = field(default_factory=list)
    recent: list[str] = field(default_factory=list)  # the patient's recent requests: "<medicine>|<step>|<ISO date>"


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    hidden_restricted: int  # requests on restricted charts this user may not open without break-glass


# --- helpers ------------------------------------------------------------------------------------


def add_working_days(moment: datetime, days: int) -> datetime:
    """``days`` working days (Monday to Friday, in the clinic's zone) after ``moment``."""
    local = localtime.local(moment)
    while days > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return clock.as_utc(local)


def _label(session: Session, actor: Actor) -> str:
    if actor.role == SYSTEM:
        return "auto"
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        return actor.display_name
    return f"{user.display_name}, {user.title}" if user.title else user.display_name


def _add_step(session: Session, request: RefillRequest, step: str, actor: Actor) -> None:
    session.add(RefillStep(request_id=request.id, step=step, actor_user_id=actor.user_id,
                           actor_label=_label(session, actor)[:200], actor_role=str(actor.role)[:16]))


def _announce(session: Session, patient_id: int) -> None:
    live.announce(session, live.patient_topic(patient_id, "medications"))
    live.announce(session, QUEUE_TOPIC)


def clean_note(value: object, limit: int, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(key)
    text = value.strip()
    if len(text) > limit or any(not (ch.isprintable() or ch == "\n") for ch in text):
        raise InvalidInput(key, most=limit)
    return text or None


# --- asking -------------------------------------------------------------------------------------


def _refuse_option(option: str, med: Medication) -> None:
    if option == medications.ALREADY_REQUESTED:
        raise InvalidInput("refills.error.already_requested", name=med.name)
    if option == medications.NOT_CURRENT:
        raise InvalidInput("refills.error.not_current", name=med.name)
    if option == medications.NEEDS_VISIT:
        raise InvalidInput("refills.error.needs_visit", name=med.name)
    if option == medications.RENEWAL:
        raise InvalidInput("refills.error.no_refills", name=med.name)


def _create(session: Session, actor: Actor, med: Medication, pharmacy_id: int | None, kind: str,
            note: str | None, auto_cycle: str | None = None) -> RefillRequest | None:
    """Insert an open request; None when one is already open for the medicine (or this cycle's exists)."""
    moment = clock.now()
    values = dict(patient_id=med.patient_id, medication_id=med.id, open_medication_id=med.id,
                  pharmacy_id=pharmacy_id, kind=kind, status="requested", note=note,
                  requested_by=actor.user_id if actor.role != SYSTEM else None, auto_cycle=auto_cycle,
                  refill_used=False, answer_due=add_working_days(moment, ANSWER_WORKING_DAYS), created_at=moment)
    # The unique open slot (and cycle) refuse a second request, even one racing in from another
    # process: ON CONFLICT DO NOTHING then returns no row, and nothing else is written.
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RefillRequest.__table__)
    made = session.execute(insert.values(**values).on_conflict_do_nothing()
                           .returning(RefillRequest.__table__.c.id)).first()
    if made is None:
        return None
    request = session.get(RefillRequest, made[0])
    _add_step(session, request, "requested", actor)
    audit.record(session, actor, "create", CATEGORY, patient_id=med.patient_id,
                 detail=f"{kind} request {request.id} for medication {med.id}")
    return request


def request_refills(session: Session, actor: Actor, patient_id: int, medication_ids: object, pharmacy_id: object,
                    note: object = None) -> list[int]:
    """Ask for refills of one or more current medicines, to one of the patient's pharmacies.

    All or nothing: one medicine that cannot be refilled refuses the whole request with its reason
    (no refills left, needs a visit, already asked for), so the patient can change the choice.
    """
    access.require_patient_access(session, actor, patient_id, "refills.request")
    if not isinstance(medication_ids, (list, tuple)) or not medication_ids:
        raise InvalidInput("refills.error.choose_medicine")
    if len(medication_ids) > MAX_AT_ONCE or len(set(map(repr, medication_ids))) != len(medication_ids):
        raise InvalidInput("refills.error.choose_medicine")
    meds = [medications.patient_medication(session, actor, patient_id, mid, "refills.request") for mid in medication_ids]
    pharmacy = owned_pharmacy(session, actor, patient_id, pharmacy_id)
    written = clean_note(note, MAX_NOTE, "refills.error.note")
    for med in meds:
        option = medications.request_option(med, medications.open_request(session, med.id))
        if option != medications.REFILL:
            _refuse_option(option, med)
    made = []
    for med in meds:
        request = _create(session, actor, med, pharmacy.id, "refill", written)
        if request is None:  # asked for a moment ago, in another tab
            raise InvalidInput("refills.error.already_requested", name=med.name)
        made.append(request.id)
    _announce(session, patient_id)
    return made


def request_renewal(session: Session, actor: Actor, patient_id: int, medication_id: object, pharmacy_id: object,
                    note: object = None) -> int:
    """No refills left: ask the clinician for a new prescription (which, approved, restores refills)."""
    access.require_patient_access(session, actor, patient_id, "refills.request")
    med = medications.patient_medication(session, actor, patient_id, medication_id, "refills.request")
    pharmacy = owned_pharmacy(session, actor, patient_id, pharmacy_id)
    written = clean_note(note, MAX_NOTE, "refills.error.note")
    option = medications.request_option(med, medications.open_request(session, med.id))
    if option == medications.REFILL:
        raise InvalidInput("refills.error.has_refills", name=med.name)
    if option != medications.RENEWAL:
        _refuse_option(option, med)
    request = _create(session, actor, med, pharmacy.id, "renewal", written)
    if request is None:
        raise InvalidInput("refills.error.already_requested", name=med.name)
    _announce(session, patient_id)
    return request.id


def submit(session: Session, actor: Actor, patient_id: int, refill_ids: object, renewal_ids: object,
           pharmacy_id: object, note: object = None) -> list[int]:
    """The request page's one "Send": refills and renewals together, all or nothing."""
    if not isinstance(refill_ids, (list, tuple)) or not isinstance(renewal_ids, (list, tuple)):
        raise InvalidInput("refills.error.choose_medicine")
    if not refill_ids and not renewal_ids:
        access.require_patient_access(session, actor, patient_id, "refills.request")
        raise InvalidInput("refills.error.choose_medicine")
    made = request_refills(session, actor, patient_id, list(refill_ids), pharmacy_id, note) if refill_ids else []
    for medication_id in renewal_ids[:MAX_AT_ONCE]:
        made.append(request_renewal(session, actor, patient_id, medication_id, pharmacy_id, note))
    return made


# --- moving -------------------------------------------------------------------------------------


def _action_for(actor: Actor, to: str) -> str:
    if actor.role in PATIENT_SIDE:
        return "refills.request"
    if to in ("approved", "denied"):
        return "refills.review"
    if to == "cancelled" and actor.role in REVIEWERS:
        return "refills.review"
    return "refills.pharmacy"


def _load(session: Session, actor: Actor | None, request_id: object) -> RefillRequest:
    request = session.get(RefillRequest, request_id) if is_id(request_id) else None
    if request is None:
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: no such refill request")
        raise NotFound("refills.error.no_request")
    return request


def _apply(session: Session, actor: Actor, request: RefillRequest, to: str, *, quantity: object = None,
           refills: object = None, reason: object = None, note: object = None) -> RefillRequest:
    """Check the move against ``MOVES`` and the details it needs, then take it (compare-and-set)."""
    start = request.status
    move = MOVES.get((start, to))
    if move is None:
        raise InvalidInput("refills.error.step")
    roles = move.renewal_roles if request.kind == "renewal" and move.renewal_roles is not None else move.roles
    if actor.role not in roles:
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=request.patient_id,
                             detail=f"refused: refill {request.id} {start} -> {to} by {actor.role}")
        raise PermissionDenied("refills.error.role")
    med = session.get(Medication, request.medication_id)
    values: dict[str, object] = {"status": to, "updated_at": clock.now()}
    if to == "approved":
        values.update(_approval(request, med, quantity, refills))
    elif to == "denied":
        if not isinstance(reason, str) or reason not in DENY_REASONS:
            raise InvalidInput("refills.error.reason")
        values.update(deny_reason=reason, deny_note=clean_note(note, MAX_DENY_NOTE, "refills.error.deny_note"))
        if reason == "other" and not values["deny_note"]:
            raise InvalidInput("refills.error.reason_other")
    if to not in OPEN_STEPS:
        values["open_medication_id"] = None
    changed = session.execute(
        update(RefillRequest).where(RefillRequest.id == request.id, RefillRequest.status == start).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise InvalidInput("refills.error.changed")
    session.refresh(request)
    _side_effects(session, request, med, start, to)
    _add_step(session, request, to, actor)
    audit.record(session, actor, "update", CATEGORY, patient_id=request.patient_id,
                 detail=f"refill {request.id}: {start} -> {to}")
    if to in NOTICES:
        queue_to_patient(session, request.patient_id, "medications", dedupe_key=f"refill:{request.id}:{to}",
                         template_key=NOTICES[to])
    _announce(session, request.patient_id)
    return request


def _approval(request: RefillRequest, med: Medication, quantity: object, refills: object) -> dict[str, object]:
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)
                                 or not 1 <= quantity <= MAX_QUANTITY):
        raise InvalidInput("refills.error.quantity", most=MAX_QUANTITY)
    if refills is not None and (isinstance(refills, bool) or not isinstance(refills, int)
                                or not 0 <= refills <= MAX_REFILLS):
        raise InvalidInput("refills.error.refills", most=MAX_REFILLS)
    if request.kind == "renewal" and refills is None:
        raise InvalidInput("refills.error.renewal_refills")
    if request.kind == "refill" and medications.refills_left(med) == 0 and refills is None:
        raise InvalidInput("refills.error.no_refills", name=med.name)
    return {"quantity": quantity if quantity is not None else med.quantity, "refills_left": refills,
            "refill_used": request.kind == "refill"}


def _side_effects(session: Session, request: RefillRequest, med: Medication, start: str, to: str) -> None:
    if to == "approved":
        if request.kind == "renewal":  # a new prescription: its refills start again
            med.refills_used, med.refills_allowed = 0, request.refills_left
        else:
            med.refills_used = (med.refills_used or 0) + 1
            if request.refills_left is not None:
                med.refills_allowed = med.refills_used + request.refills_left
        if request.quantity is not None:
            med.quantity = request.quantity
        med.updated_at = clock.now()
        session.add(med)
    elif to == "ready":
        session.add(MedicationFill(patient_id=request.patient_id, medication_id=med.id, request_id=request.id,
                                   pharmacy_id=request.pharmacy_id, filled_on=localtime.today(),
                                   quantity=request.quantity or med.quantity))
    elif to == "cancelled" and start != "requested":
        if request.refill_used:  # never dispensed (or returned to stock): the refill is the patient's again
            med.refills_used = max((med.refills_used or 0) - 1, 0)
            session.add(med)
        if start == "ready":
            for fill in session.exec(select(MedicationFill).where(MedicationFill.request_id == request.id)).all():
                session.delete(fill)


def advance(session: Session, actor: Actor, request_id: object, to: object, *, quantity: object = None,
            refills: object = None, reason: object = None, note: object = None) -> RequestView:
    """A staff member takes the next step of a request (approve, deny, sent, ready, picked up, cancel)."""
    if actor is None or not actor.is_staff:
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: refill step by a non-staff user")
        raise PermissionDenied()
    if not isinstance(to, str) or to not in {t for _f, t in MOVES}:
        raise InvalidInput("refills.error.step")
    request = _load(session, actor, request_id)
    access.require_patient_access(session, actor, request.patient_id, _action_for(actor, to))
    _apply(session, actor, request, to, quantity=quantity, refills=refills, reason=reason, note=note)
    return _request_view(session, request)


def cancel(session: Session, actor: Actor, patient_id: int, request_id: object) -> None:
    """The patient (or a proxy) cancels their own request, while the pharmacy has not got it yet."""
    access.require_patient_access(session, actor, patient_id, "refills.request")
    request = session.get(RefillRequest, request_id) if is_id(request_id) else None
    if request is None or request.patient_id != patient_id:
        audit.record_refusal(session, actor, "update", CATEGORY, patient_id=patient_id,
                             detail="refused: refill request not on this chart")
        raise NotFound("refills.error.no_request")
    _apply(session, actor, request, "cancelled")


# --- reading ------------------------------------------------------------------------------------


def _steps(session: Session, request_id: int) -> list[StepView]:
    rows = session.exec(select(RefillStep).where(RefillStep.request_id == request_id)
                        .order_by(RefillStep.at, RefillStep.id)).all()
    return [StepView(row.step, clock.as_utc(row.at), row.actor_label, row.actor_role == SYSTEM) for row in rows]


def _request_view(session: Session, request: RefillRequest) -> RequestView:
    med = session.get(Medication, request.medication_id)
    pharmacy = session.get(Pharmacy, request.pharmacy_id) if request.pharmacy_id else None
    return RequestView(
        id=request.id, medication_id=med.id, medication=med.name, kind=request.kind, status=request.status,
        pharmacy=pharmacy.name if pharmacy else "", note=request.note or "", quantity=request.quantity,
        refills_left=request.refills_left, deny_reason=request.deny_reason or "", deny_note=request.deny_note or "",
        created_at=clock.as_utc(request.created_at), answer_due=clock.as_utc(request.answer_due),
        steps=_steps(session, request.id),
    )


def tracker(session: Session, actor: Actor, patient_id: int, open_only: bool = False) -> list[RequestView]:
    """The patient's requests: open ones first (newest first), then those closed in the last 90 days."""
    access.require_patient_access(session, actor, patient_id, "medications.read")
    rows = session.exec(select(RefillRequest).where(RefillRequest.patient_id == patient_id)
                        .order_by(RefillRequest.created_at.desc(), RefillRequest.id.desc()).limit(100)).all()
    since = clock.now() - RECENT_CLOSED
    opened = [r for r in rows if r.status in OPEN_STEPS]
    closed = [] if open_only else [r for r in rows if r.status not in OPEN_STEPS
                                   and clock.as_utc(r.updated_at or r.created_at) >= since]
    views = [_request_view(session, r) for r in opened + closed[:20]]
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id,
                 detail="open refill requests" if open_only else "refill tracker")
    return views


def _history(session: Session, patient_id: int) -> tuple[list[HistoryLine], list[str]]:
    year_ago = localtime.today() - timedelta(days=365)
    lines = []
    for med in session.exec(select(Medication).where(Medication.patient_id == patient_id)
                            .order_by(Medication.status, Medication.name)).all():
        fills = session.exec(select(MedicationFill.filled_on).where(MedicationFill.medication_id == med.id)
                             .order_by(MedicationFill.filled_on.desc())).all()
        lines.append(HistoryLine(med.name, med.status, medications.refills_left(med),
                                 fills[0].isoformat() if fills else "", sum(1 for d in fills if d >= year_ago)))
    recent = []
    for request in session.exec(select(RefillRequest).where(RefillRequest.patient_id == patient_id)
                                .order_by(RefillRequest.created_at.desc()).limit(6)).all():
        med = session.get(Medication, request.medication_id)
        recent.append(f"{med.name}|{request.status}|{localtime.local(request.created_at).date().isoformat()}")
    return lines, recent


REVIEW_STEPS = ("requested",)
PHARMACY_STEPS = ("approved", "sent", "ready")


def queue(session: Session, actor: Actor, which: str) -> Queue:
    """The console queue: "review" (nurses, clinicians) or "pharmacy" (front desk, nurses).

    Review rows carry the patient's medication history; pharmacy rows only what the pharmacy
    step needs. Overdue review rows (past the promised answer time) come first.
    """
    if not access.allowed(actor, "refills.queue"):
        audit.record_refusal(session, actor, "read", CATEGORY, detail="refused: refills.queue")
        raise PermissionDenied()
    if which not in ("review", "pharmacy"):
        raise InvalidInput("refills.error.queue")
    action = "refills.review" if which == "review" else "refills.pharmacy"
    if actor.role not in access.PATIENT_DATA[action].staff:
        audit.record_refusal(session, actor, "read", CATEGORY, detail=f"refused: {action} queue")
        raise PermissionDenied("refills.error.role")
    steps = REVIEW_STEPS if which == "review" else PHARMACY_STEPS
    rows = session.exec(select(RefillRequest).where(RefillRequest.status.in_(steps))
                        .order_by(RefillRequest.answer_due, RefillRequest.id).limit(200)).all()
    moment = clock.now()
    items, hidden = [], 0
    for request in rows:
        if not access.check_patient_access(session, actor, request.patient_id, action).allowed:
            hidden += 1
            continue
        items.append(_queue_item(session, request, which, moment))
        audit.record(session, actor, "read", CATEGORY, patient_id=request.patient_id,
                     detail=f"refill {request.id} in the {which} queue")
    items.sort(key=lambda item: (not item.overdue, item.answer_due if which == "review" else item.created_at))
    return Queue(items=items, hidden_restricted=hidden)


def _queue_item(session: Session, request: RefillRequest, which: str, moment: datetime) -> QueueItem:
    patient = session.get(Patient, request.patient_id)
    med = session.get(Medication, request.medication_id)
    pharmacy = session.get(Pharmacy, request.pharmacy_id) if request.pharmacy_id else None
    base = dict(id=request.id, patient_id=patient.id, patient_name=f"{patient.given_name} {patient.family_name}",
                mrn=patient.mrn, medication=med.name, kind=request.kind, status=request.status,
                pharmacy=(pharmacy.name if pharmacy else ""), pharmacy_phone=(pharmacy.phone or "") if pharmacy else "",
                quantity=request.quantity, created_at=clock.as_utc(request.created_at),
                answer_due=clock.as_utc(request.answer_due),
                overdue=which == "review" and moment > clock.as_utc(request.answer_due))
    if which != "review":
        return QueueItem(**base)
    history, recent = _history(session, patient.id)
    return QueueItem(**base, dose=med.dose or "", instructions=med.instructions or "", note=request.note or "",
                     refills_left=medications.refills_left(med), controlled=med.controlled,
                     auto_refill_eligible=med.auto_refill_eligible, history=history, recent=recent)


def set_auto_refill_eligible_for_request(session: Session, actor: Actor, request_id: object, eligible: object) -> None:
    """From the review queue: the medicine a request is about."""
    request = _load(session, actor, request_id)
    set_auto_refill_eligible(session, actor, request.medication_id, eligible)


def set_auto_refill_eligible(session: Session, actor: Actor, medication_id: object, eligible: object) -> None:
    """A clinician allows (or stops) automatic refills of a long-term medicine."""
    med = session.get(Medication, medication_id) if is_id(medication_id) else None
    if med is None:
        audit.record_refusal(session, actor, "update", CATEGORY, detail="refused: no such medication")
        raise NotFound()
    access.require_patient_access(session, actor, med.patient_id, "medications.auto_refill_eligibility")
    if not isinstance(eligible, bool):
        raise InvalidInput("refills.error.step")
    med.auto_refill_eligible, med.updated_at = eligible, clock.now()
    session.add(med)
    audit.record(session, actor, "update", CATEGORY, patient_id=med.patient_id,
                 detail=f"medication {med.id} auto-refill {'allowed' if eligible else 'stopped'}")
    _announce(session, med.patient_id)
