"""The admin's clinic set-up in real Chromium: a new visit type and a holiday show in a patient's
booking calendar at once (and go away again when retired and removed); a bad entry is explained
and changes nothing; the front desk is sent away from the page. axe-core checks every tab at
1280x800 and at 390x844."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import expect

from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in

WAIT = 20_000  # ms: sign-in and page loads take seconds on a busy machine
TABS = {"types": "Visit types", "hours": "Working hours", "time_off": "Time off", "locations": "Locations"}


def _signed_in(open_context, url: str, username: str, home: str, viewport=PHONE):
    page = open_context(viewport).new_page()
    sign_in(page, url, username)
    expect(page).to_have_url(re.compile(home), timeout=WAIT)
    return page


def _setup_page(page, url: str):
    page.goto(f"{url}/console/setup")
    expect(page.get_by_role("heading", name="Clinic set-up", level=1)).to_be_visible(timeout=WAIT)


def _calendar(page, url: str, visit: str = "Check-up"):
    """The patient's month calendar for a visit type with Dr. Okafor."""
    page.goto(f"{url}/appointments/book")
    page.get_by_role("button", name=re.compile(f"^{visit}")).click()
    page.get_by_role("button", name=re.compile(r"^Dr\. Amara Okafor")).click()
    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible(timeout=WAIT)


def test_every_tab_passes_axe_at_both_sizes(portal, open_context):
    for viewport, size in ((DESKTOP, "1280"), (PHONE, "390")):
        page = _signed_in(open_context, portal.url, "admin.hughes", r"/console/?$", viewport)
        _setup_page(page, portal.url)
        for key, name in TABS.items():
            page.get_by_role("tab", name=name).click()
            expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
            _check(page, f"clinic-setup-{key}", size)


def test_admin_adds_a_visit_type_and_a_holiday_and_the_patients_calendar_follows(portal, open_context):
    url = portal.url
    patient = _signed_in(open_context, url, "nadia.farouk", r"/home/?$")
    patient.goto(f"{url}/appointments/book")
    expect(patient.get_by_role("heading", name="What kind of visit do you need?")).to_be_visible(timeout=WAIT)
    expect(patient.get_by_role("button", name=re.compile("^Travel vaccine consult"))).to_have_count(0)
    _calendar(patient, url)
    day_label = patient.locator(".appt-day-open").nth(2).get_attribute("aria-label")
    day = datetime.strptime(day_label.rsplit(", ", 1)[0], "%A, %B %d, %Y").date()

    admin = _signed_in(open_context, url, "admin.hughes", r"/console/?$", DESKTOP)
    _setup_page(admin, url)
    # a block that overlaps Dr. Okafor's Monday hours is explained and changes nothing; what was typed stays
    admin.get_by_role("tab", name="Working hours").click()
    hours = admin.locator("#hours-form")
    hours.get_by_label("Clinician").select_option(label="Dr. Amara Okafor, MD")
    hours.get_by_label("Day of the week").select_option(label="Monday")
    hours.get_by_label("Starts").fill("10:00")
    hours.get_by_label("Ends").fill("11:00")
    hours.get_by_role("button", name="Add working hours").click()
    expect(admin.get_by_role("alert")).to_contain_text("overlap", timeout=WAIT)
    expect(hours.get_by_label("Starts")).to_have_value("10:00")
    expect(admin.get_by_role("listitem").filter(has_text="Monday 10:00")).to_have_count(0)

    admin.get_by_role("tab", name="Visit types").click()
    form = admin.locator("#visit_type-form")
    form.get_by_label("Name", exact=True).fill("Travel vaccine consult")
    form.get_by_label("Name in Spanish").fill("Consulta de vacunas de viaje")
    form.get_by_label("Length (minutes)").fill("20")
    form.get_by_label("Time kept free after (minutes)").fill("10")
    form.get_by_role("button", name="Add a visit type").click()
    expect(admin.get_by_role("status")).to_contain_text("Saved", timeout=WAIT)
    expect(admin.get_by_text("Travel vaccine consult", exact=True)).to_be_visible()

    admin.get_by_role("tab", name="Time off").click()
    off = admin.locator("#time-off-form")
    off.get_by_label("What it is").fill("Staff training day")
    off.get_by_label("First day", exact=True).fill(day.isoformat())
    off.get_by_label("Last day", exact=True).fill(day.isoformat())
    off.get_by_role("button", name="Add time off").click()
    expect(admin.get_by_role("status")).to_contain_text("Saved", timeout=WAIT)
    holiday = admin.get_by_role("listitem").filter(has_text="Staff training day")
    expect(holiday).to_contain_text("Whole clinic")
    _check(admin, "clinic-setup-time-off-added", "1280")

    # the patient, starting the booking again, sees the new type and the day without openings
    patient.goto(f"{url}/appointments/book")
    expect(patient.get_by_role("button", name=re.compile("^Travel vaccine consult"))).to_be_visible(timeout=WAIT)
    _calendar(patient, url)
    expect(patient.locator(f'[aria-label="{day_label}"]')).to_have_count(0)
    expect(patient.get_by_label(day_label.replace("has open times", "no open times"))).to_be_visible()
    _check(patient, "clinic-setup-patient-calendar", "390")

    # undo: remove the holiday, retire the type; the patient sees the day open again and no new type
    holiday.get_by_role("button", name="Remove: Staff training day").click()
    expect(admin.get_by_role("status")).to_contain_text("Removed", timeout=WAIT)
    admin.get_by_role("tab", name="Visit types").click()
    admin.get_by_role("button", name="Retire: Travel vaccine consult").click()
    expect(admin.get_by_role("listitem").filter(has_text="Travel vaccine consult")).to_contain_text("Retired",
                                                                                                   timeout=WAIT)
    patient.goto(f"{url}/appointments/book")
    expect(patient.get_by_role("heading", name="What kind of visit do you need?")).to_be_visible(timeout=WAIT)
    expect(patient.get_by_role("button", name=re.compile("^Travel vaccine consult"))).to_have_count(0)
    _calendar(patient, url)
    expect(patient.locator(f'[aria-label="{day_label}"]')).to_have_count(1)


def test_the_front_desk_is_sent_away_and_sees_no_set_up(portal, open_context):
    page = _signed_in(open_context, portal.url, "desk.tanaka", r"/console/?$")
    page.goto(f"{portal.url}/console/setup")
    expect(page).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    expect(page.get_by_role("tab", name="Visit types")).to_have_count(0)
