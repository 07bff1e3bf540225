"""Self sign-up: an exact chart match gets a code at the contact on file; everything else waits for staff."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.invitation import Activation, Invitation
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role
from portal_app.models.recovery import SignupRequest
from portal_app.services import invitations, signup
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.support.mail import SmtpServer, mail_settings
from portal_app.jobs import outbox_sender

START = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
BORN = date(1946, 11, 2)
SENT = "signup.sent"  # the one answer the page shows, in every case


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def walter(session, clock):
    chart = Patient(mrn="MG-1001", given_name="Walter", family_name="Pimm", birth_date=BORN, sex="male",
                    email="walter.pimm@example.com", phone="+12025550143")
    session.add(chart)
    session.commit()
    return chart


@pytest.fixture
def desk(make):
    user = make("desk.signup", "a long enough passphrase", Role.FRONT_DESK)
    return Actor(role=Role.FRONT_DESK, user_id=user.id, display_name="Desk")


def ask(session, given="Walter", family="Pimm", born=BORN, contact="walter.pimm@example.com", mrn="",
        ip="203.0.113.5"):
    request_id = signup.request_account(session, given, family, born, contact, mrn, source_ip=ip)
    session.commit()
    return request_id


def codes_sent(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "verification_code")).all())


def code_in(message: OutboxMessage) -> str:
    return next(word for word in message.body.replace(".", " ").split() if word.isdigit() and len(word) == 6)


def test_an_exact_match_sends_a_code_to_the_email_on_file_and_continues_to_activation(session, walter):
    request_id = ask(session, given="walter", family="PIMM")
    [message] = codes_sent(session)
    assert (message.channel, message.recipient) == ("email", "walter.pimm@example.com")
    request = session.get(SignupRequest, request_id)
    assert request.status == "matched" and request.patient_id == walter.id and request.invitation_id
    assert request.code_hash != code_in(message)
    invitation = session.get(Invitation, request.invitation_id)
    assert invitation.channel_note == "signup"

    activation_id = invitations.start_activation_with_verification(session, request_id, code_in(message))
    session.commit()
    assert session.get(Activation, activation_id).invitation_id == invitation.id
    assert invitations.current_step(session, activation_id) == "consent"
    with pytest.raises(InvalidInput):  # single use
        invitations.start_activation_with_verification(session, request_id, code_in(message))


def test_the_code_goes_only_to_the_contact_on_file_never_to_the_one_typed(session, walter):
    ask(session, contact="someone.else@example.org", mrn="mg-1001")  # matched by MRN, typed email differs
    [message] = codes_sent(session)
    assert message.recipient == "walter.pimm@example.com"
    assert not session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "someone.else@example.org")).all()


def test_a_phone_match_sends_an_sms_to_the_number_on_file(session, walter):
    ask(session, contact="(202) 555-0143")
    [message] = codes_sent(session)
    assert (message.channel, message.recipient) == ("sms", "+12025550143")


def test_no_match_and_two_matches_go_to_the_staff_queue(session, walter, desk):
    no_match = ask(session, given="Walt")
    wrong_birthday = ask(session, born=date(1946, 11, 3))
    twin = Patient(mrn="MG-1002", given_name="Walter", family_name="Pimm", birth_date=BORN, sex="male",
                   email="walter.pimm@example.com")
    session.add(twin)
    session.commit()
    two = ask(session)
    assert codes_sent(session) == []
    queued = signup.pending(session, desk)
    assert [q.id for q in queued] == [no_match, wrong_birthday, two]
    assert all(session.get(SignupRequest, i).status == "pending" for i in (no_match, wrong_birthday, two))


def test_a_chart_that_already_has_an_account_goes_to_the_queue(session, walter, desk, make):
    user = make("walter.has", "a long enough passphrase")
    user.patient_id = walter.id
    session.add(user)
    session.commit()
    ask(session)
    assert codes_sent(session) == [] and len(signup.pending(session, desk)) == 1


def test_the_answer_is_the_same_in_every_case(session, walter):
    """The service hands back an opaque id in every case; the page shows one fixed text (``signup.sent``)."""
    matched, unmatched = ask(session), ask(session, given="Nobody")
    assert isinstance(matched, int) and isinstance(unmatched, int)
    with pytest.raises(InvalidInput, match="activation.error.no_match"):
        invitations.start_activation_with_verification(session, unmatched, "123456")


def test_the_code_expires_after_10_minutes_and_allows_5_tries(session, walter, clock):
    request_id = ask(session)
    code = code_in(codes_sent(session)[0])
    clock.shift(timedelta(minutes=10, seconds=1))
    with pytest.raises(InvalidInput):
        invitations.start_activation_with_verification(session, request_id, code)

    clock.shift(timedelta(hours=1))
    again = ask(session, ip="203.0.113.6")
    code = code_in(codes_sent(session)[-1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(invitations.SIGNUP_CODE_MAX_FAILURES):
        with pytest.raises(InvalidInput):
            invitations.start_activation_with_verification(session, again, wrong)
    with pytest.raises(InvalidInput):
        invitations.start_activation_with_verification(session, again, code)


def test_requests_are_throttled_per_address(session, walter):
    for _ in range(signup.SOURCE_MAX):
        assert ask(session, given="Nobody", ip="198.51.100.3") is not None
    assert ask(session, ip="198.51.100.3") is None
    assert codes_sent(session) == []


def test_malformed_requests_write_nothing(session, walter):
    bad = [("", "Pimm", BORN, "walter.pimm@example.com", ""), ("Walter", "Pimm", "1946-11-02", "x@example.com", ""),
           ("Walter", "Pimm", BORN, "not a contact", ""), ("Walter", "Pimm", BORN, {"a": 1}, ""),
           ("Walter", "Pimm", BORN, "walter.pimm@example.com", "<script>"), ("W" * 500, "Pimm", BORN, "a@b.org", "")]
    for args in bad:
        with pytest.raises(InvalidInput):
            signup.request_account(session, *args, source_ip="203.0.113.1")
    assert not session.new and not session.dirty
    session.commit()
    assert session.exec(select(SignupRequest)).all() == []


def test_staff_match_creates_an_invitation_sent_to_the_charts_contacts(session, walter, desk):
    request_id = ask(session, contact="new.address@example.org")
    invited = signup.match(session, desk, request_id, "mg-1001")
    session.commit()
    request = session.get(SignupRequest, request_id)
    assert (request.status, request.patient_id, request.resolved_by) == ("matched", walter.id, desk.user_id)
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "activation_code")).all()
    assert sorted(m.recipient for m in sent) == ["+12025550143", "walter.pimm@example.com"]
    assert invitations.start_activation(session, invited.code, BORN) > 0
    assert signup.pending(session, desk) == []
    with pytest.raises(NotFound):
        signup.match(session, desk, request_id, "MG-1001")  # resolved already


def test_staff_reject_and_unknown_chart(session, walter, desk):
    request_id = ask(session, given="Nobody")
    with pytest.raises(InvalidInput, match="signups.error.no_chart"):
        signup.match(session, desk, request_id, "NO-SUCH")
    signup.reject(session, desk, request_id)
    session.commit()
    assert session.get(SignupRequest, request_id).status == "rejected"
    assert signup.pending(session, desk) == []


@pytest.mark.parametrize("role", [Role.PATIENT, Role.NURSE, Role.CLINICIAN])
def test_patients_and_nurses_may_not_see_or_resolve_the_queue(session, walter, make, role):
    request_id = ask(session, given="Nobody")
    user = make(f"someone.{role}", "a long enough passphrase", role)
    actor = Actor(role=role, user_id=user.id, patient_id=user.patient_id)
    for call in (lambda: signup.pending(session, actor), lambda: signup.match(session, actor, request_id, "MG-1001"),
                 lambda: signup.reject(session, actor, request_id)):
        with pytest.raises(PermissionDenied):
            call()
    session.rollback()
    assert session.get(SignupRequest, request_id).status == "pending"
    with pytest.raises(PermissionDenied):
        signup.pending(session, None)


def test_the_code_email_reaches_a_real_smtp_server(session, walter, database_url):
    ask(session)
    server = SmtpServer().start()
    try:
        report = outbox_sender.send_due(database_url=database_url, settings=mail_settings(server.port))
        assert report.sent == 1
        [message] = server.inbox.messages()
        assert message["To"] == "walter.pimm@example.com"
        content = message.get_content()
        assert "10 minutes" in content and any(w.isdigit() and len(w) == 6 for w in content.replace(".", " ").split())
    finally:
        server.stop()
