"""A user's own sessions: listing them, ending one, signing out everywhere, and the idle check."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.audit import AuditEvent
from portal_app.models.people import Role
from portal_app.models.session import UserSession
from portal_app.services import sessions
from portal_app.services.errors import NotFound
from tests.services.conftest import sign_in_handoff, sign_in_token

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "rosa's long garden passphrase"
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
           "Mobile Safari/537.36")
MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
       "Safari/605.1.15")


@pytest.fixture(autouse=True)
def production_timeouts(monkeypatch):
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


def _sign_in(clock, session, username: str, **where: str) -> str:
    """Signed in; then the frozen clock moves past this authenticator code (each code works once)."""
    token = sign_in_token(session, username, PASSWORD, **where)
    clock.shift(timedelta(seconds=30))
    return token


def _actor(session, token):
    info = sessions.resolve(session, token, touch=False)
    assert info is not None
    return info.actor


def _session_audit(session, detail: str) -> list[AuditEvent]:
    return session.exec(select(AuditEvent).where(AuditEvent.action == "sign_out", AuditEvent.detail == detail)).all()


def test_the_list_shows_only_my_active_sessions(session, make, clock):
    rosa = make("rosa", PASSWORD)
    make("omar", PASSWORD)
    phone = _sign_in(clock, session, "rosa", ip="203.0.113.9", user_agent=ANDROID)
    laptop = _sign_in(clock, session, "rosa", ip="198.51.100.4", user_agent=MAC)
    ended = _sign_in(clock, session, "rosa")
    _sign_in(clock, session, "omar")  # someone else's
    sessions.sign_out(session, ended)
    sign_in_handoff(session, "rosa", PASSWORD)  # second factor done, never exchanged for a cookie
    session.commit()

    views = sessions.list_sessions(session, _actor(session, phone), current_token=phone)

    assert {v.device for v in views} == {"Chrome on Android", "Safari on Mac"}
    assert {v.ip for v in views} == {"203.0.113.9", "198.51.100.4"}
    assert [v.is_current for v in views if v.device == "Chrome on Android"] == [True]
    assert [v.is_current for v in views if v.device == "Safari on Mac"] == [False]
    owners = {session.get(UserSession, v.id).user_id for v in views}
    assert owners == {rosa.id}
    assert all(v.created_at.tzinfo is not None and v.last_seen_at.tzinfo is not None for v in views)
    assert laptop not in {v.ip for v in views}  # (the cookie value is never part of a view)


def test_an_idle_session_is_not_listed(session, make, clock):
    make("rosa", PASSWORD)
    old = _sign_in(clock, session, "rosa")
    clock.shift(timedelta(minutes=20))
    new = _sign_in(clock, session, "rosa")
    clock.shift(timedelta(minutes=11))  # the first one has been idle 31 minutes

    views = sessions.list_sessions(session, _actor(session, new), current_token=new)

    assert len(views) == 1 and views[0].is_current
    assert sessions.resolve(session, old) is None


def test_ending_another_users_session_is_not_found_and_it_stays_active(session, make, clock):
    make("rosa", PASSWORD)
    make("omar", PASSWORD)
    rosa = _sign_in(clock, session, "rosa")
    omar = _sign_in(clock, session, "omar")
    omar_row = sessions.list_sessions(session, _actor(session, omar), current_token=omar)[0]
    rosa_actor = _actor(session, rosa)

    for bad in (omar_row.id, 10**30, -1, "1", None, True, 3.5):
        with pytest.raises(NotFound):
            sessions.end_session(session, rosa_actor, bad, rosa)
        session.rollback()

    assert sessions.resolve(session, omar) is not None
    refusals = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert len(refusals) == 7 and {r.actor_user_id for r in refusals} == {rosa_actor.user_id}


def test_ending_one_of_my_sessions_from_another_device(session, make, clock):
    make("rosa", PASSWORD)
    phone = _sign_in(clock, session, "rosa", user_agent=ANDROID)
    laptop = _sign_in(clock, session, "rosa", user_agent=MAC)
    actor = _actor(session, laptop)
    phone_id = next(v.id for v in sessions.list_sessions(session, actor, laptop) if not v.is_current)

    assert sessions.end_session(session, actor, phone_id, laptop) is False
    session.commit()

    assert sessions.resolve(session, phone) is None
    assert sessions.resolve(session, laptop) is not None
    rows = _session_audit(session, "ended from another device")
    assert len(rows) == 1 and rows[0].patient_id == actor.patient_id and rows[0].category == "session"
    with pytest.raises(NotFound):  # already ended
        sessions.end_session(session, actor, phone_id, laptop)
    session.rollback()
    current_id = sessions.list_sessions(session, actor, laptop)[0].id
    assert sessions.end_session(session, actor, current_id, laptop) is True
    session.commit()
    assert sessions.resolve(session, laptop) is None
    assert len(_session_audit(session, "ended on this device")) == 1


def test_sign_out_everywhere_ends_every_session(session, make, clock):
    make("rosa", PASSWORD)
    make("omar", PASSWORD)
    tokens = [_sign_in(clock, session, "rosa") for _ in range(3)]
    omar = _sign_in(clock, session, "omar")
    actor = _actor(session, tokens[0])

    assert sessions.end_all_sessions(session, actor) == 3
    session.commit()

    assert all(sessions.resolve(session, t) is None for t in tokens)
    assert sessions.resolve(session, omar) is not None
    rows = _session_audit(session, "signed out everywhere")
    assert len(rows) == 3 and {r.actor_user_id for r in rows} == {actor.user_id}
    assert len({r.session_ref for r in rows}) == 3


def test_sign_out_everywhere_else_can_keep_this_device(session, make, clock):
    make("nurse", PASSWORD, role=Role.NURSE)
    tokens = [_sign_in(clock, session, "nurse") for _ in range(2)]
    actor = _actor(session, tokens[1])

    assert sessions.end_all_sessions(session, actor, keep_token=tokens[1]) == 1
    session.commit()

    assert sessions.resolve(session, tokens[0]) is None
    assert sessions.resolve(session, tokens[1]) is not None
    assert _session_audit(session, "signed out everywhere")[0].patient_id is None  # staff: no chart


def test_idle_status_counts_down_without_counting_as_activity(session, make, clock):
    make("rosa", PASSWORD)
    token = sign_in_token(session, "rosa", PASSWORD)

    assert sessions.idle_status(session, token) == 30 * 60
    clock.shift(timedelta(minutes=29))
    assert sessions.idle_status(session, token) == 60  # the warning minute
    session.commit()
    clock.shift(timedelta(seconds=30))
    assert sessions.idle_status(session, token) == 30  # the check above did not reset the clock
    assert sessions.resolve(session, token) is not None  # real activity does
    assert sessions.idle_status(session, token) == 30 * 60
    clock.shift(timedelta(minutes=30))
    assert sessions.idle_status(session, token) is None
    session.commit()
    assert sessions.timed_out(session, token) is True
    assert sessions.idle_status(session, None) is None
    assert sessions.idle_status(session, "x" * 500) is None


def test_a_signed_out_session_did_not_time_out(session, make, clock):
    make("rosa", PASSWORD)
    token = sign_in_token(session, "rosa", PASSWORD)
    sessions.sign_out(session, token)
    session.commit()
    assert sessions.idle_status(session, token) is None
    assert sessions.timed_out(session, token) is False


def test_device_labels(clock):
    assert sessions.device_label(ANDROID) == "Chrome on Android"
    assert sessions.device_label(MAC) == "Safari on Mac"
    assert sessions.device_label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                 "Chrome/124.0 Safari/537.36 Edg/124.0") == "Edge on Windows"
    assert sessions.device_label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                                 "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1") == "Safari on iPhone"
    assert sessions.device_label("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0") \
        == "Firefox on Linux"
    assert sessions.device_label("") == "" and sessions.device_label(None) == ""
