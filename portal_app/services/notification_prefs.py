"""Who hears about a patient's news, and how: the channels each account chose per topic.

A feature that has news for a patient ("your refill is ready", "a new message") calls
``queue_to_patient``; this module decides the recipients and channels, so no feature repeats it:

- recipients: the patient's own active account, and every proxy whose grant covers the topic's
  scope today (``access.effective_scopes``: a parent of a 15-year-old hears about appointments,
  not results);
- channels: each recipient's choice for the topic (``notification_preference``), else the
  defaults (email and push on, text messages off); a channel is used only when the recipient has
  that contact (an email address, a mobile number on their own chart, a device that allowed push);
- one outbox row per recipient and channel, keyed ``<dedupe_key>:u<user>:<channel>``, so queueing
  the same news again (a retried job) sends nothing twice.

Security notices (password changed, recovery code used) are not a topic: they always go by email.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal_app.models.outbox import Channel, PushSubscription
from portal_app.models.people import Patient, Role, User
from portal_app.models.preferences import NotificationPreference
from portal_app.models.proxy import ProxyGrant
from portal_app.services import audit, notify
from portal_app.services.access import Actor, active_grants, effective_scopes
from portal_app.services.errors import InvalidInput, PermissionDenied


@dataclass(frozen=True)
class Topic:
    scope: str  # the proxy scope a grant needs to hear about it (models/proxy.PROXY_SCOPES)


# Ordered as the profile page lists them.
TOPICS: dict[str, Topic] = {
    "appointments": Topic("appointments"),  # reminders, changes, earlier times on the wait list
    "messages": Topic("messages"),  # a reply from the care team
    "medications": Topic("medications"),  # refill steps, medication reminders
    "results": Topic("results"),  # new test results
}
CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH)
DEFAULTS = {Channel.EMAIL: True, Channel.SMS: False, Channel.PUSH: True}
CATEGORY = "preferences"


@dataclass(frozen=True)
class TopicChoice:
    """One row of the profile's "how we contact you" table."""

    topic: str
    email: bool
    sms: bool
    push: bool


@dataclass(frozen=True)
class Contacts:
    """Where an account can be reached (what makes a channel usable)."""

    email: str | None
    phone: str | None
    push_devices: int


def _row(session: Session, user_id: int, topic: str) -> NotificationPreference | None:
    return session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id,
                                             NotificationPreference.topic == topic)
    ).first()


def _choice(session: Session, user_id: int, topic: str) -> TopicChoice:
    row = _row(session, user_id, topic)
    if row is None:
        return TopicChoice(topic, DEFAULTS[Channel.EMAIL], DEFAULTS[Channel.SMS], DEFAULTS[Channel.PUSH])
    return TopicChoice(topic, row.email, row.sms, row.push)


def _own_user(session: Session, actor: Actor | None) -> User:
    if actor is None or actor.user_id is None or actor.role not in (Role.PATIENT, Role.PROXY):
        raise PermissionDenied()
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise PermissionDenied()
    return user


def choices(session: Session, actor: Actor) -> list[TopicChoice]:
    """The signed-in patient's or proxy's own choices, one per topic."""
    user = _own_user(session, actor)
    return [_choice(session, user.id, topic) for topic in TOPICS]


def set_channel(session: Session, actor: Actor, topic: str, channel: str, enabled: bool) -> TopicChoice:
    """Switch one channel of one topic on or off for the caller's own account."""
    user = _own_user(session, actor)
    if not isinstance(topic, str) or topic not in TOPICS:
        raise InvalidInput("preferences.error.topic")
    if not isinstance(channel, str) or channel not in set(CHANNELS):
        raise InvalidInput("preferences.error.channel")
    if not isinstance(enabled, bool):
        raise InvalidInput("preferences.error.channel")
    row = _row(session, user.id, topic) or NotificationPreference(
        user_id=user.id, topic=topic, email=DEFAULTS[Channel.EMAIL], sms=DEFAULTS[Channel.SMS],
        push=DEFAULTS[Channel.PUSH])
    setattr(row, str(channel), enabled)
    session.add(row)
    session.flush()
    audit.record(session, actor, "update", CATEGORY, patient_id=user.patient_id,
                 detail=f"{topic} by {channel}: {'on' if enabled else 'off'}")
    return TopicChoice(topic, row.email, row.sms, row.push)


def contacts(session: Session, user: User) -> Contacts:
    """An account's email (its chart's first, else the account's), its chart's mobile, its push devices."""
    chart = session.get(Patient, user.patient_id) if user.patient_id is not None else None
    email = (chart.email if chart and chart.email else None) or user.email
    phone = chart.phone if chart and chart.phone else None
    devices = session.exec(
        select(PushSubscription.id).where(PushSubscription.user_id == user.id, PushSubscription.revoked_at.is_(None))
    ).all()
    return Contacts(email=email, phone=phone, push_devices=len(devices))


def recipients(session: Session, patient_id: int, topic: str) -> list[User]:
    """The accounts that hear about this patient's news on this topic: their own, then proxies in scope."""
    if topic not in TOPICS:
        raise ValueError(f"unknown notification topic {topic!r}")
    patient = session.get(Patient, patient_id)
    if patient is None:
        return []
    found: dict[int, User] = {}
    own = session.exec(
        select(User).where(User.patient_id == patient_id, User.role == Role.PATIENT, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    for user in own:
        found[user.id] = user
    grantees = session.exec(select(User).where(User.is_active.is_(True), User.id.in_(
        select(ProxyGrant.grantee_user_id).where(ProxyGrant.patient_id == patient_id)
    )).order_by(User.id)).all()
    for user in grantees:
        if user.id in found:
            continue
        if any(TOPICS[topic].scope in effective_scopes(session, grant, patient)
               for grant in active_grants(session, user.id, patient_id)):
            found[user.id] = user
    return list(found.values())


def queue_to_patient(
    session: Session,
    patient_id: int,
    topic: str,
    *,
    dedupe_key: str,
    template_key: str,
    params: Mapping[str, object] | None = None,
    not_before: datetime | None = None,
) -> int:
    """Queue one notice about a patient to everyone who should hear it, on their chosen channels.

    In the caller's transaction, like ``notify.queue``; returns how many outbox rows were written
    (0 when every one was queued before). ``template_key`` must carry no health details: notices
    say "you have news, open the portal", never the news itself.
    """
    queued = 0
    for user in recipients(session, patient_id, topic):
        choice = _choice(session, user.id, topic)
        reach = contacts(session, user)
        base = f"{dedupe_key}:u{user.id}"
        common = dict(kind=template_key, template_key=template_key, language=user.preferred_language,
                      params=dict(params or {}), user_id=user.id, patient_id=patient_id, not_before=not_before)
        if choice.email and reach.email:
            queued += _queue_one(session, f"{base}:email", Channel.EMAIL, reach.email, common)
        if choice.sms and reach.phone:
            queued += _queue_one(session, f"{base}:sms", Channel.SMS, reach.phone, common)
        if choice.push:
            for device in session.exec(
                select(PushSubscription.id).where(PushSubscription.user_id == user.id,
                                                  PushSubscription.revoked_at.is_(None)).order_by(PushSubscription.id)
            ).all():
                queued += _queue_one(session, f"{base}:push{device}", Channel.PUSH, str(device), common)
    return queued


def _queue_one(session: Session, key: str, channel: str, recipient: str, common: dict) -> int:
    if not notify.is_valid_recipient(channel, recipient):  # an unusable address on file must not stop the others
        return 0
    return int(notify.queue(session, dedupe_key=key, channel=channel, recipient=recipient, **common))
