"""The staff side of the record in real Chromium at 1280x800: a clinician uploads an EHR bundle on the
console and reads the import report (a broken file is refused with nothing changed), opens a
patient's record from the patient list, enters a result, and the patient sees it on their results
page; the front desk opening the same record sees nothing clinical. axe-core checks each new page;
screenshots at 1280x800 (and the record page at 390x844) land in test-artifacts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import _check
from tests.services.fhir_fixtures import SYNTHEA
from tests.support.browser import DESKTOP, PHONE, FrameRecorder, sign_in
from tests.support.server import serve_portal

WAIT = 30_000  # ms: sign-in, an import and page loads take seconds on a busy machine


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_portal(tmp_path_factory.mktemp("record-staff"), timeout=600) as portal:  # a busy machine builds slowly
        yield portal


def test_a_clinician_imports_a_bundle_and_reads_the_report_and_a_broken_file_changes_nothing(served, open_context,
                                                                                               tmp_path):
    page = open_context(DESKTOP).new_page()
    sign_in(page, served.url, "dr.okafor")
    expect(page).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    page.goto(f"{served.url}/console/import")
    expect(page.get_by_role("heading", name="Import records from the EHR")).to_be_visible(timeout=WAIT)
    _check(page, "/console/import", "1280")

    page.set_input_files("#fhir-file", SYNTHEA[0])
    report = page.get_by_role("status").filter(has_text="Import report")
    expect(report).to_be_visible(timeout=WAIT)
    expect(report).to_contain_text("Charts: 1 (new: 1)")
    counts = report.get_by_role("table", name="What the file held")
    expect(counts.get_by_role("row", name=re.compile(r"^Observation \d+ 0 0$"))).to_be_visible()
    expect(report).to_contain_text("Claim is not part of the health record")
    _check(page, "/console/import-report", "1280")

    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [')
    page.set_input_files("#fhir-file", broken)
    expect(page.get_by_role("alert").filter(has_text="The file was not imported. Nothing changed.")).to_be_visible(
        timeout=WAIT)
    expect(report).to_have_count(0)


def test_a_clinician_opens_a_record_from_the_patient_list_enters_a_result_and_the_patient_sees_it(
        served, open_context):
    doctor = open_context(DESKTOP).new_page()
    sign_in(doctor, served.url, "dr.okafor")
    expect(doctor).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    doctor.goto(f"{served.url}/console/patients")
    doctor.get_by_label("Name, MRN or date of birth").fill("Pimm")
    doctor.get_by_role("button", name="Search").click()
    doctor.get_by_role("link", name="Open the record of Walter Pimm").click()
    expect(doctor).to_have_url(re.compile(r"/console/record\?patient=\d+$"), timeout=WAIT)
    expect(doctor.get_by_role("heading", name="Walter Pimm")).to_be_visible(timeout=WAIT)
    expect(doctor.get_by_text("Type 2 diabetes").first).to_be_visible()
    expect(doctor.get_by_role("heading", name="Lipid panel").first).to_be_visible()
    _check(doctor, "/console/record", "1280")

    doctor.get_by_label("Test", exact=True).select_option(label="Glucose (blood sugar)")
    expect(doctor.get_by_label("Unit", exact=True)).to_have_value("mg/dL", timeout=WAIT)
    doctor.get_by_label("Value", exact=True).fill("not a number")
    doctor.get_by_label("Usual range: lowest").fill("70")
    doctor.get_by_label("Usual range: highest").fill("99")
    doctor.get_by_label("Day the sample was taken").fill("2026-12-01")
    doctor.get_by_role("button", name="Save result").click()
    expect(doctor.get_by_text("Type the value as a number, like 5.4.")).to_be_visible(timeout=WAIT)
    doctor.get_by_label("Value", exact=True).fill("182")
    doctor.get_by_role("button", name="Save result").click()
    expect(doctor.get_by_text("The result is saved.")).to_be_visible(timeout=WAIT)
    entered = doctor.locator("li").filter(has=doctor.get_by_role("heading", name="Glucose (blood sugar)"))
    expect(entered.first).to_contain_text("182 mg/dL")
    doctor.set_viewport_size(PHONE)
    _check(doctor, "/console/record", "390")

    walter = open_context(PHONE).new_page()
    sign_in(walter, served.url, "walter.pimm")
    expect(walter).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    walter.goto(f"{served.url}/health/results")
    glucose = walter.get_by_role("link").filter(has_text="Glucose (blood sugar)").first
    expect(glucose).to_contain_text("182 mg/dL", timeout=WAIT)
    expect(glucose).to_contain_text("High")


def test_the_front_desk_sees_nothing_clinical_in_a_record(served, open_context):
    doctor = open_context(DESKTOP).new_page()
    sign_in(doctor, served.url, "dr.okafor")
    expect(doctor).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    doctor.goto(f"{served.url}/console/patients")
    doctor.get_by_label("Name, MRN or date of birth").fill("Pimm")
    doctor.get_by_role("button", name="Search").click()
    address = doctor.get_by_role("link", name="Open the record of Walter Pimm").get_attribute("href", timeout=WAIT)

    desk = open_context(DESKTOP).new_page()
    frames = FrameRecorder(desk)
    sign_in(desk, served.url, "desk.tanaka")
    expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    expect(desk.get_by_role("link", name="Import from EHR")).to_have_count(0)
    desk.goto(f"{served.url}{address}")
    expect(desk.get_by_role("alert")).to_be_visible(timeout=WAIT)
    expect(desk.get_by_text("Type 2 diabetes")).to_have_count(0)
    expect(desk.get_by_role("heading", name="Enter a result")).to_have_count(0)
    assert "Type 2 diabetes" not in frames.text() and "Lipid panel" not in frames.text()
    desk.goto(f"{served.url}/console/import")
    expect(desk.get_by_text("Only clinicians and admins import")).to_be_visible(timeout=WAIT)
    expect(desk.locator("#fhir-file")).to_have_count(0)
