"""Forgotten password: one answer for everyone, a single-use 60-minute link, the second factor kept."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app import config
from portal_app.jobs import outbox_sender
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Role, User
from portal_app.models.recovery import PasswordReset
from portal_app.models.session import UserSession
from portal_app.services import notify, recovery, sessions, signin
from portal_app.services.errors import InvalidInput
from portal_app.services.passwords import verify_password
from tests.services.conftest import fresh_code, sign_in_handoff
from tests.support.mail import SmtpServer, mail_settings

START = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
OLD = "the first long passphrase here"
NEW = "marmalade orbit across seven lanterns"
ORIGIN = config.settings.origins[0]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rosa(session, make, clock):
    user = make("rosa.reset", OLD)
    user.email = "rosa@example.org"
    session.add(user)
    session.commit()
    return user


def outbox(session, kind: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).all())


def ask(session, identifier: str, ip: str = "203.0.113.9") -> str | None:
    """Request a link; returns the token from the queued email, if one was queued."""
    before = {m.id for m in outbox(session, "password_reset")}
    assert recovery.request_reset(session, identifier, source_ip=ip, origin=ORIGIN) is None
    session.commit()
    new = [m for m in outbox(session, "password_reset") if m.id not in before]
    if not new:
        return None
    found = re.search(r"/reset\?t=([A-Za-z0-9_-]{43})", new[0].body)
    assert found, new[0].body
    return found.group(1)


def test_known_and_unknown_get_the_same_answer_and_only_known_get_mail(session, rosa):
    assert ask(session, "nobody.here") is None
    assert ask(session, "nobody@example.org") is None
    token = ask(session, "ROSA.reset ")
    assert token is not None and len(token) == 43  # 256 random bits
    message = outbox(session, "password_reset")[0]
    assert message.recipient == "rosa@example.org" and f"{ORIGIN}/reset?t={token}" in message.body
    assert "60" in message.body
    row = session.exec(select(PasswordReset)).one()
    assert row.token_hash != token and len(row.token_hash) == 64  # only the SHA-256 is kept
    assert ask(session, "rosa@example.org") is not None  # by email too


def test_timing_is_similar_for_known_and_unknown(session, rosa):
    def timed(identifier):
        started = time.perf_counter()
        recovery.request_reset(session, identifier, source_ip="198.51.100.1", origin=ORIGIN)
        session.rollback()
        return time.perf_counter() - started

    timed("warm.up")
    known = min(timed("rosa.reset") for _ in range(3))
    unknown = min(timed("no.such.user") for _ in range(3))
    assert abs(known - unknown) < 0.25  # no password hashing on either path: both are a few queries


def test_no_mail_for_a_disabled_account_or_one_without_email(session, make, rosa):
    make("no.mail", OLD)
    rosa.is_active = False
    session.add(rosa)
    session.commit()
    assert ask(session, "rosa.reset") is None
    assert ask(session, "no.mail") is None


def test_the_link_works_once(session, rosa):
    token = ask(session, "rosa.reset")
    assert recovery.link_works(session, token)
    recovery.reset_password(session, token, NEW)
    session.commit()
    assert not recovery.link_works(session, token)
    with pytest.raises(InvalidInput, match="reset.error.link"):
        recovery.reset_password(session, token, "another fine long passphrase")
    session.refresh(rosa)
    assert verify_password(NEW, rosa.password_hash) and not verify_password(OLD, rosa.password_hash)


def test_the_link_expires_after_60_minutes(session, rosa, clock):
    token = ask(session, "rosa.reset")
    clock.shift(timedelta(minutes=59))
    assert recovery.link_works(session, token)
    clock.shift(timedelta(minutes=1, seconds=1))
    assert not recovery.link_works(session, token)
    with pytest.raises(InvalidInput, match="reset.error.link"):
        recovery.reset_password(session, token, NEW)


def test_a_newer_link_replaces_the_older_one(session, rosa):
    first = ask(session, "rosa.reset")
    second = ask(session, "rosa.reset")
    assert not recovery.link_works(session, first) and recovery.link_works(session, second)


def test_forged_and_malformed_tokens_do_not_work(session, rosa):
    ask(session, "rosa.reset")
    for token in ("", "x" * 43, "a" * 500, None, 42, {"t": 1}):
        assert not recovery.link_works(session, token)
        with pytest.raises(InvalidInput):
            recovery.reset_password(session, token, NEW)


def test_the_new_password_follows_the_policy_with_personal_words(session, rosa):
    token = ask(session, "rosa.reset")
    for weak in ("short", "rosa.reset rosa.reset", "password1234567890"):
        with pytest.raises(InvalidInput):
            recovery.reset_password(session, token, weak)
    assert recovery.link_works(session, token)  # a refused password does not spend the link
    assert recovery.password_feedback(session, token, "rosa.reset rosa.reset").problems


def test_reset_keeps_the_second_factor_ends_sessions_and_sends_a_notice(session, rosa):
    cookie = sessions.complete_handoff(session, sign_in_handoff(session, "rosa.reset", OLD))
    session.commit()
    assert sessions.resolve(session, cookie) is not None
    token = ask(session, "rosa.reset")
    recovery.reset_password(session, token, NEW, source_ip="203.0.113.9")
    session.commit()

    assert sessions.resolve(session, cookie) is None, "every session of the user ends"
    assert all(row.revoked_at is not None for row in session.exec(select(UserSession)).all())
    notices = outbox(session, "security_notice")
    assert [(m.recipient, "reset" in m.body) for m in notices] == [("rosa@example.org", True)]

    first = signin.check_password(session, "rosa.reset", NEW)
    session.commit()
    assert first.ok, "the new password works"
    assert sessions.complete_handoff(session, first.token) is None, "the pending token is not a sign-in"
    session.commit()
    wrong = signin.check_second_factor(session, first.token, "000000")
    session.commit()
    assert not wrong.ok, "the authenticator code is still required"
    second = signin.check_second_factor(session, first.token, fresh_code(session, rosa.id))
    session.commit()
    assert second.ok and sessions.complete_handoff(session, second.token)


def test_requests_are_throttled_per_account_and_per_address(session, rosa, clock):
    sent = [ask(session, "rosa.reset", ip=f"203.0.113.{n}") for n in range(5)]
    assert [t is not None for t in sent] == [True, True, True, False, False]  # 3 an hour per account
    clock.shift(timedelta(hours=1, seconds=1))
    assert ask(session, "rosa.reset") is not None
    for _ in range(recovery.SOURCE_MAX):
        ask(session, "someone.else", ip="198.51.100.7")
    clock.shift(timedelta(hours=1, seconds=1))
    for _ in range(recovery.SOURCE_MAX):
        ask(session, "someone.else", ip="198.51.100.8")
    assert ask(session, "rosa.reset", ip="198.51.100.8") is None  # that address is spent for the hour


def test_malformed_requests_write_nothing(session, rosa):
    for identifier in ("", None, 7, "x" * 300, "bad\x00name", ["rosa.reset"]):
        recovery.request_reset(session, identifier, source_ip="203.0.113.1", origin=ORIGIN)
    assert not session.new and not session.dirty
    session.commit()
    assert outbox(session, "password_reset") == []


def test_the_link_parameter_accepts_only_the_portals_own_reset_address(session, rosa):
    good = f"{ORIGIN}/reset?t={'A' * 43}"
    assert notify.render("password_reset", "en", {"link": good, "minutes": 60}).body.count(good) == 1
    for bad in ("https://evil.example/reset?t=" + "A" * 43, f"{ORIGIN}/signin?t={'A' * 43}",
                f"{ORIGIN}/reset?t={'A' * 42}", f"{ORIGIN}/reset?t={'A' * 43}&next=x", "call us"):
        with pytest.raises(notify.TemplateError):
            notify.render("password_reset", "en", {"link": bad, "minutes": 60})
    spanish = notify.render("password_reset", "es", {"link": good, "minutes": 60})
    assert "contraseña" in spanish.subject and good in spanish.body


def test_a_forged_origin_falls_back_to_the_portals_own(session, rosa):
    recovery.request_reset(session, "rosa.reset", source_ip="203.0.113.9", origin="https://evil.example")
    session.commit()
    assert f"{ORIGIN}/reset?t=" in outbox(session, "password_reset")[0].body


def test_the_email_reaches_a_real_smtp_server(session, rosa, database_url):
    token = ask(session, "rosa.reset")
    server = SmtpServer().start()
    try:
        with time_machine.travel(START + timedelta(seconds=1), tick=False):
            report = outbox_sender.send_due(database_url=database_url, settings=mail_settings(server.port))
        assert report.sent == 1
        [message] = server.inbox.messages()
        assert message["To"] == "rosa@example.org"
        assert f"{ORIGIN}/reset?t={token}" in message.get_content()
    finally:
        server.stop()
    assert outbox(session, "password_reset")[0].body == "", "a delivered link does not stay in the outbox"


def test_staff_accounts_reset_too_and_keep_their_factor(session, make, clock):
    nurse = make("nurse.reset", OLD, Role.NURSE)
    nurse.email = "nurse@example.org"
    session.add(nurse)
    session.commit()
    recovery.reset_password(session, ask(session, "nurse.reset"), NEW)
    session.commit()
    first = signin.check_password(session, "nurse.reset", NEW)
    session.commit()
    assert first.ok and session.exec(select(User).where(User.username == "nurse.reset")).one().is_active
    assert not signin.check_second_factor(session, first.token, "").ok
