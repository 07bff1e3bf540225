"""My profile: contact details after the password (old address told), an emergency contact, a name
change the front desk approves, an insurance card photo only staff who may see insurance get, and
notice choices; the queue refused to a nurse."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from portal_app import db
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, User
from portal_app.models.preferences import NotificationPreference
from portal_app.models.profile import EmergencyContact, ProfileChange
from tests.support.browser import DESKTOP, PHONE, FrameRecorder, demo_password, sign_in

WAIT = 20_000  # ms: bcrypt and page loads take seconds on a busy machine


def _sam(session) -> tuple[User, Patient]:
    user = session.exec(select(User).where(User.username == "sam.oduya")).one()
    return user, session.get(Patient, user.patient_id)


def _card_photo(folder) -> str:
    from PIL import Image

    path = folder / "card-front.png"
    Image.new("RGB", (300, 190), (30, 110, 200)).save(path)
    return str(path)


def test_patient_updates_the_profile_and_the_front_desk_approves_a_name(portal, open_context, tmp_path):
    url = portal.env["PORTAL_DATABASE_URL"]
    with db.transaction(url) as session:
        user, chart = _sam(session)
        saved = (user.email, user.display_name, chart.email, chart.phone, chart.given_name)
    try:
        phone = open_context(PHONE).new_page()
        frames = FrameRecorder(phone)
        sign_in(phone, portal.url, "sam.oduya")
        expect(phone).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
        phone.goto(f"{portal.url}/more")
        phone.get_by_role("link", name=re.compile("My profile")).click()
        expect(phone).to_have_url(re.compile(r"/account/profile/?$"))
        expect(phone.get_by_role("heading", name="My profile")).to_be_visible(timeout=WAIT)

        # contact details: a bad number, a wrong password, then saved
        phone.get_by_role("button", name="Change email or phone").click()
        phone.locator("#field-email").fill("sam.new@example.org")
        phone.locator("#field-phone").fill("12")
        phone.locator("#field-password").fill(demo_password("sam.oduya"))
        phone.get_by_role("button", name="Save contact details").click()
        expect(phone.get_by_role("alert")).to_contain_text("That phone number does not look right", timeout=WAIT)
        phone.locator("#field-phone").fill("(312) 555-0177")
        phone.locator("#field-password").fill("not my password")
        phone.get_by_role("button", name="Save contact details").click()
        expect(phone.get_by_role("alert")).to_contain_text("That password is not right", timeout=WAIT)
        with db.transaction(url) as session:
            assert _sam(session)[1].email == saved[2]  # nothing changed yet
        phone.locator("#field-password").fill(demo_password("sam.oduya"))
        phone.get_by_role("button", name="Save contact details").click()
        expect(phone.get_by_role("status").filter(has_text="contact details are saved")).to_be_visible(timeout=WAIT)
        expect(phone.get_by_text("sam.new@example.org")).to_be_visible()
        expect(phone.get_by_text("(312) 555-0177")).to_be_visible()
        with db.transaction(url) as session:
            told = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == saved[2],
                                                            OutboxMessage.kind == "security_notice")).all()
            assert any("email address was changed" in m.body for m in told), "the old address is told"

        # an emergency contact
        phone.get_by_text("Add an emergency contact").click()
        phone.locator("#field-contact_name").fill("Grace Oduya")
        phone.locator("#field-relationship").select_option("sibling")
        phone.locator("#field-contact_phone").fill("312 555 0123")
        phone.get_by_role("button", name="Add contact").click()
        expect(phone.locator("#emergency-contacts")).to_contain_text("Grace Oduya", timeout=WAIT)
        expect(phone.locator("#emergency-contacts")).to_contain_text("Brother or sister")

        # a name change waits for the clinic
        phone.get_by_text("Ask to change my name").click()
        phone.locator("#field-given_name").fill("Samuel")
        phone.locator("#field-family_name").fill("Oduya")
        phone.get_by_role("button", name="Send to the clinic").first.click()
        expect(phone.locator("#profile-changes")).to_contain_text("Waiting for the clinic", timeout=WAIT)

        # new insurance, with a photo of the card
        phone.get_by_text("Tell us about new insurance").click()
        phone.locator("#card-front").set_input_files(_card_photo(tmp_path))
        expect(phone.get_by_text("Added: card-front.png")).to_be_visible(timeout=WAIT)
        phone.locator("#field-plan_name").fill("Lakeshore Health PPO")
        phone.locator("#field-member_id").fill("LK-20391")
        phone.locator("#insurance-form").get_by_role("button", name="Send to the clinic").click()
        expect(phone.locator("#profile-changes")).to_contain_text("Lakeshore Health PPO", timeout=WAIT)

        # notices: text messages for appointments on
        sms = phone.locator("#notice-appointments-sms")
        expect(sms).to_have_attribute("data-state", "unchecked")
        sms.click()
        expect(sms).to_have_attribute("data-state", "checked", timeout=WAIT)

        desk = open_context(DESKTOP).new_page()
        sign_in(desk, portal.url, "desk.tanaka")
        expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
        desk.get_by_role("link", name="Profile changes").locator("visible=true").click()
        expect(desk.get_by_role("heading", name="Profile changes to check")).to_be_visible(timeout=WAIT)
        request = desk.locator("#profile-reviews li").filter(has_text="Samuel Oduya")
        expect(request).to_contain_text("Samuel Oduya")
        request.get_by_role("button", name=re.compile("Approve")).click()
        expect(desk.get_by_role("status").filter(has_text="Approved")).to_be_visible(timeout=WAIT)
        card = desk.locator("#profile-reviews li").filter(has_text="Lakeshore Health PPO").get_by_role(
            "img", name="Photo of the front of the insurance card")
        expect(card).to_be_visible(timeout=WAIT)
        assert card.evaluate("img => img.complete && img.naturalWidth") == 300  # served to the front desk
        card_address = card.get_attribute("src")
        nurse = open_context(DESKTOP)
        nurse_page = nurse.new_page()
        sign_in(nurse_page, portal.url, "rn.baptiste")
        expect(nurse_page).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
        assert nurse.request.get(f"{portal.url}{card_address}").status == 404  # not to a nurse

        phone.reload()
        expect(phone.locator("#profile-changes")).to_contain_text("Done", timeout=WAIT)
        expect(phone.get_by_text("Samuel Oduya").locator("visible=true").first).to_be_visible()
        assert "password_hash" not in frames.text() and demo_password("sam.oduya") not in frames.text()
    finally:
        with db.transaction(url) as session:
            user, chart = _sam(session)
            user.email, user.display_name, chart.email, chart.phone, chart.given_name = saved
            session.add_all([user, chart])
            for model in (EmergencyContact, ProfileChange):
                for row in session.exec(select(model).where(model.patient_id == chart.id)).all():
                    session.delete(row)
            for row in session.exec(select(NotificationPreference).where(NotificationPreference.user_id == user.id)):
                session.delete(row)


def test_a_nurse_cannot_open_the_profile_queue(portal, open_context):
    page = open_context(DESKTOP).new_page()
    frames = FrameRecorder(page)
    sign_in(page, portal.url, "rn.baptiste")
    expect(page).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
    expect(page.get_by_role("link", name="Profile changes")).to_have_count(0)
    page.goto(f"{portal.url}/console/profile-reviews")
    expect(page.get_by_role("alert").filter(has_text="You are not allowed to do that.")).to_be_visible(timeout=WAIT)
    assert '"requests_rx_state_":[{' not in frames.text()
