"""The front desk's week view and moving a visit, in real Chromium: the desk finds Sam's video visit
in the week (without its reason: that is for clinical staff), moves it to another open time, and
Sam's open "My appointments" page shows the new time without a reload. The week at phone size is
a list of days, narrowed by location. axe-core checks each screen at both sizes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in

WAIT = 20_000  # ms: sign-in and page loads with several queries take seconds on a busy machine
LIVE = 15_000  # ms: the patient's open page shows the move within this


def _desk(open_context, url: str, viewport):
    page = open_context(viewport).new_page()
    sign_in(page, url, "desk.tanaka")
    expect(page).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    page.goto(f"{url}/console/schedule")
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Week", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Week of "))).to_be_visible(timeout=WAIT)
    return page


def _week_with(page, who: str, kind: str):
    """Step on week by week until this patient's visit of this kind shows (the demo books Sam's video
    visit about nine days ahead; other tests on the shared portal may book him more visits)."""
    visit = page.locator("li.desk-week-visit").filter(has_text=who).filter(has_text=kind)
    for _ in range(3):
        if visit.count():
            break
        heading = page.get_by_text(re.compile(r"^Week of ")).inner_text()
        page.get_by_role("button", name="Next week").click()
        expect(page.get_by_text(re.compile(r"^Week of "))).not_to_have_text(heading, timeout=WAIT)
        page.wait_for_timeout(500)
    expect(visit).to_have_count(1, timeout=WAIT)
    return visit


def test_the_front_desk_moves_a_visit_from_the_week_and_the_patients_open_page_updates(portal, open_context):
    url = portal.url
    patient = open_context(DESKTOP).new_page()
    sign_in(patient, url, "sam.oduya")
    expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    patient.goto(f"{url}/appointments")
    expect(patient.get_by_role("heading", name="My appointments")).to_be_visible(timeout=WAIT)
    video = patient.locator("li.appt-upcoming").filter(has_text="Video visit")
    expect(video).to_have_count(1, timeout=WAIT)
    before = video.inner_text()

    desk = _desk(open_context, url, DESKTOP)
    visit = _week_with(desk, "Sam Oduya", "Video visit")
    expect(desk.locator("main")).not_to_contain_text("Talk about my test results")  # the reason is clinical
    _check(desk, "console-week", "1280")

    visit.get_by_role("button", name="Move").click()
    expect(desk.get_by_role("heading", name="Move a visit")).to_be_visible(timeout=WAIT)
    expect(desk.locator("#move-panel")).to_contain_text("Sam Oduya")
    times = desk.locator(".desk-move-time")
    expect(times.first).to_be_visible(timeout=WAIT)
    _check(desk, "console-week-move", "1280")
    times.nth(1).click()  # the first may be the visit's own time
    expect(desk.get_by_text("Moved. The patient can see the new time now")).to_be_visible(timeout=WAIT)
    expect(desk.get_by_role("heading", name="Move a visit")).to_have_count(0)

    expect(video).to_have_count(1, timeout=LIVE)
    expect(video).not_to_have_text(before, timeout=LIVE)  # the new time, live


def test_the_week_on_a_phone_is_a_list_of_days_narrowed_by_location(portal, open_context):
    desk = _desk(open_context, portal.url, PHONE)
    visit = _week_with(desk, "Sam Oduya", "Video visit")  # at the Riverside Office
    expect(desk.locator("section.desk-week-day")).to_have_count(7)
    _check(desk, "console-week", "390")
    desk.get_by_label("Location").select_option(label="Maple Grove Main Clinic")
    desk.get_by_role("button", name="Show these visits").click()
    expect(visit).to_have_count(0, timeout=WAIT)
    desk.get_by_label("Location").select_option(label="Riverside Office")
    desk.get_by_role("button", name="Show these visits").click()
    expect(visit).to_have_count(1, timeout=WAIT)
    visit.get_by_role("button", name="Move").click()
    expect(desk.get_by_role("heading", name="Move a visit")).to_be_visible(timeout=WAIT)
    _check(desk, "console-week-move", "390")
    desk.get_by_role("button", name="Keep the old time").click()
    expect(desk.get_by_role("heading", name="Move a visit")).to_have_count(0)
