"""Staff first sign-in: the one-time password leads only to choosing a password and enrolling an app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlmodel import select

from portal_app import clock as portal_clock
from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Role, User
from portal_app.services import mfa, sessions, signin, staff, staff_setup
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput

ADMIN_PASSWORD = "correct horse battery"
NEW_PASSWORD = "lantern orchard violin 42"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def created(session, make, clock):
    admin = make("admin.hughes", ADMIN_PASSWORD, Role.ADMIN)
    actor = Actor(role=admin.role, user_id=admin.id, display_name=admin.display_name)
    made = staff.create_staff(session, actor, "rn.lopez", "Ana Lopez", "RN", Role.NURSE, "ana@example.org")
    session.commit()
    return made


def _sign_in(session, password: str) -> signin.Step:
    step = signin.check_password(session, "rn.lopez", password, ip="203.0.113.7")
    session.commit()
    return step


def _app_code(session, secret: str) -> str:
    return pyotp.TOTP(secret).at(portal_clock.now())


def _details(session) -> list[str]:
    session.rollback()
    return [a.detail for a in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_first_sign_in_replaces_the_password_enrols_the_app_and_starts_a_session(session, created, clock):
    step = _sign_in(session, created.one_time_password)
    assert step.ok and step.first_sign_in
    token = step.token
    # The set-up token is no session and no second-factor step.
    assert sessions.complete_handoff(session, token) is None
    assert not signin.check_second_factor(session, token, "123456").ok
    session.commit()
    assert staff_setup.current_step(session, token) == "password"

    for weak, key in [("short", "password.error.too_short"), ("ana lopez garden", "password.error.personal"),
                      ("password1234", "password.error.personal")]:
        with pytest.raises(InvalidInput) as refused:
            staff_setup.choose_password(session, token, weak)
        assert refused.value.key == key
    with pytest.raises(InvalidInput) as refused:
        staff_setup.choose_password(session, token, created.one_time_password)
    assert refused.value.key == "staff_setup.error.same_password"
    session.rollback()
    assert staff_setup.current_step(session, token) == "password"

    staff_setup.choose_password(session, token, NEW_PASSWORD, ip="203.0.113.7")
    session.commit()
    assert staff_setup.current_step(session, token) == "authenticator"
    assert _sign_in(session, created.one_time_password).error == "signin.error.wrong"

    enrolment = staff_setup.begin_authenticator(session, token)
    session.commit()
    assert enrolment.uri.startswith("otpauth://totp/") and "rn.lopez" in enrolment.uri
    with pytest.raises(InvalidInput) as refused:
        staff_setup.confirm_authenticator(session, token, "000000")
    assert refused.value.key == "mfa.error.wrong_code"
    session.rollback()
    recovery = staff_setup.confirm_authenticator(session, token, _app_code(session, enrolment.secret))
    session.commit()
    assert len(recovery) == mfa.RECOVERY_CODES
    assert staff_setup.current_step(session, token) == "recovery"

    handoff = staff_setup.finish(session, token, ip="203.0.113.7")
    session.commit()
    cookie = sessions.complete_handoff(session, handoff)
    session.commit()
    info = sessions.resolve(session, cookie)
    assert info is not None and info.actor.role == Role.NURSE and info.actor.user_id == created.user_id
    with pytest.raises(InvalidInput):  # the set-up token is spent
        staff_setup.finish(session, token)

    notice = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "ana@example.org")).one()
    assert notice.kind == "security_notice" and "activated" in notice.body
    assert [d for d in _details(session) if "first sign-in" in d] == [
        "first sign-in: one-time password replaced",
        "first sign-in: authenticator app added, set-up finished",
        "first sign-in",
    ]

    # From now on it is an ordinary account: the new password, then the app's code.
    clock.shift(timedelta(seconds=60))
    again = _sign_in(session, NEW_PASSWORD)
    assert again.ok and not again.first_sign_in
    user = session.get(User, created.user_id)
    second = signin.check_second_factor(session, again.token, _app_code(session, enrolment.secret))
    assert second.ok, second.error
    assert user.role == Role.NURSE


def test_one_time_password_stops_working_after_seven_days(session, created, clock):
    clock.shift(staff_setup.SETUP_LIFETIME - timedelta(minutes=10))
    token = _sign_in(session, created.one_time_password).token
    clock.shift(timedelta(minutes=11))
    with pytest.raises(InvalidInput) as refused:  # a set-up still open at the deadline stops too
        staff_setup.choose_password(session, token, NEW_PASSWORD)
    assert refused.value.key == "signin.error.setup_expired"
    session.rollback()
    step = _sign_in(session, created.one_time_password)
    assert (step.ok, step.error, step.token) == (False, "signin.error.setup_expired", "")
    assert _details(session)[-1] == "set-up expired: rn.lopez"


def test_an_abandoned_set_up_resumes_at_the_app_with_the_new_password(session, created, clock):
    token = _sign_in(session, created.one_time_password).token
    staff_setup.choose_password(session, token, NEW_PASSWORD)
    session.commit()
    clock.shift(timedelta(hours=2))  # the set-up token has run out
    with pytest.raises(InvalidInput) as refused:
        staff_setup.begin_authenticator(session, token)
    assert refused.value.key == "signin.error.start_again"
    resumed = _sign_in(session, NEW_PASSWORD)
    assert resumed.ok and resumed.first_sign_in
    assert staff_setup.current_step(session, resumed.token) == "authenticator"
    with pytest.raises(InvalidInput):  # no going back to the password step
        staff_setup.choose_password(session, resumed.token, "another fine passphrase 9")


def test_set_up_steps_refuse_other_tokens_and_out_of_order_calls(session, make, created, clock):
    make("rosa", "rosa's long garden passphrase")
    patient_pending = signin.check_password(session, "rosa", "rosa's long garden passphrase").token
    session.commit()
    token = _sign_in(session, created.one_time_password).token
    for bad in [patient_pending, "", "x" * 101, None, 42, {"token": token}, token + "x"]:
        for call in (lambda t: staff_setup.current_step(session, t),
                     lambda t: staff_setup.choose_password(session, t, NEW_PASSWORD),
                     lambda t: staff_setup.begin_authenticator(session, t),
                     lambda t: staff_setup.finish(session, t)):
            with pytest.raises(InvalidInput) as refused:
                call(bad)
            assert refused.value.key == "signin.error.start_again"
    with pytest.raises(InvalidInput):  # the app before the password
        staff_setup.begin_authenticator(session, token)
    with pytest.raises(InvalidInput):  # a session before the app
        staff_setup.finish(session, token)
    session.rollback()
    assert session.get(User, created.user_id).password_hash is not None
    assert staff_setup.unfinished(session, created.user_id) is not None


def test_a_set_up_finished_from_one_sign_in_gives_another_sign_in_nothing(session, created, clock):
    first = _sign_in(session, created.one_time_password).token
    second = _sign_in(session, created.one_time_password).token  # e.g. a second tab, or someone else
    staff_setup.choose_password(session, first, NEW_PASSWORD)
    enrolment = staff_setup.begin_authenticator(session, first)
    staff_setup.confirm_authenticator(session, first, _app_code(session, enrolment.secret))
    session.commit()
    for call in (lambda: staff_setup.current_step(session, second), lambda: staff_setup.finish(session, second)):
        with pytest.raises(InvalidInput):
            call()
    clock.shift(timedelta(seconds=mfa.STEP_SECONDS))
    assert signin.check_second_factor(session, second, _app_code(session, enrolment.secret)).ok  # needs the code



def test_admin_starts_an_expired_or_lost_phone_account_again(session, created, clock):
    admin = session.exec(select(User).where(User.username == "admin.hughes")).one()
    actor = Actor(role=admin.role, user_id=admin.id, display_name=admin.display_name)
    token = _sign_in(session, created.one_time_password).token
    staff_setup.choose_password(session, token, NEW_PASSWORD)
    enrolment = staff_setup.begin_authenticator(session, token)
    staff_setup.confirm_authenticator(session, token, _app_code(session, enrolment.secret))
    cookie = sessions.complete_handoff(session, staff_setup.finish(session, token))
    session.commit()

    again = staff.new_one_time_password(session, actor, created.user_id)
    session.commit()
    assert again.one_time_password != created.one_time_password and len(again.one_time_password) == 16
    assert sessions.resolve(session, cookie) is None  # signed out everywhere
    assert not mfa.has_authenticator(session, created.user_id) and mfa.recovery_codes_left(session, created.user_id) == 0
    assert _sign_in(session, NEW_PASSWORD).error == "signin.error.wrong"
    restart = _sign_in(session, again.one_time_password)
    assert restart.ok and restart.first_sign_in
    assert staff_setup.current_step(session, restart.token) == "password"
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "ana@example.org")
                           .order_by(OutboxMessage.id)).all()
    assert "turned off" in notices[-1].body
    assert "new one-time password; app removed; 1 sessions ended" in _details(session)[-2]
    with pytest.raises(InvalidInput):  # not on one's own account
        staff.new_one_time_password(session, actor, admin.id)
