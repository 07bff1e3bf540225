"""Sharing the record with another provider, and emailing a copy: the code (entropy, hashing),
the expiry on a controllable clock, the lock after 5 wrong dates of birth, throttling, revoking,
only the chosen sections, who may share, and the audit trail; the emailed copy through the outbox
to a real SMTP server, with the PDF attached and the warning confirmed."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.jobs import outbox_sender
from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import Patient, Role
from portal_app.models.proxy import ProxyGrant
from portal_app.models.record_share import RecordShare, RecordShareView
from portal_app.services import codes, fhir_import, record_copy, record_share
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.fhir_fixtures import collection, us_core_resources
from tests.services.test_outbox import SmtpServer, mail_settings

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as moving:
        yield moving



@pytest.fixture
def owner(session, make, traveller):
    """A patient whose chart holds the US Core examples (problems, allergies, results, ...)."""
    report = fhir_import.import_fhir(session, Actor.system("test"), collection(us_core_resources()))
    user = make("sharer", "pw-sharer-share-1")
    user.patient_id = report.patients[0]
    session.add(user)
    session.commit()
    return Actor.for_user(user)


def _born(session, actor) -> date:
    return session.get(Patient, actor.patient_id).birth_date


def _share(session, owner, sections=("allergies", "results"), days=3, recipient="Dr. Lee", patient_id=None):
    made = record_share.create_share(session, owner, patient_id or owner.patient_id, list(sections), days, recipient)
    session.commit()
    return made


def _open(session, code, born, ip="203.0.113.7"):
    opening = record_share.open_share(session, code, born, ip)
    session.commit()
    return opening


def test_the_code_has_at_least_40_bits_is_grouped_for_reading_and_only_its_hash_is_kept(session, owner):
    made = _share(session, owner)
    plain = made.code.replace("-", "")
    assert len(made.code.split("-")) == 2 and all(len(part) == 5 for part in made.code.split("-"))
    assert set(plain) <= set(codes.ALPHABET) and len(codes.ALPHABET) == 32
    assert len(plain) * math.log2(len(codes.ALPHABET)) >= 40
    row = session.get(RecordShare, made.id)
    assert plain not in row.code_hash and made.code not in row.code_hash
    assert row.code_hash == codes.digest(plain, record_share.CODE_PURPOSE)
    others = {_share(session, owner).code for _ in range(20)}
    assert len(others) == 20  # random, not a counter


def test_the_provider_sees_only_the_chosen_sections_and_the_patient_sees_the_view(session, owner):
    made = _share(session, owner, sections=("allergies", "results"))
    # Lower case and without the dash, as a provider might type it.
    opening = _open(session, made.code.replace("-", " ").lower(), _born(session, owner))
    shared = opening.shared
    assert opening.error == "" and shared is not None
    assert shared.sections == ("allergies", "results")
    assert shared.record.allergies and shared.results
    assert not shared.record.problems_active and not shared.record.immunizations and not shared.record.vitals
    assert not shared.record.visits and not shared.medications and not shared.record.documents

    listed = record_share.active_shares(session, owner, owner.patient_id)
    session.commit()
    assert [(s.id, s.recipient, s.sections) for s in listed] == [(made.id, "Dr. Lee", ("allergies", "results"))]
    assert [(v.when, v.source_ip) for v in listed[0].views] == [(NOW, "203.0.113.7")]
    opened = session.exec(select(AuditEvent).where(AuditEvent.patient_id == owner.patient_id,
                                                   AuditEvent.detail.like(f"share {made.id} opened%"))).all()
    assert [(a.action, a.outcome, a.source_ip) for a in opened] == [("read", "success", "203.0.113.7")]
    created = session.exec(select(AuditEvent).where(AuditEvent.action == "share",
                                                    AuditEvent.patient_id == owner.patient_id)).all()
    assert created and created[0].detail.startswith(f"share {made.id} created for 3 days")


def test_a_share_ends_after_its_days_and_then_is_refused_plainly(session, owner, traveller):
    made = _share(session, owner, days=2)
    born = _born(session, owner)
    traveller.move_to(NOW + timedelta(days=2) - timedelta(seconds=1))
    assert _open(session, made.code, born).shared is not None
    traveller.move_to(NOW + timedelta(days=2))
    assert _open(session, made.code, born) == record_share.Opening(error="share.error.expired")
    assert record_share.active_shares(session, owner, owner.patient_id) == []


def test_expiry_is_one_to_seven_days_and_sections_must_be_known(session, owner):
    for days in (0, 8, -1, "x", 2.5, True, None):
        with pytest.raises(InvalidInput):
            record_share.create_share(session, owner, owner.patient_id, ["allergies"], days)
        session.rollback()
    for sections in ([], ["allergies", "passwords"], "allergies", [{"x": 1}], None):
        with pytest.raises(InvalidInput):
            record_share.create_share(session, owner, owner.patient_id, sections, 3)
        session.rollback()
    with pytest.raises(InvalidInput):
        record_share.create_share(session, owner, owner.patient_id, ["allergies"], 3, "x" * 81)
    session.rollback()
    assert session.exec(select(RecordShare)).all() == []
    assert _share(session, owner, days=7).expires_at == NOW + timedelta(days=7)


def test_five_wrong_dates_of_birth_lock_the_share_even_for_the_right_one(session, owner):
    made = _share(session, owner)
    born = _born(session, owner)
    for attempt in range(1, 5):
        assert _open(session, made.code, born + timedelta(days=attempt)).error == "share.error.wrong"
    assert _open(session, made.code, date(1900, 1, 1)).error == "share.error.locked"
    assert _open(session, made.code, born).error == "share.error.locked"
    assert session.get(RecordShare, made.id).locked_at is not None
    assert session.exec(select(RecordShareView)).all() == []
    refused = session.exec(select(AuditEvent).where(AuditEvent.patient_id == owner.patient_id,
                                                    AuditEvent.outcome == "denied")).all()
    assert len(refused) == 6
    assert [s.locked for s in record_share.active_shares(session, owner, owner.patient_id)] == [True]


def test_a_wrong_code_or_a_date_of_another_type_opens_nothing(session, owner):
    made = _share(session, owner)
    born = _born(session, owner)
    for code in ("", "ABCDE-FGHJK", made.code + "0", None, 12345, ["x"]):
        assert _open(session, code, born).error == "share.error.wrong"
    for typed_born in (born.isoformat(), None, datetime(born.year, born.month, born.day)):
        assert _open(session, made.code, typed_born).error == "share.error.wrong"
    assert session.exec(select(RecordShareView)).all() == []


def test_tries_are_throttled_per_address_and_per_share(session, owner):
    made = _share(session, owner)
    born = _born(session, owner)
    for _ in range(record_share.SOURCE_MAX):
        _open(session, "WRONG-CODE0", born, ip="198.51.100.9")
    assert _open(session, made.code, born, ip="198.51.100.9").error == "share.error.too_many"
    assert _open(session, made.code, born, ip="198.51.100.10").shared is not None  # another address
    for n in range(record_share.SHARE_MAX - 1):
        _open(session, made.code, born, ip=f"192.0.2.{n}")
    assert _open(session, made.code, born, ip="192.0.2.200").error == "share.error.too_many"


def test_revoked_share_is_refused_and_leaves_the_list(session, owner):
    made = _share(session, owner)
    record_share.revoke_share(session, owner, owner.patient_id, made.id)
    session.commit()
    assert _open(session, made.code, _born(session, owner)).error == "share.error.revoked"
    assert record_share.active_shares(session, owner, owner.patient_id) == []
    stopped = session.exec(select(AuditEvent).where(AuditEvent.action == "permission_change",
                                                    AuditEvent.patient_id == owner.patient_id)).all()
    assert [a.detail for a in stopped] == [f"share {made.id} stopped"]


def test_others_may_not_share_list_revoke_or_email(session, owner, make):
    made = _share(session, owner)
    other = Actor.for_user(make("othershare", "pw-other-share-1"))
    proxy_user = make("proxyshare", "pw-proxy-share-1", role=Role.PROXY)
    session.add(ProxyGrant(patient_id=owner.patient_id, grantee_user_id=proxy_user.id, relationship="friend",
                           scopes="appointments", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()
    proxy = Actor.for_user(proxy_user)
    clinician = Actor.for_user(make("drshare", "pw-dr-share-1", role=Role.CLINICIAN))
    desk = Actor.for_user(make("deskshare", "pw-desk-share-1", role=Role.FRONT_DESK))
    pid = owner.patient_id
    calls = [lambda a: record_share.create_share(session, a, pid, ["allergies"], 3),
             lambda a: record_share.active_shares(session, a, pid),
             lambda a: record_share.revoke_share(session, a, pid, made.id),
             lambda a: record_copy.email_copy(session, a, pid, "doc@example.org", True)]
    for who in (other, proxy, clinician, desk, None):
        for call in calls:
            with pytest.raises((NotFound, PermissionDenied)):
                call(who)
            session.rollback()
    # Another patient cannot revoke this share through their own chart either.
    with pytest.raises(NotFound):
        record_share.revoke_share(session, other, other.patient_id, made.id)
    session.rollback()
    assert session.get(RecordShare, made.id).revoked_at is None
    assert session.exec(select(OutboxMessage)).all() == []
    refusals = session.exec(select(AuditEvent).where(AuditEvent.patient_id == pid,
                                                     AuditEvent.outcome == "denied")).all()
    assert len(refusals) >= 4 * 4  # every refused call on this chart is in the trail


def test_a_proxy_with_the_record_scope_shares_only_what_they_may_read(session, owner, make):
    proxy_user = make("proxyrecord", "pw-proxy-record-1", role=Role.PROXY)
    session.add(ProxyGrant(patient_id=owner.patient_id, grantee_user_id=proxy_user.id, relationship="friend",
                           scopes="record", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=30)))
    session.commit()
    proxy = Actor.for_user(proxy_user)
    with pytest.raises(InvalidInput) as refused:
        record_share.create_share(session, proxy, owner.patient_id, ["allergies", "results"], 3)
    assert refused.value.key == "share.error.section_not_allowed"
    session.rollback()
    made = _share(session, proxy, sections=("allergies",), patient_id=owner.patient_id)
    assert _open(session, made.code, _born(session, owner)).shared.record.allergies


def test_an_emailed_copy_needs_the_warning_confirmed_and_arrives_with_the_pdf(session, owner, database_url):
    for address, confirmed in (("not an address", True), ("doc@example.org", False), ("doc@example.org", "yes")):
        with pytest.raises(InvalidInput):
            record_copy.email_copy(session, owner, owner.patient_id, address, confirmed)
        session.rollback()
    assert session.exec(select(OutboxMessage)).all() == []

    record_copy.email_copy(session, owner, owner.patient_id, " doc@example.org ", True, "es")
    session.commit()
    row = session.exec(select(OutboxMessage)).one()
    assert (row.kind, row.recipient, row.attachment_type) == ("record_copy", "doc@example.org", "application/pdf")
    assert row.attachment.startswith(b"%PDF") and "Hemoglobin" not in row.body + row.subject
    server = SmtpServer().start()
    try:
        report = outbox_sender.send_due(database_url=database_url, settings=mail_settings(server.port))
    finally:
        server.stop()
    assert report.sent == 1
    (mail,) = server.inbox.messages()
    assert mail["To"] == "doc@example.org"
    parts = [p for p in mail.iter_attachments()]
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [("health-record.pdf", "application/pdf")]
    assert parts[0].get_content().startswith(b"%PDF")
    session.expire_all()
    assert session.get(OutboxMessage, row.id).attachment is None  # not kept once sent
    sent = session.exec(select(AuditEvent).where(AuditEvent.action == "share",
                                                 AuditEvent.patient_id == owner.patient_id)).all()
    assert [a.detail for a in sent] == ["record PDF emailed to an address at example.org"]


def test_copies_are_limited_per_day(session, owner, traveller):
    for _ in range(record_copy.DAILY_MAX):
        record_copy.email_copy(session, owner, owner.patient_id, "doc@example.org", True)
        session.commit()
    with pytest.raises(InvalidInput) as refused:
        record_copy.email_copy(session, owner, owner.patient_id, "doc@example.org", True)
    assert refused.value.key == "share.error.too_many_copies"
    session.rollback()
    traveller.move_to(NOW + timedelta(days=1, minutes=1))
    record_copy.email_copy(session, owner, owner.patient_id, "doc@example.org", True)
    session.commit()
    assert len(session.exec(select(OutboxMessage)).all()) == record_copy.DAILY_MAX + 1


def test_only_a_record_copy_email_may_carry_an_attachment_and_a_cancelled_one_drops_it(session, owner):
    from portal_app.services import notify

    pdf = notify.Attachment("health-record.pdf", "application/pdf", b"%PDF-1.4 test")
    common = dict(recipient="doc@example.org", template_key="new_message", language="en", params={})
    for kind, channel, attachment in (("new_message", "email", pdf), ("record_copy", "sms", pdf),
                                      ("record_copy", "email", notify.Attachment("../x.pdf", "application/pdf", b"x")),
                                      ("record_copy", "email", notify.Attachment("x.exe", "application/x-msdownload", b"x")),
                                      ("record_copy", "email", notify.Attachment("x.pdf", "application/pdf", b""))):
        with pytest.raises(notify.TemplateError):
            notify.queue(session, dedupe_key=f"t:{kind}:{channel}:{attachment.name}", channel=channel, kind=kind,
                         attachment=attachment, **{**common, "recipient": "+15550100142" if channel == "sms" else
                                                   "doc@example.org"})
    assert notify.queue(session, dedupe_key="copy:1:x", channel="email", kind="record_copy", attachment=pdf,
                        **{**common, "template_key": "record_copy"})
    assert notify.cancel(session, "copy:1:") == 1
    session.commit()
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attachment) == ("cancelled", None)
