"""Who hears about a patient's news and on which channels: own account, proxies in scope, choices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import OutboxMessage, PushSubscription
from portal_app.models.people import Patient, Role, User
from portal_app.models.proxy import ProxyGrant
from portal_app.services import notification_prefs
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, PermissionDenied

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _patient(session: Session, name: str, born: date = date(1980, 1, 1), email: str | None = None,
             phone: str | None = None, account: bool = True) -> tuple[Patient, User | None]:
    chart = Patient(mrn=f"N-{name}", given_name=name.title(), family_name="Prefs", birth_date=born, sex="female",
                    email=email, phone=phone)
    session.add(chart)
    session.flush()
    user = None
    if account:
        user = User(username=name, display_name=name.title(), role=Role.PATIENT, patient_id=chart.id)
        session.add(user)
    session.commit()
    return chart, user


def _grant(session: Session, patient: Patient, grantee: User, scopes: str, relationship: str = "parent") -> None:
    session.add(ProxyGrant(patient_id=patient.id, grantee_user_id=grantee.id, scopes=scopes,
                           relationship=relationship, starts_at=NOW - timedelta(days=1),
                           ends_at=NOW + timedelta(days=300)))
    session.commit()


def _outbox(session: Session) -> list[tuple[int | None, str, str]]:
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [(row.user_id, row.channel, row.recipient) for row in rows]


def test_defaults_are_email_and_push_not_text(session):
    chart, user = _patient(session, "ana", email="ana@example.com", phone="+15550100111")
    session.add(PushSubscription(user_id=user.id, endpoint="http://127.0.0.1:9/push/1", p256dh="k", auth="a"))
    session.commit()
    queued = notification_prefs.queue_to_patient(session, chart.id, "messages", dedupe_key="message:1",
                                                 template_key="new_message")
    session.commit()
    assert queued == 2
    assert sorted(channel for _user, channel, _to in _outbox(session)) == ["email", "push"]


def test_queueing_the_same_news_twice_sends_it_once(session):
    chart, _user = _patient(session, "ben", email="ben@example.com")
    for _ in range(2):
        notification_prefs.queue_to_patient(session, chart.id, "results", dedupe_key="result:9",
                                            template_key="result_ready")
        session.commit()
    assert len(_outbox(session)) == 1


def test_a_patients_choice_changes_the_channels(session):
    chart, user = _patient(session, "cai", email="cai@example.com", phone="+15550100112")
    actor = Actor.for_user(user)
    notification_prefs.set_channel(session, actor, "appointments", "sms", True)
    notification_prefs.set_channel(session, actor, "appointments", "email", False)
    session.commit()
    notification_prefs.queue_to_patient(session, chart.id, "appointments", dedupe_key="appt:1",
                                        template_key="new_message")
    session.commit()
    assert _outbox(session) == [(user.id, "sms", "+15550100112")]
    choices = {c.topic: c for c in notification_prefs.choices(session, actor)}
    assert (choices["appointments"].email, choices["appointments"].sms) == (False, True)
    assert (choices["messages"].email, choices["messages"].sms) == (True, False)  # other topics keep defaults
    changes = session.exec(select(AuditEvent).where(AuditEvent.category == "preferences")).all()
    assert [row.detail for row in changes] == ["appointments by sms: on", "appointments by email: off"]


def test_a_channel_without_a_contact_is_skipped(session):
    chart, user = _patient(session, "dee")  # no email, no phone, no device
    notification_prefs.set_channel(session, Actor.for_user(user), "messages", "sms", True)
    session.commit()
    assert notification_prefs.queue_to_patient(session, chart.id, "messages", dedupe_key="m:2",
                                               template_key="new_message") == 0


def test_a_proxy_hears_only_topics_their_grant_covers(session):
    child, _ = _patient(session, "kid", born=date(2019, 6, 1), account=False)
    parent_chart, parent = _patient(session, "parent", email="parent@example.com")
    _grant(session, child, parent, "appointments,medications")
    notification_prefs.queue_to_patient(session, child.id, "appointments", dedupe_key="a:1",
                                        template_key="new_message")
    notification_prefs.queue_to_patient(session, child.id, "results", dedupe_key="r:1",
                                        template_key="result_ready")
    session.commit()
    assert _outbox(session) == [(parent.id, "email", "parent@example.com")]


def test_a_parent_of_a_teen_no_longer_hears_about_results(session):
    teen, teen_user = _patient(session, "teen", born=date(2011, 1, 1), email="teen@example.com")
    _chart, parent = _patient(session, "mum", email="mum@example.com")
    _grant(session, teen, parent, "appointments,results")
    notification_prefs.queue_to_patient(session, teen.id, "results", dedupe_key="r:2", template_key="result_ready")
    notification_prefs.queue_to_patient(session, teen.id, "appointments", dedupe_key="a:2",
                                        template_key="new_message")
    session.commit()
    assert _outbox(session) == [(teen_user.id, "email", "teen@example.com"),
                                (teen_user.id, "email", "teen@example.com"),
                                (parent.id, "email", "mum@example.com")]


def test_staff_and_anonymous_have_no_patient_preferences(session, make):
    nurse = make("rn.prefs", "a long enough test passphrase", role=Role.NURSE, authenticator=False)
    for actor in (None, Actor(role=nurse.role, user_id=nurse.id)):
        with pytest.raises(PermissionDenied):
            notification_prefs.set_channel(session, actor, "messages", "sms", True)
        with pytest.raises(PermissionDenied):
            notification_prefs.choices(session, actor)


@pytest.mark.parametrize("topic, channel, enabled", [
    ("billing", "sms", True), ("messages", "fax", True), ("messages", "sms", "yes"), (["messages"], "sms", True),
])
def test_bad_choices_are_refused_and_change_nothing(session, topic, channel, enabled):
    _chart, user = _patient(session, "eve")
    with pytest.raises(InvalidInput):
        notification_prefs.set_channel(session, Actor.for_user(user), topic, channel, enabled)
    session.rollback()
    assert all((c.email, c.sms, c.push) == (True, False, True)
               for c in notification_prefs.choices(session, Actor.for_user(user)))
