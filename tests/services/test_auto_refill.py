"""Automatic refills: the patient's switch, one request per supply cycle (across restarts and two
scheduler processes), and a skip with a notice when no refills are left."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from portal_app import localtime
from portal_app.jobs.refills import run_auto_refills
from portal_app.models.medication import Medication
from portal_app.models.outbox import OutboxMessage
from portal_app.models.refill import MedicationFill, RefillRequest, RefillStep
from portal_app.services import auto_refill, refills
from portal_app.services.errors import InvalidInput, NotFound
from tests.services.refill_fixtures import NOW, build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clinic(session):
    with time_machine.travel(NOW, tick=False):
        built = build(session)
        auto_refill.set_auto_refill(session, built.ana, built.ana_chart, built.lisinopril, True, built.pharmacy)
        session.commit()
    return built


def _requests(session):
    session.expire_all()
    return session.exec(select(RefillRequest).order_by(RefillRequest.id)).all()


def test_the_switch_needs_a_medicine_the_clinician_allowed(session, clinic):
    with pytest.raises(InvalidInput) as refused:
        auto_refill.set_auto_refill(session, clinic.ana, clinic.ana_chart, clinic.metformin, True, clinic.pharmacy)
    assert refused.value.key == "refills.error.auto_not_eligible"
    session.rollback()
    with pytest.raises(InvalidInput) as other:
        auto_refill.set_auto_refill(session, clinic.ana, clinic.ana_chart, clinic.bens_med, True, clinic.pharmacy)
    assert other.value.key == "refills.error.unknown_medicine"
    session.rollback()
    with pytest.raises(InvalidInput):
        auto_refill.set_auto_refill(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, True, clinic.bens_pharmacy)
    session.rollback()
    with pytest.raises(NotFound):
        auto_refill.set_auto_refill(session, clinic.ben, clinic.ana_chart, clinic.lisinopril, False)


def test_only_a_clinician_marks_a_medicine_eligible(session, clinic):
    from portal_app.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        refills.set_auto_refill_eligible(session, clinic.nurse, clinic.metformin, True)
    session.rollback()
    refills.set_auto_refill_eligible(session, clinic.clinician, clinic.metformin, True)
    session.commit()
    assert session.get(Medication, clinic.metformin).auto_refill_eligible


def test_one_request_when_the_supply_runs_low_and_not_before(session, clinic, database_url):
    # Filled 10 November, 30 tablets at 1 a day: runs out 10 December; asked for a week before.
    with time_machine.travel(NOW, tick=False):  # 2 December: not yet
        assert run_auto_refills(database_url).requested == []
    with time_machine.travel(NOW + timedelta(days=1), tick=False):  # 3 December
        made = run_auto_refills(database_url).requested
        assert len(made) == 1
        for _restart in range(2):  # the job runs again (every hour, or after a restart)
            assert run_auto_refills(database_url).requested == []
    [request] = _requests(session)
    assert (request.kind, request.status, request.auto_cycle, request.pharmacy_id, request.requested_by) == (
        "refill", "requested", f"fill:{_fill_id(session, clinic)}", clinic.pharmacy, None)
    step = session.exec(select(RefillStep).where(RefillStep.request_id == request.id)).one()
    assert (step.actor_label, step.actor_role) == ("auto", "system")
    kinds = [row.kind for row in session.exec(select(OutboxMessage)).all()]
    assert kinds.count("refill_auto_requested") == 2  # Ana and her parent (proxy with "medications")


def _fill_id(session, clinic) -> int:
    return session.exec(select(MedicationFill.id).where(MedicationFill.medication_id == clinic.lisinopril)).one()


def test_the_next_cycle_starts_with_the_next_fill(session, clinic, database_url):
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        [first] = run_auto_refills(database_url).requested
        for step, who in (("approved", clinic.nurse), ("sent", clinic.desk), ("ready", clinic.desk),
                          ("picked_up", clinic.desk)):
            refills.advance(session, who, first, step)
            session.commit()
        assert run_auto_refills(database_url).requested == []  # filled today: due again in 23 days
    with time_machine.travel(NOW + timedelta(days=24), tick=False):
        assert len(run_auto_refills(database_url).requested) == 1
    assert [r.auto_cycle for r in _requests(session)] == [f"fill:{_fill_id_first(session, clinic)}",
                                                          f"fill:{_fill_id_latest(session, clinic)}"]


def _fill_id_first(session, clinic) -> int:
    return session.exec(select(MedicationFill.id).where(MedicationFill.medication_id == clinic.lisinopril)
                        .order_by(MedicationFill.id)).first()


def _fill_id_latest(session, clinic) -> int:
    return session.exec(select(MedicationFill.id).where(MedicationFill.medication_id == clinic.lisinopril)
                        .order_by(MedicationFill.id.desc())).first()


def test_no_refills_left_skips_with_one_notice_per_cycle(session, clinic, database_url):
    med = session.get(Medication, clinic.lisinopril)
    med.refills_used = med.refills_allowed
    session.add(med)
    session.commit()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        report = run_auto_refills(database_url)
        assert (report.requested, report.skipped_no_refills) == ([], [clinic.lisinopril])
        assert run_auto_refills(database_url).skipped_no_refills == []
    assert _requests(session) == []
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "refill_auto_skipped")).all()
    assert sorted(n.recipient for n in notices) == ["ana@example.com", "parent@example.com"]
    assert all("Lisinopril" not in n.body and "Lisinopril" not in n.subject for n in notices)


def test_an_open_request_by_the_patient_is_left_alone(session, clinic, database_url):
    with time_machine.travel(NOW, tick=False):
        refills.request_refills(session, clinic.ana, clinic.ana_chart, [clinic.lisinopril], clinic.pharmacy)
        session.commit()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert run_auto_refills(database_url).requested == []
    assert len(_requests(session)) == 1


def test_switched_off_makes_no_request(session, clinic, database_url):
    auto_refill.set_auto_refill(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, False)
    session.commit()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert run_auto_refills(database_url).requested == []


RACER = """
import sys, time
from portal_app.jobs.refills import run_auto_refills
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
print(len(run_auto_refills(sys.argv[1]).requested))
"""


def test_two_scheduler_processes_make_exactly_one_request(session, database_url):
    """Two real processes run the job at the same instant (real time, real database), then a restart."""
    clinic = build(session)
    auto_refill.set_auto_refill(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, True, clinic.pharmacy)
    fill = session.exec(select(MedicationFill).where(MedicationFill.medication_id == clinic.lisinopril)).one()
    fill.filled_on = localtime.today() - timedelta(days=28)  # 30-day supply: due now
    session.add(fill)
    session.commit()
    start = time.time() + 4  # both are imported and waiting by then
    racers = [subprocess.Popen([sys.executable, "-c", RACER, database_url, str(start)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], [err[-2000:] for _out, err in outputs]
    assert sorted(int(out.strip().splitlines()[-1]) for out, _err in outputs) == [0, 1]
    again = subprocess.run([sys.executable, "-c", RACER, database_url, "0"], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert again.stdout.strip().splitlines()[-1] == "0", again.stderr[-2000:]
    assert len(_requests(session)) == 1
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "refill_auto_requested")).all()) == 2
