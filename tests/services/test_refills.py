"""Refill requests: asking, every step rule (order and roles), refusals audited, notices without drug names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.live import LiveSignal
from portal_app.models.medication import Medication
from portal_app.models.outbox import OutboxMessage
from portal_app.models.refill import STEPS, MedicationFill, RefillRequest, RefillStep
from portal_app.services import refills
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.refill_fixtures import NOW, audit_rows, build, last_audit_id


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    return build(session)


def _ask(session, clinic, med=None, who=None):
    ids = refills.request_refills(session, who or clinic.ana, clinic.ana_chart, [med or clinic.lisinopril],
                                  clinic.pharmacy, "Running low")
    session.commit()
    return ids[0]


def _status(session, request_id):
    session.expire_all()
    return session.get(RefillRequest, request_id).status


def test_a_request_goes_all_the_way_to_pickup_with_a_timeline(session, clinic):
    rid = _ask(session, clinic)
    assert _status(session, rid) == "requested"
    refills.advance(session, clinic.nurse, rid, "approved", quantity=90)
    session.commit()
    med = session.get(Medication, clinic.lisinopril)
    assert med.refills_used == 1 and med.quantity == 90
    for step in ("sent", "ready"):
        refills.advance(session, clinic.desk, rid, step)
        session.commit()
    fill = session.exec(select(MedicationFill).where(MedicationFill.request_id == rid)).one()
    assert fill.filled_on == date(2026, 12, 2) and fill.quantity == 90
    view = refills.advance(session, clinic.desk, rid, "picked_up")
    session.commit()
    assert [s.step for s in view.steps] == ["requested", "approved", "sent", "ready", "picked_up"]
    assert [s.by for s in view.steps] == ["Ana", "Nurse, RN", "Desk", "Desk", "Desk"]
    assert session.get(RefillRequest, rid).open_medication_id is None
    # The patient can ask again once it is picked up.
    assert _ask(session, clinic) != rid


def test_notices_at_approval_denial_and_ready_carry_no_drug_name(session, clinic):
    rid = _ask(session, clinic)
    refills.advance(session, clinic.nurse, rid, "approved")
    refills.advance(session, clinic.desk, rid, "sent")
    refills.advance(session, clinic.desk, rid, "ready")
    other = refills.request_renewal(session, clinic.ana, clinic.ana_chart, clinic.metformin, clinic.pharmacy)
    refills.advance(session, clinic.clinician, other, "denied", reason="needs_lab")
    session.commit()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    kinds = [row.kind for row in rows]
    # Ana and her parent (proxy with "medications"; the other proxy hears nothing), by email.
    assert kinds.count("refill_approved") == 2 and kinds.count("refill_ready") == 2 and kinds.count("refill_denied") == 2
    assert {row.recipient for row in rows} == {"ana@example.com", "parent@example.com"}
    for row in rows:
        for word in ("Lisinopril", "Metformin", "lisinopril", "metformin", "10 mg", "Main Street"):
            assert word not in row.subject and word not in row.body


def test_a_denied_request_keeps_its_reason_for_the_patient(session, clinic):
    rid = _ask(session, clinic)
    with pytest.raises(InvalidInput) as missing:
        refills.advance(session, clinic.nurse, rid, "denied")
    assert missing.value.key == "refills.error.reason"
    with pytest.raises(InvalidInput) as unexplained:
        refills.advance(session, clinic.nurse, rid, "denied", reason="other")
    assert unexplained.value.key == "refills.error.reason_other"
    session.rollback()
    refills.advance(session, clinic.nurse, rid, "denied", reason="needs_visit", note="Please see Dr. Okafor first.")
    session.commit()
    view = refills.tracker(session, clinic.ana, clinic.ana_chart)[0]
    assert (view.status, view.deny_reason, view.deny_note) == ("denied", "needs_visit", "Please see Dr. Okafor first.")


# --- every step rule ---------------------------------------------------------------------------

ROLES = ["patient", "proxy", "front_desk", "nurse", "clinician", "admin"]


def _who(clinic, role):
    return {"patient": clinic.ana, "proxy": clinic.parent, "front_desk": clinic.desk, "nurse": clinic.nurse,
            "clinician": clinic.clinician, "admin": clinic.admin}[role]


def _force(session, clinic, status, kind="refill"):
    """A request already at ``status`` (as earlier steps would have left it)."""
    med = clinic.lisinopril if kind == "refill" else clinic.metformin
    rid = refills._create(session, clinic.ana, session.get(Medication, med), clinic.pharmacy, kind, None).id
    row = session.get(RefillRequest, rid)
    row.status = status
    row.open_medication_id = med if status in ("requested", "approved", "sent", "ready") else None
    session.add(row)
    session.commit()
    return rid


def _details(to, kind):
    if to == "approved":
        return {"refills": 2} if kind == "renewal" else {}
    if to == "denied":
        return {"reason": "too_soon"}
    return {}


def _move(session, clinic, who, rid, to, kind):
    if who.role in ("patient", "proxy"):
        if to != "cancelled":
            raise PermissionDenied()  # patients have no other door: only cancel exists for them
        refills.cancel(session, who, clinic.ana_chart, rid)
    else:
        refills.advance(session, who, rid, to, **_details(to, kind))


@pytest.mark.parametrize("start", STEPS)
def test_only_the_listed_steps_are_possible(session, clinic, start):
    """From each step, to every step: only the pairs in MOVES happen; the rest are refused, nothing changed."""
    for to in STEPS:
        rid = _force(session, clinic, start)
        who = clinic.nurse if to in ("approved", "denied", "cancelled") else clinic.desk
        if (start, to) in refills.MOVES:
            refills.advance(session, who, rid, to, **_details(to, "refill"))
            session.commit()
            assert _status(session, rid) == to
        else:
            with pytest.raises(InvalidInput) as refused:
                refills.advance(session, who, rid, to, **_details(to, "refill"))
            assert refused.value.key == "refills.error.step", (start, to)
            session.rollback()
            assert _status(session, rid) == start, (start, to)
        row = session.get(RefillRequest, rid)
        row.open_medication_id, row.status = None, "cancelled"
        session.add(row)
        session.commit()


@pytest.mark.parametrize("kind", ["refill", "renewal"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_take_each_step(session, clinic, role, kind):
    """Each listed move by each role: done exactly when the table says so, refused and audited otherwise."""
    for (start, to), move in refills.MOVES.items():
        rid = _force(session, clinic, start, kind)
        roles = move.renewal_roles if kind == "renewal" and move.renewal_roles is not None else move.roles
        mark = last_audit_id(session)
        who = _who(clinic, role)
        if role in roles:
            _move(session, clinic, who, rid, to, kind)
            session.commit()
            assert _status(session, rid) == to, (start, to, role)
        else:
            with pytest.raises(PermissionDenied):
                _move(session, clinic, who, rid, to, kind)
            session.rollback()
            assert _status(session, rid) == start, (start, to, role)
            if who.role not in ("patient", "proxy") or to == "cancelled":
                assert [r.outcome for r in audit_rows(session, mark)] == ["denied"], (start, to, role)
        # free the medicine's open slot for the next move
        row = session.get(RefillRequest, rid)
        row.open_medication_id, row.status = None, "cancelled"
        session.add(row)
        session.commit()


def test_two_staff_acting_at_once_one_wins(session, clinic):
    rid = _ask(session, clinic)
    stale = RefillRequest(**session.get(RefillRequest, rid).model_dump())  # what a second screen loaded
    refills.advance(session, clinic.nurse, rid, "approved")
    session.commit()
    with pytest.raises(InvalidInput) as late:
        refills._apply(session, clinic.clinician, stale, "denied", reason="too_soon")
    assert late.value.key == "refills.error.changed"
    session.rollback()
    assert _status(session, rid) == "approved"


def test_every_step_is_audited_with_who(session, clinic):
    mark = last_audit_id(session)
    rid = _ask(session, clinic)
    refills.advance(session, clinic.nurse, rid, "approved")
    session.commit()
    rows = audit_rows(session, mark)
    assert [(r.actor_user_id, r.action, r.outcome, r.patient_id) for r in rows] == [
        (clinic.ana.user_id, "create", "success", clinic.ana_chart),
        (clinic.nurse.user_id, "update", "success", clinic.ana_chart)]
    assert "requested -> approved" in rows[1].detail


def test_each_step_is_announced_live_to_the_patients_tracker(session, clinic):
    before = len(session.exec(select(LiveSignal)).all())
    rid = _ask(session, clinic)
    refills.advance(session, clinic.nurse, rid, "approved")
    session.commit()
    topics = [s.topic for s in session.exec(select(LiveSignal).order_by(LiveSignal.id)).all()][before:]
    assert topics.count(f"patient:{clinic.ana_chart}:medications") == 2
    assert topics.count(refills.QUEUE_TOPIC) == 2


# --- asking: refusals with reasons ----------------------------------------------------------


def test_no_refills_left_offers_a_renewal_that_restores_refills(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        refills.request_refills(session, clinic.ana, clinic.ana_chart, [clinic.metformin], clinic.pharmacy)
    assert refused.value.key == "refills.error.no_refills"
    session.rollback()
    rid = refills.request_renewal(session, clinic.ana, clinic.ana_chart, clinic.metformin, clinic.pharmacy, "Need more")
    session.commit()
    with pytest.raises(PermissionDenied):  # a renewal needs a clinician
        refills.advance(session, clinic.nurse, rid, "approved", refills=3)
    session.rollback()
    with pytest.raises(InvalidInput) as no_number:
        refills.advance(session, clinic.clinician, rid, "approved")
    assert no_number.value.key == "refills.error.renewal_refills"
    session.rollback()
    refills.advance(session, clinic.clinician, rid, "approved", refills=3)
    session.commit()
    med = session.get(Medication, clinic.metformin)
    assert (med.refills_allowed, med.refills_used) == (3, 0)


def test_a_controlled_medicine_without_refills_needs_a_visit(session, clinic):
    for ask in (lambda: refills.request_refills(session, clinic.ana, clinic.ana_chart, [clinic.oxycodone], clinic.pharmacy),
                lambda: refills.request_renewal(session, clinic.ana, clinic.ana_chart, clinic.oxycodone, clinic.pharmacy)):
        with pytest.raises(InvalidInput) as refused:
            ask()
        assert refused.value.key == "refills.error.needs_visit"
        session.rollback()
    assert session.exec(select(RefillRequest)).all() == []


def test_asking_twice_is_refused_and_the_open_slot_holds_against_a_race(session, clinic):
    _ask(session, clinic)
    with pytest.raises(InvalidInput) as again:
        _ask(session, clinic)
    assert again.value.key == "refills.error.already_requested"
    session.rollback()
    # Two inserts racing past the check: the unique open slot lets only one through.
    assert refills._create(session, clinic.ana, session.get(Medication, clinic.lisinopril), clinic.pharmacy,
                           "refill", None) is None


def test_a_stopped_medicine_cannot_be_refilled(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        _ask(session, clinic, med=clinic.old)
    assert refused.value.key == "refills.error.not_current"


def test_cancelling_after_approval_gives_the_refill_back(session, clinic):
    rid = _ask(session, clinic)
    refills.advance(session, clinic.nurse, rid, "approved")
    session.commit()
    refills.cancel(session, clinic.ana, clinic.ana_chart, rid)
    session.commit()
    assert session.get(Medication, clinic.lisinopril).refills_used == 0
    assert _status(session, rid) == "cancelled"


# --- bad input changes nothing ----------------------------------------------------------------


def _nothing_changed(session):
    session.rollback()
    assert session.exec(select(RefillRequest)).all() == []
    assert session.exec(select(RefillStep)).all() == []


@pytest.mark.parametrize("medication_ids", [[999_999], ["1"], [True], [], "x", [1.5], None, [{"$ne": 0}]])
def test_unknown_medicines_are_refused(session, clinic, medication_ids):
    with pytest.raises(InvalidInput) as refused:
        refills.request_refills(session, clinic.ana, clinic.ana_chart, medication_ids, clinic.pharmacy)
    assert refused.value.key in ("refills.error.unknown_medicine", "refills.error.choose_medicine")
    _nothing_changed(session)


def test_another_patients_medicine_is_refused_and_audited(session, clinic):
    mark = last_audit_id(session)
    with pytest.raises(InvalidInput) as refused:
        refills.request_refills(session, clinic.ana, clinic.ana_chart, [clinic.lisinopril, clinic.bens_med],
                                clinic.pharmacy)
    assert refused.value.key == "refills.error.unknown_medicine"
    _nothing_changed(session)
    rows = audit_rows(session, mark)
    assert [(r.outcome, r.actor_user_id, r.patient_id) for r in rows] == [("denied", clinic.ana.user_id, clinic.ana_chart)]


def test_another_patients_pharmacy_is_refused(session, clinic):
    mark = last_audit_id(session)
    with pytest.raises(InvalidInput) as refused:
        _ask_pharmacy(session, clinic, clinic.bens_pharmacy)
    assert refused.value.key == "refills.error.pharmacy"
    _nothing_changed(session)
    assert [r.outcome for r in audit_rows(session, mark)] == ["denied"]


def _ask_pharmacy(session, clinic, pharmacy):
    return refills.request_refills(session, clinic.ana, clinic.ana_chart, [clinic.lisinopril], pharmacy)


@pytest.mark.parametrize("quantity", [-30, 0, 1001, "30", 2.5, True])
def test_a_bad_quantity_is_refused_and_changes_nothing(session, clinic, quantity):
    rid = _ask(session, clinic)
    with pytest.raises(InvalidInput) as refused:
        refills.advance(session, clinic.nurse, rid, "approved", quantity=quantity)
    assert refused.value.key == "refills.error.quantity"
    session.rollback()
    assert _status(session, rid) == "requested"
    assert session.get(Medication, clinic.lisinopril).refills_used == 0


def test_a_note_that_is_too_long_is_refused(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        refills.request_refills(session, clinic.ana, clinic.ana_chart, [clinic.lisinopril], clinic.pharmacy, "x" * 501)
    assert refused.value.key == "refills.error.note"
    _nothing_changed(session)


# --- who may see and ask -------------------------------------------------------------------------


def test_another_patient_can_neither_see_nor_ask(session, clinic):
    mark = last_audit_id(session)
    with pytest.raises(NotFound):
        refills.tracker(session, clinic.ben, clinic.ana_chart)
    session.rollback()
    with pytest.raises(NotFound):
        refills.request_refills(session, clinic.ben, clinic.ana_chart, [clinic.lisinopril], clinic.pharmacy)
    session.rollback()
    rid = _ask(session, clinic)
    mark = last_audit_id(session)
    with pytest.raises(NotFound):  # Ben's own chart, Ana's request id
        refills.cancel(session, clinic.ben, clinic.ben_chart, rid)
    session.rollback()
    assert _status(session, rid) == "requested"
    assert [(r.outcome, r.actor_user_id) for r in audit_rows(session, mark)] == [("denied", clinic.ben.user_id)]


def test_a_proxy_needs_the_medications_scope(session, clinic):
    rid = _ask(session, clinic, who=clinic.parent)  # a proxy with "medications" may
    assert _status(session, rid) == "requested"
    mark = last_audit_id(session)
    with pytest.raises(PermissionDenied) as refused:
        refills.tracker(session, clinic.outsider, clinic.ana_chart)
    assert refused.value.key == "access.error.proxy_scope"
    session.rollback()
    with pytest.raises(PermissionDenied):
        refills.request_refills(session, clinic.outsider, clinic.ana_chart, [clinic.metformin], clinic.pharmacy)
    session.rollback()
    assert [(r.outcome, r.actor_user_id) for r in audit_rows(session, mark)] == [("denied", clinic.outsider.user_id)] * 2


def test_anonymous_callers_are_refused_and_audited(session, clinic):
    mark = last_audit_id(session)
    for call in (lambda: refills.tracker(session, None, clinic.ana_chart),
                 lambda: refills.request_refills(session, None, clinic.ana_chart, [clinic.lisinopril], clinic.pharmacy),
                 lambda: refills.advance(session, None, 1, "approved"),
                 lambda: refills.queue(session, None, "review")):
        with pytest.raises(PermissionDenied):
            call()
        session.rollback()
    assert [(r.outcome, r.actor_role) for r in audit_rows(session, mark)] == [("denied", "anonymous")] * 4


def test_the_wrong_staff_role_is_refused_and_audited(session, clinic):
    rid = _ask(session, clinic)
    mark = last_audit_id(session)
    with pytest.raises(PermissionDenied):  # the front desk never approves
        refills.advance(session, clinic.desk, rid, "approved")
    session.rollback()
    with pytest.raises(PermissionDenied):  # nor sees the review queue with its medication history
        refills.queue(session, clinic.desk, "review")
    session.rollback()
    with pytest.raises(PermissionDenied):  # administrators have no refill work at all
        refills.queue(session, clinic.admin, "pharmacy")
    session.rollback()
    with pytest.raises(PermissionDenied):  # clinicians do not record pharmacy steps
        refills.advance(session, clinic.clinician, rid, "sent")
    session.rollback()
    assert _status(session, rid) == "requested"
    assert [r.outcome for r in audit_rows(session, mark)] == ["denied"] * 4


# --- the queue ---------------------------------------------------------------------------------


def test_the_review_queue_shows_history_and_flags_late_requests(session, clinic):
    rid = _ask(session, clinic)
    item = refills.queue(session, clinic.nurse, "review").items[0]
    assert (item.id, item.medication, item.overdue, item.note) == (rid, "Lisinopril 10 MG Oral Tablet", False, "Running low")
    assert item.instructions == "Take 1 tablet by mouth once a day"
    lisinopril = next(line for line in item.history if line.name.startswith("Lisinopril"))
    assert (lisinopril.last_filled, lisinopril.refills_left, lisinopril.fills_last_year) == ("2026-11-10", 3, 1)
    assert item.answer_due.date() == date(2026, 12, 4)  # two working days later
    session.commit()
    with time_machine.travel(NOW + timedelta(days=2, hours=1), tick=False):
        assert refills.queue(session, clinic.nurse, "review").items[0].overdue


def test_working_days_skip_the_weekend(session, clinic):
    friday = NOW + timedelta(days=2)  # Friday 9 am Chicago
    assert refills.add_working_days(friday, 2).date() == date(2026, 12, 8)  # the Tuesday after


def test_the_pharmacy_queue_shows_the_front_desk_only_what_the_step_needs(session, clinic):
    rid = _ask(session, clinic)
    refills.advance(session, clinic.nurse, rid, "approved")
    session.commit()
    item = refills.queue(session, clinic.desk, "pharmacy").items[0]
    assert (item.id, item.patient_name, item.medication, item.pharmacy, item.status) == (
        rid, "Ana Refill", "Lisinopril 10 MG Oral Tablet", "Main Street Pharmacy", "approved")
    assert (item.instructions, item.note, item.history, item.recent, item.dose) == ("", "", [], [], "")
