"""Signing in: password, then a fresh authenticator or recovery code; failures slow down and stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.mfa import TotpCredential
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Role
from portal_app.models.session import UserSession
from portal_app.services import mfa, sessions, signin
from tests.services.conftest import fresh_code

PASSWORD = "rosa's long garden passphrase"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _password_step(session, username="rosa", password=PASSWORD) -> signin.Step:
    step = signin.check_password(session, username, password, ip="203.0.113.9")
    session.commit()
    return step


def test_unknown_user_wrong_password_and_disabled_user_fail_alike(session, make):
    make("rosa", PASSWORD)
    make("walter", PASSWORD, active=False)
    steps = [_password_step(session, u, p) for u, p in [("nobody", PASSWORD), ("rosa", PASSWORD + "!"),
                                                          ("walter", PASSWORD), ("rosa", ""), ("", PASSWORD),
                                                          ("rosa", "x" * 257), (None, {"a": 1})]]
    assert [(s.ok, s.error, s.token) for s in steps] == [(False, "signin.error.wrong", "")] * 7
    assert session.exec(select(UserSession)).all() == []


def test_the_password_alone_does_not_sign_in(session, make):
    make("rosa", PASSWORD)
    pending = _password_step(session)
    assert pending.ok and len(pending.token) >= 40
    assert sessions.complete_handoff(session, pending.token) is None, "no cookie before the second factor"
    assert sessions.resolve(session, pending.token) is None


def test_a_fresh_code_completes_the_sign_in(session, make, clock):
    user = make("rosa", PASSWORD)
    pending = _password_step(session)
    done = signin.check_second_factor(session, pending.token, fresh_code(session, user.id))
    session.commit()
    assert done.ok
    token = sessions.complete_handoff(session, done.token)
    assert token is not None and sessions.resolve(session, token).actor.user_id == user.id


def test_a_wrong_or_reused_code_is_refused(session, make, clock):
    user = make("rosa", PASSWORD)
    first = _password_step(session)
    code = fresh_code(session, user.id)
    assert signin.check_second_factor(session, first.token, code).ok
    session.commit()
    second = _password_step(session)
    reused = signin.check_second_factor(session, second.token, code)
    assert (reused.ok, reused.error) == (False, "signin.error.wrong_code")
    wrong = signin.check_second_factor(session, second.token, "12345")
    assert wrong.error == "signin.error.wrong_code"


def test_the_pending_step_lasts_five_minutes(session, make, clock):
    user = make("rosa", PASSWORD)
    pending = _password_step(session)
    clock.shift(timedelta(minutes=5, seconds=1))
    late = signin.check_second_factor(session, pending.token, fresh_code(session, user.id))
    assert (late.ok, late.error) == (False, "signin.error.start_again")


def test_a_recovery_code_works_once_and_tells_the_user(session, make, clock):
    user = make("rosa", PASSWORD)
    user.email = "rosa@example.com"
    session.add(user)
    recovery = mfa.new_recovery_codes(session, user.id)
    session.commit()
    pending = _password_step(session)
    assert signin.check_second_factor(session, pending.token, recovery[0], recovery=True).ok
    session.commit()
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()
    assert [(n.kind, n.recipient) for n in notices] == [("security_notice", "rosa@example.com")]
    again = signin.check_second_factor(session, _password_step(session).token, recovery[0], recovery=True)
    assert (again.ok, again.error) == (False, "signin.error.wrong_recovery")


def test_a_password_reset_style_bypass_is_impossible_without_the_code(session, make, clock):
    """Knowing the password (e.g. after a reset) never skips the second factor."""
    make("rosa", PASSWORD)
    for _ in range(3):
        pending = _password_step(session)
        assert sessions.complete_handoff(session, pending.token) is None


def test_code_failures_slow_down_then_lock_the_factor(session, make, clock):
    user = make("rosa", PASSWORD)
    pending = _password_step(session)
    for _ in range(6):
        assert signin.check_second_factor(session, pending.token, "000000").error == "signin.error.wrong_code"
    session.commit()
    waiting = signin.check_second_factor(session, pending.token, fresh_code(session, user.id))
    assert (waiting.error, waiting.wait_seconds > 0) == ("signin.error.wait", True)
    clock.shift(31)
    assert signin.check_second_factor(session, pending.token, fresh_code(session, user.id)).ok


def test_password_failures_slow_down_and_persist(session, make, clock):
    make("rosa", PASSWORD)
    for _ in range(6):
        assert _password_step(session, password="wrong guess here").error == "signin.error.wrong"
    refused = _password_step(session)  # even the right password must wait now
    assert (refused.ok, refused.error) == (False, "signin.error.wait")
    clock.shift(31)
    assert _password_step(session).ok


def test_an_account_without_an_authenticator_cannot_sign_in(session, make):
    user = make("rosa", PASSWORD, role=Role.NURSE)
    session.delete(session.exec(select(TotpCredential).where(TotpCredential.user_id == user.id)).one())
    session.commit()
    assert _password_step(session).error == "signin.error.setup_unfinished"
