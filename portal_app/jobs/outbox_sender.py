"""The outbox sender: delivers due notices, any number of sender processes at once.

How a notice travels:

1. A service queues it (``services/notify.queue``) in the transaction of the change that causes
   it. ``dedupe_key`` is unique, so queueing is exactly-once: running the queueing code twice, or
   on two workers, writes one row.
2. ``send_due`` *claims* a batch in one short transaction: rows that are pending and due, or whose
   previous claim expired, become ``sending`` with ``claimed_by`` (this run's token) and
   ``claimed_until`` (now + ``LEASE``). On PostgreSQL the rows are locked with
   ``SELECT ... FOR UPDATE SKIP LOCKED`` and then updated; SQLite has one writer at a time, so a
   single ``UPDATE ... WHERE id IN (SELECT ... LIMIT n)`` is atomic there. Either way two senders
   never claim the same row.
3. It sends each claimed row, then records the outcome in its own transaction, guarded by the
   claim token: ``sent`` (with ``sent_at``), or back to ``pending`` with exponential back-off
   (1 min, 2, 4 ... capped at 1 h), or ``failed`` after ``MAX_ATTEMPTS`` or a permanent refusal.

The honest guarantee is **at-least-once delivery**: if a sender dies after the mail server
accepted a message but before ``sent`` was committed, the claim expires and another run sends it
again. No design can close that window without the mail server's or push service's help; it is
one message wide here, because each outcome is committed right after its send. A message whose
sending keeps being interrupted is given up after ``MAX_ATTEMPTS`` claims, like any failure.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, select

from portal_app import clock, db
from portal_app.config import Settings
from portal_app.config import settings as default_settings
from portal_app.models.outbox import Channel, OutboxMessage, OutboxStatus, PushSubscription
from portal_app.services import channels
from portal_app.services.channels import DeliveryError
from portal_app.services.notify import TEMPLATES

log = logging.getLogger("portal.jobs")

BATCH = 50
LEASE = timedelta(minutes=5)  # a claim lasts this long; a crashed sender's rows come back after it
LEASE_MARGIN = timedelta(seconds=60)  # do not start a send this close to the claim's end
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
KEEP_FINISHED = timedelta(days=90)
_SECRET_KINDS = frozenset(key for key, template in TEMPLATES.items() if template.carries_secret)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: 1 min doubling, at most 1 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0  # claimed but handed back unsent because the claim was running out
    sent_ids: list[int] = field(default_factory=list)


def _due(moment: datetime):
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= moment),
        and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_until < moment,
            OutboxMessage.attempts < MAX_ATTEMPTS,
        ),
    )


def _secret_blanked(kind: str) -> dict:
    """A finished notice keeps no readable copy of a code it carried, nor its attachment."""
    return {"body": "", "attachment": None} if kind in _SECRET_KINDS else {"attachment": None}


def claim(session: Session, batch: int, worker_id: str, moment: datetime | None = None) -> str:
    """Claim up to ``batch`` due rows for this run; returns the claim token written to ``claimed_by``."""
    moment = moment or clock.now()
    token = f"{worker_id[:100]}/{secrets.token_hex(6)}"
    # Given up: rows whose sending was interrupted (claim expired) MAX_ATTEMPTS times.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < moment,
               OutboxMessage.attempts >= MAX_ATTEMPTS)
        .values(status=OutboxStatus.FAILED, last_error="interrupted while sending too many times",
                claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    candidates = (
        select(OutboxMessage.id)
        .where(_due(moment))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Lock the chosen rows first (skipping rows another sender is claiming), then update exactly
        # those. One "UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED)" is not enough: when it meets a
        # row a concurrent claim changed, PostgreSQL re-runs the subquery and can take more than batch.
        chosen = list(session.execute(candidates.with_for_update(skip_locked=True)).scalars())
        if not chosen:
            return token
        target = OutboxMessage.id.in_(chosen)
    else:
        # SQLite has one writer at a time: this single UPDATE runs start to end without interleaving.
        target = OutboxMessage.id.in_(candidates)
    session.execute(
        update(OutboxMessage)
        .where(target, _due(moment))
        .values(status=OutboxStatus.SENDING, claimed_by=token, claimed_until=moment + LEASE,
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return token


def _finish(database_url: str | None, row: OutboxMessage, token: str, **values) -> bool:
    with db.transaction(database_url) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == token,
                   OutboxMessage.status == OutboxStatus.SENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


class _Deliverer:
    """Sends one row over its channel, opening each channel once per batch."""

    def __init__(self, settings: Settings, database_url: str | None, vapid_path: Path):
        self.settings = settings
        self.database_url = database_url
        self.vapid_path = vapid_path
        self.mailer = channels.Mailer(settings)
        self._sms: channels.SmsGateway | None = None
        self._vapid: channels.VapidKeys | None = None

    def close(self) -> None:
        self.mailer.close()

    def deliver(self, row: OutboxMessage) -> None:
        if row.channel == Channel.EMAIL:
            attachment = (channels.MailAttachment(row.attachment_name or "attachment", row.attachment_type or "",
                                                  row.attachment) if row.attachment else None)
            self.mailer.send(row.recipient, row.subject, row.body, attachment)
        elif row.channel == Channel.SMS:
            if self._sms is None:
                self._sms = channels.sms_gateway(self.settings)
            self._sms.send(row.recipient, row.body)
        elif row.channel == Channel.PUSH:
            target = self._push_target(row)
            if self._vapid is None:
                self._vapid = channels.vapid_keys(self.settings, self.vapid_path)
            payload = {"title": row.subject, "body": row.body, "tag": row.kind, "url": "/"}
            channels.send_push(target, payload, self.settings, self._vapid)
        else:
            raise DeliveryError(f"unknown channel {row.channel[:10]!r}", permanent=True)

    def _push_target(self, row: OutboxMessage) -> channels.PushTarget:
        with db.transaction(self.database_url) as session:
            subscription = session.get(PushSubscription, int(row.recipient))
        if subscription is None or subscription.revoked_at is not None:
            raise DeliveryError("push subscription revoked", permanent=True)
        if row.user_id is not None and subscription.user_id != row.user_id:
            raise DeliveryError("push subscription now belongs to another user", permanent=True)
        return channels.PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth)


def _revoke_subscription(database_url: str | None, subscription_id: int) -> None:
    with db.transaction(database_url) as session:
        session.execute(
            update(PushSubscription)
            .where(PushSubscription.id == subscription_id, PushSubscription.revoked_at.is_(None))
            .values(revoked_at=clock.now())
            .execution_options(synchronize_session=False)
        )


def send_due(
    batch: int = BATCH,
    worker_id: str | None = None,
    *,
    database_url: str | None = None,
    settings: Settings | None = None,
    vapid_path: Path = channels.VAPID_FILE,
) -> SendReport:
    """Claim up to ``batch`` due notices and send them; safe to run in several processes at once."""
    settings = settings or default_settings
    report = SendReport()
    with db.transaction(database_url) as session:
        token = claim(session, batch, worker_id or default_worker_id())
    with db.transaction(database_url) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == token, OutboxMessage.status == OutboxStatus.SENDING)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        ).all()
    report.claimed = len(rows)
    deliverer = _Deliverer(settings, database_url, vapid_path)
    try:
        for row in rows:
            if clock.now() >= clock.as_utc(row.claimed_until) - LEASE_MARGIN:
                # Too late to start: another sender may take it over soon. Hand it back untried.
                if _finish(database_url, row, token, status=OutboxStatus.PENDING, claimed_by=None,
                           claimed_until=None, attempts=OutboxMessage.attempts - 1):
                    report.released += 1
                continue
            try:
                deliverer.deliver(row)
            except DeliveryError as failure:
                _record_failure(database_url, row, token, failure, report)
                continue
            except Exception as bug:  # a gateway's own error: keep the row, retry later
                log.warning("outbox message %s: unexpected %s while sending", row.id, type(bug).__name__)
                _record_failure(database_url, row, token, DeliveryError(f"error ({type(bug).__name__})"), report)
                continue
            if _finish(database_url, row, token, status=OutboxStatus.SENT, sent_at=clock.now(),
                       claimed_until=None, last_error=None, **_secret_blanked(row.kind)):
                report.sent += 1
                report.sent_ids.append(row.id)
            else:
                log.warning("outbox message %s was sent after its claim expired (it may be sent twice)", row.id)
    finally:
        deliverer.close()
    if report.claimed:
        log.info("outbox: claimed %d, sent %d, retrying %d, failed %d, handed back %d",
                 report.claimed, report.sent, report.retrying, report.failed, report.released)
    return report


def _record_failure(database_url: str | None, row: OutboxMessage, token: str, failure: DeliveryError,
                    report: SendReport) -> None:
    if failure.gone:
        _revoke_subscription(database_url, int(row.recipient))
    if failure.permanent or row.attempts >= MAX_ATTEMPTS:
        if _finish(database_url, row, token, status=OutboxStatus.FAILED, claimed_until=None,
                   last_error=failure.reason, **_secret_blanked(row.kind)):
            report.failed += 1
        log.warning("outbox message %s failed for good after %d attempts: %s", row.id, row.attempts, failure.reason)
        return
    if _finish(database_url, row, token, status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None,
               next_attempt_at=clock.now() + backoff(row.attempts), last_error=failure.reason):
        report.retrying += 1


def run(max_seconds: float = 30.0) -> None:
    """The scheduled job: batches until the due notices are sent or ``max_seconds`` have passed."""
    deadline = time.monotonic() + max_seconds
    while True:
        report = send_due()
        if report.claimed < BATCH or time.monotonic() > deadline:
            return


def prune_finished(session: Session, keep: timedelta = KEEP_FINISHED) -> int:
    """Drop sent, failed and cancelled notices after ``keep`` (their dedupe keys go with them)."""
    result = session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED]),
               OutboxMessage.created_at < clock.now() - keep)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def prune() -> None:
    with db.transaction() as session:
        removed = prune_finished(session)
    if removed:
        log.info("pruned %d finished outbox messages", removed)
