"""axe-core finds no serious or critical problem on any page, at phone and desktop sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, sign_in

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
PATIENT_PAGES = ["/home", "/appointments", "/messages", "/health", "/more"]
STAFF_PAGES = ["/console"]


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


def test_offline_page(portal, phone):
    phone.goto(f"{portal.url}/offline.html")
    _check(phone, "offline", "390")


def test_keyboard_users_can_skip_the_navigation(portal, phone):
    sign_in(phone, portal.url, "nadia.farouk")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("#main")).to_be_focused()
