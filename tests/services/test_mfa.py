"""Second factor: authenticator codes once each, recovery codes single use, failure delays and cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import text

from portal_app.models.people import Role
from portal_app.services import codes, mfa, password_policy, throttle
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput

START = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)  # a step boundary (divisible by 30 s)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _enrolled(session, make, username="ana"):
    user = make(username, "a long enough passphrase", Role.PATIENT, authenticator=False)
    actor = Actor(role=Role.PATIENT, user_id=user.id, patient_id=user.patient_id)
    enrolment = mfa.begin_enrolment(session, actor)
    return user, actor, enrolment, pyotp.TOTP(enrolment.secret)


def test_enrolment_needs_a_first_code_and_gives_ten_recovery_codes(session, make, clock):
    user, actor, enrolment, totp = _enrolled(session, make)
    assert enrolment.uri.startswith("otpauth://totp/") and "secret=" in enrolment.uri
    assert enrolment.qr_svg.startswith("data:image/svg+xml")
    assert len(enrolment.secret) == 32  # 160 bits
    assert not mfa.has_authenticator(session, user.id)
    with pytest.raises(InvalidInput) as refused:
        mfa.confirm_enrolment(session, actor, "000000" if totp.now() != "000000" else "111111")
    assert refused.value.key == "mfa.error.wrong_code"
    recovery = mfa.confirm_enrolment(session, actor, totp.now())
    assert mfa.has_authenticator(session, user.id)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert all(len(codes.normalise(code)) * 5 >= 64 for code in recovery)
    with pytest.raises(InvalidInput):
        mfa.begin_enrolment(session, actor)  # a confirmed app is changed only through recovery


def test_the_secret_is_encrypted_at_rest(session, make, clock):
    _user, _actor, enrolment, _totp = _enrolled(session, make)
    session.flush()
    stored = session.exec(text("SELECT secret_sealed FROM totp_credential")).one()[0]
    assert enrolment.secret.encode() not in bytes(stored)


def test_each_code_is_accepted_once(session, make, clock):
    user, actor, _enrolment, totp = _enrolled(session, make)
    mfa.confirm_enrolment(session, actor, totp.now())
    clock.shift(30)
    code = totp.now()
    assert mfa.check_code(session, user.id, code)
    assert not mfa.check_code(session, user.id, code), "the same code a second time is refused"


def test_one_step_either_side_is_accepted_but_not_two(session, make, clock):
    user, actor, _enrolment, totp = _enrolled(session, make)
    mfa.confirm_enrolment(session, actor, totp.now())
    clock.shift(300)
    now = START + timedelta(seconds=300)
    assert mfa.check_code(session, user.id, totp.at(now - timedelta(seconds=30)))
    assert mfa.check_code(session, user.id, totp.at(now + timedelta(seconds=30)))
    clock.shift(300)
    now += timedelta(seconds=300)
    assert not mfa.check_code(session, user.id, totp.at(now - timedelta(seconds=60)))
    assert not mfa.check_code(session, user.id, totp.at(now + timedelta(seconds=60)))


def test_an_older_code_cannot_follow_a_newer_one(session, make, clock):
    user, actor, _enrolment, totp = _enrolled(session, make)
    mfa.confirm_enrolment(session, actor, totp.now())
    clock.shift(300)
    now = START + timedelta(seconds=300)
    assert mfa.check_code(session, user.id, totp.at(now + timedelta(seconds=30)))
    assert not mfa.check_code(session, user.id, totp.at(now)), "a step before the last used one is spent"


def test_an_unconfirmed_app_does_not_sign_anyone_in(session, make, clock):
    user, _actor, _enrolment, totp = _enrolled(session, make)
    assert not mfa.check_code(session, user.id, totp.now())


def test_recovery_codes_work_once_whatever_the_typing(session, make, clock):
    user, actor, _enrolment, totp = _enrolled(session, make)
    recovery = mfa.confirm_enrolment(session, actor, totp.now())
    sloppy = recovery[0].lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert mfa.use_recovery_code(session, user.id, sloppy)
    assert not mfa.use_recovery_code(session, user.id, recovery[0]), "spent"
    assert mfa.recovery_codes_left(session, user.id) == 9
    assert not mfa.use_recovery_code(session, user.id, "K7QM-2XHD-9RTB-WPLE")
    stored = [row[0] for row in session.exec(text("SELECT code_hash FROM recovery_code")).all()]
    assert all(codes.normalise(code) not in h for code in recovery for h in stored)


def test_new_recovery_codes_replace_the_old_ones(session, make, clock):
    user, actor, _enrolment, totp = _enrolled(session, make)
    first = mfa.confirm_enrolment(session, actor, totp.now())
    second = mfa.new_recovery_codes(session, user.id)
    assert not mfa.use_recovery_code(session, user.id, first[1])
    assert mfa.use_recovery_code(session, user.id, second[1])


def test_delays_grow_from_the_sixth_failure_and_the_factor_stops_at_100(session, make, clock):
    user = make("bo", "a long enough passphrase", Role.PATIENT)
    for _ in range(5):
        throttle.failed(session, user.id, "totp")
    assert throttle.gate(session, user.id, "totp").open
    throttle.failed(session, user.id, "totp")  # the 6th
    gate = throttle.gate(session, user.id, "totp")
    assert not gate.open and 29 <= gate.wait_seconds <= 31
    clock.shift(31)
    assert throttle.gate(session, user.id, "totp").open
    throttle.failed(session, user.id, "totp")  # the 7th: 60 s
    clock.shift(45)
    assert not throttle.gate(session, user.id, "totp").open
    clock.shift(16)
    assert throttle.gate(session, user.id, "totp").open
    assert throttle.delay_after(30) == timedelta(hours=1)
    for _ in range(100 - 7):
        throttle.failed(session, user.id, "totp")
    clock.shift(7200)
    assert throttle.gate(session, user.id, "totp").disabled
    assert throttle.gate(session, user.id, "password").open, "counted per factor"
    throttle.reset(session, user.id)
    assert throttle.gate(session, user.id, "totp").open


def test_success_resets_the_count(session, make, clock):
    user = make("cy", "a long enough passphrase", Role.PATIENT)
    for _ in range(6):
        throttle.failed(session, user.id, "password")
    clock.shift(31)
    throttle.succeeded(session, user.id, "password")
    for _ in range(5):
        throttle.failed(session, user.id, "password")
    assert throttle.gate(session, user.id, "password").open


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "password.error.too_short"),
        ("x" * 257, "password.error.too_long"),
        ("iloveyou12345", "password.error.common"),
        ("Walter-garden-1946", "password.error.personal"),
        ("maple grove family clinic!", "password.error.personal"),
        ("aaaaaaaaaaaaaaa", "password.error.common"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in password_policy.check(password, ["Walter Pimm", "walter.pimm"]).problems


@pytest.mark.parametrize("password", ["correct horse battery staple", "mi perro se llama Canelo y come mucho", "🌵 cactus on the windowsill 🌵"])
def test_long_passphrases_pass_without_composition_rules(password):
    result = password_policy.check(password, ["Walter Pimm"])
    assert result.problems == [] and result.strength >= 3


def test_length_counts_characters_not_bytes():
    assert "password.error.too_short" not in password_policy.check("ñandúkiwiü", []).problems  # 10 code points
    assert "password.error.too_short" in password_policy.check("ñandúkiwi", []).problems  # 9 code points
