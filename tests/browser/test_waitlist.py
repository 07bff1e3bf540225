"""The wait list in real Chromium at phone size: a patient asks for an earlier time from her visit
card; when one is offered to her and to another patient (two browser contexts), the first to take
it gets it and the other is told plainly that it has gone. The front desk sees the list. axe-core
checks each new screen, at 390x844 and 1280x800."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from portal_app import db, localtime
from portal_app.models.clinic_setup import VisitType
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role, User
from portal_app.services import booking, mfa, waitlist
from portal_app.services.access import Actor
from portal_app.services.demo_clinic import authenticator_key
from portal_app.services.open_times import openings
from portal_app.services.passwords import hash_password
from tests.browser.test_accessibility import _check
from tests.support.browser import DESKTOP, PHONE, demo_password, fresh_demo_code, sign_in

WAIT = 60_000  # ms: sign-in redirects took over 20 s on this shared 2-core machine under load


def _patient(session, given: str) -> tuple[str, Actor, int]:
    """A chart with an account that signs in like the demo people (their password and app)."""
    username = f"wl{secrets.token_hex(3)}.{given.lower()}"
    chart = Patient(mrn=f"WL-{secrets.token_hex(4).upper()}", given_name=given, family_name="Waiting",
                    birth_date=localtime.today().replace(year=1950), sex="female", email=f"{username}@example.org")
    session.add(chart)
    session.flush()
    user = User(username=username, display_name=f"{given} Waiting", role=Role.PATIENT, patient_id=chart.id,
                email=chart.email, password_hash=hash_password(demo_password(username)))
    session.add(user)
    session.flush()
    mfa.enrol_confirmed(session, user.id, authenticator_key(username))
    return username, Actor(role=Role.PATIENT, user_id=user.id, patient_id=chart.id), chart.id


def _two_patients_with_later_visits(url: str):
    """Ada and Bea, each with a check-up about six weeks out; Bea already waits for an earlier one."""
    with db.transaction(url) as session:
        checkup = session.exec(select(VisitType).where(VisitType.name == "Check-up")).one()
        later = localtime.today() + timedelta(days=42)
        times = [o for day, found in sorted(openings(session, checkup, later, later + timedelta(days=14)).items())
                 for o in found]
        people = []
        for given, opening in zip(("Ada", "Bea"), (times[0], times[-1])):
            username, who, chart = _patient(session, given)
            visit = booking.book(session, who, chart, checkup.id, opening.clinician_user_id,
                                 opening.starts_at.isoformat())
            people.append((username, who, chart, visit))
        not_before = localtime.today() + timedelta(days=7)
        waitlist.ask(session, people[1][1], people[1][2], people[1][3], False, not_before.isoformat())
    return people, not_before


def _signed_in(open_context, url: str, username: str, home: str = "/home"):
    page = open_context(PHONE).new_page()
    sign_in(page, url, username)
    expect(page).to_have_url(re.compile(f"{home}/?$"), timeout=WAIT)
    return page


def _open_offer(page, url: str):
    page.goto(f"{url}/appointments")
    expect(page.locator(".waitlist-offer")).to_be_visible(timeout=WAIT)
    page.get_by_role("link", name="See the earlier time").click()
    expect(page.get_by_role("heading", name="An earlier time")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="Take this time")).to_be_visible(timeout=WAIT)


def test_an_offer_is_taken_by_one_of_two_patients_and_refused_to_the_other(portal, open_context):
    url = portal.url
    database = portal.env["PORTAL_DATABASE_URL"]
    (ada, bea), not_before = _two_patients_with_later_visits(database)

    # Ada asks from her visit card: any clinician, not before a week from today
    ada_page = _signed_in(open_context, url, ada[0])
    ada_page.goto(f"{url}/appointments")
    ada_page.get_by_role("button", name="Tell me if an earlier time opens").click()
    expect(ada_page.get_by_role("heading", name="Look for an earlier time")).to_be_visible(timeout=WAIT)
    ada_page.get_by_label("Any clinician who does this kind of visit").check()
    ada_page.get_by_label(re.compile("^Not before")).fill(not_before.isoformat())
    _check(ada_page, "waitlist-ask", "390")
    ada_page.get_by_role("button", name="Add me to the list").click()
    expect(ada_page.get_by_text("You are on the list. If an earlier time opens")).to_be_visible(timeout=WAIT)
    expect(ada_page.locator(".waitlist-on")).to_contain_text("with any clinician")

    # the job (also run by the portal's own scheduler each minute: either way, each is offered once)
    with db.transaction(database) as session:
        waitlist.offer_open_times(session)

    bea_page = _signed_in(open_context, url, bea[0])
    _open_offer(bea_page, url)
    _check(bea_page, "waitlist-offer", "390")
    _open_offer(ada_page, url)
    offered = ada_page.locator("main h2").first.inner_text()
    assert bea_page.locator("main h2").first.inner_text() == offered  # the same time, to both

    # the front desk sees both waiting, with an offer out, on phone and desktop
    desk = _signed_in(open_context, url, "desk.tanaka", home="/console")
    desk.goto(f"{url}/console/schedule")
    desk.get_by_role("link", name="Wait list").click()
    expect(desk.get_by_role("heading", name="Wait list")).to_be_visible(timeout=WAIT)
    for row in (ada, bea):
        expect(desk.locator(".desk-waitlist", has_text=f"{row[0].split('.')[1].title()} Waiting")).to_contain_text(
            "Offer sent", timeout=WAIT)
    _check(desk, "console-waitlist", "390")
    desk.set_viewport_size(DESKTOP)
    _check(desk, "console-waitlist", "1280")

    # Ada takes it first; Bea, a moment later, is told it has gone and keeps her visit
    ada_page.get_by_role("button", name="Take this time").click()
    expect(ada_page.get_by_text("Done. Your visit is now at this earlier time.")).to_be_visible(timeout=WAIT)
    _check(ada_page, "waitlist-taken", "390")
    bea_page.get_by_role("button", name="Take this time").click()
    expect(bea_page.locator(".waitlist-gone")).to_contain_text("Sorry, this time has gone.", timeout=WAIT)
    expect(bea_page.get_by_role("button", name="Take this time")).to_have_count(0)
    _check(bea_page, "waitlist-gone", "390")
    bea_page.set_viewport_size(DESKTOP)
    _check(bea_page, "waitlist-gone", "1280")

    # Ada's list shows the earlier visit; Bea is still on the list (Ada's old time, now free, may
    # already be on its way to her as the next offer)
    ada_page.goto(f"{url}/appointments")
    expect(ada_page.locator(".appt-upcoming").first).to_contain_text(offered, timeout=WAIT)
    bea_page.goto(f"{url}/appointments")
    expect(bea_page.locator(".waitlist-on")).to_be_visible(timeout=WAIT)


def _offer_link(database: str) -> tuple[str, str]:
    """A new patient on the list whom the job has offered an earlier time: (username, the notice's link path)."""
    with db.transaction(database) as session:
        checkup = session.exec(select(VisitType).where(VisitType.name == "Check-up")).one()
        later = localtime.today() + timedelta(days=42)
        times = [o for day, found in sorted(openings(session, checkup, later, later + timedelta(days=14)).items())
                 for o in found]
        username, who, chart = _patient(session, "Cai")
        last = times[-1]
        visit = booking.book(session, who, chart, checkup.id, last.clinician_user_id, last.starts_at.isoformat())
        waitlist.ask(session, who, chart, visit, False, (localtime.today() + timedelta(days=7)).isoformat())
    with db.transaction(database) as session:
        waitlist.offer_open_times(session)  # (or the portal's own scheduler did already)
    with db.transaction(database) as session:
        body = session.exec(select(OutboxMessage.body).where(OutboxMessage.patient_id == chart,
                                                             OutboxMessage.kind == "waitlist_offer")).first()
    found = re.search(r"/appointments/earlier\?t=[A-Za-z0-9_-]+", body or "")
    assert found, "the job offered no earlier time"
    return username, found.group(0)


def _sign_in_here(page, url: str, username: str) -> None:
    """The sign-in steps on the sign-in page the browser is on (its address kept, unlike sign_in)."""
    expect(page.locator("button[type=submit]")).to_be_enabled(timeout=WAIT)
    page.locator("#field-username").fill(username)
    page.locator("#field-password").fill(demo_password(username))
    page.locator("button[type=submit]").click()
    page.locator("#field-code").fill(fresh_demo_code(url, username))
    page.locator("button[type=submit]").click()


def test_a_claim_link_opened_signed_out_comes_back_after_sign_in_and_a_foreign_next_does_not(portal, open_context):
    url = portal.url
    username, link = _offer_link(portal.env["PORTAL_DATABASE_URL"])
    page = open_context(PHONE).new_page()
    page.goto(f"{url}{link}")  # from the email, not signed in on this phone
    expect(page).to_have_url(re.compile(r"/signin\?next="), timeout=WAIT)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _sign_in_here(page, url, username)
    path, query = link.split("?")
    expect(page).to_have_url(re.compile(re.escape(path) + r"/?\?" + re.escape(query) + "$"), timeout=WAIT)
    expect(page.get_by_role("heading", name="An earlier time")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_text("Done. Your visit is now at this earlier time.")).to_be_visible(timeout=WAIT)
    _check(page, "waitlist-taken-after-sign-in", "390")

    # A link someone made to send people elsewhere after signing in lands them at home instead.
    other = open_context(PHONE).new_page()
    other.goto(f"{url}/signin?next=//evil.example/appointments")
    _sign_in_here(other, url, username)
    expect(other).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)


def test_the_wait_list_is_shown_as_part_of_the_schedule_in_the_console_menu(portal, open_context):
    desk = _signed_in(open_context, portal.url, "desk.tanaka", home="/console")
    for size in (PHONE, DESKTOP):  # the tab bar, then the sidebar
        desk.set_viewport_size(size)
        desk.goto(f"{portal.url}/console/waitlist")
        expect(desk.get_by_role("heading", name="Wait list")).to_be_visible(timeout=WAIT)
        menu = desk.locator("nav[aria-label='Main menu']").locator("visible=true")
        current = menu.locator("[aria-current=page]")
        expect(current).to_have_count(1)
        expect(current).to_have_accessible_name("Schedule")
        _check(desk, "console-waitlist-menu", str(size["width"]))
