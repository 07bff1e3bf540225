"""axe-core finds no serious or critical problem on any page, at phone and desktop sizes."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, enter_password, sign_in

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
PATIENT_PAGES = ["/home", "/appointments", "/messages", "/health", "/more", "/account", "/account/profile"]
STAFF_PAGES = ["/console", "/console/account"]
ADMIN_PAGES = ["/console", "/console/notices", "/console/audit", "/console/staff", "/console/outbox", "/console/signups",
               "/console/profile-reviews"]
# Medicines and refills: seen by a patient with a full list (walter.pimm), the nurse's and the front desk's queue.
MEDICATION_PAGES = ["/medications", "/medications/refill", "/medications/refills", "/medications/pharmacies",
                    "/medications/reminders", "/home"]
REFILL_CONSOLE = {"rn.baptiste": "review", "desk.tanaka": "pharmacy"}
SIGN_IN_WAIT = 20_000  # ms: sign-in and page loads with several queries take seconds on a busy machine


def _check(page, name: str, size: str) -> None:
    page.wait_for_timeout(300)  # let the last delta render
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name.strip('/') or 'index'}-{size}.png", full_page=True)
    violations = Axe().run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{name} at {size}:\n" + "\n".join(serious)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sign_in_page(portal, open_context, viewport):
    page = open_context(viewport).new_page()
    page.goto(f"{portal.url}/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _check(page, "signin", f"{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_patient_pages(portal, open_context, viewport):
    page = open_context(viewport).new_page()
    sign_in(page, portal.url, "nadia.farouk")
    expect(page).to_have_url(re.compile(r"/home/?$"))
    for route in PATIENT_PAGES:
        page.goto(f"{portal.url}{route}")
        expect(page.locator("main h1")).to_be_visible()
        _check(page, route, f"{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_console_pages(portal, open_context, viewport):
    page = open_context(viewport).new_page()
    sign_in(page, portal.url, "rn.baptiste")
    expect(page).to_have_url(re.compile(r"/console/?$"))
    for route in STAFF_PAGES:
        page.goto(f"{portal.url}{route}")
        expect(page.locator("main h1")).to_be_visible()
        _check(page, route, f"{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_admin_pages(portal, open_context, viewport):
    page = open_context(viewport).new_page()
    sign_in(page, portal.url, "admin.hughes")
    expect(page).to_have_url(re.compile(r"/console/?$"))
    for route in ADMIN_PAGES:
        page.goto(f"{portal.url}{route}")
        expect(page.locator("main h1")).to_be_visible()
        _check(page, f"admin-{route.strip('/').replace('/', '-')}", f"{viewport['width']}")


def _invited_patient(portal) -> tuple[str, str]:
    """A new chart in the served portal's database and an activation code for it (`portal invite`)."""
    from datetime import date

    from portal_app import db
    from portal_app.models.people import Patient

    mrn = f"AX-{secrets.token_hex(4).upper()}"
    with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:
        session.add(Patient(mrn=mrn, given_name="Axel", family_name="Brandt", birth_date=date(1950, 4, 5), sex="male"))
    printed = portal.portal_command("invite", mrn).stdout
    return re.search(r": ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$", printed, re.MULTILINE).group(1), mrn


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_activation_pages(portal, open_context, viewport):
    """Every screen of the activation wizard, walked through with a real code."""
    code, _mrn = _invited_patient(portal)
    page = open_context(viewport).new_page()
    size = f"{viewport['width']}"
    page.goto(f"{portal.url}/activate")
    expect(page.get_by_role("heading", name="Enter your activation code")).to_be_visible()
    _check(page, "activate-1-code", size)
    page.locator("#field-code").fill(code)
    page.get_by_label("Month").fill("4")
    page.get_by_label("Day").fill("5")
    page.get_by_label("Year").fill("1950")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Terms of use and privacy")).to_be_visible()
    _check(page, "activate-2-terms", size)
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("heading", name="Choose a username and password")).to_be_visible()
    page.locator("#field-username").fill(f"axel.{secrets.token_hex(2)}")
    page.locator("#field-password").fill("password")
    expect(page.locator("#password-advice")).to_contain_text("Use at least 10 characters")
    _check(page, "activate-3-account", size)
    page.locator("#field-password").fill("copper lantern over quiet hills")
    expect(page.locator("#password-advice")).to_contain_text("This password is fine.")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Add your authenticator app")).to_be_visible()
    _check(page, "activate-4-authenticator", size)
    page.locator("#field-otp").fill(pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", "")).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    _check(page, "activate-5-recovery", size)
    page.get_by_label("I have saved these codes").check()
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    _check(page, "activate-6-done", size)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_patients_console_page(portal, open_context, viewport):
    """The front desk's patients page: empty, with results, and with a code to print."""
    _code, mrn = _invited_patient(portal)
    page = open_context(viewport).new_page()
    size = f"{viewport['width']}"
    sign_in(page, portal.url, "desk.tanaka")
    expect(page).to_have_url(re.compile(r"/console/?$"))
    page.goto(f"{portal.url}/console/patients")
    expect(page.locator("main h1")).to_have_text("Patients")
    _check(page, "console-patients", size)
    page.locator("#field-query").fill(mrn)
    page.get_by_role("button", name="Search").click()
    row = page.locator("li").filter(has_text="Axel Brandt")
    expect(row).to_contain_text("Invited")
    row.get_by_role("button", name="New code").click()
    expect(page.locator("#invite-code")).to_be_visible()
    _check(page, "console-patients-invite", size)


def test_offline_page(portal, phone):
    phone.goto(f"{portal.url}/offline.html")
    _check(phone, "offline", "390")


def test_keyboard_users_can_skip_the_navigation(portal, phone):
    sign_in(phone, portal.url, "nadia.farouk")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    expect(phone.get_by_role("heading", name="Hello, Nadia Farouk")).to_be_visible()
    # As after a fresh page load: nothing focused, so the first Tab starts at the top of the page.
    phone.evaluate("document.activeElement && document.activeElement.blur()")
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("#main")).to_be_focused()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_recovery_and_signup_pages(portal, open_context, viewport):
    page = open_context(viewport).new_page()
    for route, heading in (("/forgot", "Forgot your password"), ("/reset?t=not-a-real-link", "Choose a new password"),
                           ("/signup", "Ask for an account")):
        page.goto(f"{portal.url}{route}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        _check(page, route.split("?")[0], f"{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_medication_pages(portal, open_context, viewport):
    page = open_context(viewport).new_page()
    size = f"{viewport['width']}"
    sign_in(page, portal.url, "walter.pimm")
    expect(page).to_have_url(re.compile(r"/home/?$"), timeout=SIGN_IN_WAIT)
    for route in MEDICATION_PAGES:
        page.goto(f"{portal.url}{route}")
        expect(page.locator("main h1")).to_be_visible(timeout=SIGN_IN_WAIT)
        expect(page.locator("main").get_by_text("Loading…")).to_have_count(0, timeout=SIGN_IN_WAIT)
        _check(page, f"meds-{route.strip('/').replace('/', '-')}", size)
    # The request's later stages, opened from a medicine's own button.
    page.goto(f"{portal.url}/medications")
    page.locator("li").filter(has_text="Hydrochlorothiazide").get_by_role("link", name="Ask for a renewal").click()
    expect(page.get_by_role("heading", name="Which pharmacy?")).to_be_visible(timeout=SIGN_IN_WAIT)
    _check(page, "meds-refill-2-pharmacy", size)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Check and send")).to_be_visible(timeout=SIGN_IN_WAIT)
    _check(page, "meds-refill-3-confirm", size)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("username", sorted(REFILL_CONSOLE))
def test_refill_console_page(portal, open_context, viewport, username):
    page = open_context(viewport).new_page()
    sign_in(page, portal.url, username)
    expect(page).to_have_url(re.compile(r"/console/?$"), timeout=SIGN_IN_WAIT)
    page.goto(f"{portal.url}/console/refills")
    expect(page.locator("main h1")).to_have_text("Refills", timeout=SIGN_IN_WAIT)
    expect(page.locator("li").first).to_be_visible(timeout=SIGN_IN_WAIT)
    _check(page, f"console-refills-{REFILL_CONSOLE[username]}", f"{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_first_sign_in_pages(portal, open_context, viewport):
    """The first sign-in of an account made by `portal create-admin`: each of its three screens."""
    username = f"admin.axe{secrets.token_hex(2)}"
    printed = portal.portal_command("create-admin", username, "Ada Axe", "ada@example.org", "--another").stdout
    one_time = printed.split("shown only now): ")[1].split()[0]
    page = open_context(viewport).new_page()
    size = f"{viewport['width']}"
    enter_password(page, portal.url, username, one_time)
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible(timeout=SIGN_IN_WAIT)
    page.locator("#field-password").fill("short")
    expect(page.locator("#password-advice")).to_contain_text("Use at least 10 characters")
    _check(page, "first-sign-in-1-password", size)
    page.locator("#field-password").fill("copper lantern over quiet hills")
    expect(page.locator("#password-advice")).to_contain_text("This password is fine.")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_role("heading", name="Add your authenticator app")).to_be_visible(timeout=SIGN_IN_WAIT)
    _check(page, "first-sign-in-2-authenticator", size)
    page.locator("#field-otp").fill(pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", "")).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible(timeout=SIGN_IN_WAIT)
    _check(page, "first-sign-in-3-recovery", size)
