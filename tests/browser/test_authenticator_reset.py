""""Lost my phone": the front desk checks the date of birth and states how it checked the person,
the app is removed, and the patient signs in with their password and adds a new app."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlmodel import delete, select

from portal_app import db
from portal_app.models.mfa import RecoveryCode, TotpCredential
from portal_app.models.people import Patient, User
from portal_app.models.staff_setup import StaffSetup
from portal_app.services import mfa
from portal_app.services.demo_clinic import authenticator_key
from tests.support.browser import DESKTOP, PHONE, demo_password, enter_password, sign_in

WAIT = 20_000  # ms
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


def _no_serious_axe_problem(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_front_desk_resets_a_lost_phone_and_the_patient_adds_a_new_app(portal, open_context):
    url = portal.env["PORTAL_DATABASE_URL"]
    with db.transaction(url) as session:
        walter = session.exec(select(User).where(User.username == "walter.pimm")).one()
        chart = session.get(Patient, walter.patient_id)
        walter_id, mrn, born = walter.id, chart.mrn, chart.birth_date
    try:
        desk = open_context(DESKTOP).new_page()
        sign_in(desk, portal.url, "desk.tanaka")
        expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
        desk.goto(f"{portal.url}/console/patients")
        desk.locator("#field-query").fill(mrn)
        desk.get_by_role("button", name="Search").click()
        desk.locator("li").filter(has_text="Walter Pimm").get_by_role("button", name=re.compile("Lost phone")).click()
        panel = desk.locator("#reset-panel")
        expect(panel).to_contain_text("Walter Pimm", timeout=WAIT)
        _no_serious_axe_problem(desk, "console-patients-lost-phone-1280")
        panel.get_by_label("Month").fill(str(born.month))
        panel.get_by_label("Day").fill(str(born.day + 1))  # the caller gets it wrong
        panel.get_by_label("Year").fill(str(born.year))
        panel.get_by_text("I saw their photo ID here at the clinic").click()
        panel.get_by_role("button", name="Remove the app").click()
        expect(panel.get_by_role("alert")).to_contain_text("does not match", timeout=WAIT)
        with db.transaction(url) as session:
            assert mfa.has_authenticator(session, walter_id)  # nothing changed
        panel.get_by_label("Day").fill(str(born.day))
        panel.get_by_role("button", name="Remove the app").click()
        expect(desk.get_by_role("status").filter(has_text="Walter Pimm can sign in")).to_be_visible(timeout=WAIT)
        with db.transaction(url) as session:
            assert not mfa.has_authenticator(session, walter_id)

        phone = open_context(PHONE).new_page()
        enter_password(phone, portal.url, "walter.pimm", demo_password("walter.pimm"))
        expect(phone).to_have_url(re.compile(r"/first-sign-in/?$"), timeout=WAIT)
        expect(phone.get_by_text("Step 2 of 3")).to_be_visible(timeout=WAIT)
        secret = phone.locator("#totp-key").inner_text().replace(" ", "")
        phone.locator("#field-otp").fill(pyotp.TOTP(secret).now())
        phone.get_by_role("button", name="Turn on").click()
        expect(phone.locator("#recovery-codes li")).to_have_count(10, timeout=WAIT)
        phone.get_by_label("I have saved these codes").check()
        phone.get_by_role("button", name="Finish").click()
        expect(phone).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
    finally:  # give the demo account its demo app back
        with db.transaction(url) as session:
            for model in (TotpCredential, RecoveryCode, StaffSetup):  # StaffSetup: a re-enrolment left open
                session.exec(delete(model).where(model.user_id == walter_id))
            mfa.enrol_confirmed(session, walter_id, authenticator_key("walter.pimm"))
