"""Invitations and activation: codes, date of birth, failures, resuming, steps in order, accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlmodel import select

from portal_app.models.invitation import Activation, ActivationFailures, Invitation
from portal_app.models.mfa import RecoveryCode, TotpCredential
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role, User
from portal_app.services import codes, invitations, mfa, patients
from portal_app.services.access import Actor
from portal_app.services.backup import table_checksums
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.passwords import verify_password

START = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
BORN = date(1951, 3, 14)
GOOD_PASSWORD = "purple kettle under the old bridge"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(make):
    user = make("desk.one", "a long enough passphrase", Role.FRONT_DESK)
    return Actor(role=Role.FRONT_DESK, user_id=user.id, display_name="Desk One")


@pytest.fixture
def patient_id(session, desk, clock):
    pid = patients.register_patient(session, desk, "Marisol", "Quintero", BORN, "female",
                                    "marisol.q@example.com", "(212) 555-0120", "MG-500001", language="es")
    session.commit()
    return pid


def _actor(make, role: str, name: str) -> Actor:
    user = make(name, "a long enough passphrase", role)
    return Actor(role=role, user_id=user.id, patient_id=user.patient_id)


def _activate_to(session, code: str, step: str) -> int:
    """Walk an activation forward to ``step``; returns its id."""
    activation_id = invitations.start_activation(session, code, BORN, "10.0.0.1")
    if step == "consent":
        return activation_id
    invitations.accept_terms(session, activation_id, invitations.TERMS_VERSION)
    if step == "account":
        return activation_id
    invitations.choose_credentials(session, activation_id, "marisol.q", GOOD_PASSWORD)
    if step == "authenticator":
        return activation_id
    raise AssertionError(step)


def _totp(session, activation_id) -> pyotp.TOTP:
    return pyotp.TOTP(invitations.begin_authenticator(session, activation_id).secret)


# ---- the code ----------------------------------------------------------------------------------


def test_code_is_twelve_symbols_from_the_alphabet_grouped_for_printing(session, desk, patient_id):
    code = invitations.invite(session, desk, patient_id)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    plain = "".join(groups)
    assert len(plain) == 12 and set(plain) <= set(codes.ALPHABET)
    stored = session.exec(select(Invitation)).one()
    assert stored.code_hash == codes.digest(plain, "activation") and plain not in stored.code_hash
    assert invitations.invite(session, desk, patient_id) != code


def test_the_code_is_valid_thirty_days(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    session.commit()
    clock.shift(timedelta(days=30) - timedelta(seconds=1))
    assert invitations.start_activation(session, code, BORN)
    clock.shift(timedelta(seconds=2))
    with pytest.raises(InvalidInput) as refused:
        invitations.start_activation(session, code, BORN)
    assert refused.value.key == "activation.error.expired"


def test_typed_code_forgives_case_spaces_and_look_alikes(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    typed = " " + code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    assert invitations.start_activation(session, typed, BORN)


def test_date_of_birth_is_required_and_wrong_code_or_birth_date_get_the_same_answer(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    session.commit()
    answers = []
    for attempt in [(code, date(1951, 3, 15)), ("ZZZZ-ZZZZ-ZZZZ", BORN), (code, None), (code, "1951-03-14"), ("", BORN)]:
        with pytest.raises(InvalidInput) as refused:
            invitations.start_activation(session, *attempt)
        answers.append((refused.value.key, refused.value.params))
    assert answers == [("activation.error.no_match", {})] * 5


def test_five_wrong_birth_dates_void_the_invitation(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    session.commit()
    for _ in range(invitations.MAX_FAILURES):
        with pytest.raises(InvalidInput):
            invitations.start_activation(session, code, date(1960, 1, 1))
    invitation = session.exec(select(Invitation)).one()
    session.refresh(invitation)
    assert invitation.failed_attempts == 5 and invitation.voided_at is not None
    with pytest.raises(InvalidInput) as refused:
        invitations.start_activation(session, code, BORN)  # even the right date of birth now
    assert refused.value.key == "activation.error.expired"


def test_failures_are_kept_although_the_refusal_rolls_back(session, desk, patient_id, clock):
    """The web layer rolls back on a refusal; the count must survive it."""
    code = invitations.invite(session, desk, patient_id)
    session.commit()
    with pytest.raises(InvalidInput):
        invitations.start_activation(session, code, date(1960, 1, 1))
    session.rollback()
    assert session.exec(select(Invitation)).one().failed_attempts == 1


def test_one_source_address_is_throttled_after_twenty_failures(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    session.commit()
    for n in range(invitations.SOURCE_MAX_FAILURES):
        with pytest.raises(InvalidInput):
            invitations.start_activation(session, f"ZZZZ-ZZZZ-ZZ{codes.ALPHABET[n]}Z", BORN, "203.0.113.9")
    with pytest.raises(InvalidInput) as refused:
        invitations.start_activation(session, code, BORN, "203.0.113.9")
    assert refused.value.key == "activation.error.too_many"
    assert invitations.start_activation(session, code, BORN, "198.51.100.7"), "another address is not blocked"
    clock.shift(invitations.SOURCE_WINDOW)
    assert invitations.start_activation(session, code, BORN, "203.0.113.9") , "the window passes"
    stored = session.exec(select(ActivationFailures)).all()
    assert all("203.0.113.9" not in row.source_key for row in stored)


def test_a_code_that_cannot_be_a_code_writes_nothing(session, desk, patient_id, clock, database_url):
    invitations.invite(session, desk, patient_id)
    session.commit()
    from portal_app.db import get_engine

    before = table_checksums(get_engine(database_url))
    for typed in ["short", "x" * 500, "ABCD-EFGH-JKM!", "ÄBCD-EFGH-JKMN"]:
        with pytest.raises(InvalidInput):
            invitations.start_activation(session, typed, BORN)
    session.commit()
    assert table_checksums(get_engine(database_url)) == before


def test_a_new_invitation_voids_the_older_unused_one(session, desk, patient_id, clock):
    first = invitations.invite(session, desk, patient_id)
    second = invitations.invite(session, desk, patient_id)
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        invitations.start_activation(session, first, BORN)
    assert refused.value.key == "activation.error.expired"
    assert invitations.start_activation(session, second, BORN)


def test_the_code_is_queued_by_email_and_sms_and_an_older_pending_one_cancelled(session, desk, patient_id, clock):
    first = invitations.issue(session, desk, patient_id)
    assert first.sent_to == ("email", "sms")
    second = invitations.issue(session, desk, patient_id)
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.channel, r.status) for r in rows] == [
        ("email", "cancelled"), ("sms", "cancelled"), ("email", "pending"), ("sms", "pending")]
    assert rows[2].recipient == "marisol.q@example.com" and rows[3].recipient == "+12125550120"
    assert all(first.code not in r.body for r in rows), "the void code is blanked from the outbox"
    assert all(second.code in r.body and "código" in r.body for r in rows[2:]), "in the patient's language"
    assert all("Quintero" not in r.body and "1951" not in r.body for r in rows)


# ---- the steps ---------------------------------------------------------------------------------


def test_a_whole_activation_makes_a_working_account(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    activation_id = _activate_to(session, code, "authenticator")
    user = session.exec(select(User).where(User.patient_id == patient_id)).one()
    assert user.username == "marisol.q" and user.role == Role.PATIENT and user.preferred_language == "es"
    assert not user.is_active, "switched off until the activation is finished"
    assert verify_password(GOOD_PASSWORD, user.password_hash)
    totp = _totp(session, activation_id)
    recovery = invitations.confirm_authenticator(session, activation_id, totp.now())
    assert len(recovery) == 10
    assert mfa.has_authenticator(session, user.id)
    invitations.finish(session, activation_id)
    session.refresh(user)
    assert user.is_active
    activation = session.get(Activation, activation_id)
    assert activation.step == "done" and activation.consent_version == invitations.TERMS_VERSION
    assert activation.consent_at is not None and activation.user_id == user.id
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "security_notice")).all()
    assert {n.channel for n in notices} == {"email", "sms"}


def test_the_code_works_once(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    activation_id = _activate_to(session, code, "authenticator")
    invitations.confirm_authenticator(session, activation_id, _totp(session, activation_id).now())
    invitations.finish(session, activation_id)
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        invitations.start_activation(session, code, BORN)
    assert refused.value.key == "activation.error.expired"
    with pytest.raises(InvalidInput):
        invitations.finish(session, activation_id)
    with pytest.raises(InvalidInput) as refused:
        invitations.invite(session, desk, patient_id)
    assert refused.value.key == "invitations.error.has_account"


def test_a_redeemed_code_resumes_at_its_step(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    first = _activate_to(session, code, "authenticator")
    session.commit()
    again = invitations.start_activation(session, code, BORN)
    assert again == first
    assert invitations.current_step(session, again) == "authenticator"
    invitations.confirm_authenticator(session, again, _totp(session, again).now())
    assert invitations.current_step(session, again) == "recovery"
    codes_again = invitations.reissue_recovery_codes(session, again)
    assert len(codes_again) == 10
    user_id = session.get(Activation, again).user_id
    assert len(session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id)).all()) == 10, \
        "new codes replace the ones shown before"


@pytest.mark.parametrize("skip_to", ["account", "authenticator", "recovery", "finish"])
def test_steps_cannot_be_skipped(session, desk, patient_id, clock, skip_to):
    code = invitations.invite(session, desk, patient_id)
    activation_id = invitations.start_activation(session, code, BORN)
    calls = {
        "account": lambda: invitations.choose_credentials(session, activation_id, "marisol.q", GOOD_PASSWORD),
        "authenticator": lambda: invitations.begin_authenticator(session, activation_id),
        "recovery": lambda: invitations.confirm_authenticator(session, activation_id, "123456"),
        "finish": lambda: invitations.finish(session, activation_id),
    }
    with pytest.raises(InvalidInput) as refused:
        calls[skip_to]()
    assert refused.value.key == "activation.error.wrong_step"
    assert session.exec(select(User).where(User.patient_id == patient_id)).first() is None


def test_steps_cannot_be_repeated(session, desk, patient_id, clock):
    code = invitations.invite(session, desk, patient_id)
    activation_id = _activate_to(session, code, "authenticator")
    with pytest.raises(InvalidInput) as refused:
        invitations.accept_terms(session, activation_id, invitations.TERMS_VERSION)
    assert refused.value.key == "activation.error.wrong_step"
    with pytest.raises(InvalidInput):
        invitations.choose_credentials(session, activation_id, "someone.else", GOOD_PASSWORD)
    invitations.confirm_authenticator(session, activation_id, _totp(session, activation_id).now())
    with pytest.raises(InvalidInput):
        invitations.confirm_authenticator(session, activation_id, "123456")
    with pytest.raises(NotFound):
        invitations.accept_terms(session, 10**6, invitations.TERMS_VERSION)
    with pytest.raises(NotFound):
        invitations.accept_terms(session, True, invitations.TERMS_VERSION)


def test_terms_must_be_the_current_version(session, desk, patient_id, clock):
    activation_id = invitations.start_activation(session, invitations.invite(session, desk, patient_id), BORN)
    with pytest.raises(InvalidInput) as refused:
        invitations.accept_terms(session, activation_id, "1999-01-01")
    assert refused.value.key == "activation.error.terms_changed"


def test_wrong_authenticator_code_is_refused(session, desk, patient_id, clock):
    activation_id = _activate_to(session, invitations.invite(session, desk, patient_id), "authenticator")
    totp = _totp(session, activation_id)
    wrong = "000000" if totp.now() != "000000" else "111111"
    with pytest.raises(InvalidInput) as refused:
        invitations.confirm_authenticator(session, activation_id, wrong)
    assert refused.value.key == "mfa.error.wrong_code"
    assert invitations.current_step(session, activation_id) == "authenticator"


@pytest.mark.parametrize(
    ("username", "key"),
    [
        ("ab", "activation.error.username_length"),
        ("a" * 65, "activation.error.username_length"),
        ("maría", "activation.error.username_characters"),
        ("two words", "activation.error.username_characters"),
        ("desk.one", "activation.error.username_taken"),
        ("DESK.ONE", "activation.error.username_taken"),
    ],
)
def test_username_rules(session, desk, patient_id, clock, username, key):
    activation_id = _activate_to(session, invitations.invite(session, desk, patient_id), "account")
    with pytest.raises(InvalidInput) as refused:
        invitations.choose_credentials(session, activation_id, username, GOOD_PASSWORD)
    assert refused.value.key == key


def test_usernames_are_kept_in_lower_case(session, desk, patient_id, clock):
    activation_id = _activate_to(session, invitations.invite(session, desk, patient_id), "account")
    invitations.choose_credentials(session, activation_id, "  Marisol_Q-1951 ", GOOD_PASSWORD)
    assert session.exec(select(User.username).where(User.patient_id == patient_id)).one() == "marisol_q-1951"


@pytest.mark.parametrize(
    ("password", "key", "message"),
    [
        ("short one", "password.error.too_short", "Use at least 10 characters. A short sentence works well."),
        ("x" * 257, "password.error.too_long", "Use 256 characters or fewer."),
        ("password1234", "password.error.personal", "Do not put your name"),
        ("quintero garden party", "password.error.personal", "Do not put your name"),
        ("1234567890", "password.error.common", "Many people use this password"),
        ("zzzzzzzzzzzz1", "password.error.guessable", "This password would be easy to guess"),
    ],
)
def test_password_rules_and_their_messages(session, desk, patient_id, clock, password, key, message):
    from portal_app import i18n

    activation_id = _activate_to(session, invitations.invite(session, desk, patient_id), "account")
    with pytest.raises(InvalidInput) as refused:
        invitations.choose_credentials(session, activation_id, "marisol.q", password)
    assert refused.value.key == key
    assert i18n.t(key, "en").startswith(message)
    assert i18n.t(key, "es") != i18n.t(key, "en")
    assert session.exec(select(User).where(User.patient_id == patient_id)).first() is None


def test_password_feedback_knows_the_patient(session, desk, patient_id, clock):
    activation_id = _activate_to(session, invitations.invite(session, desk, patient_id), "account")
    assert invitations.password_feedback(session, activation_id, "marisol rocks 1951").problems == ["password.error.personal"]
    good = invitations.password_feedback(session, activation_id, GOOD_PASSWORD)
    assert good.problems == [] and good.strength >= 3


def test_an_abandoned_account_is_taken_over_by_a_new_invitation(session, desk, patient_id, clock):
    first = _activate_to(session, invitations.invite(session, desk, patient_id), "authenticator")
    invitations.begin_authenticator(session, first)
    code = invitations.invite(session, desk, patient_id)  # the patient lost the first code
    second = _activate_to(session, code, "account")
    invitations.choose_credentials(session, second, "marisol.q", "another fine sentence here")
    users = session.exec(select(User).where(User.patient_id == patient_id)).all()
    assert len(users) == 1 and verify_password("another fine sentence here", users[0].password_hash)
    assert session.exec(select(TotpCredential).where(TotpCredential.user_id == users[0].id)).first() is None, \
        "the old, unconfirmed secret is gone"


# ---- who may do it -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_front_desk_and_admin_may_register_find_and_invite(session, make, clock, role):
    actor = _actor(make, role, "staff.member")
    pid = patients.register_patient(session, actor, "Ana", "Ruiz", date(1990, 2, 3), "female", "", "", "MG-1")
    assert [p.id for p in patients.find_patients(session, actor, "ruiz").items] == [pid]
    assert invitations.invite(session, actor, pid)


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.CLINICIAN])
def test_patients_and_nurses_are_refused(session, make, desk, patient_id, clock, role):
    actor = _actor(make, role, "some.one")
    with pytest.raises(PermissionDenied):
        patients.register_patient(session, actor, "Ana", "Ruiz", date(1990, 2, 3), "female", "", "", "MG-2")
    with pytest.raises(PermissionDenied):
        patients.find_patients(session, actor, "Quintero")
    with pytest.raises(PermissionDenied):
        invitations.invite(session, actor, patient_id)
    with pytest.raises(PermissionDenied):
        invitations.invite(session, None, patient_id)
    assert session.exec(select(Invitation)).first() is None


def test_inviting_an_unknown_patient_is_not_found(session, desk, clock):
    for bad in (10**6, "1", True, None):
        with pytest.raises(NotFound):
            invitations.invite(session, desk, bad)


# ---- registering and finding -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"given": "  "}, "patients.error.given_missing"),
        ({"family": ""}, "patients.error.family_missing"),
        ({"given": "x" * 101}, "patients.error.name_invalid"),
        ({"birth_date": date(2026, 11, 25)}, "patients.error.birth_date_future"),
        ({"birth_date": date(1899, 12, 31)}, "patients.error.birth_date_old"),
        ({"birth_date": "1950-01-01"}, "patients.error.birth_date"),
        ({"sex": "robot"}, "patients.error.sex"),
        ({"email": "not-an-email"}, "patients.error.email"),
        ({"email": "a@b"}, "patients.error.email"),
        ({"phone": "12"}, "patients.error.phone"),
        ({"phone": "555-0100-99999999"}, "patients.error.phone"),
        ({"mrn": ""}, "patients.error.mrn_missing"),
        ({"mrn": "MG 1"}, "patients.error.mrn_invalid"),
        ({"mrn": "mg-500001"}, "patients.error.mrn_taken"),
        ({"language": "fr"}, "language.error.unknown"),
    ],
)
def test_registration_input_is_checked_and_bad_input_changes_nothing(session, desk, patient_id, clock, change, key):
    fields = dict(given="Ana", family="Ruiz", birth_date=date(1990, 2, 3), sex="female", email="ana@example.com",
                  phone="212 555 0130", mrn="MG-500002", language="en")
    fields.update(change)
    language = fields.pop("language")
    with pytest.raises(InvalidInput) as refused:
        patients.register_patient(session, desk, **fields, language=language)
    assert refused.value.key == key
    assert len(session.exec(select(Patient)).all()) == 1


def test_registration_cleans_contacts(session, desk, patient_id):
    patient = session.get(Patient, patient_id)
    assert patient.phone == "+12125550120" and patient.email == "marisol.q@example.com"
    assert patient.mrn == "MG-500001" and patient.preferred_language == "es"


def test_find_by_name_mrn_or_birth_date_with_paging(session, desk, patient_id, clock):
    for n in range(25):
        patients.register_patient(session, desk, f"Test{n:02d}", "Quinn", date(1980, 1, 1), "male", "", "", f"Q-{n}")
    assert [p.mrn for p in patients.find_patients(session, desk, "mg-500001").items] == ["MG-500001"]
    assert [p.name for p in patients.find_patients(session, desk, "mari quin").items] == ["Marisol Quintero"]
    assert [p.name for p in patients.find_patients(session, desk, "1951-03-14").items] == ["Marisol Quintero"]
    assert [p.name for p in patients.find_patients(session, desk, "03/14/1951").items] == ["Marisol Quintero"]
    first = patients.find_patients(session, desk, "quinn")
    second = patients.find_patients(session, desk, "quinn", page=1)
    assert len(first.items) == 20 and first.has_more and len(second.items) == 5 and not second.has_more
    assert patients.find_patients(session, desk, "100%").items == []
    for bad in ("", " a ", "x" * 101):
        with pytest.raises(InvalidInput):
            patients.find_patients(session, desk, bad)


def test_search_results_show_account_and_invitation_status(session, desk, patient_id, clock):
    [row] = patients.find_patients(session, desk, "Quintero").items
    assert not row.has_account and row.invitation_expires == ""
    invitations.invite(session, desk, patient_id)
    [row] = patients.find_patients(session, desk, "Quintero").items
    assert row.invitation_expires == (START + timedelta(days=30)).date().isoformat()
    assert row.birth_date == "1951-03-14"


# ---- the audit trail ---------------------------------------------------------------------------


def test_invitation_and_activation_are_audited(session, desk, patient_id, clock, make):
    from portal_app.models.audit import AuditEvent
    from portal_app.services import audit

    code = invitations.invite(session, desk, patient_id)
    session.commit()
    with pytest.raises(InvalidInput):
        invitations.start_activation(session, code, date(1960, 1, 1), "198.51.100.7")
    session.rollback()
    activation_id = _activate_to(session, code, "authenticator")
    invitations.confirm_authenticator(session, activation_id, _totp(session, activation_id).now())
    invitations.finish(session, activation_id)
    nurse = _actor(make, Role.NURSE, "nurse.one")
    with pytest.raises(PermissionDenied):
        invitations.invite(session, nurse, patient_id)
    session.rollback()
    rows = session.exec(select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)).all()
    details = [(r.action, r.category, r.outcome, r.detail) for r in rows]
    assert details[0] == ("create", "demographics", "success", "patient registered")
    assert details[1] == ("create", "account", "success", "activation code issued (printed,email,sms)")
    assert details[2] == ("update", "account", "failure", "activation: wrong date of birth (1 of 5)")
    assert rows[2].source_ip == "198.51.100.7" and rows[2].actor_role == "anonymous"
    assert [d[3] for d in details[3:]] == [
        "activation code redeemed", "terms 2026-11-24 accepted", "username and password chosen",
        "authenticator app added", "account activated"]
    refused = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [(r.actor_user_id, r.detail) for r in refused] == [(nurse.user_id, "refused: invitations.create")]
    assert audit.verify(session).ok
