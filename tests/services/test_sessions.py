"""Server-side sign-in sessions: hand-off, idle timeout, absolute lifetime, sign-out, hashed storage."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import text
from sqlmodel import select

from portal_app import clock as portal_clock
from portal_app.models.people import Role
from portal_app.models.session import UserSession
from portal_app.services import sessions
from tests.services.conftest import sign_in_handoff, sign_in_token

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "rosa's long garden passphrase"


@pytest.fixture(autouse=True)
def production_timeouts(monkeypatch):
    """The real numbers (30 min patients, 15 min staff, 12 h), whatever the test environment says."""
    monkeypatch.setattr(
        sessions,
        "settings",
        dataclasses.replace(sessions.settings, patient_idle_seconds=30 * 60, staff_idle_seconds=15 * 60,
                            session_max_seconds=12 * 60 * 60),
    )


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _sign_in_fully(session, username: str, password: str = PASSWORD) -> str:
    return sign_in_token(session, username, password, ip="203.0.113.9", user_agent="Firefox")


def _last_seen(session) -> datetime:
    session.expire_all()
    return portal_clock.as_utc(session.exec(select(UserSession)).one().last_seen_at)


def _sessions_in_db(session) -> int:
    return len(session.exec(select(UserSession)).all())


def test_signing_in_gives_a_hand_off_and_the_username_is_not_case_sensitive(session, make):
    make("rosa", PASSWORD)

    handoff = sign_in_handoff(session, "  Rosa ", PASSWORD)

    assert isinstance(handoff, str) and len(handoff) >= 40
    row = session.exec(select(UserSession)).one()
    assert row.token_hash is None  # not signed in until the hand-off is exchanged
    assert row.handoff_hash == hashlib.sha256(handoff.encode()).hexdigest()


def test_a_hand_off_gives_a_token_exactly_once(session, make):
    make("rosa", PASSWORD)
    handoff = sign_in_handoff(session, "rosa", PASSWORD)

    token = sessions.complete_handoff(session, handoff)
    session.commit()
    again = sessions.complete_handoff(session, handoff)

    assert token is not None and len(token) >= 40 and token != handoff
    assert again is None
    assert sessions.resolve(session, token) is not None
    assert sessions.resolve(session, handoff) is None  # the hand-off is not itself a session


def test_a_hand_off_expires_after_60_seconds(session, make, clock):
    make("rosa", PASSWORD)
    stale = sign_in_handoff(session, "rosa", PASSWORD)
    fresh = sign_in_handoff(session, "rosa", PASSWORD)

    clock.shift(timedelta(seconds=59))
    assert sessions.complete_handoff(session, fresh) is not None
    clock.shift(timedelta(seconds=2))  # 61 s after sign-in
    assert sessions.complete_handoff(session, stale) is None


def test_a_garbage_hand_off_gives_nothing(session, make):
    make("rosa", PASSWORD)
    handoff = sign_in_handoff(session, "rosa", PASSWORD)
    for bad in ["", None, "garbage", handoff[:-1], handoff + "A", handoff + "x" * (101 - len(handoff))]:
        assert sessions.complete_handoff(session, bad) is None, bad
    assert sessions.complete_handoff(session, handoff) is not None


def test_resolve_gives_the_actor(session, make):
    patient_user = make("rosa", PASSWORD, language="es")
    nurse = make("rn.baptiste", PASSWORD, Role.NURSE)

    patient_info = sessions.resolve(session, _sign_in_fully(session, "rosa"))
    nurse_info = sessions.resolve(session, _sign_in_fully(session, "rn.baptiste"))

    assert patient_info.actor.role == Role.PATIENT
    assert patient_info.actor.user_id == patient_user.id
    assert patient_info.actor.patient_id == patient_user.patient_id is not None
    assert patient_info.actor.display_name == "Rosa Test"
    assert patient_info.language == "es"
    assert patient_info.idle_seconds == 30 * 60
    assert len(patient_info.actor.session_ref) == 16

    assert nurse_info.actor.role == Role.NURSE
    assert nurse_info.actor.user_id == nurse.id
    assert nurse_info.actor.patient_id is None
    assert nurse_info.actor.is_staff
    assert nurse_info.idle_seconds == 15 * 60


@pytest.mark.parametrize(
    ("role", "limit"),
    [(Role.PATIENT, timedelta(minutes=30)), (Role.CLINICIAN, timedelta(minutes=15))],
)
def test_idle_timeout_ends_the_session(session, make, clock, role, limit):
    make("someone", PASSWORD, role)
    token = _sign_in_fully(session, "someone")

    clock.shift(limit - timedelta(seconds=1))
    assert sessions.resolve(session, token, touch=False) is not None  # still valid just before the limit
    clock.shift(timedelta(seconds=1))
    assert sessions.resolve(session, token) is None
    session.commit()

    clock.shift(-limit)  # even back in time, an ended session stays ended
    assert sessions.resolve(session, token) is None
    assert session.exec(select(UserSession)).one().revoked_at is not None


def test_staff_times_out_before_patients(session, make, clock):
    make("rosa", PASSWORD)
    make("desk.tanaka", PASSWORD, Role.FRONT_DESK)
    patient_token = _sign_in_fully(session, "rosa")
    staff_token = _sign_in_fully(session, "desk.tanaka")

    clock.shift(timedelta(minutes=16))
    assert sessions.resolve(session, staff_token) is None
    assert sessions.resolve(session, patient_token) is not None


def test_activity_extends_the_idle_timeout(session, make, clock):
    make("rosa", PASSWORD)
    token = _sign_in_fully(session, "rosa")

    clock.shift(timedelta(minutes=29))
    assert sessions.resolve(session, token) is not None  # an event: touches last_seen
    session.commit()
    clock.shift(timedelta(minutes=29))  # 58 min after sign-in, 29 since the last event
    assert sessions.resolve(session, token, touch=False) is not None
    clock.shift(timedelta(minutes=1))
    assert sessions.resolve(session, token) is None


def test_clicks_close_together_write_the_last_activity_once(session, make, clock):
    """Each event checks the session, but only writes it when the recorded activity is more than
    a 60th of the idle limit old; the session then ends no more than that early."""
    make("rosa", PASSWORD)
    token = _sign_in_fully(session, "rosa")
    signed_in = _last_seen(session)

    clock.shift(timedelta(seconds=29))  # under 30 s (30 minutes / 60): not written
    assert sessions.resolve(session, token) is not None
    session.commit()
    assert _last_seen(session) == signed_in
    clock.shift(timedelta(seconds=2))
    assert sessions.resolve(session, token) is not None
    session.commit()
    assert _last_seen(session) == signed_in + timedelta(seconds=31)


def test_absolute_lifetime_of_12_hours_ends_even_an_active_session(session, make, clock):
    make("dr.okafor", PASSWORD, Role.CLINICIAN)
    token = _sign_in_fully(session, "dr.okafor")

    for _ in range(12 * 6 - 1):  # an event every 10 minutes for 11 h 50 min
        clock.shift(timedelta(minutes=10))
        assert sessions.resolve(session, token) is not None
    session.commit()
    clock.shift(timedelta(minutes=9, seconds=59))
    assert sessions.resolve(session, token) is not None
    clock.shift(timedelta(seconds=1))  # exactly 12 h
    assert sessions.resolve(session, token) is None


def test_sign_out_revokes_the_session(session, make):
    make("rosa", PASSWORD)
    token = _sign_in_fully(session, "rosa")
    other = _sign_in_fully(session, "rosa")  # the same user on another device

    sessions.sign_out(session, token)
    session.commit()

    assert sessions.resolve(session, token) is None
    assert sessions.resolve(session, other) is not None
    sessions.sign_out(session, token)  # twice is harmless
    sessions.sign_out(session, "garbage")
    sessions.sign_out(session, None)


def test_disabling_a_user_ends_their_sessions(session, make):
    user = make("rosa", PASSWORD)
    token = _sign_in_fully(session, "rosa")

    user.is_active = False
    session.add(user)
    session.commit()

    assert sessions.resolve(session, token) is None


def test_anything_but_the_exact_token_is_refused(session, make):
    make("rosa", PASSWORD)
    token = _sign_in_fully(session, "rosa")
    for bad in [token + "x" * (101 - len(token)), token[:-1], token + "A", token.upper(), "garbage", "", None,
                "x" * 10_000]:
        assert sessions.resolve(session, bad) is None, bad
    assert sessions.resolve(session, token) is not None


def test_the_database_holds_only_hashes_never_the_hand_off_or_token(session, make, database_url):
    make("rosa", PASSWORD)
    handoff = sign_in_handoff(session, "rosa", PASSWORD)
    columns = _raw_session_values(session)
    assert handoff not in columns
    assert hashlib.sha256(handoff.encode()).hexdigest() in columns

    token = sessions.complete_handoff(session, handoff)
    session.commit()
    row = session.exec(select(UserSession)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.handoff_hash is None  # spent
    columns = _raw_session_values(session)
    assert token not in columns and handoff not in columns
    assert not any(token in value or handoff in value for value in columns)


def _raw_session_values(session) -> list[str]:
    rows = session.execute(text("SELECT * FROM user_session")).all()
    return [str(value) for row in rows for value in row]
