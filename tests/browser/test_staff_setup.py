"""Staff first sign-in: an admin makes an account, its owner signs in with the one-time password,
chooses a password, adds the app, saves the recovery codes and reaches the console."""

from __future__ import annotations

import re
import secrets
import time

import pyotp
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, FrameRecorder, enter_password, sign_in

NEW_PASSWORD = "violet harbor under nine stars"
WAIT = 20_000  # ms: bcrypt and page loads take seconds on a busy machine


def _new_staff_account(portal, open_context) -> tuple[str, str, object]:
    admin = open_context(DESKTOP).new_page()
    sign_in(admin, portal.url, "admin.hughes")
    expect(admin).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    admin.goto(f"{portal.url}/console/staff")
    expect(admin.get_by_role("heading", name="Staff accounts")).to_be_visible(timeout=WAIT)
    username = f"rn.first{secrets.randbelow(10**6)}"
    admin.locator("#field-username").fill(username)
    admin.locator("#field-display_name").fill("Fatima First")
    admin.locator("#field-role").select_option("nurse")
    admin.get_by_role("button", name="Create account").click()
    shown = admin.locator("#one-time-password")
    expect(shown).to_have_text(re.compile(r"^[A-Za-z0-9]{16}$"), timeout=WAIT)
    password = shown.inner_text()
    admin.get_by_role("button", name="I have given it; hide it").click()
    return username, password, admin


def test_new_staff_member_sets_a_password_and_app_and_reaches_the_console(portal, open_context):
    username, one_time, _admin = _new_staff_account(portal, open_context)
    phone = open_context(PHONE).new_page()
    frames = FrameRecorder(phone)
    enter_password(phone, portal.url, username, one_time)

    # 1. a password of their own
    expect(phone).to_have_url(re.compile(r"/first-sign-in/?$"), timeout=WAIT)
    expect(phone.get_by_role("heading", name="Choose your own password")).to_be_visible(timeout=WAIT)
    expect(phone.get_by_text("Step 1 of 3")).to_be_visible()
    password = phone.locator("#field-password")
    expect(password).to_have_attribute("autocomplete", "new-password")
    password.press_sequentially("short", delay=20)
    expect(phone.locator("#password-advice")).to_contain_text("Use at least 10 characters", timeout=WAIT)
    password.fill(one_time)
    phone.get_by_role("button", name="Save my password").click()
    expect(phone.get_by_role("alert")).to_contain_text("not the one-time password", timeout=WAIT)
    password.fill(NEW_PASSWORD)
    expect(phone.locator("#password-advice")).to_contain_text("This password is fine.", timeout=WAIT)
    phone.get_by_role("button", name="Save my password").click()

    # 2. the authenticator app
    expect(phone.get_by_text("Step 2 of 3")).to_be_visible(timeout=WAIT)
    expect(phone.get_by_role("heading", name="Add your authenticator app")).to_be_visible()
    secret = phone.locator("#totp-key").inner_text().replace(" ", "")
    expect(phone.get_by_role("link", name="Open in my authenticator app")).to_have_attribute(
        "href", re.compile(rf"^otpauth://totp/.*{re.escape(username)}.*secret={secret}"))
    phone.locator("#field-otp").fill("000000")
    phone.get_by_role("button", name="Turn on").click()
    expect(phone.get_by_role("alert")).to_be_visible(timeout=WAIT)
    phone.locator("#field-otp").fill(pyotp.TOTP(secret).now())
    phone.get_by_role("button", name="Turn on").click()

    # 3. recovery codes, then the console
    expect(phone.get_by_text("Step 3 of 3")).to_be_visible(timeout=WAIT)
    expect(phone.locator("#recovery-codes li")).to_have_count(10)
    recovery = [text.strip() for text in phone.locator("#recovery-codes li").all_inner_texts()]
    finish = phone.get_by_role("button", name="Finish")
    expect(finish).to_be_disabled()
    phone.get_by_label("I have saved these codes").check()
    finish.click()
    expect(phone).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    expect(phone.locator("main h1")).to_be_visible(timeout=WAIT)

    everything = frames.text()
    assert one_time not in everything and NEW_PASSWORD not in everything and "password_hash" not in everything
    after = len(frames.frames)
    phone.reload()
    expect(phone.locator("main h1")).to_be_visible(timeout=WAIT)
    assert all(secret not in frame and recovery[0] not in frame for frame in frames.frames[after:])

    # The one-time password is spent; the new password and the app's next code sign in.
    again = open_context(PHONE).new_page()
    enter_password(again, portal.url, username, one_time)
    expect(again.get_by_role("alert")).to_contain_text("do not match", timeout=WAIT)
    enter_password(again, portal.url, username, NEW_PASSWORD)
    again.locator("#field-code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    again.locator("button[type=submit]").click()
    expect(again).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)


def test_the_first_sign_in_page_without_a_one_time_password_only_leads_back(portal, phone):
    phone.goto(f"{portal.url}/first-sign-in")
    expect(phone.get_by_role("heading", name="Please sign in again")).to_be_visible(timeout=WAIT)
    expect(phone.locator("#field-password")).to_have_count(0)
    phone.get_by_role("link", name="Sign in").click()
    expect(phone).to_have_url(re.compile(r"/signin/?$"))


def test_admin_gives_a_new_one_time_password_after_a_lost_phone(portal, open_context):
    username, first, admin = _new_staff_account(portal, open_context)
    row = admin.locator("li").filter(has_text=username)
    row.get_by_role("button", name="New one-time password").click()
    dialog = admin.get_by_role("alertdialog")
    expect(dialog).to_contain_text("lost their phone")
    dialog.get_by_role("button", name="Cancel").click()
    expect(admin.locator("#one-time-password")).to_have_count(0)
    row.get_by_role("button", name="New one-time password").click()
    admin.get_by_role("alertdialog").get_by_role("button", name="Make a new one-time password").click()
    shown = admin.locator("#one-time-password")
    expect(shown).to_have_text(re.compile(r"^[A-Za-z0-9]{16}$"), timeout=WAIT)
    second = shown.inner_text()
    assert second != first

    phone = open_context(PHONE).new_page()
    enter_password(phone, portal.url, username, first)
    expect(phone.get_by_role("alert")).to_contain_text("do not match", timeout=WAIT)
    enter_password(phone, portal.url, username, second)
    expect(phone.get_by_role("heading", name="Choose your own password")).to_be_visible(timeout=WAIT)
