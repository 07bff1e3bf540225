""""Lost my phone" with the clinic's help: identity re-checked, the app removed, the patient adds it again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyotp
import pytest
import time_machine
from sqlmodel import select

from portal_app import clock as portal_clock
from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role
from portal_app.models.proxy import ProxyGrant
from portal_app.services import authenticator_reset, mfa, sessions, signin, staff_setup
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.conftest import sign_in_token

PASSWORD = "rosa's long garden passphrase"
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
BORN = date(1980, 1, 1)  # make_user's charts


@pytest.fixture
def clinic(session, make):
    with time_machine.travel(NOW, tick=False) as traveller:
        rosa = make("rosa", PASSWORD)
        chart = session.get(Patient, rosa.patient_id)
        chart.email, chart.phone = "rosa@example.org", "+13125550142"
        session.add(chart)
        people = {"rosa": rosa, "walt": make("walt", PASSWORD)}
        for name, role in (("desk", Role.FRONT_DESK), ("admin", Role.ADMIN), ("nurse", Role.NURSE),
                           ("doctor", Role.CLINICIAN), ("helper", Role.PROXY)):
            people[name] = make(name, PASSWORD, role)
        session.add(ProxyGrant(patient_id=rosa.patient_id, grantee_user_id=people["helper"].id, scopes="record",
                               relationship="adult_child", starts_at=NOW, ends_at=datetime(2027, 12, 1, tzinfo=UTC)))
        session.commit()
        yield {name: Actor.for_user(user) for name, user in people.items()}, rosa, traveller


def _rows(session) -> list[AuditEvent]:
    session.rollback()
    return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def test_the_front_desk_resets_the_app_and_the_patient_adds_a_new_one(session, clinic):
    people, rosa, traveller = clinic
    cookie = sign_in_token(session, "rosa", PASSWORD)
    authenticator_reset.reset_patient_authenticator(session, people["desk"], rosa.patient_id, BORN,
                                                    "photo_id_in_person")
    session.commit()
    assert not mfa.has_authenticator(session, rosa.id) and mfa.recovery_codes_left(session, rosa.id) == 0
    assert sessions.resolve(session, cookie) is None  # signed out everywhere
    notices = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(n.channel, n.recipient) for n in notices] == [("email", "rosa@example.org"), ("sms", "+13125550142")]
    assert all("turned off" in n.body for n in notices)
    last = _rows(session)[-1]
    assert (last.patient_id, last.category, last.actor_role) == (rosa.patient_id, "account", Role.FRONT_DESK)
    assert last.detail == "authenticator removed after identity check (photo_id_in_person); 1 sessions ended"

    # The next sign-in: the same password, then straight to adding an app.
    step = signin.check_password(session, "rosa", PASSWORD)
    session.commit()
    assert step.ok and step.first_sign_in
    assert staff_setup.current_step(session, step.token) == "authenticator"
    enrolment = staff_setup.begin_authenticator(session, step.token)
    codes = staff_setup.confirm_authenticator(session, step.token, pyotp.TOTP(enrolment.secret).at(portal_clock.now()))
    handoff = staff_setup.finish(session, step.token)
    session.commit()
    assert len(codes) == mfa.RECOVERY_CODES
    info = sessions.resolve(session, sessions.complete_handoff(session, handoff))
    assert info is not None and info.actor.patient_id == rosa.patient_id
    assert _rows(session)[-1].patient_id == rosa.patient_id  # the sign-in shows in her access history


def test_a_wrong_birth_date_or_no_stated_check_changes_nothing(session, clinic):
    people, rosa, _ = clinic
    with pytest.raises(InvalidInput) as refused:
        authenticator_reset.reset_patient_authenticator(session, people["desk"], rosa.patient_id, date(1980, 1, 2),
                                                        "photo_id_in_person")
    assert refused.value.key == "app_reset.error.birth_date"
    session.rollback()
    assert _rows(session)[-1].detail == "authenticator reset refused: date of birth did not match"
    for check in ("", "trust me", None, ["photo_id_in_person"]):
        with pytest.raises(InvalidInput) as refused:
            authenticator_reset.reset_patient_authenticator(session, people["desk"], rosa.patient_id, BORN, check)
        assert refused.value.key == "app_reset.error.check"
        session.rollback()
    with pytest.raises(InvalidInput):
        authenticator_reset.reset_patient_authenticator(session, people["desk"], rosa.patient_id, "1980-01-01",
                                                        "photo_id_in_person")
    session.rollback()
    assert mfa.has_authenticator(session, rosa.id) and session.exec(select(OutboxMessage)).all() == []


def test_only_front_desk_and_admins_may_reset_and_only_charts_they_may_open(session, clinic):
    people, rosa, _ = clinic
    for who in ("nurse", "doctor", "walt", "rosa", "helper", None):
        before = len(_rows(session))
        with pytest.raises(PermissionDenied):
            authenticator_reset.reset_patient_authenticator(session, people[who] if who else None, rosa.patient_id,
                                                            BORN, "photo_id_in_person")
        session.rollback()
        after = _rows(session)
        assert len(after) == before + 1 and after[-1].outcome == "denied", who
    assert mfa.has_authenticator(session, rosa.id)
    chart = session.get(Patient, rosa.patient_id)
    chart.restricted = True  # e.g. a staff member who is also a patient: break-glass first
    session.add(chart)
    session.commit()
    with pytest.raises(PermissionDenied):
        authenticator_reset.reset_patient_authenticator(session, people["desk"], rosa.patient_id, BORN,
                                                        "photo_id_in_person")
    session.rollback()
    chart.restricted = False
    session.add(chart)
    no_account = Patient(mrn="T-none", given_name="No", family_name="Account", birth_date=BORN, sex="male")
    session.add(no_account)
    session.commit()
    with pytest.raises(NotFound):
        authenticator_reset.reset_patient_authenticator(session, people["admin"], no_account.id, BORN,
                                                        "photo_id_in_person")
    session.rollback()
    authenticator_reset.reset_patient_authenticator(session, people["admin"], rosa.patient_id, BORN,
                                                    "called_back_number_on_file")
    session.commit()
    assert not mfa.has_authenticator(session, rosa.id)
