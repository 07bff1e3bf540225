"""The record timeline and "ask my care team about this result" in real Chromium at 390x844 (and
the timeline at 1280x800): events by month, filtered by section and dates, paged; a held result
is not in it; the message started from a result names it (not its value) and the nurse sees which
result it is about. axe-core checks each page; screenshots land in test-artifacts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app import clock, db
from portal_app.models.message import MessageThread
from portal_app.models.people import Role, User
from portal_app.models.record import DiagnosticReport, Immunization
from portal_app.services import result_release
from portal_app.services.access import Actor
from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in
from tests.support.server import serve_portal

WAIT = 20_000  # ms: sign-in and page loads take seconds on a busy machine


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_portal(tmp_path_factory.mktemp("timeline"), timeout=600) as portal:  # 2 cores, shared
        yield portal


def _walter(session) -> tuple[Actor, int]:
    doctor = session.exec(select(User).where(User.username == "dr.okafor")).one()
    walter = session.exec(select(User).where(User.username == "walter.pimm")).one()
    assert doctor.role == Role.CLINICIAN
    return Actor(role=doctor.role, user_id=doctor.id, display_name=doctor.display_name), walter.patient_id


def _signed_in(open_context, served, viewport=PHONE):
    page = open_context(viewport).new_page()
    sign_in(page, served.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    return page


def test_the_timeline_lists_the_record_by_month_filters_and_pages(served, open_context):
    page = _signed_in(open_context, served)
    page.goto(f"{served.url}/health")
    page.get_by_role("link", name="My record over time").click()
    expect(page.get_by_role("heading", name="My record over time")).to_be_visible(timeout=WAIT)
    events = page.locator("li.timeline-event")
    expect(events.first).to_be_visible(timeout=WAIT)
    expect(events.filter(has_text="Lipid panel").first).to_contain_text("Test result")
    expect(page.get_by_role("heading", level=2).first).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{4}$"))
    _check(page, "/health/timeline", "390")

    page.get_by_role("button", name="Shots", exact=True).click()
    expect(page.get_by_role("button", name="Shots", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(events.filter(has_text="Lipid panel")).to_have_count(0, timeout=WAIT)
    expect(events.first).to_contain_text("Shot")
    kinds = set(events.locator(".rt-Badge").all_inner_texts())
    assert kinds == {"Shot"}, kinds

    page.get_by_role("button", name="Everything").click()
    page.get_by_text("Show only a period of time").click()
    page.get_by_label("From").fill("2030-01-01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Nothing here")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Show all", exact=True).click()
    expect(events.first).to_be_visible(timeout=WAIT)


def test_thousands_of_items_page_and_a_held_result_is_not_there(served, open_context):
    with db.transaction(served.env["PORTAL_DATABASE_URL"]) as session:
        doctor, walter = _walter(session)
        session.add_all([Immunization(patient_id=walter, name=f"Old shot {n}",
                                      given_on=(clock.now() - timedelta(days=4000 + n)).date()) for n in range(1200)])
        panel = session.exec(select(DiagnosticReport).where(DiagnosticReport.patient_id == walter,
                                                            DiagnosticReport.name == "Basic metabolic panel")).first()
        result_release.hold(session, doctor, walter, report_id=panel.id, reason="Call first",
                            ends_at=clock.now() + timedelta(days=2))
    page = _signed_in(open_context, served)
    page.goto(f"{served.url}/health/timeline")
    events = page.locator("li.timeline-event")
    expect(events.first).to_be_visible(timeout=WAIT)
    expect(events).to_have_count(50)
    expect(events.filter(has_text="Basic metabolic panel")).to_have_count(0)
    expect(page.get_by_text("Call first")).to_have_count(0)
    first_page = events.first.inner_text()
    page.locator("#timeline-older").click()
    expect(page.locator("#timeline-newer")).to_be_visible(timeout=WAIT)
    expect(events.first).not_to_have_text(first_page)
    page.locator("#timeline-newer").click()
    expect(page.locator("#timeline-newer")).to_have_count(0, timeout=WAIT)

    desk = _signed_in(open_context, served, DESKTOP)
    desk.goto(f"{served.url}/health/timeline")
    expect(desk.locator("li.timeline-event").first).to_be_visible(timeout=WAIT)
    _check(desk, "/health/timeline", "1280")


def test_asking_about_a_result_starts_a_message_naming_it_and_the_nurse_sees_which(served, open_context):
    page = _signed_in(open_context, served)
    page.goto(f"{served.url}/health/results")
    page.get_by_role("link").filter(has_text="LDL cholesterol").first.click()
    page.get_by_role("link", name="Ask my care team about this result").click()

    expect(page).to_have_url(re.compile(r"/messages/new\?topic=result&result=\d+"), timeout=WAIT)
    expect(page.locator(".compose-result")).to_contain_text("About the result: LDL cholesterol", timeout=WAIT)
    box = page.get_by_label("Your message")
    expect(box).to_have_value(re.compile(r"^Question about my result LDL cholesterol"))
    assert "104" not in box.input_value()
    _check(page, "/messages/new-result", "390")
    box.press("Control+End")
    box.type("Is this good for me?")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".compose-result")).to_contain_text("LDL cholesterol", timeout=WAIT)
    page.get_by_role("button", name="Send message").click()
    page.get_by_role("link", name="See my message").click()
    expect(page.locator(".thread-result")).to_contain_text("LDL cholesterol", timeout=WAIT)

    with db.transaction(served.env["PORTAL_DATABASE_URL"]) as session:
        thread = session.exec(select(MessageThread).where(MessageThread.result_observation_id.is_not(None))).one()
        assert thread.topic == "result" and "LDL cholesterol" in thread.subject and "104" not in thread.subject

    nurse = open_context(DESKTOP).new_page()
    sign_in(nurse, served.url, "rn.baptiste")
    expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    nurse.goto(f"{served.url}/console/messages?t={thread.id}")
    expect(nurse.locator(".thread-result")).to_contain_text("About the result: LDL cholesterol", timeout=WAIT)
