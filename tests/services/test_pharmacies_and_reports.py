"""Pharmacies the patient keeps, and the reports ("I no longer take this", "not listed") that wait for staff."""

from __future__ import annotations

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.medication import Medication
from portal_app.models.medication_report import MedicationReport
from portal_app.models.pharmacy import Pharmacy
from portal_app.services import medication_reports, medications, pharmacies
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.refill_fixtures import NOW, audit_rows, build, last_audit_id


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    return build(session)


def test_the_list_shows_current_and_past_with_what_a_request_would_be(session, clinic):
    listed = medications.medication_list(session, clinic.ana, clinic.ana_chart)
    options = {v.name.split()[0]: v.option for v in listed.current}
    assert options == {"Lisinopril": "refill", "Metformin": "renewal", "Oxycodone": "needs_visit"}
    lisinopril = next(v for v in listed.current if v.name.startswith("Lisinopril"))
    assert (lisinopril.refills_left, str(lisinopril.last_filled), str(lisinopril.runs_out), lisinopril.pharmacy) == (
        3, "2026-11-10", "2026-12-10", "Main Street Pharmacy")
    assert [v.name for v in listed.past] == ["Amoxicillin 500 MG Oral Capsule"]
    with pytest.raises(NotFound):
        medications.medication_list(session, clinic.ben, clinic.ana_chart)


def test_a_pharmacy_is_added_checked_and_removed(session, clinic):
    new = pharmacies.add_pharmacy(session, clinic.ana, clinic.ana_chart, "  Mail  Meds ", "", "(312) 555-0142",
                                  mail_order=True)
    session.commit()
    row = session.get(Pharmacy, new)
    assert (row.name, row.phone, row.mail_order, row.preferred) == ("Mail Meds", "+13125550142", True, False)
    pharmacies.make_preferred(session, clinic.ana, clinic.ana_chart, new)
    pharmacies.remove_pharmacy(session, clinic.ana, clinic.ana_chart, clinic.pharmacy)
    session.commit()
    kept = pharmacies.list_pharmacies(session, clinic.ana, clinic.ana_chart)
    assert [(p.name, p.preferred) for p in kept] == [("Mail Meds", True)]


@pytest.mark.parametrize("name,address,phone,key", [
    ("", "1 Main St", "", "pharmacies.error.name"),
    ("X" * 121, "1 Main St", "", "pharmacies.error.name"),
    ("Corner", "", "", "pharmacies.error.address_missing"),
    ("Corner", "1 Main St", "12", "pharmacies.error.phone"),
    ("Corner\x00", "1 Main St", "", "pharmacies.error.name"),
])
def test_bad_pharmacy_details_are_refused(session, clinic, name, address, phone, key):
    with pytest.raises(InvalidInput) as refused:
        pharmacies.add_pharmacy(session, clinic.ana, clinic.ana_chart, name, address, phone)
    assert refused.value.key == key
    session.rollback()
    assert len(session.exec(select(Pharmacy)).all()) == 2


def test_another_patients_pharmacy_cannot_be_touched(session, clinic):
    mark = last_audit_id(session)
    with pytest.raises(InvalidInput):
        pharmacies.remove_pharmacy(session, clinic.ana, clinic.ana_chart, clinic.bens_pharmacy)
    session.rollback()
    assert session.get(Pharmacy, clinic.bens_pharmacy).removed_at is None
    assert [r.outcome for r in audit_rows(session, mark)] == ["denied"]
    with pytest.raises(PermissionDenied):
        pharmacies.add_pharmacy(session, clinic.outsider, clinic.ana_chart, "Corner", "1 Main St", "")


def test_reports_wait_for_staff_and_never_change_the_list(session, clinic):
    stopped = medication_reports.report_stopped(session, clinic.ana, clinic.ana_chart, clinic.lisinopril, "Side effects")
    extra = medication_reports.report_not_listed(session, clinic.parent, clinic.ana_chart, "Vitamin D 1000 IU")
    session.commit()
    assert session.get(Medication, clinic.lisinopril).status == "active"
    with pytest.raises(InvalidInput) as twice:
        medication_reports.report_stopped(session, clinic.ana, clinic.ana_chart, clinic.lisinopril)
    assert twice.value.key == "medications.error.already_reported"
    session.rollback()
    waiting = medication_reports.patient_reports(session, clinic.ana, clinic.ana_chart)
    assert [(r.kind, r.medicine) for r in waiting] == [("stopped", "Lisinopril 10 MG Oral Tablet"),
                                                      ("not_listed", "Vitamin D 1000 IU")]
    with pytest.raises(PermissionDenied):
        medication_reports.open_reports(session, clinic.desk)
    session.rollback()
    queue = medication_reports.open_reports(session, clinic.nurse)
    assert [(r.id, r.patient_name) for r in queue] == [(stopped, "Ana Refill"), (extra, "Ana Refill")]
    medication_reports.mark_reviewed(session, clinic.nurse, stopped)
    session.commit()
    assert [r.id for r in medication_reports.patient_reports(session, clinic.ana, clinic.ana_chart)] == [extra]


def test_reports_refuse_bad_input_and_other_patients(session, clinic):
    with pytest.raises(InvalidInput) as other:
        medication_reports.report_stopped(session, clinic.ana, clinic.ana_chart, clinic.bens_med)
    assert other.value.key == "refills.error.unknown_medicine"
    session.rollback()
    with pytest.raises(InvalidInput) as empty:
        medication_reports.report_not_listed(session, clinic.ana, clinic.ana_chart, " ")
    assert empty.value.key == "medications.error.name_missing"
    session.rollback()
    with pytest.raises(NotFound):
        medication_reports.report_not_listed(session, clinic.ben, clinic.ana_chart, "Aspirin")
    session.rollback()
    with pytest.raises(PermissionDenied):
        medication_reports.report_not_listed(session, clinic.outsider, clinic.ana_chart, "Aspirin")
    session.rollback()
    assert session.exec(select(MedicationReport)).all() == []
