"""A parent switches between her own record and her child's (tests/security/test_record_switcher.py:
nobody can switch to a chart they hold no grant for)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from portal_app import db
from portal_app.models.people import Patient
from tests.support.browser import sign_in


def _chart_id(portal, given: str, family: str) -> int:
    with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:
        return session.exec(select(Patient.id).where(Patient.given_name == given, Patient.family_name == family)).one()


def test_a_parent_switches_to_her_childs_record_and_back(portal, phone):
    sign_in(phone, portal.url, "nadia.farouk")
    expect(phone).to_have_url(re.compile(r"/home/?$"))
    menu = phone.get_by_label("Whose record")
    expect(menu).to_have_value(str(_chart_id(portal, "Nadia", "Farouk")))
    expect(phone.get_by_text("You are looking at the record of")).to_have_count(0)

    menu.select_option(label="Lily Farouk")
    expect(phone.get_by_text("You are looking at the record of Lily Farouk.")).to_be_visible()
    # The switch ends by going to /home; the banner can show a moment before that move, and a
    # click on in that moment would be undone by it. A person reads the banner first.
    phone.wait_for_timeout(1000)
    phone.get_by_role("link", name="Appointments").locator("visible=true").first.click()
    expect(phone).to_have_url(re.compile(r"/appointments/?$"))
    expect(phone.get_by_text("You are looking at the record of Lily Farouk.")).to_be_visible()

    phone.get_by_label("Whose record").select_option(label="Nadia Farouk (you)")
    expect(phone.get_by_text("You are looking at the record of")).to_have_count(0)


def test_a_patient_with_one_record_sees_no_menu(portal, phone):
    sign_in(phone, portal.url, "walter.pimm")
    expect(phone.get_by_role("heading", name="Hello, Walter Pimm")).to_be_visible()
    expect(phone.get_by_label("Whose record")).to_have_count(0)

