"""The refill journey in real Chromium, three people at once: a patient asks, the nurse approves, the
front desk records the pharmacy's steps; the patient's open tracker moves live at each step, and the
ready notice reaches a real SMTP server without the medicine's name. A denial shows its reason."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, sign_in

SIGN_IN_WAIT = 20_000  # ms: sign-in and page loads with several queries take seconds on a busy machine
LIVE = 15_000  # ms: a step appears on the open tracker within this (make bench has the real figure)


def _current_step(card):
    return card.locator("[aria-current=step]")


def test_a_refill_goes_from_request_to_ready_live_and_the_ready_notice_is_mailed(mail_portal, open_context, smtp):
    url = mail_portal.url
    patient = open_context(PHONE).new_page()
    sign_in(patient, url, "sam.oduya")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    patient.goto(f"{url}/medications")
    lisinopril = patient.locator("li").filter(has=patient.get_by_role("heading", name="Lisinopril 10 MG Oral Tablet"))
    expect(lisinopril.get_by_text("For: High blood pressure")).to_be_visible(timeout=SIGN_IN_WAIT)
    # Three taps: the medicine's button, Next (pharmacy already chosen), Send request.
    lisinopril.get_by_role("link", name="Ask for a refill").click()
    expect(patient.get_by_role("heading", name="Which pharmacy?")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(patient.get_by_label("Lakeside Pharmacy")).to_be_checked()
    patient.get_by_role("button", name="Next").click()
    expect(patient.get_by_role("heading", name="Check and send")).to_be_visible(timeout=SIGN_IN_WAIT)
    patient.get_by_role("button", name="Send request").click()
    expect(patient.get_by_role("heading", name="Your request was sent")).to_be_visible(timeout=SIGN_IN_WAIT)
    patient.get_by_role("link", name="Track my refills").click()
    tracker = patient.locator("li.refill-request").first
    expect(tracker).to_contain_text("Lisinopril 10 MG Oral Tablet", timeout=SIGN_IN_WAIT)
    expect(_current_step(tracker)).to_contain_text("Asked for")
    expect(_current_step(tracker)).to_contain_text("Sam Oduya")

    nurse = open_context(DESKTOP).new_page()
    sign_in(nurse, url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    nurse.goto(f"{url}/console/refills")
    request = nurse.locator("li.refill-review").filter(has_text="Sam Oduya")
    expect(request).to_contain_text("Lisinopril 10 MG Oral Tablet", timeout=SIGN_IN_WAIT)
    request.get_by_label("Quantity").fill("90")
    request.get_by_role("button", name="Approve", exact=True).click()
    expect(nurse.get_by_text("Approved. The patient has been told.")).to_be_visible(timeout=SIGN_IN_WAIT)
    expect(_current_step(tracker)).to_contain_text("Approved", timeout=LIVE)
    expect(_current_step(tracker)).to_contain_text("Marie Baptiste, RN")

    desk = open_context(PHONE).new_page()
    sign_in(desk, url, "desk.tanaka")
    expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    desk.goto(f"{url}/console/refills")
    step = desk.locator("li.refill-pharmacy").filter(has_text="Sam Oduya")
    expect(step).not_to_contain_text("Take 1 tablet", timeout=SIGN_IN_WAIT)  # the front desk does not see instructions
    step.get_by_role("button", name="Mark sent to pharmacy").click()
    expect(_current_step(tracker)).to_contain_text("Sent to pharmacy", timeout=LIVE)
    step.get_by_role("button", name="Mark ready for pickup").click()
    expect(_current_step(tracker)).to_contain_text("Ready for pickup", timeout=LIVE)
    patient.goto(f"{url}/home")  # the home page shows where the refill is
    expect(patient.locator("main").get_by_text("Ready for pickup")).to_be_visible(timeout=SIGN_IN_WAIT)

    mail = smtp.wait_for("sam.oduya@example.com", "Your refill is ready for pickup")
    body = mail.get_content()
    assert "ready at your pharmacy" in body
    for word in ("Lisinopril", "lisinopril", "10 MG", "Lakeside"):
        assert word not in body and word not in mail["Subject"]


def test_a_denied_request_shows_its_reason_live(mail_portal, open_context):
    url = mail_portal.url
    patient = open_context(PHONE).new_page()
    sign_in(patient, url, "walter.pimm")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    patient.goto(f"{url}/medications/refills")
    amlodipine = patient.locator("li.refill-request").filter(has_text="Amlodipine 5 MG Oral Tablet").first
    expect(_current_step(amlodipine)).to_contain_text("Asked for", timeout=SIGN_IN_WAIT)

    nurse = open_context(DESKTOP).new_page()
    sign_in(nurse, url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    nurse.goto(f"{url}/console/refills")
    request = nurse.locator("li.refill-review").filter(has_text="Walter Pimm")
    expect(request.get_by_text("Late")).to_be_visible(timeout=SIGN_IN_WAIT)  # asked 5 days ago: past the 2 working days
    request.get_by_role("button", name="Do not approve").click()
    expect(request.get_by_role("alert")).to_contain_text("Please choose a reason")
    request.get_by_label("Reason the patient will read").select_option("needs_lab")
    request.get_by_label("Explain in plain words (optional)").fill("Please come in for a kidney blood test this week.")
    request.get_by_role("button", name="Do not approve").click()
    expect(nurse.get_by_text("Not approved. The patient has been told why.")).to_be_visible(timeout=SIGN_IN_WAIT)

    expect(_current_step(amlodipine)).to_contain_text("Not approved", timeout=LIVE)
    expect(amlodipine).to_contain_text("You need a blood test first.")
    expect(amlodipine).to_contain_text("Please come in for a kidney blood test this week.")


def test_a_renewal_reaches_the_clinician_and_approved_restores_refills(mail_portal, open_context):
    url = mail_portal.url
    patient = open_context(PHONE).new_page()
    sign_in(patient, url, "walter.pimm")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    patient.goto(f"{url}/medications")
    medicine = patient.locator("li").filter(
        has=patient.get_by_role("heading", name="Hydrochlorothiazide 25 MG Oral Tablet"))
    expect(medicine).to_contain_text("No refills are left", timeout=SIGN_IN_WAIT)
    medicine.get_by_role("link", name="Ask for a renewal").click()
    expect(patient.get_by_role("heading", name="Which pharmacy?")).to_be_visible(timeout=SIGN_IN_WAIT)
    patient.get_by_role("button", name="Next").click()
    expect(patient.get_by_text("Hydrochlorothiazide 25 MG Oral Tablet — Renewal")).to_be_visible(timeout=SIGN_IN_WAIT)
    patient.get_by_role("button", name="Send request").click()
    expect(patient.get_by_role("heading", name="Your request was sent")).to_be_visible(timeout=SIGN_IN_WAIT)

    doctor = open_context(DESKTOP).new_page()
    sign_in(doctor, url, "dr.okafor")
    expect(doctor).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    doctor.goto(f"{url}/console/refills")
    request = doctor.locator("li.refill-review").filter(has_text="Walter Pimm").filter(
        has_text="Hydrochlorothiazide 25 MG Oral Tablet")
    expect(request.get_by_text("Renewal", exact=True)).to_be_visible(timeout=SIGN_IN_WAIT)
    request.get_by_label("Refills left after this").fill("3")
    request.get_by_role("button", name="Approve", exact=True).click()
    expect(doctor.get_by_text("Approved. The patient has been told.")).to_be_visible(timeout=SIGN_IN_WAIT)

    patient.goto(f"{url}/medications")
    expect(medicine).to_contain_text("Refills left: 3", timeout=SIGN_IN_WAIT)
    expect(medicine).to_contain_text("Approved")
