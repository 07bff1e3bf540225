"""Profile: contact details after re-authentication (the old address told), emergency contacts, and
name / birth date / insurance changes through the staff review queue; who is refused; what is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.models.mfa import FactorFailures
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role, User
from portal_app.models.profile import EmergencyContact, ProfileChange
from portal_app.models.proxy import ProxyGrant
from portal_app.services import profile
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

PASSWORD = "rosa's long garden passphrase"
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def clinic(session, make):
    with time_machine.travel(NOW, tick=False):
        rosa = make("rosa", PASSWORD)
        walt = make("walt", PASSWORD)
        chart = session.get(Patient, rosa.patient_id)
        chart.email, chart.phone = "rosa@example.org", "+13125550142"
        session.add(chart)
        people = {"rosa": rosa, "walt": walt}
        for name, role in (("desk", Role.FRONT_DESK), ("admin", Role.ADMIN), ("nurse", Role.NURSE),
                           ("doctor", Role.CLINICIAN), ("reader", Role.PROXY), ("booker", Role.PROXY)):
            people[name] = make(name, PASSWORD, role)
        for grantee, scopes in (("reader", "record"), ("booker", "appointments")):
            session.add(ProxyGrant(patient_id=rosa.patient_id, grantee_user_id=people[grantee].id, scopes=scopes,
                                   relationship="adult_child", starts_at=NOW - timedelta(days=1),
                                   ends_at=NOW + timedelta(days=100)))
        session.commit()
        yield {name: Actor.for_user(user) for name, user in people.items()}, rosa.patient_id


def _audit(session, since: int = 0) -> list[AuditEvent]:
    session.rollback()
    return list(session.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all())


def _last_audit(session) -> int:
    return (session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0)


def test_patient_sees_their_profile_and_the_read_is_audited(session, clinic):
    people, chart = clinic
    seen = profile.view(session, people["rosa"], chart)
    session.commit()
    assert (seen.given_name, seen.email, seen.phone) == ("Rosa", "rosa@example.org", "(312) 555-0142")
    assert seen.birth_date == date(1980, 1, 1) and seen.emergency == [] and seen.insurance == {}
    row = _audit(session)[-1]
    assert (row.action, row.category, row.patient_id, row.outcome) == ("read", "demographics", chart, "success")


def test_contact_details_change_only_with_the_password_and_the_old_address_is_told(session, clinic):
    people, chart = clinic
    wrong = profile.change_contact(session, people["rosa"], chart, "not my password", "new@example.org", "")
    session.commit()
    assert (wrong.ok, wrong.error) == (False, "profile.error.password")
    assert session.get(Patient, chart).email == "rosa@example.org"
    failures = session.exec(select(FactorFailures).where(FactorFailures.user_id == people["rosa"].user_id)).one()
    assert failures.factor == "password" and failures.count == 1  # counts toward the sign-in limits
    assert _audit(session)[-1].outcome == "failure"

    done = profile.change_contact(session, people["rosa"], chart, PASSWORD, " New@Example.org ", "(773) 555-0199")
    session.commit()
    assert done.ok
    stored = session.get(Patient, chart)
    assert (stored.email, stored.phone) == ("New@example.org", "+17735550199")
    assert session.get(User, people["rosa"].user_id).email == "New@example.org"
    notices = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted((n.channel, n.recipient) for n in notices) == [
        ("email", "rosa@example.org"), ("email", "rosa@example.org"), ("sms", "+13125550142")]
    assert all(n.kind == "security_notice" for n in notices)
    assert any("email address was changed" in n.body for n in notices)
    assert _audit(session)[-1].detail == "contact details changed: email, phone"


@pytest.mark.parametrize("email,phone,key", [
    ("not an email", "", "patients.error.email"),
    ("rosa@example.org", "12", "patients.error.phone"),
    ("rosa@example.org", "555-0142 call after 5", "patients.error.phone"),
    ({"a": 1}, "", "patients.error.email"),
])
def test_bad_contact_details_say_what_is_wrong_and_change_nothing(session, clinic, email, phone, key):
    people, chart = clinic
    before = _last_audit(session)
    with pytest.raises(InvalidInput) as refused:
        profile.change_contact(session, people["rosa"], chart, PASSWORD, email, phone)
    assert refused.value.key == key
    session.rollback()
    assert (session.get(Patient, chart).email, session.get(Patient, chart).phone) == ("rosa@example.org", "+13125550142")
    assert session.exec(select(OutboxMessage)).all() == [] and _audit(session, before) == []


def test_emergency_contacts_are_added_and_removed_by_the_patient(session, clinic):
    people, chart = clinic
    listed = profile.add_emergency_contact(session, people["rosa"], chart, "  Luis  Ortiz ", "spouse", "312 555 0100")
    session.commit()
    assert [(c.name, c.relationship, c.phone) for c in listed] == [("Luis Ortiz", "spouse", "(312) 555-0100")]
    for name, relation, phone, key in [("", "spouse", "3125550100", "profile.error.contact_name"),
                                       ("Luis", "boss", "3125550100", "profile.error.relationship"),
                                       ("Luis", "spouse", "", "patients.error.phone")]:
        with pytest.raises(InvalidInput) as refused:
            profile.add_emergency_contact(session, people["rosa"], chart, name, relation, phone)
        assert refused.value.key == key
    session.rollback()
    with pytest.raises(NotFound):  # another patient's chart
        profile.remove_emergency_contact(session, people["walt"], chart, listed[0].id)
    session.rollback()
    assert profile.remove_emergency_contact(session, people["rosa"], chart, listed[0].id) == []
    session.commit()
    assert session.get(EmergencyContact, listed[0].id).removed_at is not None
    assert [a.detail for a in _audit(session)][-1] == f"emergency contact {listed[0].id} removed"


def test_name_birth_date_and_insurance_wait_for_review(session, clinic):
    people, chart = clinic
    name = profile.request_change(session, people["rosa"], chart, "name", {"given_name": "Rosa", "family_name": "Díaz"})
    born = profile.request_change(session, people["rosa"], chart, "birth_date", {"birth_date": date(1980, 2, 1)})
    plan = profile.request_change(session, people["rosa"], chart, "insurance",
                                  {"plan_name": "Acme Health PPO", "member_id": "XJ-449 2031"})
    session.commit()
    assert session.get(Patient, chart).family_name == "Test"  # nothing changes before review
    for bad, key in [({"given_name": "", "family_name": "X"}, "patients.error.name_invalid"),
                     ({"given_name": "Rosa", "family_name": "Test"}, "profile.error.no_change")]:
        with pytest.raises(InvalidInput) as refused:
            profile.request_change(session, people["rosa"], chart, "name", bad)
        assert refused.value.key == key
    with pytest.raises(InvalidInput) as refused:
        profile.request_change(session, people["rosa"], chart, "birth_date", {"birth_date": date(2999, 1, 1)})
    assert refused.value.key == "patients.error.birth_date_future"
    with pytest.raises(InvalidInput) as refused:
        profile.request_change(session, people["rosa"], chart, "insurance", {"plan_name": "A", "member_id": "<b>"})
    assert refused.value.key == "profile.error.member_id"
    session.rollback()

    queue = profile.review_queue(session, people["desk"])
    session.commit()
    assert [(c.kind, c.proposed) for c in queue] == [
        ("name", {"given_name": "Rosa", "family_name": "Díaz"}), ("birth_date", {"birth_date": "1980-02-01"}),
        ("insurance", {"plan_name": "Acme Health PPO", "member_id": "XJ-449 2031"})]
    assert queue[0].current == {"given_name": "Rosa", "family_name": "Test"}
    profile.decide(session, people["desk"], name.id, True)
    profile.decide(session, people["desk"], plan.id, True)
    with pytest.raises(InvalidInput) as refused:  # a rejection needs a reason
        profile.decide(session, people["desk"], born.id, False, "  ")
    assert refused.value.key == "profile.error.reason"
    profile.decide(session, people["admin"], born.id, False, "Please bring an ID to your next visit.")
    session.commit()
    stored = session.get(Patient, chart)
    assert (stored.family_name, stored.birth_date) == ("Díaz", date(1980, 1, 1))
    assert session.get(User, people["rosa"].user_id).display_name == "Rosa Díaz"
    seen = profile.view(session, people["rosa"], chart)
    assert seen.insurance == {"plan_name": "Acme Health PPO", "member_id": "XJ-449 2031"}
    assert {c.kind: (c.status, c.reason) for c in seen.changes} == {
        "name": ("approved", ""), "birth_date": ("rejected", "Please bring an ID to your next visit."),
        "insurance": ("approved", "")}
    with pytest.raises(NotFound):  # decided once
        profile.decide(session, people["desk"], name.id, False, "changed my mind")
    details = [a.detail for a in _audit(session)]
    assert f"profile change {name.id} (name) approved" in details
    assert f"profile change {born.id} (birth_date) rejected" in details


def test_others_are_refused_and_refusals_are_audited(session, clinic):
    people, chart = clinic
    session.add(EmergencyContact(patient_id=chart, name="Luis", relationship="spouse", phone="+13125550100"))
    session.commit()
    contact = session.exec(select(EmergencyContact)).one()
    writes = [
        lambda a: profile.change_contact(session, a, chart, PASSWORD, "x@example.org", ""),
        lambda a: profile.add_emergency_contact(session, a, chart, "Eve", "friend", "3125550111"),
        lambda a: profile.remove_emergency_contact(session, a, chart, contact.id),
        lambda a: profile.request_change(session, a, chart, "name", {"given_name": "Eve", "family_name": "X"}),
    ]
    cases = [("walt", NotFound), ("booker", PermissionDenied), ("reader", PermissionDenied), (None, PermissionDenied),
             ("desk", PermissionDenied), ("nurse", PermissionDenied), ("doctor", PermissionDenied)]
    for who, error in cases:
        before = _last_audit(session)
        for write in writes:
            with pytest.raises(error):
                write(people[who] if who else None)
            session.rollback()
        refusals = _audit(session, before)
        assert len(refusals) == len(writes) and all(r.outcome == "denied" for r in refusals), who
    assert session.get(Patient, chart).email == "rosa@example.org"
    assert session.get(EmergencyContact, contact.id).removed_at is None
    assert session.exec(select(ProfileChange)).all() == []
    # reads: another patient, a proxy without "record" and anonymous are refused; the reader proxy and staff see it
    for who, error in (("walt", NotFound), ("booker", PermissionDenied), (None, PermissionDenied)):
        with pytest.raises(error):
            profile.view(session, people[who] if who else None, chart)
        session.rollback()
    assert profile.view(session, people["reader"], chart).insurance == {}  # no "billing" scope: no insurance
    assert profile.view(session, people["nurse"], chart).given_name == "Rosa"
    # the review queue: front desk and admins only
    for who in ("rosa", "nurse", "doctor", "reader"):
        with pytest.raises(PermissionDenied):
            profile.review_queue(session, people[who])
        with pytest.raises(PermissionDenied):
            profile.decide(session, people[who], 1, True)
        session.rollback()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 90, 200)).save(out, "PNG")
    return out.getvalue()


def test_insurance_card_photos_are_shown_only_to_those_who_may_see_insurance(session, clinic):
    from portal_app.services import files

    people, chart = clinic
    front = files.store_upload(session, people["rosa"], "insurance_card", "front.png", _png()).token
    back = files.store_upload(session, people["rosa"], "insurance_card", "back.png", _png()).token
    walts = files.store_upload(session, people["walt"], "insurance_card", "mine.png", _png()).token
    session.commit()
    with pytest.raises(NotFound):  # someone else's upload cannot be attached
        profile.request_change(session, people["rosa"], chart, "insurance",
                               {"plan_name": "Acme", "member_id": "A1", "front": walts})
    session.rollback()
    asked = profile.request_change(session, people["rosa"], chart, "insurance",
                                   {"plan_name": "Acme", "member_id": "A1", "front": front, "back": back})
    session.commit()
    assert asked.proposed == {"plan_name": "Acme", "member_id": "A1", "front": front, "back": back}
    with pytest.raises(NotFound):  # the same photos cannot be claimed twice
        profile.request_change(session, people["rosa"], chart, "insurance",
                               {"plan_name": "Other", "member_id": "A2", "front": front})
    session.rollback()

    for who in ("rosa", "desk", "admin"):
        assert profile.insurance_card(session, people[who], front).data.startswith(b"\x89PNG")
        session.commit()
    assert _audit(session)[-1].detail == f"insurance card photo (front) of change {asked.id}"
    for who, error in (("walt", NotFound), ("nurse", PermissionDenied), ("doctor", PermissionDenied),
                       ("reader", PermissionDenied), (None, PermissionDenied)):
        with pytest.raises(error):
            profile.insurance_card(session, people[who] if who else None, back)
        session.rollback()
    with pytest.raises(NotFound):  # an unclaimed upload is no card
        profile.insurance_card(session, people["walt"], walts)
    session.rollback()

    profile.decide(session, people["desk"], asked.id, True)
    session.commit()
    assert profile.view(session, people["rosa"], chart).insurance == {
        "plan_name": "Acme", "member_id": "A1", "front": front, "back": back}


def test_the_chosen_language_is_kept_on_the_account_and_the_chart(session, clinic):
    from portal_app.services import users

    people, chart = clinic
    users.set_language(session, people["rosa"], "es")
    users.set_language(session, people["reader"], "es")  # a proxy has no chart of its own: only the account
    session.commit()
    assert session.get(User, people["rosa"].user_id).preferred_language == "es"
    assert session.get(Patient, chart).preferred_language == "es"
    assert session.get(Patient, people["walt"].patient_id).preferred_language == "en"
