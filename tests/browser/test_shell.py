"""The app shell as a patient and a staff member see it: sign-in, layouts, guards, sign-out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import FrameRecorder, demo_password, enter_password, fresh_demo_code, sign_in

MAIN_MENU = "nav[aria-label='Main menu']"


def test_patient_on_a_phone_gets_the_bottom_tab_bar(portal, phone):
    sign_in(phone, portal.url, "walter.pimm")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    expect(phone.get_by_role("heading", name="Hello, Walter Pimm")).to_be_visible()
    menus = phone.locator(MAIN_MENU)
    tab_bar = menus.filter(has=phone.get_by_text("Appointments")).locator("visible=true")
    expect(tab_bar).to_have_count(1)
    box = tab_bar.bounding_box()
    assert box["y"] + box["height"] >= 844 - 2, "the tab bar sits at the bottom of the phone screen"
    assert box["width"] >= 389
    tab_bar.get_by_role("link", name="Appointments").click()
    expect(phone).to_have_url(re.compile(r"/appointments/?$"))
    expect(phone.get_by_role("heading", name="My appointments")).to_be_visible()
    expect(tab_bar.get_by_role("link", name="Appointments")).to_have_attribute("aria-current", "page")


def test_patient_on_a_desktop_gets_the_sidebar(portal, desktop):
    sign_in(desktop, portal.url, "walter.pimm")
    expect(desktop).to_have_url(re.compile(r"/home/?$"))
    visible_menu = desktop.locator(MAIN_MENU).locator("visible=true")
    expect(visible_menu).to_have_count(1)
    box = visible_menu.bounding_box()
    assert box["x"] == 0 and box["height"] >= 790, "the sidebar runs down the left edge"
    expect(visible_menu.get_by_role("button", name="Sign out")).to_be_visible()


def test_staff_land_in_the_console_and_patients_cannot_open_it(portal, phone, desktop):
    sign_in(desktop, portal.url, "desk.tanaka")
    expect(desktop).to_have_url(re.compile(r"/console/?$"))
    expect(desktop.get_by_role("heading", name="Clinic console")).to_be_visible()
    expect(desktop.get_by_text("Front desk", exact=True)).to_be_visible()
    desktop.goto(f"{portal.url}/home")
    expect(desktop).to_have_url(re.compile(r"/console/?$"))

    sign_in(phone, portal.url, "nadia.farouk")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    phone.goto(f"{portal.url}/console")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    expect(phone.get_by_role("heading", name="Clinic console")).to_have_count(0)


def test_anonymous_visitors_are_sent_to_sign_in(portal, phone):
    for route in ("/", "/home", "/appointments", "/more", "/console"):
        phone.goto(f"{portal.url}{route}")
        expect(phone).to_have_url(re.compile(r"/signin/?$"))


def test_wrong_password_says_so_and_stays(portal, phone):
    enter_password(phone, portal.url, "walter.pimm", "not-his-password-at-all")
    expect(phone.get_by_role("alert")).to_contain_text("do not match")
    expect(phone).to_have_url(re.compile(r"/signin/?$"))
    enter_password(phone, portal.url, "nobody.here", "whatever-password-123")
    expect(phone.get_by_role("alert")).to_contain_text("do not match")


def test_a_form_cannot_be_sent_before_the_page_is_connected(portal, open_context):
    """Sent before the app is running, a form would go out as a plain GET with the password in the
    address (and so in history and server logs); the button stays off until the page is live."""
    page = open_context(java_script_enabled=False).new_page()
    page.goto(f"{portal.url}/signin")
    page.locator("#field-username").fill("walter.pimm")
    page.locator("#field-password").fill(demo_password("walter.pimm"))
    expect(page.locator("button[type=submit]")).to_be_disabled()
    page.locator("#field-password").press("Enter")
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    assert "password" not in page.url


def test_sign_out_ends_the_session_and_clears_the_cookie(portal, phone):
    sign_in(phone, portal.url, "sam.oduya")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    assert any(c["name"] == "portal_session" and c["httpOnly"] for c in phone.context.cookies())
    phone.goto(f"{portal.url}/more")
    phone.get_by_role("button", name="Sign out").locator("visible=true").click()
    expect(phone).to_have_url(re.compile(r"/signin/?$"))
    assert not [c for c in phone.context.cookies() if c["name"] == "portal_session"]
    phone.goto(f"{portal.url}/home")
    expect(phone).to_have_url(re.compile(r"/signin/?$"))


def test_password_and_session_cookie_never_reach_the_socket(portal, phone):
    frames = FrameRecorder(phone)
    sign_in(phone, portal.url, "rosa.delgado")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    phone.goto(f"{portal.url}/more")
    expect(phone.get_by_role("heading", name="Más")).to_be_visible()
    cookie = next(c["value"] for c in phone.context.cookies() if c["name"] == "portal_session")
    received = frames.text()
    assert "Rosa Delgado" in received, "the recorder does see the page's own data"
    assert demo_password("rosa.delgado") not in received
    assert cookie not in received
    assert "password_hash" not in received and "$2b$" not in received


def test_language_follows_the_browser_then_the_account(portal, open_context):
    spanish = open_context(locale="es-MX").new_page()
    spanish.goto(f"{portal.url}/signin")
    expect(spanish.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    spanish.get_by_role("button", name="English").click()
    expect(spanish.get_by_role("heading", name="Sign in")).to_be_visible()

    english = open_context(locale="en-US").new_page()
    sign_in(english, portal.url, "rosa.delgado")  # Rosa chose Spanish in her account
    expect(english.get_by_role("heading", name="Hola, Rosa Delgado")).to_be_visible()
    expect(english.get_by_role("link", name="Inicio", exact=True).locator("visible=true")).to_have_count(1)


def test_the_password_alone_is_not_enough(portal, phone):
    enter_password(phone, portal.url, "walter.pimm")
    expect(phone.get_by_role("heading", name="Enter your code")).to_be_visible()
    phone.goto(f"{portal.url}/home")
    expect(phone).to_have_url(re.compile(r"/signin/?$"))  # leaving the code step signs nobody in
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()  # and the form starts over
    enter_password(phone, portal.url, "walter.pimm")
    code = phone.locator("#field-code")
    code.fill("000000" if fresh_demo_code(portal.url, "walter.pimm") != "000000" else "111111")
    phone.locator("button[type=submit]").click()
    expect(phone.get_by_role("alert")).to_contain_text("code did not work")
    code.fill(fresh_demo_code(portal.url, "walter.pimm"))
    phone.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/home/?$"))
