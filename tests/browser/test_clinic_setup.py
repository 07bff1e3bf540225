"""The admin's clinic set-up in real Chromium: a new visit type and a holiday show in a patient's
booking calendar at once (and go away again when retired and removed), and the holiday names the
visit already booked in it; a bad entry is explained and changes nothing; the clinic's time zone
is changed and stays saved; the front desk is sent away from the page. axe-core checks every tab at
1280x800 and at 390x844."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import expect
from sqlmodel import delete, select

from portal_app import db
from portal_app.models.clinic_setup import ClinicSettings, VisitType
from portal_app.models.people import User
from portal_app.services import appointments, booking
from portal_app.services.access import Actor
from portal_app.services.open_times import openings
from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, sign_in

WAIT = 20_000  # ms: sign-in and page loads take seconds on a busy machine
TABS = {"types": "Visit types", "hours": "Working hours", "time_off": "Time off", "locations": "Locations",
        "zone": "Time zone"}


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


def _actor(session, username: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).one()
    return Actor(role=user.role, user_id=user.id, patient_id=user.patient_id)


def _book_visit(database: str, username: str, day) -> tuple[int, int]:
    """A check-up booked as the patient would, at the day's first open time: (patient id, visit id)."""
    with db.transaction(database) as session:
        patient = _actor(session, username)
        checkup = session.exec(select(VisitType).where(VisitType.name == "Check-up")).one()
        opening = openings(session, checkup, day, day)[day][0]
        return patient.patient_id, booking.book(session, patient, patient.patient_id, checkup.id,
                                                opening.clinician_user_id, opening.starts_at.isoformat())


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

    # a visit already booked that day stays, and the admin is told to call the patient
    patient_id, visit = _book_visit(portal.env["PORTAL_DATABASE_URL"], "nadia.farouk", day)
    admin.get_by_role("tab", name="Time off").click()
    off = admin.locator("#time-off-form")
    off.get_by_label("What it is").fill("Staff training day")
    off.get_by_label("First day", exact=True).fill(day.isoformat())
    off.get_by_label("Last day", exact=True).fill(day.isoformat())
    off.get_by_role("button", name="Add time off").click()
    expect(admin.get_by_role("status")).to_contain_text("Saved", timeout=WAIT)
    warning = admin.locator("#booked-in-time-off")
    expect(warning).to_contain_text(re.compile(r"booked visits? falls? in this time off\. (It is|They are) not moved"))
    expect(warning.get_by_role("listitem").filter(has_text="Nadia Farouk")).to_contain_text(day.strftime("%B"))
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
    with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:  # other tests share this portal
        appointments.cancel(session, _actor(session, "desk.tanaka"), patient_id, visit, "Test over")


def test_admin_changes_the_clinics_time_zone_and_it_stays_saved(portal, open_context):
    url = portal.url
    admin = _signed_in(open_context, url, "admin.hughes", r"/console/?$", DESKTOP)
    _setup_page(admin, url)
    try:
        admin.get_by_role("tab", name="Time zone").click()
        zone = admin.locator("#zone-form")
        expect(zone).to_contain_text("Visits already booked keep their moment in time.")
        expect(zone.get_by_label("Time zone")).to_have_value("America/Chicago")
        zone.get_by_label("Time zone").select_option("America/New_York")
        zone.get_by_role("button", name="Save the time zone").click()
        expect(admin.get_by_role("status")).to_contain_text("Opening times now use this time zone", timeout=WAIT)

        admin.reload()
        expect(admin.get_by_role("heading", name="Clinic set-up", level=1)).to_be_visible(timeout=WAIT)
        admin.get_by_role("tab", name="Working hours").click()
        expect(admin.get_by_text("Times are clinic time (America/New_York).")).to_be_visible()
        admin.get_by_role("tab", name="Time zone").click()
        expect(admin.locator("#zone-form").get_by_label("Time zone")).to_have_value("America/New_York")
        _check(admin, "clinic-setup-zone-saved", "1280")

        admin.locator("#zone-form").get_by_label("Time zone").select_option("America/Chicago")
        admin.locator("#zone-form").get_by_role("button", name="Save the time zone").click()
        expect(admin.get_by_role("status")).to_contain_text("Opening times now use this time zone", timeout=WAIT)
        expect(admin.locator("#zone-form").get_by_label("Time zone")).to_have_value("America/Chicago")
    finally:  # other tests share this portal: back to the operator's zone whatever happened
        with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:
            session.execute(delete(ClinicSettings))


def test_the_front_desk_is_sent_away_and_sees_no_set_up(portal, open_context):
    page = _signed_in(open_context, portal.url, "desk.tanaka", r"/console/?$")
    page.goto(f"{portal.url}/console/setup")
    expect(page).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    expect(page.get_by_role("tab", name="Visit types")).to_have_count(0)
