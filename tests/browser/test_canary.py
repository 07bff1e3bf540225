"""A canary string planted in a patient's record (name, medicine, emergency contact, insurance, a
change request) is shown to the people who may see it and never written to the server's log, after a
patient's and the clinic's whole journey through the pages that show it."""

from __future__ import annotations

import re
import secrets
import time
from datetime import date

from playwright.sync_api import expect
from sqlmodel import select

from portal_app import db
from portal_app.models.medication import Medication
from portal_app.models.people import Patient, User
from portal_app.models.profile import EmergencyContact, InsurancePlan, ProfileChange
from tests.security.helpers import RawSocket, our_handlers
from tests.support.browser import DESKTOP, PHONE, enter_password, sign_in

WAIT = 20_000  # ms


def test_a_canary_in_a_record_never_reaches_the_server_log(portal, open_context):
    canary = f"Qzcanary{secrets.token_hex(3)}"
    url = portal.env["PORTAL_DATABASE_URL"]
    with db.transaction(url) as session:
        user = session.exec(select(User).where(User.username == "sam.oduya")).one()
        chart = session.get(Patient, user.patient_id)
        saved = (chart.family_name, user.display_name)
        chart_id, mrn = chart.id, chart.mrn
        chart.family_name, user.display_name = f"Oduya{canary}", f"Sam Oduya{canary}"
        session.add_all([chart, user])
        session.add(EmergencyContact(patient_id=chart_id, name=f"Grace {canary}", relationship="sibling",
                                     phone="+13125550123"))
        session.add(InsurancePlan(patient_id=chart_id, plan_name=f"Plan {canary}", member_id=f"M-{canary}"))
        session.add(Medication(patient_id=chart_id, name=f"Canarycillin {canary} 5 MG Oral Tablet", status="active",
                               quantity=30, daily_units=1.0, refills_allowed=2, started_on=date(2026, 1, 5),
                               prescriber="Dr. Okafor", instructions=f"Take 1 tablet with {canary}",
                               dose="1 tablet"))
    log_before = portal.log_path.read_text(errors="replace")
    try:
        patient = open_context(PHONE).new_page()
        enter_password(patient, portal.url, "sam.oduya", f"wrong {canary}")  # a failure, with the canary typed
        expect(patient.get_by_role("alert")).to_be_visible(timeout=WAIT)
        sign_in(patient, portal.url, "sam.oduya")
        expect(patient).to_have_url(re.compile(r"/home/?$"), timeout=WAIT)
        for route in ("/home", "/medications", "/medications/refills", "/account", "/more"):
            patient.goto(f"{portal.url}{route}")
            expect(patient.locator("main h1")).to_be_visible(timeout=WAIT)
        patient.goto(f"{portal.url}/medications")
        expect(patient.get_by_text(f"Canarycillin {canary}", exact=False).first).to_be_visible(timeout=WAIT)
        patient.goto(f"{portal.url}/account/profile")
        expect(patient.locator("#emergency-contacts")).to_contain_text(canary, timeout=WAIT)
        expect(patient.get_by_text(f"Plan {canary}")).to_be_visible()
        patient.get_by_text("Tell us about new insurance").click()
        patient.locator("#field-plan_name").fill(f"New plan {canary}")
        patient.locator("#field-member_id").fill("NP-1")
        patient.locator("#insurance-form").get_by_role("button", name="Send to the clinic").click()
        expect(patient.locator("#profile-changes")).to_contain_text(canary, timeout=WAIT)

        desk = open_context(DESKTOP).new_page()
        sign_in(desk, portal.url, "desk.tanaka")
        expect(desk).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
        desk.goto(f"{portal.url}/console/patients")
        desk.locator("#field-query").fill(mrn)
        desk.get_by_role("button", name="Search").click()
        expect(desk.locator("li").filter(has_text=canary).first).to_be_visible(timeout=WAIT)
        desk.goto(f"{portal.url}/console/profile-reviews")
        request = desk.locator("#profile-reviews li").filter(has_text=f"New plan {canary}")
        request.get_by_label(re.compile("say why not")).fill(f"Card unreadable {canary}")
        request.get_by_role("button", name="Do not change").click()
        expect(desk.get_by_role("status").filter(has_text="Not changed")).to_be_visible(timeout=WAIT)

        nurse = open_context(DESKTOP).new_page()
        sign_in(nurse, portal.url, "rn.baptiste")
        expect(nurse).to_have_url(re.compile(r"/console/?$"), timeout=WAIT)
        nurse.goto(f"{portal.url}/console/refills")
        expect(nurse.locator("main h1")).to_be_visible(timeout=WAIT)
        patient.reload()
        expect(patient.locator("#profile-changes")).to_contain_text(f"Card unreadable {canary}", timeout=WAIT)

        # A hostile client sends the canary as an argument the handler does not take: the failure is
        # logged (so this is the live log), the value is not.
        handlers = {key: f"{cls.get_full_name()}.{name}" for key, (cls, name) in our_handlers().items()}
        with RawSocket(portal.url, origin=portal.url) as socket:
            socket.emit(handlers["SignInState.start_over"], {canary: canary})
            socket.sync(handlers["GuardState.entry"])  # answered after the call above was handled
        time.sleep(1)  # the server process writes its log on its own
        whole = portal.log_path.read_text(errors="replace")
        assert whole.startswith(log_before[:200]) and "event handler failed: TypeError" in whole
        assert canary not in whole, whole[whole.find(canary) - 300: whole.find(canary) + 300]
    finally:
        with db.transaction(url) as session:
            user = session.exec(select(User).where(User.username == "sam.oduya")).one()
            chart = session.get(Patient, chart_id)
            chart.family_name, user.display_name = saved
            session.add_all([chart, user])
            for model in (EmergencyContact, InsurancePlan, ProfileChange, Medication):
                for row in session.exec(select(model).where(model.patient_id == chart_id)).all():
                    if model is not Medication or canary in row.name:
                        session.delete(row)
