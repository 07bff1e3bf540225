"""The health record in real Chromium at 390x844: results with flags in words, the plain-words
explanation and a trend chart with the usual range shaded; a result a clinician holds is invisible
until released; an imaging report the patient chose to see "after review" appears only once a
clinician reviewed it. axe-core checks each page; screenshots at both sizes land in test-artifacts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import clock, db
from portal_app.models.people import Patient, Role, User
from portal_app.models.record import DiagnosticReport
from portal_app.services import result_release
from portal_app.services.access import Actor
from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in
from tests.support.server import serve_portal

WAIT = 20_000  # ms: sign-in and page loads take seconds on a busy machine


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_portal(tmp_path_factory.mktemp("health")) as portal:
        yield portal


def _database(served) -> str:
    return served.env["PORTAL_DATABASE_URL"]


def _clinician_and_walter(session) -> tuple[Actor, int]:
    doctor = session.exec(select(User).where(User.username == "dr.okafor")).one()
    walter = session.exec(select(User).where(User.username == "walter.pimm")).one()
    assert doctor.role == Role.CLINICIAN
    return Actor(role=doctor.role, user_id=doctor.id, display_name=doctor.display_name), walter.patient_id


def _report_id(session, patient_id: int, name: str) -> int:
    return session.exec(select(DiagnosticReport.id).where(DiagnosticReport.patient_id == patient_id,
                                                          DiagnosticReport.name == name)).one()


def test_results_show_flags_in_words_an_explanation_and_a_trend(served, open_context):
    page = open_context(PHONE).new_page()
    sign_in(page, served.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    expect(page.get_by_text("New in the last 30 days")).to_be_visible(timeout=WAIT)

    page.goto(f"{served.url}/health")
    expect(page.get_by_role("heading", name="Health problems", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Type 2 diabetes")).to_be_visible()
    expect(page.get_by_text("Shellfish")).to_be_visible()
    changes = page.locator("li").filter(has_text="New result")
    expect(page.get_by_role("heading", name="What changed since my last visit")).to_be_visible()
    expect(changes.filter(has_text="Basic metabolic panel")).to_be_visible()
    _check(page, "/health", "390")

    page.goto(f"{served.url}/health/results")
    panel = page.locator("li").filter(has=page.get_by_role("heading", name="Lipid panel")).first
    expect(panel).to_be_visible(timeout=WAIT)
    ldl = panel.get_by_role("link").filter(has_text="LDL cholesterol")
    expect(ldl).to_contain_text("104 mg/dL")
    expect(ldl).to_contain_text("In range")
    a1c = page.get_by_role("link").filter(has_text="Hemoglobin A1c").first
    expect(a1c).to_contain_text("6.6 %")
    expect(a1c).to_contain_text("High")
    _check(page, "/health/results", "390")

    a1c.click()
    expect(page.get_by_role("heading", name="What this test means")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Your average blood sugar over the last 2 to 3 months.")).to_be_visible()
    expect(page.locator(".result-trend .recharts-line-curve")).to_be_visible()
    expect(page.locator(".result-trend .recharts-reference-area")).to_be_visible()
    expect(page.get_by_role("table", name="Your results for this test").locator("tbody tr")).to_have_count(5)
    expect(page.get_by_role("link", name="Ask my care team about this result")).to_be_visible()
    _check(page, "/health/result", "390")


def test_a_held_result_is_invisible_until_released(served, open_context):
    """The clinician holds and then releases a result from the console; the patient's open page follows."""
    doctor = open_context(DESKTOP).new_page()
    sign_in(doctor, served.url, "dr.okafor")
    expect(doctor).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    doctor.goto(f"{served.url}/console/results")
    row = doctor.locator("li").filter(has=doctor.get_by_role("heading", name="Basic metabolic panel")).filter(
        has_text="Walter Pimm")
    expect(row).to_be_visible(timeout=WAIT)
    _check(doctor, "/console/results", "1280")
    row.get_by_text("Hold this result").click()
    row.get_by_label("Reason (only staff see it)").fill("Talk on the phone first")
    row.get_by_role("button", name="Hold result").click()
    expect(doctor.get_by_text("The result is held.")).to_be_visible(timeout=WAIT)
    expect(row).to_contain_text("Held until")

    page = open_context(PHONE).new_page()
    sign_in(page, served.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    page.goto(f"{served.url}/health/results")
    expect(page.get_by_role("heading", name="Lipid panel").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Basic metabolic panel")).to_have_count(0)
    expect(page.get_by_text("a result is not ready to show yet")).to_be_visible()
    expect(page.get_by_text("Talk on the phone first")).to_have_count(0)

    row.get_by_role("button", name="Release now").click()
    expect(doctor.get_by_text("Released: the patient can see it now.")).to_be_visible(timeout=WAIT)
    # The open page follows the release live.
    expect(page.get_by_role("heading", name="Basic metabolic panel")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("a result is not ready to show yet")).to_have_count(0)


def _new_xray(served, tmp_path: Path, walter_mrn: str) -> None:
    """A chest X-ray that just came in, imported with `portal import-fhir` as the clinic would."""
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "ehr-walter", "birthDate": "1946-11-02",
                      "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": walter_mrn}],
                      "name": [{"family": "Pimm", "given": ["Walter"]}]}},
        {"resource": {"resourceType": "DiagnosticReport", "id": "xray-new", "status": "final",
                      "category": [{"coding": [{"code": "RAD"}]}], "code": {"text": "Knee X-ray"},
                      "subject": {"reference": "Patient/ehr-walter"}, "issued": clock.now().isoformat(),
                      "conclusion": "Mild wear of the knee joint."}}]}
    path = tmp_path / "xray.json"
    path.write_text(json.dumps(bundle))
    printed = served.portal_command("import-fhir", str(path)).stdout
    assert "1 DiagnosticReport" in printed, printed


def test_after_review_for_imaging_shows_the_report_only_once_reviewed(served, open_context, tmp_path):
    page = open_context(PHONE).new_page()
    sign_in(page, served.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    page.goto(f"{served.url}/health/results")
    expect(page.get_by_role("heading", name="Lipid panel").first).to_be_visible(timeout=WAIT)
    page.get_by_text("When do I see new results?").click()
    page.get_by_label("Imaging (X-rays and scans)").select_option("after_review")
    expect(page.get_by_text("Your choice is saved.")).to_be_visible(timeout=WAIT)

    with db.transaction(_database(served)) as session:
        doctor, walter = _clinician_and_walter(session)
        mrn = session.get(Patient, walter).mrn
    _new_xray(served, tmp_path, mrn)
    page.reload()
    expect(page.get_by_role("heading", name="Lipid panel").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Knee X-ray")).to_have_count(0)
    expect(page.get_by_text("a result is not ready to show yet")).to_be_visible()

    with db.transaction(_database(served)) as session:
        result_release.mark_reviewed(session, doctor, walter, report_id=_report_id(session, walter, "Knee X-ray"))
    expect(page.get_by_role("heading", name="Knee X-ray")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Mild wear of the knee joint.")).to_be_visible()


def test_health_pages_at_desktop_size(served, open_context):
    page = open_context(DESKTOP).new_page()
    sign_in(page, served.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    _check(page, "/home-health", "1280")
    for route, heading in (("/health", "Allergies"), ("/health/results", "Lipid panel")):
        page.goto(f"{served.url}{route}")
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=WAIT)
        _check(page, route, "1280")
    page.get_by_role("link").filter(has_text="LDL cholesterol").first.click()
    expect(page.locator(".result-trend .recharts-line-curve")).to_be_visible(timeout=WAIT)
    _check(page, "/health/result", "1280")


def test_the_patient_downloads_their_record_as_pdf_and_as_a_fhir_bundle_that_validates(served, open_context, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    page = open_context(PHONE, accept_downloads=True).new_page()
    sign_in(page, served.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    page.goto(f"{served.url}/health")
    button = page.get_by_role("link", name="Download for another doctor (FHIR file)")
    expect(button).to_be_visible(timeout=WAIT)
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / "record.json"
    download.value.save_as(saved)
    bundle = json.loads(saved.read_text())
    Bundle.model_validate(bundle)
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Observation", "DiagnosticReport", "Condition", "Encounter", "DocumentReference"} <= kinds
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download to read or print (PDF)").click()
    assert pdf.value.suggested_filename == "health-record.pdf"
    pdf.value.save_as(tmp_path / "record.pdf")
    assert (tmp_path / "record.pdf").read_bytes().startswith(b"%PDF")
    # Another chart's id in the address gets nothing.
    with db.transaction(_database(served)) as session:
        rosa = session.exec(select(User).where(User.username == "rosa.delgado")).one().patient_id
    other = page.request.get(f"{served.url}/record/fhir?patient={rosa}")
    assert other.status == 404
