"""Forgotten password and self sign-up, on a phone: the email is read from the served portal's outbox."""

from __future__ import annotations

import re
import secrets
from datetime import date

from playwright.sync_api import expect
from sqlmodel import select

from portal_app import db
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, User
from portal_app.models.recovery import SignupRequest
from tests.support.browser import PHONE, demo_password, enter_password, fresh_demo_code, sign_in

NEW_PASSWORD = "juniper lantern over quiet harbour"
SIGNUP_ANSWER = "Thanks. If we can match you to your records, we will send a code"


def _latest(url: str, kind: str, recipient: str) -> str:
    with db.transaction(url) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.recipient == recipient)
                           .order_by(OutboxMessage.id.desc())).first()
        return row.body if row else ""


def test_forgot_password_then_sign_in_still_needs_the_code(portal, open_context):
    url = portal.env["PORTAL_DATABASE_URL"]
    page = open_context(PHONE).new_page()
    page.goto(f"{portal.url}/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(re.compile(r"/forgot/?$"))

    page.locator("#field-identifier").fill("nobody.at.all")
    page.get_by_role("button", name="Send the link").click()
    unknown_answer = page.locator("#forgot-sent").inner_text()
    assert "If an account matches, we sent an email with a link. It works for 60 minutes." in unknown_answer

    with db.transaction(url) as session:
        sam = session.exec(select(User).where(User.username == "sam.oduya")).one()
        email, old_hash = sam.email, sam.password_hash
    try:
        page = open_context(PHONE).new_page()  # a fresh tab, as the person would open
        page.goto(f"{portal.url}/forgot")
        expect(page.get_by_role("button", name="Send the link")).to_be_enabled()
        page.locator("#field-identifier").fill("sam.oduya")
        page.get_by_role("button", name="Send the link").click()
        expect(page.locator("#forgot-sent")).to_have_text(unknown_answer, timeout=15_000)  # the same answer
        body = _latest(url, "password_reset", email)
        link = re.search(r"https?://\S+/reset\?t=[A-Za-z0-9_-]{43}", body).group(0)

        page.goto(link)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        page.locator("#field-password").fill("sam")
        expect(page.locator("#password-advice")).not_to_be_empty()
        page.locator("#field-password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Save the new password").click()
        expect(page.locator("#reset-done")).to_be_visible()
        assert _kind_of_latest(url, email) == "security_notice"  # the person is told

        page.goto(link)  # single use
        expect(page.get_by_text("This link does not work any more")).to_be_visible()

        enter_password(page, portal.url, "sam.oduya", demo_password("sam.oduya"))
        expect(page.get_by_role("alert")).to_be_visible()  # the old password is gone
        enter_password(page, portal.url, "sam.oduya", NEW_PASSWORD)
        code = page.locator("#field-code")
        expect(code).to_be_visible()  # the second factor is still asked for
        code.fill(fresh_demo_code(portal.url, "sam.oduya"))
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/home/?$"))
    finally:
        with db.transaction(url) as session:
            sam = session.exec(select(User).where(User.username == "sam.oduya")).one()
            sam.password_hash = old_hash
            session.add(sam)


def _kind_of_latest(url: str, recipient: str) -> str:
    with db.transaction(url) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                           .order_by(OutboxMessage.id.desc())).first()
        return row.kind if row else ""


def _fill_signup(page, given: str, family: str, born: date, contact: str) -> None:
    page.locator("#field-given_name").fill(given)
    page.locator("#field-family_name").fill(family)
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Year").fill(str(born.year))
    page.locator("#field-contact").fill(contact)
    page.get_by_role("button", name="Send my request").click()


def test_self_signup_with_a_chart_match_continues_to_activation(portal, open_context):
    url = portal.env["PORTAL_DATABASE_URL"]
    tag = secrets.token_hex(3)
    family, email, born = f"Quill{tag}", f"ines.quill.{tag}@example.com", date(1972, 4, 18)
    with db.transaction(url) as session:
        session.add(Patient(mrn=f"SU-{tag}".upper(), given_name="Ines", family_name=family, birth_date=born,
                            sex="female", email=email))
    page = open_context(PHONE).new_page()
    page.goto(f"{portal.url}/signin")
    page.get_by_role("link", name="New here? Ask for an account").click()
    expect(page).to_have_url(re.compile(r"/signup/?$"))
    _fill_signup(page, "ines", family.upper(), born, email)
    expect(page.locator("#signup-sent")).to_contain_text(SIGNUP_ANSWER)
    code = re.search(r"\b(\d{6})\b", _latest(url, "verification_code", email)).group(1)
    page.locator("#field-code").fill(code)
    page.get_by_role("button", name="Continue to set up my account").click()
    expect(page).to_have_url(re.compile(r"/activate/?$"))
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    expect(page.get_by_role("button", name="I agree")).to_be_visible()


def test_self_signup_without_a_match_goes_to_the_front_desk(portal, open_context):
    url = portal.env["PORTAL_DATABASE_URL"]
    tag = secrets.token_hex(3)
    family = f"Nomatch{tag}"
    page = open_context(PHONE).new_page()
    page.goto(f"{portal.url}/signup")
    _fill_signup(page, "Olive", family, date(1990, 2, 3), f"olive.{tag}@example.org")
    expect(page.locator("#signup-sent")).to_contain_text(SIGNUP_ANSWER)  # the same answer as a match

    desk = open_context(PHONE).new_page()
    sign_in(desk, portal.url, "desk.tanaka")
    expect(desk).to_have_url(re.compile(r"/console/?$"))
    desk.goto(f"{portal.url}/console/signups")
    expect(desk.get_by_role("heading", name="Sign-up requests", exact=True)).to_be_visible()
    card = desk.locator("div").filter(has=desk.get_by_role("heading", name=f"Olive {family}")).last
    expect(card).to_contain_text(f"olive.{tag}@example.org")
    card.get_by_role("button", name="Reject").click()
    expect(desk.locator("#signups-message")).to_have_text("Request rejected.")
    expect(desk.get_by_role("heading", name=f"Olive {family}")).to_have_count(0)
    with db.transaction(url) as session:
        row = session.exec(select(SignupRequest).where(SignupRequest.family_name == family)).one()
        assert row.status == "rejected" and row.resolved_by is not None


def test_patients_cannot_open_the_signup_queue(portal, open_context):
    page = open_context(PHONE).new_page()
    sign_in(page, portal.url, "nadia.farouk")
    expect(page).to_have_url(re.compile(r"/home/?$"))
    page.goto(f"{portal.url}/console/signups")
    expect(page).to_have_url(re.compile(r"/(home|signin)/?$"))
