"""Security and privacy: signed-in devices, "Sign out everywhere", the access history, the idle warning."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.support.browser import DESKTOP, PHONE, sign_in

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


def test_sign_out_everywhere_reaches_the_other_device(portal, open_context):
    laptop = open_context(DESKTOP).new_page()
    phone = open_context(PHONE).new_page()
    sign_in(laptop, portal.url, "sam.oduya")
    expect(laptop).to_have_url(re.compile(r"/home/?$"))
    sign_in(phone, portal.url, "sam.oduya")
    expect(phone).to_have_url(re.compile(r"/home/?$"))

    phone.get_by_role("link", name="More").locator("visible=true").click()
    phone.get_by_role("link", name=re.compile("Security and privacy")).click()
    expect(phone).to_have_url(re.compile(r"/account/?$"))
    expect(phone.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    devices = phone.locator("#account-devices > li")
    expect(devices.filter(has_text="This device")).to_have_count(1)
    assert devices.count() >= 2
    history = phone.locator("#account-history")
    expect(history).to_contain_text("Sam Oduya (Patient) signed in")

    phone.get_by_role("button", name="Sign out everywhere").click()
    expect(phone).to_have_url(re.compile(r"/signin/?$"))

    laptop.get_by_role("link", name="Messages", exact=True).locator("visible=true").click()  # its next event
    expect(laptop).to_have_url(re.compile(r"/signin/?$"))
    laptop.goto(f"{portal.url}/account")
    expect(laptop).to_have_url(re.compile(r"/signin/?$"))


def test_signing_out_one_other_device(portal, open_context):
    first = open_context(DESKTOP).new_page()
    second = open_context(DESKTOP).new_page()
    sign_in(first, portal.url, "nadia.farouk")
    expect(first).to_have_url(re.compile(r"/home/?$"))
    sign_in(second, portal.url, "nadia.farouk")
    expect(second).to_have_url(re.compile(r"/home/?$"))
    second.goto(f"{portal.url}/account")
    others = second.locator("#account-devices > li").filter(has_not_text="This device")
    expect(others.first).to_be_visible()
    count = others.count()
    others.first.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(others).to_have_count(count - 1)
    expect(second).to_have_url(re.compile(r"/account/?$"))  # this device stays signed in


def test_staff_have_the_same_page_in_the_console(portal, desktop):
    sign_in(desktop, portal.url, "rn.baptiste")
    expect(desktop).to_have_url(re.compile(r"/console/?$"))
    desktop.get_by_role("link", name="My account").click()
    expect(desktop).to_have_url(re.compile(r"/console/account/?$"))
    expect(desktop.locator("#account-devices > li").filter(has_text="This device")).to_have_count(1)
    expect(desktop.get_by_role("heading", name="Who viewed or changed my record")).to_have_count(0)


@pytest.fixture(scope="module")
def quick_idle_portal(tmp_path_factory):
    """A portal whose patients are signed out after 90 s idle, with the warning 80 s before."""
    from tests.support.server import serve_portal

    with serve_portal(tmp_path_factory.mktemp("idle-portal"), PORTAL_PATIENT_IDLE_SECONDS="90",
                      PORTAL_IDLE_WARNING_SECONDS="80") as served:
        yield served


def _announce_every_few_seconds(portal, username: str, area: str, stop: threading.Event) -> threading.Thread:
    """Keep the patient's open page refreshing live, as a busy clinic would."""
    from portal_app import db
    from portal_app.models.people import User
    from portal_app.services import live

    url = portal.env["PORTAL_DATABASE_URL"]
    with db.transaction(url) as session:
        patient_id = session.exec(select(User).where(User.username == username)).one().patient_id

    def announce():
        while not stop.wait(5):
            with db.transaction(url) as session:
                live.announce(session, live.patient_topic(patient_id, area))

    thread = threading.Thread(target=announce, daemon=True)
    thread.start()
    return thread


def test_the_idle_warning_then_the_idle_sign_out_even_on_a_page_that_updates_live(quick_idle_portal, phone):
    """Refreshes pushed by the clinic's changes are not the patient doing anything: they must not keep
    an unattended page signed in."""
    portal = quick_idle_portal
    sign_in(phone, portal.url, "walter.pimm")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    phone.goto(f"{portal.url}/medications")
    expect(phone.get_by_role("heading", name="Medicines", exact=True)).to_be_visible()
    stop = threading.Event()
    _announce_every_few_seconds(portal, "walter.pimm", "medications", stop)
    try:
        dialog = phone.get_by_role("alertdialog")
        expect(dialog).to_contain_text("You will be signed out in 1 minute", timeout=35_000)
        SCREENS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=SCREENS / "idle-warning-390.png")

        dialog.get_by_role("button", name="Stay signed in").click()
        stayed = time.monotonic()
        expect(dialog).to_have_count(0)
        expect(phone).to_have_url(re.compile(r"/medications/?$"))

        expect(dialog).to_be_visible(timeout=35_000)  # still away: warned again
        expect(phone).to_have_url(re.compile(r"/signin/?\?reason=idle$"), timeout=130_000)
        assert time.monotonic() - stayed >= 85, "Stay signed in did not restart the idle clock"
    finally:
        stop.set()
    expect(phone.locator("#signed-out-away")).to_contain_text("You were signed out because you were away")
    phone.screenshot(path=SCREENS / "signin-after-idle-390.png")
    assert not [c for c in phone.context.cookies() if c["name"] == "portal_session"]
    phone.goto(f"{portal.url}/home")
    expect(phone).to_have_url(re.compile(r"/signin/?$"))


def test_the_sign_out_route_passes_on_only_the_idle_reason(portal):
    import httpx

    idle = httpx.get(f"{portal.url}/auth/signout?reason=idle", follow_redirects=False, timeout=30)
    other = httpx.get(f"{portal.url}/auth/signout?reason=//evil.example", follow_redirects=False, timeout=30)
    assert (idle.status_code, idle.headers["location"]) == (303, "/signin?reason=idle")
    assert (other.status_code, other.headers["location"]) == (303, "/signin")
