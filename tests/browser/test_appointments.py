"""Appointments in real Chromium at phone size: book (seen on the home page and in the list), the
.ics file (clinic zone, no visit reason), reschedule, cancel with a reason; a visit less than
24 hours away says to call; a time booked in one browser vanishes live from another's open
calendar. axe-core checks each step's screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in

WAIT = 20_000  # ms: sign-in and page loads with several queries take seconds on a busy machine
LIVE = 15_000  # ms: a taken time disappears from another open calendar within this


def _signed_in(open_context, url: str, username: str, viewport=PHONE):
    page = open_context(viewport).new_page()
    sign_in(page, url, username)
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    return page


def _to_times(page, url: str, visit: str = "Check-up", clinician: str = "Dr. Amara Okafor, MD", check: str = "",
              later: bool = False):
    """Book a visit: type, clinician, the first day with openings (``later``: the second one next month,
    more than a day ahead, so the visit can still be changed online); returns that day's time buttons."""
    page.goto(f"{url}/appointments/book")
    page.get_by_role("button", name=re.compile(f"^{visit}")).click()
    expect(page.get_by_role("heading", name="Who would you like to see?")).to_be_visible(timeout=WAIT)
    if check:
        _check(page, f"{check}-2-clinician", "390")
    page.get_by_role("button", name=re.compile(f"^{re.escape(clinician)}")).click()
    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible(timeout=WAIT)
    if check:
        _check(page, f"{check}-3-calendar", "390")
    if later:
        month = page.locator("main h3").inner_text()
        page.get_by_role("button", name="Next month").click()
        expect(page.locator("main h3")).not_to_have_text(month)
    page.locator(".appt-day-open").nth(1 if later else 0).click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible(timeout=WAIT)
    if check:
        _check(page, f"{check}-4-times", "390")
    return page.locator(".appt-time")


def _clinic_time(button) -> str:
    """A time button's time as the clinic's clock reads it (the list shows clinic time)."""
    text = button.inner_text()
    noted = re.search(r"Clinic time:\s*(.+)", text)
    return noted.group(1).strip() if noted else text.splitlines()[0].strip()


def test_book_see_download_move_and_cancel(portal, open_context):
    url = portal.url
    page = _signed_in(open_context, url, "nadia.farouk")
    page.goto(f"{url}/appointments")
    expect(page.get_by_role("heading", name="No visits booked")).to_be_visible(timeout=WAIT)
    _check(page, "appointments-empty", "390")
    # reminder times: a day and 2 hours by default; add 3 days
    expect(page.get_by_role("checkbox", name="1 day before")).to_be_checked()
    expect(page.get_by_role("checkbox", name="3 days before")).not_to_be_checked()
    page.get_by_role("checkbox", name="3 days before").click()
    page.get_by_role("button", name="Save reminder times").click()
    expect(page.get_by_text("Your reminder times are saved.")).to_be_visible(timeout=WAIT)
    page.reload()
    expect(page.get_by_role("checkbox", name="3 days before")).to_be_checked(timeout=WAIT)
    page.get_by_role("link", name="Book a visit").first.click()
    expect(page.get_by_role("heading", name="What kind of visit do you need?")).to_be_visible(timeout=WAIT)
    _check(page, "book-1-type", "390")
    expect(page.get_by_role("button", name=re.compile("^Minor procedure"))).to_have_count(0)  # front desk only
    times = _to_times(page, url, check="book", later=True)
    first = times.first
    chosen = first.inner_text().splitlines()[0].strip()
    first.click()
    expect(page.get_by_role("heading", name="What is the visit for?")).to_be_visible(timeout=WAIT)
    _check(page, "book-5-reason", "390")
    page.get_by_label(re.compile("^Reason for the visit")).fill("Knee pain when walking")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Check your visit")).to_be_visible(timeout=WAIT)
    expect(page.locator("main")).to_contain_text("Knee pain when walking")
    _check(page, "book-6-review", "390")
    page.get_by_role("button", name="Book this visit").click()
    expect(page.get_by_role("heading", name="Your visit is booked")).to_be_visible(timeout=WAIT)
    expect(page.locator("main")).to_contain_text(chosen)
    _check(page, "book-7-done", "390")

    page.goto(f"{url}/home")
    card = page.locator(".appt-next")
    expect(card).to_contain_text("Dr. Amara Okafor, MD", timeout=WAIT)
    expect(card).to_contain_text("Maple Grove Main Clinic")

    page.goto(f"{url}/appointments")
    visit = page.locator("li.appt-upcoming")
    expect(visit).to_have_count(1, timeout=WAIT)
    expect(visit).to_contain_text("Check-up · Dr. Amara Okafor, MD")
    expect(visit).to_contain_text("210 Maple Grove Road")
    expect(visit).to_contain_text("Bring your medicines")
    _check(page, "appointments-list", "390")
    # The link's file, fetched with this browser's own session (Playwright's download event did not fire
    # for this plain link in headless mobile Chromium; the browser gets exactly this response).
    link = visit.get_by_role("link", name="Add to my calendar")
    response = page.request.get(f"{url}{link.get_attribute('href')}")
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"].startswith("attachment")
    ics = response.text()
    assert "BEGIN:VEVENT" in ics and "TZID=America/Chicago" in ics and "BEGIN:VTIMEZONE" in ics
    assert "Check-up" in ics and "Knee pain" not in ics

    # Move it: the same flow from "Change time", to the last time of the first open day.
    visit.get_by_role("link", name="Change time").click()
    expect(page.get_by_role("heading", name="Change the time of a visit")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible(timeout=WAIT)
    _check(page, "move-calendar", "390")
    month = page.locator("main h3").inner_text()
    page.get_by_role("button", name="Next month").click()
    expect(page.locator("main h3")).not_to_have_text(month)
    page.locator(".appt-day-open").nth(1).click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible(timeout=WAIT)
    later = page.locator(".appt-time").last
    new_time = _clinic_time(later)
    later.click()
    expect(page.get_by_role("heading", name="Check your visit")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Move my visit to this time").click()
    expect(page.get_by_role("heading", name="Your visit has a new time")).to_be_visible(timeout=WAIT)
    page.get_by_role("link", name="See my appointments").click()
    expect(visit).to_have_count(1, timeout=WAIT)
    expect(visit).to_contain_text(new_time)

    # Cancel it with a reason.
    visit.get_by_role("button", name="Cancel visit").click()
    page.get_by_label("Why are you cancelling?").fill("My knee is better")
    _check(page, "appointments-cancel", "390")
    page.get_by_role("button", name="Yes, cancel this visit").click()
    expect(page.get_by_text("Your visit is cancelled.")).to_be_visible(timeout=WAIT)
    expect(visit).to_have_count(0)
    expect(page.locator("li.appt-past").first).to_contain_text("Cancelled")
    expect(page.locator("li.appt-past").first).to_contain_text("My knee is better")


def test_a_visit_less_than_a_day_away_says_to_call(portal, open_context):
    page = _signed_in(open_context, portal.url, "walter.pimm")
    page.goto(f"{portal.url}/appointments")
    visit = page.locator("li.appt-upcoming").first
    expect(visit).to_contain_text("Follow-up visit", timeout=WAIT)
    expect(visit).to_contain_text("less than 24 hours away")
    expect(visit.get_by_role("button", name="Cancel visit")).to_have_count(0)
    expect(visit.get_by_role("link", name="Change time")).to_have_count(0)
    _check(page, "appointments-late", "390")
    # Pre-visit check-in is open (less than 3 days away): contact on file, insurance question.
    visit.get_by_role("button", name="Check in before your visit").click()
    expect(visit).to_contain_text("walter.pimm@example.com", timeout=WAIT)
    visit.get_by_label("Yes, this is right").check()
    visit.get_by_label("No, it changed (please bring the new card)").check()
    _check(page, "appointments-checkin", "390")
    visit.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_text("Thank you. You are checked in for your visit.")).to_be_visible(timeout=WAIT)
    expect(visit).to_contain_text("You checked in for this visit.")
    page.set_viewport_size(DESKTOP)
    _check(page, "appointments-late", "1280")


def test_a_time_booked_elsewhere_vanishes_from_an_open_calendar(portal, open_context):
    url = portal.url
    watcher = _signed_in(open_context, url, "walter.pimm", DESKTOP)
    booker = _signed_in(open_context, url, "sam.oduya")
    _to_times(watcher, url)  # the same visit type, clinician and first open day as the booker's
    _check(watcher, "book-4-times", "1280")
    first = _to_times(booker, url).first
    label = first.inner_text().splitlines()[0].strip()
    seen = watcher.locator(".appt-time").filter(has_text=re.compile(f"^{re.escape(label)}"))
    expect(seen).to_have_count(1, timeout=WAIT)
    first.click()
    booker.get_by_role("button", name="Next").click()
    booker.get_by_role("button", name="Book this visit").click()
    expect(booker.get_by_role("heading", name="Your visit is booked")).to_be_visible(timeout=WAIT)
    expect(seen).to_have_count(0, timeout=LIVE)


def test_the_front_desk_books_for_a_patient_who_sees_it_live_and_marks_arrived_and_missed(portal, open_context):
    url = portal.url
    patient = _signed_in(open_context, url, "nadia.farouk")
    patient.goto(f"{url}/appointments")
    expect(patient.get_by_role("heading", name="My appointments")).to_be_visible(timeout=WAIT)
    expect(patient.locator("main").get_by_text("Loading…")).to_have_count(0, timeout=WAIT)
    before = patient.locator("li.appt-upcoming").count()

    desk = open_context(DESKTOP).new_page()
    sign_in(desk, url, "desk.tanaka")
    expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    desk.goto(f"{url}/console/schedule")
    started = desk.locator("li.desk-visit").filter(has_text="Rosa Delgado")
    coming = desk.locator("li.desk-visit").filter(has_text="Lily Farouk").filter(has_text="Follow-up visit")
    expect(started).to_have_count(1, timeout=WAIT)
    _check(desk, "console-schedule", "1280")
    started.get_by_role("button", name="Mark missed").click()
    expect(started).to_contain_text("Missed", timeout=WAIT)
    coming.get_by_role("button", name="Check in").click()
    expect(coming).to_contain_text("Checked in", timeout=WAIT)
    expect(coming.get_by_role("button", name="Mark done")).to_be_visible()

    desk.get_by_label("Patient's MRN").fill("MG-100203")  # Nadia Farouk
    desk.get_by_role("button", name="Find patient").click()
    expect(desk.get_by_text("Booking for")).to_contain_text("Nadia Farouk", timeout=WAIT)
    desk.get_by_label("With").select_option(label="Dr. Amara Okafor, MD")
    for _ in range(5):  # today may be over, or a weekend: go on to a day with open times
        desk.get_by_role("button", name="Show open times this day").click()
        desk.wait_for_timeout(1500)
        if desk.locator(".desk-time").count():
            break
        desk.get_by_role("button", name="Next day").click()
        expect(desk.get_by_text("Booking for")).to_be_visible()
    desk.locator(".desk-time").first.click()
    expect(desk.get_by_text("Booked. The patient can see it now.")).to_be_visible(timeout=WAIT)
    expect(patient.locator("li.appt-upcoming")).to_have_count(before + 1, timeout=LIVE)
