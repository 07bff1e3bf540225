"""The front desk registers and invites a patient; the patient sets up the account on a phone.

Also: the authenticator key and the recovery codes reach the browser only while their step is on
screen, the password never does, and a spent code cannot be used again.
"""

from __future__ import annotations

import re
import secrets
import time

import pyotp
from playwright.sync_api import expect

from tests.support.browser import PHONE, FrameRecorder, enter_password, sign_in

WEAK_PASSWORD = "1234567890"
GOOD_PASSWORD = "violet canoe drifts past the mill"


def _register_and_invite(page, base_url: str, mrn: str) -> str:
    sign_in(page, base_url, "desk.tanaka")
    expect(page).to_have_url(re.compile(r"/console/?$"))
    page.get_by_role("link", name="Patients").locator("visible=true").click()
    expect(page).to_have_url(re.compile(r"/console/patients/?$"))
    expect(page.get_by_role("heading", name="Patients", exact=True)).to_be_visible()
    page.locator("#field-given").fill("Elena")
    page.locator("#field-family").fill("Vasquez")
    page.locator("#field-birth_date").fill("1948-06-09")
    page.locator("#field-sex").select_option("female")
    page.locator("#field-email").fill("elena.vasquez@example.com")
    page.locator("#field-phone").fill("(212) 555-0177")
    page.locator("#field-mrn").fill(mrn)
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("status").filter(has_text="Elena Vasquez is registered")).to_be_visible()
    row = page.locator("li").filter(has_text="Elena Vasquez")
    expect(row).to_contain_text("No account")
    row.get_by_role("button", name="Invite").click()
    code = page.locator("#invite-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    expect(page.get_by_text(re.compile(r"Works until \w+ \d+, \d{4}, one time only"))).to_be_visible()
    expect(page.get_by_text("Also sent by email and text message.")).to_be_visible()
    expect(row).to_contain_text("Invited")
    return code.inner_text()


def _enter_code(page, code: str, month: str, day: str, year: str) -> None:
    page.locator("#field-code").fill(code)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Day").fill(day)
    page.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Continue").click()


def test_invite_then_activate_on_a_phone(portal, open_context):
    mrn = f"MG-9{secrets.randbelow(10**5):05d}"
    desk = open_context(PHONE).new_page()
    code = _register_and_invite(desk, portal.url, mrn)

    phone = open_context(PHONE).new_page()
    frames = FrameRecorder(phone)
    phone.goto(f"{portal.url}/signin")
    phone.get_by_role("link", name="Set up your account").click()
    expect(phone).to_have_url(re.compile(r"/activate/?$"))
    expect(phone.get_by_text("Step 1 of 5")).to_be_visible()

    # 1. code and date of birth: a wrong date of birth gets the same answer as a wrong code
    _enter_code(phone, code, "6", "10", "1948")
    expect(phone.get_by_role("alert")).to_contain_text("do not match our records")
    _enter_code(phone, code.lower().replace("-", " "), "6", "9", "1948")

    # 2. terms
    expect(phone.get_by_text("Step 2 of 5")).to_be_visible()
    expect(phone.get_by_role("heading", name="Terms of use and privacy")).to_be_visible()
    expect(phone.get_by_role("region", name="Terms of use and privacy text")).to_contain_text("not for emergencies")
    phone.get_by_role("button", name="I agree").click()

    # 3. username and password: advice while typing, a weak password refused with its reason
    expect(phone.get_by_text("Step 3 of 5")).to_be_visible()
    username = phone.locator("#field-username")
    expect(username).to_have_attribute("autocomplete", "username")
    password = phone.locator("#field-password")
    expect(password).to_have_attribute("autocomplete", "new-password")
    expect(password).to_have_attribute("type", "password")
    username.fill("elena.v")
    password.press_sequentially("short", delay=20)
    expect(phone.locator("#password-advice")).to_contain_text("Use at least 10 characters")
    expect(phone.locator("#password-strength")).to_contain_text("Very weak")
    password.fill(WEAK_PASSWORD)
    expect(phone.locator("#password-advice")).to_contain_text("Many people use this password")
    phone.get_by_role("button", name="Create my account").click()  # refused all the same, with its reason
    expect(phone.get_by_role("alert")).to_contain_text("Many people use this password")
    expect(phone.get_by_text("Step 3 of 5")).to_be_visible()
    password.fill(GOOD_PASSWORD)
    expect(phone.locator("#password-strength")).to_contain_text(re.compile("Strong|Very strong"))
    expect(phone.locator("#password-advice")).to_contain_text("This password is fine.")
    phone.get_by_role("button", name="Show").click()
    expect(password).to_have_attribute("type", "text")
    expect(password).to_have_value(GOOD_PASSWORD)
    phone.get_by_role("button", name="Create my account").click()

    # 4. authenticator app
    expect(phone.get_by_text("Step 4 of 5")).to_be_visible()
    key = phone.locator("#totp-key")
    expect(key).to_have_text(re.compile(r"^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$"))
    secret = key.inner_text().replace(" ", "")
    link = phone.get_by_role("link", name="Open in my authenticator app")
    expect(link).to_have_attribute("href", re.compile(rf"^otpauth://totp/.*secret={secret}"))
    expect(phone.get_by_role("img", name="QR code that adds your account to an authenticator app")).to_be_visible()
    otp = phone.locator("#field-otp")
    expect(otp).to_have_attribute("inputmode", "numeric")
    expect(otp).to_have_attribute("autocomplete", "one-time-code")
    assert secret in frames.text(), "the recorder sees the key while its step is on screen"
    otp.fill(pyotp.TOTP(secret).now())
    phone.get_by_role("button", name="Turn on").click()

    # 5. recovery codes
    expect(phone.get_by_text("Step 5 of 5")).to_be_visible()
    listed = phone.locator("#recovery-codes li")
    expect(listed).to_have_count(10)
    recovery = [text.strip() for text in listed.all_inner_texts()]
    after_key = len(frames.frames)
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Download").click()
    saved = open(download.value.path(), encoding="utf-8").read()
    assert all(code_ in saved for code_ in recovery) and download.value.suggested_filename == "recovery-codes.txt"
    finish = phone.get_by_role("button", name="Finish")
    expect(finish).to_be_disabled()
    phone.get_by_label("I have saved these codes").check()
    expect(finish).to_be_enabled()
    finish.click()

    # 6. done
    expect(phone.get_by_role("heading", name="Your account is ready")).to_be_visible()
    expect(phone.get_by_role("link", name="Sign in")).to_have_attribute("href", "/signin")
    after_codes = len(frames.frames)
    phone.get_by_role("button", name="English").click()  # one more round trip after the last step
    expect(phone.get_by_role("heading", name="Your account is ready")).to_be_visible()

    received = frames.frames
    assert all(secret not in frame for frame in received[after_key:]), "the key left with its step"
    assert all(c in "\n".join(received[:after_codes]) for c in recovery)
    assert all(c not in frame for frame in received[after_codes:] for c in recovery), "the codes left with their step"
    everything = frames.text()
    assert GOOD_PASSWORD not in everything and WEAK_PASSWORD not in everything

    # the code is spent
    again = open_context(PHONE).new_page()
    again.goto(f"{portal.url}/activate")
    _enter_code(again, code, "6", "9", "1948")
    expect(again.get_by_role("alert")).to_contain_text("This code no longer works")

    # the new account signs in: password, then the app's next code (the one shown earlier was spent)
    enter_password(again, portal.url, "elena.v", GOOD_PASSWORD)
    again.locator("#field-code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    again.locator("button[type=submit]").click()
    expect(again).to_have_url(re.compile(r"/home/?$"))
    expect(again.get_by_role("heading", name="Hello, Elena Vasquez")).to_be_visible()

    # and the front desk sees the account
    desk.locator("#field-query").fill(mrn)
    desk.get_by_role("button", name="Search").click()
    expect(desk.locator("li").filter(has_text="Elena Vasquez")).to_contain_text("Has an account")


def test_patients_and_visitors_cannot_use_the_front_desk_page(portal, open_context):
    visitor = open_context(PHONE).new_page()
    visitor.goto(f"{portal.url}/console/patients")
    expect(visitor).to_have_url(re.compile(r"/signin/?$"))
    patient = open_context(PHONE).new_page()
    sign_in(patient, portal.url, "walter.pimm")
    expect(patient).to_have_url(re.compile(r"/home/?$"))
    patient.goto(f"{portal.url}/console/patients")
    expect(patient).to_have_url(re.compile(r"/home/?$"))
